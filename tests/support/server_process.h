#pragma once
// Runs the real `dixian` binary for end-to-end tests: `dixian serve` on a temp database and a
// loopback port chosen by the kernel (--listen 127.0.0.1:0; the port is read from the
// "listening on HOST:PORT" log line), its stdout and stderr captured to one log file. The
// destructor kills a server still running, so no test leaves a process behind; the child also
// gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_db.h"

namespace dixian::test_support {

struct ServerProcessOptions {
  std::string binary;           // empty: $DIXIAN_BINARY
  std::string fake_clock;       // RFC 3339; empty: the system clock
  std::string admin_token = "e2e-admin-0000-fake-0123456789abcdef";  // at least 32 characters
  std::vector<std::string> extra_args;  // appended to `serve ...`
  std::string db;               // empty: a fresh test database (test_db.h: a file or PostgreSQL)
  // The master key file, passed as DIXIAN_KEY_FILE; empty: <temp dir>/dixian.key, written with
  // a new key at the first Start (kept for restarts).
  std::string key_file;
  // The server speaks HTTPS (--tls-cert/--tls-key among extra_args): Start() then waits for the
  // "listening on" line only, the plain /healthz probe cannot answer.
  bool tls = false;
  // The server's working directory; empty: the test's. A relative `db` is relative to it.
  std::string working_dir;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits (up to 20 s) until it logs its port and GET /healthz answers
  // 200. False with error() set if it exited or never became ready (the process is killed).
  bool Start();
  // SIGTERM, then waits (up to 20 s, SIGKILL after). Returns the exit code, or -1 if killed
  // by a signal or not running.
  int Stop();
  // SIGKILL and reap: a crash, nothing flushed on purpose.
  void Kill();
  // Start() again on the same database (the port may change: make new clients after).
  bool Restart() { return Start(); }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  unsigned short port() const { return port_; }
  const std::string& db_path() const { return db_; }
  const std::string& key_file() const { return key_file_; }
  // Where the server keeps attachments' files (--evidence-dir): <temp dir>/dixian.db.evidence.
  std::string evidence_dir() const { return dir_.File("dixian.db.evidence"); }
  const std::string& admin_token() const { return options_.admin_token; }
  const std::string& error() const { return error_; }
  const std::string& binary() const { return binary_; }
  // Directory for other files a test needs (backups, workflow files); removed at the end.
  const dixian::testing::TempDir& dir() const { return dir_; }
  // Everything the server wrote on stdout and stderr so far (all runs, appended).
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

  // A client on the current port with this bearer token (empty: none).
  std::unique_ptr<HttpClient> Client(const std::string& token = "") const;
  std::unique_ptr<HttpClient> Admin() const { return Client(options_.admin_token); }

 private:
  bool WaitReady(std::size_t log_offset);
  bool Reap(int timeout_ms, int* status);

  ServerProcessOptions options_;
  dixian::testing::TempDir dir_;
  std::unique_ptr<dixian::testing::TestDb> test_db_;  // when options_.db is empty
  std::string binary_;
  std::string db_;
  std::string key_file_;
  std::string log_path_;
  std::string error_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

// Runs `binary args...` to completion (killed after timeout), stdin from /dev/null.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or could not start
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         int timeout_ms = 30000);
// The same with DIXIAN_KEY_FILE=key_file in the command's environment (the database's key).
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& key_file, int timeout_ms = 30000);

}  // namespace dixian::test_support
