#include "adapters/store/postgres/pg_db.h"

#include <libpq/libpq-fs.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

namespace dixian::store {

namespace {

std::string FirstLine(const char* text) {
  std::string s = text ? text : "";
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

engine::Error MapPgError(const PGresult* result, PGconn* conn) {
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? field : "";
  const std::string code = "（PostgreSQL " + (state.empty() ? std::string("无应答") : state) + "）";
  if (state.empty() || (conn && PQstatus(conn) != CONNECTION_OK) || StartsWith(state, "08") ||
      StartsWith(state, "57P") || StartsWith(state, "53") || StartsWith(state, "58") ||
      state == "25006")
    return engine::Error::Unavailable(
        "database_unavailable", "数据库暂时无法访问或无法写入，操作未执行，请稍后重试" + code);
  if (state == "40P01" || state == "40001" || state == "55P03" || state == "57014")
    return engine::Error::Unavailable("database_busy", "数据库正忙，请稍后重试" + code);
  if (state == "23505") return engine::Error::Conflict("duplicate", "记录已存在，不能重复添加");
  if (StartsWith(state, "23"))
    return engine::Error::Conflict("constraint_violation", "数据与现有记录冲突" + code);
  if (StartsWith(state, "22"))
    return engine::Error::Unprocessable("invalid_value",
                                        "数据无法保存：含有数据库不接受的字符或数值" + code);
  return engine::Error::Internal("数据库错误" + code);
}

std::string DescribePgUri(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "(无法解析的连接串)";
  }
  std::string host = "localhost", port = "5432", dbname;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string key = o->keyword;
    if (key == "host" || key == "hostaddr") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  return host + ":" + port + "/" + dbname;
}

std::string PgParameters(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 8);
  int highest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
      out.push_back(c);
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
      continue;
    }
    if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      int n = 0;
      std::size_t j = i + 1;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      if (n > highest) highest = n;
      out.push_back('$');
      out.append(sql.substr(i + 1, j - i - 1));
      i = j - 1;
      continue;
    }
    out.push_back(c);
  }
  if (params) *params = highest;
  return out;
}

// ---- PgStatement ----

namespace {

class PgStatement final : public StatementImpl {
 public:
  PgStatement(PgConnection& conn, std::string name, int params)
      : conn_(conn), name_(std::move(name)), values_(static_cast<std::size_t>(params)),
        null_(static_cast<std::size_t>(params), true) {}
  ~PgStatement() override { Clear(); }

