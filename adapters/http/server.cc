// Listener, thread pool and lifecycle of the HTTP server. The per-connection logic is in
// server_session.cc.
#include "adapters/http/server.h"

#include <csignal>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "adapters/http/server_internal.h"

namespace dixian::http {
namespace {

constexpr std::chrono::milliseconds kAcceptRetry{50};
constexpr int kMaxRejecting = 64;  // over-capacity connections answered 503 at once

void DoAccept(const std::shared_ptr<Server::Shared>& shared);

void OnAccept(const std::shared_ptr<Server::Shared>& shared, beast::error_code ec,
              tcp::socket socket) {
  if (ec == asio::error::operation_aborted || shared->stopping.load()) return;
  if (ec) {
    // E.g. EMFILE: wait a little instead of spinning on the error.
    shared->ErrorLog().warn("accept failed: {}", ec.message());
    shared->accept_retry->expires_after(kAcceptRetry);
    shared->accept_retry->async_wait([shared](beast::error_code wec) {
      if (!wec) DoAccept(shared);
    });
    return;
  }
  bool counted = false;
  bool reject = false;
  {
    std::lock_guard lock(shared->mu);
    if (shared->active < shared->options.max_connections) {
      ++shared->active;
      counted = true;
    } else if (shared->rejecting < kMaxRejecting) {
      ++shared->rejecting;
      reject = true;
    }
  }
  if (counted || reject) {
    // A response is one write: send it at once rather than wait for the peer's ACK (Nagle).
    beast::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    StartSession(std::move(socket), shared, counted);
  } else {
    beast::error_code ignored;
    socket.close(ignored);  // far over capacity: no answer at all
  }
  DoAccept(shared);
}

void DoAccept(const std::shared_ptr<Server::Shared>& shared) {
  shared->acceptor->async_accept(asio::make_strand(shared->ioc),
                                 [shared](beast::error_code ec, tcp::socket socket) {
                                   OnAccept(shared, ec, std::move(socket));
                                 });
}

}  // namespace

spdlog::logger& Server::Shared::ErrorLog() {
  return error_log ? *error_log : *spdlog::default_logger_raw();
}

struct Server::Impl {
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  asio::io_context signal_ioc;
  std::optional<asio::signal_set> signals;
  std::mutex stop_mu;
  bool started = false;
  bool stopped = false;  // guarded by stop_mu
};

Server::Server(ServerOptions options, Router& router, Metrics& metrics,
               std::shared_ptr<spdlog::logger> access_log)
    : shared_(std::make_shared<Shared>()), impl_(std::make_unique<Impl>()) {
  shared_->options = std::move(options);
  shared_->router = &router;
  shared_->metrics = &metrics;
  shared_->access_log = std::move(access_log);
  shared_->error_log = shared_->options.error_log;
  if (!shared_->options.static_dir.empty()) {
    shared_->static_files.emplace(shared_->options.static_dir);
    const StaticFiles* files = &*shared_->static_files;  // lives as long as the server
    router.SetFallback("static", [files](Request& req, Reply reply) { reply(files->Serve(req)); });
  }
  if (shared_->options.max_connections < 1) shared_->options.max_connections = 1;
}

Server::~Server() { Stop(); }

namespace {

// The server's TLS context: TLS 1.2 or newer, the certificate chain and key from PEM files.
void LoadTls(Server::Shared& shared) {
  const auto& opts = shared.options;
  auto& ctx = shared.tls.emplace(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.use_certificate_chain_file(opts.tls_cert_file);  // throws boost::system::system_error
  ctx.use_private_key_file(opts.tls_key_file, asio::ssl::context::pem);
}

}  // namespace

unsigned short Server::Start() {
  auto& opts = shared_->options;
  if (!opts.tls_cert_file.empty() || !opts.tls_key_file.empty()) LoadTls(*shared_);
  tcp::resolver resolver(shared_->ioc);
  auto results = resolver.resolve(opts.host, std::to_string(opts.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service);
  if (results.empty())
    throw std::system_error(std::make_error_code(std::errc::address_not_available));
  tcp::endpoint endpoint = results.begin()->endpoint();

  shared_->acceptor.emplace(asio::make_strand(shared_->ioc));
  shared_->accept_retry.emplace(shared_->acceptor->get_executor());
  auto& acceptor = *shared_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  unsigned short port = acceptor.local_endpoint().port();

  impl_->signals.emplace(impl_->signal_ioc, SIGINT, SIGTERM);
  impl_->work.emplace(shared_->ioc.get_executor());
  DoAccept(shared_);
  int n = opts.threads > 0 ? opts.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  for (int i = 0; i < n; ++i) {
    impl_->threads.emplace_back([shared = shared_] {
      for (;;) {
        try {
          shared->ioc.run();
          return;
        } catch (const std::exception& e) {
          shared->ErrorLog().error("http io thread: {}", e.what());
        }
      }
    });
  }
  impl_->started = true;
  return port;
}

void Server::Stop() {
  std::lock_guard stop_lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->signal_ioc.stop();  // wakes WaitForSignal
  if (!impl_->started) return;
  auto shared = shared_;
  shared->stopping.store(true);

  // 1. Stop accepting.
  asio::post(shared->acceptor->get_executor(), [shared] {
    beast::error_code ec;
    shared->acceptor->close(ec);
    shared->accept_retry->cancel();
  });
  // 2. Close idle connections; busy ones close after their response.
  auto for_each_session = [&](auto fn) {
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(shared->mu);
      for (auto& [ptr, weak] : shared->sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) fn(s);
  };
  for_each_session([](const std::shared_ptr<SessionBase>& s) {
    asio::post(s->Executor(), [s] { s->OnServerStop(); });
  });
  // 3. Wait (bounded) for in-flight requests.
  {
    std::unique_lock lock(shared->mu);
    shared->cv.wait_for(lock, shared->options.shutdown_timeout,
                        [&] { return shared->active == 0 && shared->rejecting == 0; });
  }
  // 4. Close what is left, let the threads run out of work and join them.
  for_each_session([](const std::shared_ptr<SessionBase>& s) {
    asio::post(s->Executor(), [s] { s->ForceClose(); });
  });
  impl_->work.reset();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  // 5. No io thread left: later Replies are dropped; run what was queued in between.
  {
    std::lock_guard lock(shared->mu);
    shared->posts_open = false;
  }
  shared->ioc.restart();
  shared->ioc.poll();
}

void Server::WaitForSignal() {
  if (!impl_->signals) return;
  impl_->signals->async_wait([](const beast::error_code&, int) {});
  impl_->signal_ioc.run_one();
  Stop();
}

int Server::ActiveConnections() const {
  std::lock_guard lock(shared_->mu);
  return shared_->active;
}

}  // namespace dixian::http
