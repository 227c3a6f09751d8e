#include "adapters/store/sql/connection.h"

namespace dixian::store {

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : impl_(other.impl_), error_(std::move(other.error_)) {
  other.impl_ = nullptr;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (impl_) impl_->BindInt64(index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (impl_) impl_->BindDouble(index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (impl_) impl_->BindText(index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::optional<std::int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  if (impl_) impl_->BindNull(index);
  return *this;
}

Statement& Statement::BindNullIfEmpty(int index, std::string_view value) {
  return value.empty() ? BindNull(index) : Bind(index, value);
}

engine::Status Statement::Run() {
  while (Step()) {
  }
  if (error_) return *error_;
  return engine::OkStatus();
}

std::optional<std::int64_t> Statement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

// ---- Connection ----

engine::Result<std::int64_t> Connection::WriteLargeObject(std::string_view) {
  return engine::Error::Internal("此数据库不支持大对象（large object）");
}

engine::Result<std::string> Connection::ReadLargeObject(std::int64_t) {
  return engine::Error::Internal("此数据库不支持大对象（large object）");
}

Statement Connection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto prepared = PrepareImpl(sql);
    if (!prepared) return Statement(prepared.error());
    it = cache_.emplace(sql, std::move(prepared.value())).first;
  }
  return Statement(it->second.get());
}

// ---- Transaction / Savepoint ----

Transaction::~Transaction() {
  if (active_) Rollback();
}

engine::Status Transaction::Begin(Mode mode) {
  const char* begin =
      mode == Mode::kImmediate
          ? conn_.Sql("BEGIN IMMEDIATE", "BEGIN")
          : conn_.Sql("BEGIN DEFERRED", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  auto st = conn_.Run(begin);
  active_ = st.ok();
  return st;
}

engine::Status Transaction::BeginWith(const char* sql) {
  auto st = conn_.Exec(sql);
  active_ = conn_.InTransaction();
  return st;
}

engine::Status Transaction::Commit() {
  auto st = conn_.Run("COMMIT");
  if (st.ok()) active_ = false;
  return st;
}

void Transaction::Rollback() {
  // After some errors SQLite has already rolled back; ROLLBACK then fails harmlessly.
  if (conn_.InTransaction()) (void)conn_.Run("ROLLBACK");
  active_ = false;
}

Savepoint::~Savepoint() {
  if (active_) Rollback();
}

engine::Status Savepoint::Begin() {
  auto st = conn_.Run("SAVEPOINT job");
  active_ = st.ok();
  return st;
}

engine::Status Savepoint::Release() {
  auto st = conn_.Run("RELEASE job");
  if (st.ok()) active_ = false;
  return st;
}

void Savepoint::Rollback() {
  if (conn_.InTransaction()) {
    (void)conn_.Run("ROLLBACK TO job");
    (void)conn_.Run("RELEASE job");
  }
  active_ = false;
}

}  // namespace dixian::store
