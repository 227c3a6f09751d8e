#include "adapters/store/sql/secrets_at_rest.h"

#include <vector>

#include "adapters/store/sql/rows.h"

namespace dixian::store {
namespace {

constexpr const char* kCanary = "dixian secrets check v1";

}  // namespace

engine::Result<int> ResealChannels(Connection& conn, const engine::SecretBox& secrets, bool accept_plaintext) {
  struct Row {
    std::string id;
    std::string values[3];
  };
  static constexpr const char* kColumns[] = {"url", "secret", "app"};
  std::vector<Row> rows;
  {
    auto st = conn.Prepare("SELECT id, url, secret, app FROM channels ORDER BY id");
    while (st.Step()) rows.push_back({st.Text(0), {st.Text(1), st.Text(2), st.Text(3)}});
    if (st.error()) return *st.error();
  }
  int rewritten = 0;
  for (auto& row : rows) {
    for (int i = 0; i < 3; ++i) {
      const std::string where = ChannelColumn(kColumns[i], row.id);
      std::string plain = row.values[i];
      if (engine::SecretBox::IsSealed(plain) || !accept_plaintext) {
        auto opened = secrets.Open(plain, where);
        if (!opened.ok()) return opened.error();
        plain = std::move(opened.value());
      }
      auto sealed = secrets.Seal(plain, where);
      if (!sealed.ok()) return sealed.error();
      row.values[i] = std::move(sealed.value());
    }
    auto up = conn.Prepare("UPDATE channels SET url = ?2, secret = ?3, app = ?4 WHERE id = ?1");
    up.Bind(1, row.id).Bind(2, row.values[0]).Bind(3, row.values[1]).Bind(4, row.values[2]);
    if (auto st = up.Run(); !st.ok()) return st.error();
    ++rewritten;
  }
  return rewritten;
}

engine::Status CheckKeyCanary(Connection& conn, const engine::SecretBox& secrets, bool rewrite) {
  if (!rewrite) {
    auto st = conn.Prepare("SELECT value FROM meta WHERE key = 'secrets_check'");
    if (st.Step()) {
      auto opened = secrets.Open(st.Text(0), "meta.secrets_check");
      if (opened.ok() && opened.value() == kCanary) return engine::OkStatus();
      return engine::Error::Unavailable(
          "key_mismatch", "主密钥与此数据库不匹配（数据库用密钥 " + engine::SecretBox::KeyOf(st.Text(0)) +
                              " 加密，密钥文件中没有它或它不是原来的密钥）；请使用原来的密钥文件 (the master key does not "
                              "match this database)");
    }
    if (st.error()) return *st.error();
  }
  auto sealed = secrets.Seal(kCanary, "meta.secrets_check");
  if (!sealed.ok()) return sealed.error();
  auto put = conn.Prepare("INSERT INTO meta(key, value) VALUES('secrets_check', ?1)"
                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  put.Bind(1, sealed.value());
  return put.Run();
}

}  // namespace dixian::store
