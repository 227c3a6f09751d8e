#pragma once
// The engine on a real SQLite file in a temp dir, with a ManualClock, the shipped workflows/ and
// config/calendar/, and a small county:
//
//   prov (省) > city (市) > county (县) > t1, t2 (乡镇) > v11, v12 (in t1), v21, v22 (in t2)
//
// Users (id: role @ org): clerk_v11, clerk_v12, clerk_v21 (village_clerk), rev_t1, rev_t2
// (township_reviewer), county (county_officer), dept_medical, dept_housing, dept_hr,
// dept_civil (department_officer @ county), prov (province_officer), contact_a, contact_b
// (contact_person @ v11), contact_c (contact_person @ v21), sup_t1, sup_county, sup_city,
// sup_prov (supervisor). Every org has one webhook channel "ch-<org>", so the channel of an
// outbox row tells which org a message went to. Households: "<village>-<n>" for n = 1..4,
// 3 members, income 4000 yuan.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/evidence/file_evidence_store.h"
#include "engine/commands/evidence.h"
#include "adapters/http/api_calls.h"
#include "adapters/store/database.h"
#include "engine/commands/reports.h"
#include "engine/engine.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_db.h"

namespace dixian::testing {

using Json = nlohmann::json;
using engine::Engine;
using engine::Instant;
using engine::Principal;

namespace api = http::api;
using Command = api::JsonWrite;  // &api::CreateCase, ...: a write as the HTTP edge runs it

// The engine's queries with their answers rendered as the API renders them.
class JsonReads {
 public:
  explicit JsonReads(Engine* const& engine) : e_(engine) {}
  engine::Result<Json> GetCase(const Principal& who, const std::string& id);
  engine::Result<Json> CaseHistory(const Principal& who, const std::string& id);
  engine::Result<Json> GetHousehold(const Principal& who, const std::string& id);
  engine::Result<Json> HouseholdTasks(const Principal& who, const std::string& id);
  engine::Result<Json> MyTasks(const Principal& who);
  engine::Result<Json> MonitoringReport(const Principal& who, const std::string& org);
  engine::Result<Json> OverdueReport(const Principal& who, const std::string& org);
  engine::Result<Json> TimelinessReport(const Principal& who, const std::string& org, const std::string& month);
  engine::Result<Json> MovementsReport(const Principal& who, const std::string& org, const std::string& from,
                                       const std::string& to);
  engine::Result<Json> LedgerReport(const Principal& who, const engine::LedgerQuery& query);
  engine::Result<Json> VerifyAudit(const Principal& who);
  engine::Result<Json> Workflows();
  engine::Result<Json> AdvanceClock(const Principal& who, std::int64_t seconds);  // {"now"}

 private:
  Engine* const& e_;
};

// 2026-03-02T09:00:00+08:00, a Monday: where every test's clock starts.
Instant At(const std::string& rfc3339);
std::string Show(Instant t);

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // --- lifecycle
  // Closes engine and store (every queued write finishes first).
  void CloseEngine();
  // Opens store and engine on the same file; `extra` workflows are added to the shipped ones.
  void OpenEngine(const std::vector<engine::WorkflowPtr>& extra = {});

  // --- people
  const Principal& Who(const std::string& user_id);
  const Principal& Admin() const { return admin_; }
  // Creates a user (admin) and keeps its token for Who().
  void AddUser(const Json& body);

  // --- commands, synchronously
  engine::Result<Json> Run(Command command, const Principal& who, Json body, const std::string& id = "",
                           const std::string& key = "");
  // A CSV import (the raw body).
  engine::Result<Json> RunCsv(Command command, const Principal& who, const std::string& csv);
  // Runs and expects success; returns the response (or null after a test failure).
  Json Must(Command command, const Principal& who, Json body, const std::string& id = "");

