#pragma once
// Every ReadView query, written once, for any connection of either store: SqlReadOps<engine::ReadView> is the
// snapshot view on a read connection, SqlReadOps<engine::WriteTx> the base of the write
// transaction (it sees its own uncommitted writes). Query failures are recorded in error().
#include <optional>

#include "adapters/store/sql/connection.h"
#include "engine/core/secret_box.h"
#include "engine/store/store.h"

namespace dixian::store {

struct StoredChannel;  // rows.h

template <class Base>
class SqlReadOps : public Base {
 public:
  // `secrets` opens the sealed channel columns (null: stored and read as they are, store tests).
  explicit SqlReadOps(Connection& conn, const engine::SecretBox* secrets = nullptr)
      : conn_(conn), secrets_(secrets) {}

  std::optional<engine::Org> FindOrg(const std::string& code) override;
  std::vector<engine::Org> ChildOrgs(const std::string& code) override;
  std::optional<engine::User> FindUser(const std::string& id) override;
  std::optional<engine::User> FindUserByTokenHash(const std::string& token_hash) override;
  std::vector<engine::User> UsersAt(const std::string& org, engine::Role role) override;
  std::vector<engine::User> UsersWithRole(engine::Role role) override;
  std::map<std::string, std::string> ImOf(const std::string& user) override;
  std::optional<engine::User> FindUserByIm(const std::string& platform,
                                           const std::string& im_id) override;
  std::vector<engine::Channel> ChannelsOf(const std::string& org) override;
  std::optional<engine::Channel> FindChannel(const std::string& id) override;

  std::optional<engine::Household> FindHousehold(const std::string& id) override;
  std::optional<engine::MonitoringObject> FindMonitoring(const std::string& household) override;
  std::vector<engine::MonitoringObject> MonitoringOfContact(const std::string& user) override;
  std::vector<engine::Measure> MeasuresOf(const std::string& household) override;
  std::vector<engine::Visit> VisitsOf(const std::string& household) override;
  std::optional<engine::Attachment> FindAttachment(std::int64_t id) override;
  std::optional<std::string> EvidenceBytes(const std::string& sha256) override;
  std::vector<engine::Attachment> AttachmentsOf(const std::string& case_id,
                                                std::int64_t visit) override;
  std::vector<engine::Member> MembersOf(const std::string& household) override;
  std::optional<engine::Member> FindMemberByIdNumber(const std::string& id_number) override;
  std::vector<engine::AuditEvent> HouseholdChanges(const std::string& household) override;
  std::optional<engine::Lead> FindLead(const std::string& id) override;
  std::vector<engine::Lead> LeadsInSubtree(const std::string& org_path_prefix,
                                           std::optional<engine::LeadStatus> status,
                                           int limit) override;
  std::vector<engine::Lead> LeadsOfCase(const std::string& case_id) override;

  std::optional<engine::Case> FindCase(const std::string& id) override;
  std::vector<engine::Case> OpenCasesOf(const std::string& household) override;
  std::vector<engine::AuditEvent> History(const std::string& case_id) override;

  std::optional<engine::Task> FindTask(std::int64_t id) override;
  std::vector<engine::Task> OpenTasksOfCase(const std::string& case_id) override;
  std::vector<engine::Task> OpenTasksOfHousehold(const std::string& household) override;
  std::vector<engine::Task> OpenTasksInSubtree(const std::string& org_path_prefix,
                                               const std::vector<engine::Role>& roles,
                                               std::optional<engine::Department> department,
                                               const std::string& assignee, int limit) override;
  std::vector<engine::TaskGroupCount> OpenTaskGroups(const std::string& org_path_prefix,
                                                     engine::Instant now) override;
  std::vector<engine::Task> OpenTasksDueBy(const std::string& org_path_prefix, const std::string& assignee,
                                           engine::Instant due_by, int limit) override;
  std::int64_t CountOpenTasks() override;
  std::int64_t CountOverdueTasks(engine::Instant now) override;

  std::vector<engine::CountRow> CountMonitoring(const std::string& org_path_prefix) override;
  std::vector<engine::VillageTimeliness> Timeliness(const std::string& org_path_prefix,
                                                    engine::Instant now, engine::Instant window,
                                                    engine::Instant month_from,
                                                    engine::Instant month_to) override;
  std::vector<engine::MeasureCoverageRow> MeasureCoverage(
      const std::string& org_path_prefix) override;
  std::vector<engine::MovementCount> CountMovements(const std::string& org_path_prefix,
                                                    engine::Instant from,
                                                    engine::Instant to) override;

  engine::LedgerSlice Ledger(const engine::LedgerFilter& filter, std::int64_t offset,
                             int limit) override;

  std::vector<engine::AuditEvent> AuditPage(std::int64_t after_seq, int limit) override;
  std::optional<std::string> Meta(const std::string& key) override;
  std::vector<engine::AuditEvent> EventsByActor(const std::string& actor, int limit) override;
  std::vector<engine::Case> CasesOpenedBy(const std::string& user, int limit) override;
  std::vector<engine::Household> SearchHouseholds(const std::string& org_path_prefix,
                                                  const std::string& text, int limit) override;

  std::optional<engine::IdempotentReply> FindIdempotent(const std::string& principal,
                                                        const std::string& scope,
                                                        const std::string& key) override;

  // The first query or write error seen through this object, if any.
  const std::optional<engine::Error>& error() const { return error_; }
  const std::optional<engine::Error>& failure() const override { return error_; }

 protected:
  Connection& conn() { return conn_; }
  // Records the statement's error (first one wins); returns true when there was one.
  bool Failed(const Statement& st);
  void RecordError(const engine::Error& e) {
    if (!error_) error_ = e;
  }
  std::optional<engine::Error> TakeRecordedError() {
    auto e = std::move(error_);
    error_.reset();
    return e;
  }
  // Runs `st` and collects one row per result with `read`.
  template <class T, class ReadRow>
  std::vector<T> Collect(Statement& st, ReadRow read);
  template <class T, class ReadRow>
  std::optional<T> One(Statement& st, ReadRow read);
  // The channel with its sealed url, secret and app credentials opened; nullopt (error recorded)
  // when one does not open.
  std::optional<engine::Channel> OpenSecrets(StoredChannel row);
  const engine::SecretBox* secrets() const { return secrets_; }

 private:
  Connection& conn_;
  const engine::SecretBox* secrets_;
  std::optional<engine::Error> error_;
};

template <class Base>
bool SqlReadOps<Base>::Failed(const Statement& st) {
  if (!st.error()) return false;
  RecordError(*st.error());
  return true;
}

template <class Base>
template <class T, class ReadRow>
std::vector<T> SqlReadOps<Base>::Collect(Statement& st, ReadRow read) {
  std::vector<T> rows;
  while (st.Step()) rows.push_back(read(st));
  Failed(st);
  return rows;
}

template <class Base>
template <class T, class ReadRow>
std::optional<T> SqlReadOps<Base>::One(Statement& st, ReadRow read) {
  if (st.Step()) return read(st);
  Failed(st);
  return std::nullopt;
}

extern template class SqlReadOps<engine::ReadView>;
extern template class SqlReadOps<engine::WriteTx>;

}  // namespace dixian::store