  void BindInt64(int index, std::int64_t value) override {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    Set(index, std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  void BindDouble(int index, double value) override {
    char buf[40];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest exact form
    Set(index, std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  void BindText(int index, std::string_view value) override {
    // libpq sends text parameters as C strings, and PostgreSQL text cannot hold NUL: refuse
    // rather than store a value cut short.
    if (value.find('\0') != std::string_view::npos && !bind_error_)
      bind_error_ = engine::Error::Unprocessable(
          "invalid_value", "文本中含有空字符（\\u0000），数据库不能保存，请删除后重试");
    Set(index, value);
  }
  void BindNull(int index) override {
    if (index >= 1 && index <= static_cast<int>(null_.size())) null_[static_cast<std::size_t>(index - 1)] = true;
  }

  bool Step(std::optional<engine::Error>& error) override {
    if (!executed_) {
      executed_ = true;
      if (bind_error_) {
        if (!error) error = bind_error_;
        return false;
      }
      if (!Execute(error)) return false;
    }
    if (result_ == nullptr) return false;
    return ++row_ < rows_;
  }

  void Reset() override {
    Clear();
    executed_ = false;
    bind_error_.reset();
    std::fill(null_.begin(), null_.end(), true);
  }

  std::int64_t Int64(int column) const override {
    const char* v = Value(column);
    if (v == nullptr) return 0;
    std::int64_t out = 0;
    std::from_chars(v, v + std::char_traits<char>::length(v), out);
    return out;
  }
  double Double(int column) const override {
    const char* v = Value(column);
    return v ? std::strtod(v, nullptr) : 0.0;
  }
  bool IsNull(int column) const override {
    return result_ == nullptr || PQgetisnull(result_, row_, column) != 0;
  }
  std::string Text(int column) const override {
    if (IsNull(column)) return {};
    return std::string(PQgetvalue(result_, row_, column),
                       static_cast<std::size_t>(PQgetlength(result_, row_, column)));
  }

 private:
  void Set(int index, std::string_view value) {
    if (index < 1 || index > static_cast<int>(values_.size())) return;
    values_[static_cast<std::size_t>(index - 1)].assign(value);
    null_[static_cast<std::size_t>(index - 1)] = false;
  }
  const char* Value(int column) const {
    if (IsNull(column)) return nullptr;
    return PQgetvalue(result_, row_, column);
  }
  bool Execute(std::optional<engine::Error>& error) {
    std::vector<const char*> params(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) params[i] = null_[i] ? nullptr : values_[i].c_str();
    result_ = PQexecPrepared(conn_.get(), name_.c_str(), static_cast<int>(params.size()),
                             params.data(), nullptr, nullptr, 0);
    const auto status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      if (!error) error = MapPgError(result_, conn_.get());
      Clear();
      return false;
    }
    rows_ = PQntuples(result_);
    row_ = -1;
    const char* changed = PQcmdTuples(result_);
    if (changed && *changed) conn_.set_changes(std::strtoll(changed, nullptr, 10));
    return true;
  }
  void Clear() {
    if (result_) PQclear(result_);
    result_ = nullptr;
    rows_ = 0;
    row_ = -1;
  }

  PgConnection& conn_;
  const std::string name_;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::optional<engine::Error> bind_error_;
  bool executed_ = false;
  PGresult* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
};

}  // namespace

// ---- PgConnection ----

engine::Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& uri,
                                                                const PgSessionSettings& settings) {
  const std::string timeout = std::to_string(settings.connect_timeout_s);
  // Defaults first: what the URI itself says wins (expand_dbname), except the encoding.
  const char* keys[] = {"connect_timeout", "application_name", "keepalives", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "dbname", "client_encoding",
                        nullptr};
  const char* values[] = {timeout.c_str(), settings.application_name.c_str(), "1", "10", "5", "3",
                          uri.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr)
    return engine::Error::Unavailable("database_unavailable", "无法连接数据库：内存不足");
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  // The server's notices (e.g. "terminating connection due to administrator command") are not
  // for the terminal: errors come back as Errors.
  PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
  if (PQstatus(raw) != CONNECTION_OK)
    return engine::Error::Unavailable(
        "database_unreachable", "无法连接 PostgreSQL 数据库 " + DescribePgUri(uri) + "：" +
                                    FirstLine(PQerrorMessage(raw)));
  const char* encoding = PQparameterStatus(raw, "server_encoding");
  if (encoding == nullptr || std::string_view(encoding) != "UTF8")
    return engine::Error::Unavailable(
        "database_encoding", "PostgreSQL 数据库 " + DescribePgUri(uri) + " 的编码是 " +
                                 (encoding ? encoding : "?") +
                                 "，需要 UTF8（createdb -E UTF8 -T template0 ...）");
  const std::string session = "SET lock_timeout = " + std::to_string(settings.lock_timeout_ms) +
                              "; SET idle_in_transaction_session_timeout = 60000";
  if (auto st = conn->Exec(session); !st) return st.error();
  return conn;
}

PgConnection::~PgConnection() {
  ForgetStatements();
  PQfinish(conn_);
}

bool PgConnection::Broken() const {
  // Idle, nothing is expected from the server: whatever the socket has to read (a notice of the
  // shutdown, then the end of the stream) says it went away. Poll without waiting.
  for (int reads = 0; reads < 4 && PQstatus(conn_) == CONNECTION_OK &&
                      PQtransactionStatus(conn_) == PQTRANS_IDLE;
       ++reads) {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) break;
    if (PQconsumeInput(conn_) == 0) break;
  }
  return PQstatus(conn_) != CONNECTION_OK;
}

bool PgConnection::InTransaction() const {
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

engine::Status PgConnection::Exec(const char* sql) {
  PGresult* result = PQexec(conn_, sql);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  engine::Status out = engine::OkStatus();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
    out = MapPgError(result, conn_);
  if (result) PQclear(result);
  return out;
}

namespace {

constexpr std::size_t kLargeObjectChunk = 256 * 1024;

// A failed lo_* call has no result to read a SQLSTATE from: a lost connection is the usual
// 503, anything else an internal error (libpq's text is not shown: it may name the object).
engine::Error LargeObjectError(PGconn* conn) {
  if (PQstatus(conn) != CONNECTION_OK) return MapPgError(nullptr, conn);
  return engine::Error::Internal("数据库大对象读写失败（" + FirstLine(PQerrorMessage(conn)) + "）");
}

}  // namespace

engine::Result<std::int64_t> PgConnection::WriteLargeObject(std::string_view bytes) {
  const Oid oid = lo_creat(conn_, INV_READ | INV_WRITE);
  if (oid == InvalidOid) return LargeObjectError(conn_);
  const int fd = lo_open(conn_, oid, INV_WRITE);
  if (fd < 0) return LargeObjectError(conn_);
  for (std::size_t at = 0; at < bytes.size(); at += kLargeObjectChunk) {
    const std::size_t n = std::min(kLargeObjectChunk, bytes.size() - at);
    if (lo_write(conn_, fd, bytes.data() + at, n) != static_cast<int>(n)) return LargeObjectError(conn_);
  }
  if (lo_close(conn_, fd) != 0) return LargeObjectError(conn_);
  return static_cast<std::int64_t>(oid);
}

engine::Result<std::string> PgConnection::ReadLargeObject(std::int64_t oid) {
  const int fd = lo_open(conn_, static_cast<Oid>(oid), INV_READ);
  if (fd < 0) return LargeObjectError(conn_);
  std::string out;
  std::string chunk(kLargeObjectChunk, '\0');
  for (;;) {
    const int n = lo_read(conn_, fd, chunk.data(), chunk.size());
    if (n < 0) return LargeObjectError(conn_);
    if (n == 0) break;
    out.append(chunk.data(), static_cast<std::size_t>(n));
  }
  if (lo_close(conn_, fd) != 0) return LargeObjectError(conn_);
  return out;
}

engine::Result<std::unique_ptr<StatementImpl>> PgConnection::PrepareImpl(const char* sql) {
  int params = 0;
  const std::string text = PgParameters(sql, &params);
  const std::string name = "s" + std::to_string(++prepared_);
  PGresult* result = PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr);
  const bool ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
  engine::Error error = ok ? engine::Error{} : MapPgError(result, conn_);
  if (result) PQclear(result);
  if (!ok) return error;
  return std::unique_ptr<StatementImpl>(std::make_unique<PgStatement>(*this, name, params));
}

}  // namespace dixian::store
