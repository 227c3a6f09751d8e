#pragma once
// A small synchronous HTTP/1.1 client for tests: real loopback TCP, optional keep-alive, custom
// headers, and raw bytes for malformed-input tests. Every call has a timeout (no test hangs).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace dixian::test_support {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;     // 0: no response (connection failed, closed or timed out)
  std::string error;  // why status is 0
  Headers headers;    // names lower-case, in arrival order
  std::string body;

  // The first header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The body parsed as JSON (discarded value on bad JSON).
  nlohmann::json Json() const;
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the response. Without keep-alive (the default) each request
  // uses a fresh connection with "Connection: close"; with it, the connection is reused and
  // re-opened when the server closed it. A Content-Type header is added for a non-empty body
  // when none is given (application/json). headers may override Host or Connection.
  HttpResult Request(std::string_view method, std::string_view target, std::string_view body = {},
                     const Headers& headers = {});

  // Writes bytes as they are on the current connection (opening one if needed), then reads one
  // response. For malformed requests and hand-made framing.
  HttpResult SendRaw(std::string_view bytes);

  // Opens the connection now (e.g. to hold a slot). False when connecting failed.
  bool Connect();
  // Closes the current connection, if any.
  void Close();
  // True if the connection is open from our side and the server has not closed it (checks
  // without blocking: a pending EOF counts as closed).
  bool ServerKeptOpen();

  void SetKeepAlive(bool keep_alive) { keep_alive_ = keep_alive; }
  void SetTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // Bearer token added as "Authorization: Bearer <token>" to every Request (empty: none).
  void SetBearer(std::string token) { bearer_ = std::move(token); }
  // Connects from this local address (e.g. "127.0.0.2": another client address on loopback).
  void SetLocalAddress(std::string address) { local_address_ = std::move(address); }

 private:
  struct Conn;
  HttpResult ReadResponse(bool head);

  std::string host_;
  unsigned short port_;
  bool keep_alive_ = false;
  std::chrono::milliseconds timeout_{10000};
  std::string bearer_;
  std::string local_address_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace dixian::test_support
