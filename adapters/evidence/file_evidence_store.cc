#include "adapters/evidence/file_evidence_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "engine/core/sha256.h"

namespace dixian::evidence {

using engine::Error;
using engine::Result;
using engine::Status;

namespace {

bool IsDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Error IoError(const std::string& what, const std::string& path) {
  return Error::Unavailable("evidence_io", "佐证材料存储出错（" + what + " " + path + "：" +
                                               std::strerror(errno) + "）");
}

// mkdir with mode 0700 (kept 0700 whatever the umask); an existing folder is fine.
Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return IoError("创建目录", path);
  if (::chmod(path.c_str(), 0700) != 0) return IoError("设置目录权限", path);
  return engine::OkStatus();
}

Status SyncDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("打开目录", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("同步目录", path);
  return engine::OkStatus();
}

// Writes `bytes` to `dir/name` through a temporary file, fsync and rename, then fsyncs `dir`.
Status WriteDurably(const std::string& dir, const std::string& name, std::string_view bytes) {
  std::random_device rd;
  const std::string tmp = dir + "/.tmp-" + name.substr(0, 16) + "-" + std::to_string(rd());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("创建文件", tmp);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto err = IoError("写入文件", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = IoError("同步文件", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  ::close(fd);
  const std::string final_path = dir + "/" + name;
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    auto err = IoError("重命名文件", final_path);
    ::unlink(tmp.c_str());
    return err;
  }
  return SyncDir(dir);
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("evidence_missing", "佐证材料文件缺失：" + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string FileEvidenceStore::PathOf(const std::string& sha256) const {
  if (!IsDigest(sha256)) return "";
  return dir_ + "/" + sha256.substr(0, 2) + "/" + sha256.substr(2);
}

Result<std::string> FileEvidenceStore::Put(std::string_view bytes) {
  const std::string digest = engine::Sha256Hex(bytes);
  const std::string path = PathOf(digest);
  struct stat existing {};
  // The same bytes stored before (or an orphan of a crash: complete, since renamed after fsync).
  if (::stat(path.c_str(), &existing) == 0 &&
      existing.st_size == static_cast<off_t>(bytes.size()))
    return digest;
  const bool new_root = ::access(dir_.c_str(), F_OK) != 0;
  if (auto st = MakeDir(dir_); !st.ok()) return st.error();
  const std::string sub = dir_ + "/" + digest.substr(0, 2);
  const bool new_sub = ::access(sub.c_str(), F_OK) != 0;
  if (auto st = MakeDir(sub); !st.ok()) return st.error();
  if (auto st = WriteDurably(sub, digest.substr(2), bytes); !st.ok()) return st.error();
  if (new_sub)
    if (auto st = SyncDir(dir_); !st.ok()) return st.error();
  if (new_root) {
    const auto slash = dir_.find_last_of('/');
    if (auto st = SyncDir(slash == std::string::npos ? "." : dir_.substr(0, slash ? slash : 1));
        !st.ok())
      return st.error();
  }
  return digest;
}

Result<std::string> FileEvidenceStore::Open(const std::string& sha256) {
  const std::string path = PathOf(sha256);
  if (path.empty()) return Error::Internal("佐证材料摘要无效：" + sha256);
  auto bytes = ReadWhole(path);  // the answer names no path: it may reach a browser
  if (!bytes.ok()) return Error::Internal("佐证材料文件缺失，请联系县级管理员从备份恢复");
  if (engine::Sha256Hex(bytes.value()) != sha256)
    return Error::Internal("佐证材料文件已损坏（SHA-256 不符），请联系县级管理员从备份恢复");
  return bytes;
}

Status VerifyEvidence(const std::string& dir, const std::vector<std::string>& digests) {
  FileEvidenceStore files(dir);
  for (const auto& digest : digests) {
    const std::string path = files.PathOf(digest);
    if (path.empty()) return Error::Internal("佐证材料摘要无效：" + digest);
    auto bytes = ReadWhole(path);
    if (!bytes.ok()) return bytes.error();
    if (engine::Sha256Hex(bytes.value()) != digest)
      return Error::Internal("佐证材料文件已损坏（SHA-256 不符）：" + path);
  }
  return engine::OkStatus();
}

Status CopyEvidence(const std::string& from, const std::string& to,
                    const std::vector<std::string>& digests) {
  FileEvidenceStore source(from), dest(to);
  for (const auto& digest : digests) {
    const std::string path = source.PathOf(digest);
    auto bytes = ReadWhole(path);
    if (!bytes.ok()) return bytes.error();
    if (engine::Sha256Hex(bytes.value()) != digest)
      return Error::Internal("佐证材料文件已损坏（SHA-256 不符）：" + path);
    auto put = dest.Put(bytes.value());
    if (!put.ok()) return put.error();
  }
  return engine::OkStatus();
}

}  // namespace dixian::evidence