  // Opens a case; expects success.
  Json Open(const std::string& user, const std::string& workflow, const std::string& household,
            Json data = Json::object());
  // Applies an action at the case's current version.
  engine::Result<Json> Act(const std::string& user, const std::string& case_id, const std::string& action,
                           const std::string& comment = "", Json data = Json::object());
  Json MustAct(const std::string& user, const std::string& case_id, const std::string& action,
               const std::string& comment = "", Json data = Json::object());
  // Attaches a file to a case as `user` (the engine command, as the upload route calls it).
  engine::Result<Json> Attach(const std::string& user, const std::string& case_id,
                              const std::string& kind, const std::string& bytes,
                              const std::string& content_type, const std::string& filename);
  // Act attaches a minimal PDF of each kind the action requires (requires_evidence) that the case
  // lacks, as the acting user, unless a test turns this off to see the requirement itself.
  void AttachRequired(const std::string& user, const std::string& case_id, const std::string& action);
  bool auto_evidence_ = true;
  static constexpr const char* kMinimalPdf = "%PDF-1.4\n%minutes of the 民主评议\n%%EOF\n";
  // identification create -> submit -> township approve -> county approve. Returns the case id.
  std::string Admit(const std::string& household, const std::string& type = "marginal",
                    const std::string& cause = "illness");
  // PATCH /households/{id} as admin at the household's current version.
  Json PatchHousehold(const std::string& household, Json patch);
  // A monitoring object written straight to the store (no chain, no follow-ups).
  void SeedMonitored(const std::string& household, const std::string& type, const std::string& cause,
                     const std::string& status = "risk_active");

  // --- reads (as admin)
  Json Case(const std::string& case_id);
  Json History(const std::string& case_id);
  Json HouseholdTasks(const std::string& household);
  Json Monitoring(const std::string& household);  // the "monitoring" object or null
  // Open follow-up / step tasks of a household with this step name.
  std::vector<Json> TasksNamed(const std::string& household, const std::string& step);
  // Steps of the household's open tasks, sorted.
  std::vector<std::string> OpenSteps(const std::string& household);

  // --- time
  void SetNow(const std::string& rfc3339);
  Instant Now() const { return clock_->Now(); }
  // Moves the clock to `t` (no RunDue).
  void MoveTo(Instant t);
  // Moves the clock to `t` and runs everything due; returns timers fired.
  std::int64_t RunDueAt(Instant t);
  std::int64_t RunDue();

  // --- raw SQL on the database (a separate connection)
  Json Rows(const std::string& sql);
  void Exec(const std::string& sql);
  // Outbox rows: [{"id","channel","kind","urgent","payload"}], oldest first; kind "" = all. The
  // payload is what the delivery side renders: looked up from the row's facts as it would be.
  Json Outbox(const std::string& kind = "");
  // Audit events straight from the table: [{"seq","case","household","actor","action","from","to",
  // "comment","data"}], oldest first; action "" = all.
  Json Audit(const std::string& action = "");

  dixian::testing::TempDir dir_;
  JsonReads reads_{engine_raw_};
  std::unique_ptr<dixian::testing::TestDb> test_db_;
  std::string db_path_;  // test_db_->db(): a file or a PostgreSQL URI
  std::unique_ptr<engine::ManualClock> clock_;
  std::unique_ptr<store::Database> store_;
  std::unique_ptr<Engine> engine_;
  Engine* engine_raw_ = nullptr;  // engine_.get(), for reads_
  std::vector<engine::WorkflowPtr> extra_workflows_;
  int timer_batch_ = engine::EngineOptions{}.timer_batch;  // set before OpenEngine to change it
  std::shared_ptr<const engine::KeyRing> keys_;  // the master keys, kept across OpenEngine
  // The config directory (calendar/, thresholds.json, workflows/ or ../workflows); set before
  // SetUp to run on other definitions.
  std::string config_dir_ = std::string(DIXIAN_SOURCE_DIR) + "/config";

 private:
  void Seed();
  Principal admin_;
  std::map<std::string, std::string> tokens_;  // user id -> bearer token
  std::map<std::string, Principal> principals_;
};

// Org codes and paths of the fixture's tree.
inline const std::string kCountyPath = "/prov/city/county/";
inline const std::string kT1Path = "/prov/city/county/t1/";

}  // namespace dixian::testing
