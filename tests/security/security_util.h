#pragma once
// Shared by the attack tests (tests/security): the real binary on a temp database with the
// county of tests/reliability (P > C > T1, T2 > V11, V12 in T1, V21, V22 in T2; users
// clerk_<village>, contact_<village>, rev_T1, rev_T2, county, dept_medical, prov, sup_county).
// DIXIAN_ATTACK_BINARY=<path> runs the attacks against another build (e.g. an older one, where
// each should fail).
#include <cstdlib>
#include <memory>
#include <string>

#include "tests/reliability/reliability_util.h"

namespace dixian::security {

using reliability::Answer;
using reliability::AttachMinutes;
using reliability::Call;
using reliability::County;
using reliability::Json;
using reliability::Scalar;
using reliability::Sql;
using test_support::HttpClient;
using test_support::ServerProcess;
using test_support::ServerProcessOptions;

inline constexpr const char* kStart = "2026-03-02T09:00:00+08:00";

class SecurityTest : public ::testing::Test {
 protected:
  virtual ServerProcessOptions Options() {
    ServerProcessOptions o;
    const char* other = std::getenv("DIXIAN_ATTACK_BINARY");
    o.binary = other ? other : DIXIAN_BINARY;
    o.fake_clock = kStart;
    return o;
  }
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(Options());
    ASSERT_TRUE(server_->Start()) << server_->error();
    ASSERT_TRUE(reliability::SeedCounty(*server_, &county_));
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    }
  }
  std::unique_ptr<HttpClient> As(const std::string& user) {
    return server_->Client(user == "admin" ? server_->admin_token() : county_.tokens.at(user));
  }
  Answer Do(const std::string& user, const std::string& method, const std::string& target,
            const Json& body = nullptr, const test_support::Headers& headers = {}) {
    return Call(*As(user), method, target, body, headers);
  }
  std::string Db() const { return server_->db_path(); }
  Json Household(const std::string& id, const std::string& village) {
    return {{"id", id}, {"village", village}, {"head_name", "王建国"}, {"members", 4}, {"income_per_capita", 4800}};
  }

  std::unique_ptr<ServerProcess> server_;
  County county_;
};

}  // namespace dixian::security
