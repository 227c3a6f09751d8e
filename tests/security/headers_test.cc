// Browser headers (issue 17 item 8): every answer - API, errors, static files, the server's own
// refusals - carries a Content-Security-Policy without inline script and with frame-ancestors
// 'none', nosniff and Referrer-Policy: no-referrer; the console has no inline script, handler or
// style attribute the policy would block. Before: only static files had nosniff.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

class Headers : public SecurityTest {
 protected:
  static void ExpectHeaders(const test_support::HttpResult& r, const std::string& what) {
    ASSERT_NE(r.status, 0) << what << ": " << r.error;
    const std::string csp = r.Header("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << what << ": " << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer") << what;
  }
};

TEST_F(Headers, EveryAnswerCarriesThem) {
  auto anon = server_->Client();
  ExpectHeaders(anon->Request("GET", "/healthz"), "healthz");
  ExpectHeaders(anon->Request("GET", "/"), "console page");
  ExpectHeaders(anon->Request("GET", "/no-such-file.js"), "static 404");
  ExpectHeaders(anon->Request("GET", "/api/v1/me"), "401");
  ExpectHeaders(As("clerk_V11")->Request("GET", "/api/v1/me"), "API 200");
  ExpectHeaders(As("clerk_V11")->Request("GET", "/api/v1/households/NOPE"), "API 404");
  ExpectHeaders(As("clerk_V11")->Request("DELETE", "/api/v1/me"), "405");
  ExpectHeaders(As("clerk_V11")->Request("POST", "/api/v1/households", "{not json"), "400");
  ExpectHeaders(As("clerk_V11")->Request("POST", "/api/v1/households", std::string(2 << 20, 'x')), "413 from the server");
  ExpectHeaders(anon->SendRaw("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n"), "malformed request");
}

// The policy forbids inline script, handlers and style attributes: the console has none.
TEST(ConsoleSource, HasNothingInlineThePolicyWouldBlock) {
  const std::filesystem::path web = std::filesystem::path(DIXIAN_SOURCE_DIR) / "web";
  const std::regex inline_script(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
  const std::regex handler(R"(<[^>]+\son[a-z]+\s*=)", std::regex::icase);
  const std::regex style_attr(R"(<[^>]+\sstyle\s*=|<style[\s>])", std::regex::icase);
  const std::regex js_url(R"(javascript:)", std::regex::icase);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(web)) {
    const auto path = entry.path().string();
    if (path.find("node_modules") != std::string::npos || !entry.is_regular_file()) continue;
    const auto ext = entry.path().extension();
    if (ext != ".html" && ext != ".js") continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    ++files;
    if (ext == ".html") {
      EXPECT_FALSE(std::regex_search(s, inline_script)) << path << ": inline <script>";
      EXPECT_FALSE(std::regex_search(s, handler)) << path << ": inline event handler";
      EXPECT_FALSE(std::regex_search(s, style_attr)) << path << ": inline style";
    }
    EXPECT_FALSE(std::regex_search(s, js_url)) << path << ": javascript: URL";
    EXPECT_EQ(s.find("innerHTML"), std::string::npos) << path << ": innerHTML (markup with styles or handlers)";
    EXPECT_EQ(s.find("setAttribute('style'"), std::string::npos) << path;
    EXPECT_EQ(s.find("eval("), std::string::npos) << path;
  }
  EXPECT_GT(files, 5);
}

}  // namespace
}  // namespace dixian::security
