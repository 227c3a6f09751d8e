// Idempotency-Key attacks (issue 17 items 1 and 2): a key replayed on another target must run as
// a new request; stored answers expire; tokens in answers are never written to the database.
#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

const test_support::Headers kKey = {{"Idempotency-Key", "same-key-0001"}};

class Idempotency : public SecurityTest {};

// Before: the key was (caller, key) + body hash, so revoking clerk_V12 with the key first used
// for clerk_V11 and the same empty body replayed the first answer and clerk_V12 stayed active.
TEST_F(Idempotency, SameKeyOnAnotherUserRevokesThatUser) {
  auto first = Do("admin", "POST", "/api/v1/users/clerk_V11/revoke", nullptr, kKey);
  ASSERT_EQ(first.status, 200) << first.raw;
  auto second = Do("admin", "POST", "/api/v1/users/clerk_V12/revoke", nullptr, kKey);
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.body["id"], "clerk_V12") << second.raw;
  EXPECT_EQ(Do("clerk_V12", "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(Do("clerk_V11", "GET", "/api/v1/me").status, 401);
  // The same request again is still a replay: the stored answer, nothing runs twice.
  auto again = Do("admin", "POST", "/api/v1/users/clerk_V12/revoke", nullptr, kKey);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, second.body);
  EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM audit WHERE action = 'revoke_token'"), "2");
}

// The same across cases: one submit body, one key, two cases; both must be submitted.
TEST_F(Idempotency, SameKeyOnAnotherCaseActsOnThatCase) {
  std::string ids[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("HK" + std::to_string(i), "V11")).status, 201);
    auto c = Do("clerk_V11", "POST", "/api/v1/cases",
                {{"workflow", "identification"}, {"household", "HK" + std::to_string(i)},
                 {"data", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 4000}}}});
    ASSERT_EQ(c.status, 201) << c.raw;
    ids[i] = c.body["id"].get<std::string>();
    ASSERT_EQ(AttachMinutes(*As("clerk_V11"), ids[i]).status, 201);
  }
  const Json submit = {{"action", "submit"}, {"expected_version", 1}};
  for (const auto& id : ids) {
    auto r = Do("clerk_V11", "POST", "/api/v1/cases/" + id + "/actions", submit, kKey);
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["id"], id) << r.raw;
  }
  for (const auto& id : ids) EXPECT_EQ(Do("admin", "GET", "/api/v1/cases/" + id).body["version"], 2) << id;
}

// Before: the reply of user creation and token reissue was stored with the token in clear.
TEST_F(Idempotency, TokensAreNotStoredAndReplaysWithholdThem) {
  const Json user = {{"id", "newclerk"}, {"name", "新村干部"}, {"role", "village_clerk"}, {"org", "V11"}};
  auto created = Do("admin", "POST", "/api/v1/users", user, kKey);
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string token = created.body["token"].get<std::string>();
  const test_support::Headers reissue_key = {{"Idempotency-Key", "reissue-key-0001"}};
  auto reissued = Do("admin", "POST", "/api/v1/users/newclerk/token", nullptr, reissue_key);
  ASSERT_EQ(reissued.status, 200) << reissued.raw;
  const std::string token2 = reissued.body["token"].get<std::string>();
  for (const auto& t : {token, token2}) {
    EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM idempotency WHERE instr(response, '" + t + "') > 0"), "0");
    EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM audit WHERE instr(data, '" + t + "') > 0"), "0");
  }
  EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM idempotency"), "2");
  // A replay says the token was withheld; the token of the first answer is the one that works.
  auto replay = Do("admin", "POST", "/api/v1/users/newclerk/token", nullptr, reissue_key);
  ASSERT_EQ(replay.status, 200) << replay.raw;
  EXPECT_FALSE(replay.body.contains("token")) << replay.raw;
  EXPECT_EQ(replay.body["token_withheld"], true) << replay.raw;
  EXPECT_EQ(Call(*server_->Client(token2), "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(Call(*server_->Client(token), "GET", "/api/v1/me").status, 401);
  auto create_replay = Do("admin", "POST", "/api/v1/users", user, kKey);
  EXPECT_EQ(create_replay.status, 201);
  EXPECT_EQ(create_replay.body["token_withheld"], true) << create_replay.raw;
}

// Stored answers live 24 hours of wall time; then the key is free and the rows are pruned. The
// day is simulated by ageing the stored answer in the database.
TEST_F(Idempotency, StoredAnswersExpireAfterADay) {
  auto first = Do("clerk_V11", "POST", "/api/v1/households", Household("HX", "V11"), kKey);
  ASSERT_EQ(first.status, 201) << first.raw;
  auto replay = Do("clerk_V11", "POST", "/api/v1/households", Household("HX", "V11"), kKey);
  EXPECT_EQ(replay.status, 201) << replay.raw;
  Sql(Db(), "UPDATE idempotency SET created_at = created_at - 86460", true);
  auto late = Do("clerk_V11", "POST", "/api/v1/households", Household("HX", "V11"), kKey);
  EXPECT_EQ(late.status, 409) << "after a day the key no longer replays: " << late.raw;
  Sql(Db(), "INSERT INTO idempotency SELECT principal, scope, 'old-' || key, body_hash, status, response,"
            " created_at - 86460 FROM idempotency", true);
  ASSERT_EQ(Scalar(Db(), "SELECT count(*) FROM idempotency"), "2");
  ASSERT_EQ(Do("admin", "POST", "/api/v1/admin/clock", {{"advance_seconds", 60}}).status, 200);
  EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM idempotency WHERE key LIKE 'old-%'"), "0") << "expired answers are pruned";
}

}  // namespace
}  // namespace dixian::security
