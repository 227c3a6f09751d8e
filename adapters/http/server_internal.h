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
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "adapters/http/server.h"
#include "adapters/http/static_files.h"

namespace dixian::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

class Session;

// Lives as long as any session or pending Reply: the io_context must outlive every socket.
struct Server::Shared {
  asio::io_context ioc;  // first member: destroyed last
  ServerOptions options;
  Router* router = nullptr;
  Metrics* metrics = nullptr;
  std::shared_ptr<spdlog::logger> access_log;
  std::shared_ptr<spdlog::logger> error_log;
  std::optional<StaticFiles> static_files;
  std::optional<tcp::acceptor> acceptor;  // used on its strand only
  std::optional<asio::steady_timer> accept_retry;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  int active = 0;          // counted connections; guarded by mu
  int rejecting = 0;       // over-capacity connections being answered 503; guarded by mu
  bool posts_open = true;  // false once the io threads are gone; guarded by mu

  spdlog::logger& ErrorLog();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // counted: holds a max_connections slot; otherwise it only answers 503 and closes.
  Session(tcp::socket socket, std::shared_ptr<Server::Shared> shared, bool counted);
  ~Session();
  void Run();
  // Server::Stop: closes the connection if idle, else lets the current request finish.
  void OnServerStop();
  // Server::Stop after the grace period: closes whatever is going on.
  void ForceClose();
  beast::tcp_stream::executor_type Executor() { return stream_.get_executor(); }

 private:
  enum class State { kReading, kHandling, kWriting, kDraining, kClosed };
  friend struct ReplyState;

  void DoReadHeader();
  void OnHeader(beast::error_code ec, std::size_t bytes);
  void DoReadBody();
  void OnBody(beast::error_code ec, std::size_t bytes);
  void OnReadError(beast::error_code ec);
  void OnRequest();
  void Dispatch(Request& req);
  void PostResponse(std::uint64_t seq, Response response);
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
  beast::tcp_stream stream_;
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

}  // namespace dixian::http
