#pragma once
// Internals of Server shared by server.cc and server_session.cc. Includes Beast: include it
// nowhere else.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "adapters/http/server.h"
#include "adapters/http/static_files.h"

namespace dixian::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

class SessionBase;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Lives as long as any session or pending Reply: the io_context must outlive every socket.
struct Server::Shared {
  asio::io_context ioc;  // first member: destroyed last
  ServerOptions options;
  Router* router = nullptr;
  Metrics* metrics = nullptr;
  std::shared_ptr<spdlog::logger> access_log;
  std::shared_ptr<spdlog::logger> error_log;
  std::optional<StaticFiles> static_files;
  std::optional<asio::ssl::context> tls;  // set: every connection speaks TLS (HTTPS)
  std::optional<tcp::acceptor> acceptor;  // used on its strand only
  std::optional<asio::steady_timer> accept_retry;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
  int active = 0;          // counted connections; guarded by mu
  int rejecting = 0;       // over-capacity connections being answered 503; guarded by mu
  bool posts_open = true;  // false once the io threads are gone; guarded by mu

  spdlog::logger& ErrorLog();
};

// What the server and a pending Reply need of a connection, whatever its transport.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Run() = 0;
  // Server::Stop: closes the connection if idle, else lets the current request finish.
  virtual void OnServerStop() = 0;
  // Server::Stop after the grace period: closes whatever is going on.
  virtual void ForceClose() = 0;
  virtual asio::any_io_executor Executor() = 0;
  virtual void PostResponse(std::uint64_t seq, Response response) = 0;
};

// One connection over Stream: PlainStream (HTTP) or TlsStream (HTTPS, handshake first).
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, PlainStream>;
  // counted: holds a max_connections slot; otherwise it only answers 503 and closes.
  Session(tcp::socket socket, std::shared_ptr<Server::Shared> shared, bool counted);
  ~Session() override;
  void Run() override;
  void OnServerStop() override;
  void ForceClose() override;
  asio::any_io_executor Executor() override { return stream_.get_executor(); }
  void PostResponse(std::uint64_t seq, Response response) override;

 private:
  enum class State { kReading, kHandling, kWriting, kDraining, kClosed };
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void OnHandshake(beast::error_code ec);
  void DoReadHeader();
  void OnHeader(beast::error_code ec, std::size_t bytes);
  void DoReadBody();
  void OnBody(beast::error_code ec, std::size_t bytes);
  void OnReadError(beast::error_code ec);
  bool IsUpload();
  void OnRequest();
  void Dispatch(Request& req);
  void Send(std::uint64_t seq, Response response);
  void SendLocal(int status, std::string_view slug, std::string_view message, std::string route);
  void OnWrite(bool close, beast::error_code ec, std::size_t bytes);
  void LingeringClose();
  void DoDrain();
  void Finish();
  void Unregister();
  void WriteAccessLog(const Response& response, double seconds);

  // Declared before stream_ so that it is destroyed after it: the socket needs the io_context.
  std::shared_ptr<Server::Shared> shared_;
  Stream stream_;
  const bool counted_;
  std::string remote_;
  beast::flat_buffer buffer_;
  // Everything below is touched on the session's strand only.
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;
  State state_ = State::kReading;
  bool finished_ = false;
  std::uint64_t seq_ = 0;  // request number on this connection
  std::string method_ = "-";
  std::string route_;
  bool head_ = false;
  bool keep_alive_ = false;
  std::chrono::steady_clock::time_point start_;
  std::size_t drained_ = 0;
  std::array<char, 4096> drain_buffer_{};
};

// Starts a session for an accepted socket, over TLS when the server has a certificate.
void StartSession(tcp::socket socket, const std::shared_ptr<Server::Shared>& shared, bool counted);

}  // namespace dixian::http
