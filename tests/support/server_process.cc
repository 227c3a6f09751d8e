#include "tests/support/server_process.h"

#include "adapters/runtime/keys.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace dixian::test_support {

namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path, std::size_t offset = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  std::string all = s.str();
  return offset < all.size() ? all.substr(offset) : "";
}

std::size_t FileSize(const std::string& path) { return ReadFile(path).size(); }

// Forks and execs binary with args; stdout and stderr go to the given files (appended), env gets
// the extra NAME=VALUE entries. Everything is prepared before fork: the child only calls
// async-signal-safe functions.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path, const std::vector<std::string>& extra_env,
            const std::string& working_dir = "") {
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    bool overridden = false;
    for (const auto& x : extra_env) {
      const auto name = x.substr(0, x.find('=') + 1);
      if (std::strncmp(*e, name.c_str(), name.size()) == 0) overridden = true;
    }
    if (!overridden) env_s.emplace_back(*e);
  }
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err = out_path == err_path ? out : ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) ::_exit(126);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in);
  ::close(out);
  if (err != out) ::close(err);
  return pid;
}

// Waits for pid up to timeout_ms; true with *status set once it exited.
bool WaitFor(pid_t pid, int timeout_ms, int* status) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || r < 0) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ServerProcess::ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {
  binary_ = options_.binary;
  if (binary_.empty()) {
    const char* env = std::getenv("DIXIAN_BINARY");
    binary_ = env ? env : "";
  }
  if (options_.db.empty()) test_db_ = std::make_unique<dixian::testing::TestDb>(dir_.File("dixian.db"));
  db_ = options_.db.empty() ? test_db_->db() : options_.db;
  key_file_ = options_.key_file.empty() ? dir_.File("dixian.key") : options_.key_file;
  log_path_ = dir_.File("server.log");
}

ServerProcess::~ServerProcess() { Kill(); }

bool ServerProcess::Start() {
  error_.clear();
  if (running()) return error_ = "already running", false;
  if (binary_.empty() || ::access(binary_.c_str(), X_OK) != 0)
    return error_ = "no dixian binary (set DIXIAN_BINARY): " + binary_, false;
  std::vector<std::string> args = {"serve", "--db", db_, "--listen", "127.0.0.1:0"};
  // A database file keeps its files beside it; one on PostgreSQL gets a folder of this test's.
  if (options_.db.empty() && dixian::testing::OnPostgres())
    args.insert(args.end(), {"--evidence-dir", evidence_dir()});
  if (!options_.fake_clock.empty()) args.insert(args.end(), {"--fake-clock", options_.fake_clock});
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  if (::access(key_file_.c_str(), F_OK) != 0) {
    auto ring = engine::NewKeyRing();
    if (!ring.ok() || !runtime::WriteKeyFile(key_file_, ring.value(), false).ok()) return error_ = "cannot write the key file", false;
  }
  const std::size_t offset = FileSize(log_path_);
  pid_ = Spawn(binary_, args, log_path_, log_path_,
               {"DIXIAN_ADMIN_TOKEN=" + options_.admin_token, "DIXIAN_KEY_FILE=" + key_file_},
               options_.working_dir);
  if (pid_ <= 0) return error_ = "fork failed", pid_ = -1, false;
  if (WaitReady(offset)) return true;
  Kill();
  error_ += "\n--- server log ---\n" + ReadFile(log_path_, offset);
  return false;
}

bool ServerProcess::WaitReady(std::size_t log_offset) {
  static const std::regex kListening(R"(listening on [0-9.]+:([0-9]+))");
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  port_ = 0;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "server exited early with code " + std::to_string(ExitCode(status));
      return false;
    }
    if (port_ == 0) {
      std::smatch m;
      const std::string log = ReadFile(log_path_, log_offset);
      if (std::regex_search(log, m, kListening)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }
    if (port_ != 0 && options_.tls) return true;
    if (port_ != 0) {
      HttpClient probe(port_);
      probe.SetTimeout(std::chrono::milliseconds(2000));
      if (probe.Request("GET", "/healthz").status == 200) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = port_ ? "/healthz never answered 200" : "no 'listening on' line in the log";
  return false;
}

bool ServerProcess::Reap(int timeout_ms, int* status) {
  if (!WaitFor(pid_, timeout_ms, status)) return false;
  pid_ = -1;
  return true;
}

int ServerProcess::Stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!Reap(20000, &status)) {
    Kill();
    return -1;
  }
  return ExitCode(status);
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  Reap(20000, &status);
  pid_ = -1;
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

std::unique_ptr<HttpClient> ServerProcess::Client(const std::string& token) const {
  auto c = std::make_unique<HttpClient>(port_);
  if (!token.empty()) c->SetBearer(token);
  return c;
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args, int timeout_ms) {
  return RunCommand(binary, args, "", timeout_ms);
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& key_file, int timeout_ms) {
  dixian::testing::TempDir dir;
  CommandResult r;
  std::vector<std::string> env;
  if (!key_file.empty()) env.push_back("DIXIAN_KEY_FILE=" + key_file);
  const pid_t pid = Spawn(binary, args, dir.File("out"), dir.File("err"), env);
  if (pid <= 0) return r;
  int status = 0;
  if (!WaitFor(pid, timeout_ms, &status)) {
    ::kill(pid, SIGKILL);
    WaitFor(pid, 10000, &status);
    status = 0x7f;  // not an exit
  }
  r.exit_code = ExitCode(status);
  r.out = ReadFile(dir.File("out"));
  r.err = ReadFile(dir.File("err"));
  return r;
}

}  // namespace dixian::test_support
