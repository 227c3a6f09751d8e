#pragma once
// The HTTP/1.1 server: Beast on one io_context served by a thread pool, one session per
// connection (each on its own strand), keep-alive, a timeout before every read and write.
// Beast stays inside server.cc / server_session.cc; this header is cheap to include.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "adapters/http/metrics.h"
#include "adapters/http/router.h"

namespace spdlog {
class logger;
}

namespace dixian::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;                 // 0 = ephemeral; Start() returns the bound port
  int threads = 0;                            // 0 = hardware cores
  std::size_t body_limit = 1 << 20;           // larger bodies -> 413 body_too_large
  std::size_t upload_limit = 10 << 20;        // evidence uploads (api::IsUploadPath): 10 MiB
  std::size_t header_limit = 16 << 10;        // larger request heads -> 431 header_too_large
  int max_connections = 1024;                 // beyond: 503 server_busy and close
  std::chrono::seconds request_timeout{30};   // per read / write step, also idle keep-alive
  std::chrono::seconds shutdown_timeout{10};  // Stop() waits this long for in-flight requests
  std::string static_dir;                     // serve the web console at "/" when not empty
  // HTTPS: PEM certificate chain and private key; both empty = plain HTTP. Start() throws when
  // they cannot be loaded.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Handler exceptions and accept failures go here; null = spdlog's default logger.
  std::shared_ptr<spdlog::logger> error_log;
};

class Server {
 public:
  // router and metrics must outlive the Server; with a static_dir the router's fallback is set to
  // serve it. access_log gets exactly one JSON line per
  // request: {"ts","method","route","status","latency_ms","user","remote","bytes"}; may be null.
  Server(ServerOptions options, Router& router, Metrics& metrics,
         std::shared_ptr<spdlog::logger> access_log);
  ~Server();  // Stop()s if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Returns the bound port. Throws std::system_error when
  // the address cannot be bound (a start-up failure). Call once.
  unsigned short Start();

  // Graceful: stops accepting, closes idle keep-alive connections, lets in-flight requests
  // finish and answers them with "Connection: close" (waits at most shutdown_timeout), then
  // closes what is left and joins the threads. Idempotent. Never call from a handler thread.
  void Stop();

  // Blocks until SIGTERM or SIGINT arrives (or Stop() is called from another thread), then
  // Stop()s. The signal handlers are installed by Start().
  void WaitForSignal();

  // Open client connections counted against max_connections.
  int ActiveConnections() const;

  struct Shared;  // state shared with sessions (defined in server_internal.h)

 private:
  std::shared_ptr<Shared> shared_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dixian::http
