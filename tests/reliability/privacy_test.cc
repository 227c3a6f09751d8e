// Privacy: a full run where users carry mobiles and officials type an 18-digit ID number and a
// mobile into comments, notes and measure descriptions. Afterwards neither the server's log nor any
// chat message that reached the (loopback) receiver holds a full mobile or ID number — only the
// masked forms (138****0001, 110101********4518).
#include <thread>

#include "tests/reliability/reliability_util.h"
#include "tests/support/fake_platform.h"

namespace dixian::reliability {
namespace {

using test_support::ServerProcess;
using test_support::ServerProcessOptions;

const std::string kIdNumber = "110101199003074518";
const std::string kMobile = "13912345678";
const std::string kSecret = "户主身份证 " + kIdNumber + "，电话 " + kMobile + "，身份证尾号X的 11010119900307451X";

TEST(Privacy, NoFullMobileOrIdNumberInLogsOrChat) {
  testing::FakePlatform receiver("webhook", "");
  ServerProcessOptions o;
  o.binary = Binary();
  o.fake_clock = "2026-03-02T09:00:00+08:00";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start()) << server.error();
  County county;
  ASSERT_TRUE(SeedCounty(server, &county, receiver.Url()));
  auto as = [&](const std::string& user) {
    return user == "admin" ? server.Admin() : server.Client(county.tokens.at(user));
  };
  auto must = [](const Answer& a, const std::string& what) { EXPECT_EQ(a.status / 100, 2) << what << ": " << a.raw; return a; };

  // Two households: one admitted (follow-ups, contact, measure, visit), one left waiting.
  for (const char* id : {"p-1", "p-2"})
    must(Call(*as("clerk_V11"), "POST", "/api/v1/households",
              {{"id", id}, {"village", "V11"}, {"head_name", "王五"}, {"members", 4}, {"income_per_capita", 3500}}),
         "household");
  auto c = must(Call(*as("clerk_V11"), "POST", "/api/v1/cases",
                     {{"workflow", "identification"}, {"household", "p-1"},
                      {"data", {{"type", "sudden_hardship"}, {"primary_cause", "illness"}, {"note", kSecret}}}}),
                "case");
  const std::string id = c.body.value("id", "");
  int version = c.body.value("version", 0);
  must(AttachMinutes(*as("clerk_V11"), id), "minutes");
  for (const auto& [user, action] : std::vector<std::pair<std::string, std::string>>{
           {"clerk_V11", "submit"}, {"rev_T1", "approve"}, {"county", "approve"}}) {
    auto a = must(Call(*as(user), "POST", "/api/v1/cases/" + id + "/actions",
                       {{"action", action}, {"comment", kSecret}, {"expected_version", version}}),
                  action);
    version = a.body.value("version", version);
  }
  must(Call(*as("rev_T1"), "PUT", "/api/v1/households/p-1/contact", {{"user", "contact_V11"}}), "contact");
  must(Call(*as("contact_V11"), "POST", "/api/v1/households/p-1/measures",
            {{"kind", "medical"}, {"description", kSecret}, {"department", "medical"}}),
       "measure");
  must(Call(*as("contact_V11"), "POST", "/api/v1/households/p-1/visits", {{"mode", "home"}, {"note", kSecret}}), "visit");
  auto waiting = must(Call(*as("clerk_V11"), "POST", "/api/v1/cases",
                           {{"workflow", "identification"}, {"household", "p-2"},
                            {"data", {{"type", "marginal"}, {"primary_cause", "disaster"}}}}),
                      "case 2");
  // Urge and transfer with the numbers in the comment: these texts go to chat.
  const std::string task = waiting.body["tasks"][0].value("id", "");
  must(Call(*as("sup_county"), "POST", "/api/v1/tasks/" + task + "/urge", {{"comment", kSecret}}), "urge");
  must(Call(*as("clerk_V11"), "POST", "/api/v1/tasks/" + task + "/transfer", {{"user", "clerk_V11"}, {"comment", kSecret}}),
       "transfer");
  // Failing requests that echo what was sent must not leak into the log either.
  (void)Call(*as("rev_T1"), "PUT", "/api/v1/households/p-1/contact", {{"user", kMobile}});
  (void)Call(*as("admin"), "POST", "/api/v1/users", {{"id", "x"}, {"name", kSecret}, {"role", "nobody"}, {"org", "V11"}});
  // A month on the engine clock: reminders, overdue notices, escalations, daily digests.
  must(Call(*as("admin"), "POST", "/api/v1/admin/clock", {{"advance_seconds", 30 * 86400}}), "clock");

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Scalar(server.db_path(), "SELECT count(*) FROM outbox WHERE status <> 'delivered'") != "0" &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server.Stop(), 0);

  std::string chat;
  for (const auto& m : receiver.Received()) {
    chat += m.target + "\n" + m.raw_body + "\n";
    for (const auto& [k, v] : m.headers) chat += k + ": " + v + "\n";
  }
  ASSERT_GE(receiver.Received().size(), 5u) << "the run sent chat messages";
  const std::string log = server.Log();
  std::vector<std::string> secrets = {kIdNumber, "11010119900307451X", kMobile};
  for (int n = 1; n <= 16; ++n) secrets.push_back(MobileOf(n));
  for (const auto& s : secrets) {
    EXPECT_EQ(log.find(s), std::string::npos) << "server log holds " << s << " near: "
                                               << log.substr(log.find(s) == std::string::npos ? 0 : std::max<size_t>(log.find(s), 120) - 120, 240);
    EXPECT_EQ(chat.find(s), std::string::npos) << "chat holds " << s << " near: "
                                               << chat.substr(chat.find(s) == std::string::npos ? 0 : std::max<size_t>(chat.find(s), 120) - 120, 240);
  }
  // The masked forms are what officials see.
  EXPECT_NE(chat.find("138****"), std::string::npos) << "no masked mobile in any message";
}

}  // namespace
}  // namespace dixian::reliability
