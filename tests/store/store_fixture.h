#pragma once
// Shared helpers for the store tests: a store on a fresh database and small record builders.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/store/postgres/pg_db.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_db.h"

namespace dixian::store::testing {

using engine::Result;
using engine::WriteTx;
using Json = nlohmann::json;
// A write job that answers with JSON (the store hands any Result<T> back through Submit / Run).
using JsonJob = std::function<Result<Json>(WriteTx&)>;

inline std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path, SqliteOptions options = {}) {
  auto store = SqliteStore::Open(path, options);
  if (!store) ADD_FAILURE() << store.error().message;
  return store ? std::move(store.value()) : nullptr;
}

// The store the suite runs on (SQLite file or PostgreSQL schema, see test_db.h).
inline std::unique_ptr<Database> OpenStoreOrDie(const std::string& db) {
  auto store = OpenDatabase(db);
  if (!store) ADD_FAILURE() << store.error().message;
  return store ? std::move(store.value()) : nullptr;
}

// A connection of the store's driver on `db`, outside the store (to tamper, or to look).
inline std::unique_ptr<Connection> OpenConnectionOrDie(const std::string& db) {
  engine::Result<std::unique_ptr<Connection>> conn = engine::Error::Internal("");
  if (IsPostgresUri(db)) {
    auto pg = PgConnection::Open(db, {});
    conn = pg ? engine::Result<std::unique_ptr<Connection>>(std::move(pg.value())) : pg.error();
  } else {
    auto lite = SqliteConnection::Open(db, false, false, 1000);
    conn = lite ? engine::Result<std::unique_ptr<Connection>>(std::move(lite.value())) : lite.error();
  }
  if (!conn) ADD_FAILURE() << conn.error().message;
  return conn ? std::move(conn.value()) : nullptr;
}

inline engine::Org MakeOrg(const std::string& code, const std::string& level,
                           const engine::Org* parent = nullptr) {
  engine::Org org;
  org.code = code;
  org.name = "org " + code;
  org.level = engine::Parse<engine::OrgLevel>(level).value();
  org.parent = parent ? parent->code : "";
  org.path = (parent ? parent->path : "/") + code + "/";
  return org;
}

inline engine::Household MakeHousehold(const std::string& id, const engine::Org& village,
                                       int members) {
  engine::Household h;
  h.id = id;
  h.village = village.code;
  h.village_path = village.path;
  h.head_name = "户主" + id;
  h.members = members;
  h.income_per_capita = 6000;
  h.created_at = 1700000000;
  return h;
}

inline engine::Task MakeTask(const std::string& household, const std::string& org_path,
                             const std::string& role) {
  engine::Task t;
  t.case_id = "C1";
  t.household = household;
  t.workflow = "identification";
  t.workflow_version = 1;
  t.step = "township_review";
  t.org = "x";
  t.org_path = org_path;
  t.role = engine::Parse<engine::Role>(role).value();
  t.created_at = 1000;
  t.due_at = 2000;
  return t;
}

// Runs `fn` as one write job and expects it to succeed.
template <class F>
void MustWrite(engine::Store& store, F fn) {
  auto r = store.Run([&](WriteTx& tx) -> Result<Json> {
    fn(tx);
    return Json::object();
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
}

// A store on a fresh database of the kind the suite runs on.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<dixian::testing::TestDb>(dir_.File("db/dixian.db"));
    path_ = test_db_->db();
    store_ = OpenStoreOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  dixian::testing::TempDir dir_;
  std::unique_ptr<dixian::testing::TestDb> test_db_;
  std::string path_;  // the file, or the PostgreSQL URI
  std::unique_ptr<Database> store_;
};

}  // namespace dixian::store::testing
