#include "adapters/runtime/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dixian::runtime {
namespace {

engine::Error KeyError(const std::string& message) {
  return engine::Error::Unavailable("key_unavailable", message);
}

engine::Result<LoadedKeys> FromFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return KeyError("无法读取密钥文件 " + path + "：" + std::strerror(errno) + " (cannot read the key file)");
  if ((st.st_mode & 077) != 0)
    return KeyError("密钥文件 " + path + " 对其他用户可读，已拒绝；请执行 chmod 600 " + path +
                    " (the key file must not be readable by group or others)");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return KeyError("无法读取密钥文件 " + path + " (cannot read the key file)");
  auto ring = engine::KeyRing::Parse(text.str());
  if (!ring.ok()) return KeyError(path + ": " + ring.error().message);
  return LoadedKeys{std::make_shared<const engine::KeyRing>(std::move(ring.value())), "file " + path, false};
}

}  // namespace

engine::Status WriteKeyFile(const std::string& path, const engine::KeyRing& ring, bool replace) {
  const std::string target = replace ? path + ".tmp" : path;
  if (replace) ::unlink(target.c_str());
  const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return KeyError("无法创建密钥文件 " + target + "：" + std::strerror(errno) + " (cannot create the key file)");
  ::fchmod(fd, 0600);  // whatever the umask
  const std::string text = ring.Format();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(target.c_str());
    return KeyError("无法写入密钥文件 " + target + " (cannot write the key file)");
  }
  if (replace && ::rename(target.c_str(), path.c_str()) != 0)
    return KeyError("无法替换密钥文件 " + path + "：" + std::strerror(errno));
  return engine::OkStatus();
}

engine::Result<LoadedKeys> LoadKeys(const std::string& key_file_flag, const std::string& generate_at) {
  if (!key_file_flag.empty()) return FromFile(key_file_flag);
  if (const char* file = std::getenv("DIXIAN_KEY_FILE"); file && *file) return FromFile(file);
  if (const char* text = std::getenv("DIXIAN_MASTER_KEY"); text && *text) {
    std::string lines = text;
    for (char& c : lines)
      if (c == ';') c = '\n';
    auto ring = engine::KeyRing::Parse(lines);
    if (!ring.ok()) return KeyError("DIXIAN_MASTER_KEY: " + ring.error().message);
    return LoadedKeys{std::make_shared<const engine::KeyRing>(std::move(ring.value())),
                      "environment DIXIAN_MASTER_KEY", false};
  }
  if (generate_at.empty())
    return KeyError(
        "未提供主密钥：请用 --key-file 指定密钥文件，或设置 DIXIAN_KEY_FILE / DIXIAN_MASTER_KEY；新密钥可用 "
        "dixian keys generate PATH 生成 (no master key: --key-file, DIXIAN_KEY_FILE or DIXIAN_MASTER_KEY)");
  if (::access(generate_at.c_str(), F_OK) == 0) return FromFile(generate_at);
  auto ring = engine::NewKeyRing();
  if (!ring.ok()) return ring.error();
  if (auto st = WriteKeyFile(generate_at, ring.value(), false); !st.ok()) return st.error();
  return LoadedKeys{std::make_shared<const engine::KeyRing>(std::move(ring.value())), "file " + generate_at, true};
}

}  // namespace dixian::runtime
