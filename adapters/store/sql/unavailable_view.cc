#include "adapters/store/sql/unavailable_view.h"

#include "adapters/store/sql/read_ops.h"

namespace dixian::store {
namespace {

// Stands in so the shared query code has something to run on: nothing prepares.
class NoConnection final : public Connection {
 public:
  explicit NoConnection(engine::Error error) : error_(std::move(error)) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  engine::Status Exec(const char*) override { return error_; }
  bool InTransaction() const override { return false; }
  std::int64_t Changes() const override { return 0; }

 protected:
  engine::Result<std::unique_ptr<StatementImpl>> PrepareImpl(const char*) override { return error_; }

 private:
  engine::Error error_;
};

class UnavailableView final : public SqlReadOps<engine::ReadView> {
 public:
  UnavailableView(std::unique_ptr<Connection> conn, const engine::Error& error)
      : SqlReadOps(*conn), conn_(std::move(conn)) {
    RecordError(error);
  }

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace

std::unique_ptr<engine::ReadView> UnavailableReadView(const engine::Error& error) {
  return std::make_unique<UnavailableView>(std::make_unique<NoConnection>(error), error);
}

}  // namespace dixian::store
