#pragma once
// The PostgreSQL driver under the shared SQL layer (sql/connection.h), on libpq: a connection
// that prepares each statement once (the shared SQL's ?N parameters become $N), sends parameters
// and reads results as text, and the ONE function that turns SQLSTATEs into Errors.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "adapters/store/sql/connection.h"
#include "engine/core/error.h"

namespace dixian::store {

// An engine Error for a failed libpq call: `result` may be null (no answer: the connection is
// gone). The message is for whoever sees it (Chinese) and names the SQLSTATE, not the server's
// text, which may quote data.
engine::Error MapPgError(const PGresult* result, PGconn* conn);

// "host:port/dbname" of a connection URI, for messages (never the password).
std::string DescribePgUri(const std::string& uri);

struct PgSessionSettings {
  int connect_timeout_s = 5;
  // The writer waits this long for the write lock another process holds (then 503, busy).
  int lock_timeout_ms = 30000;
  std::string application_name = "dixian";
};

class PgConnection final : public Connection {
 public:
  // Connects (libpq URI or key=value string). Errors: kUnavailable "database_unreachable" naming
  // the host and libpq's reason (for an operator's terminal), or "database_encoding" when the
  // database is not UTF8.
  static engine::Result<std::unique_ptr<PgConnection>> Open(const std::string& uri,
                                                            const PgSessionSettings& settings);
  ~PgConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  // Simple-protocol execution: several statements allowed (migrations, settings).
  engine::Status Exec(const char* sql) override;
  using Connection::Exec;
  bool InTransaction() const override;
  std::int64_t Changes() const override { return changes_; }
  // Client-side large objects (lo_creat/lo_open/lo_write/lo_read), in the open transaction.
  engine::Result<std::int64_t> WriteLargeObject(std::string_view bytes) override;
  engine::Result<std::string> ReadLargeObject(std::int64_t oid) override;

  // The connection is gone (the server restarted or the network broke): make a new one. Reads
  // what the server sent meanwhile without waiting (a server that shut down has said so and closed
  // the socket), so an idle connection to a restarted server is found broken before it is used.
  bool Broken() const override;
  PGconn* get() const { return conn_; }
  void set_changes(std::int64_t n) { changes_ = n; }

 protected:
  engine::Result<std::unique_ptr<StatementImpl>> PrepareImpl(const char* sql) override;

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  std::int64_t changes_ = 0;
  int prepared_ = 0;  // statement names s1, s2, ...
};

// The shared SQL's numbered parameters (?1, ?12) as PostgreSQL's ($1, $12), outside quoted text;
// `params` gets the highest number used.
std::string PgParameters(std::string_view sql, int* params);

}  // namespace dixian::store
