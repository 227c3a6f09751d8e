#pragma once
// Sign-in from a chat platform's client (免登 / OAuth code) for console sessions: the code the
// platform's client gave the console page, and the app channel it came through, become the
// dixian user whose `im` id the platform names. The platform calls block, so they run on one
// worker thread of their own (sign-ins are rare; at most kMaxWaiting wait, then 503).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/chat/app_client.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"

namespace dixian::runtime {

class ChatSignIn {
 public:
  using Answer = std::function<void(engine::Result<std::string>)>;
  static constexpr std::size_t kMaxWaiting = 64;

  ChatSignIn(engine::OutboxStore& channels, engine::Store& store, chat::AppClient& apps);
  ~ChatSignIn();
  ChatSignIn(const ChatSignIn&) = delete;
  ChatSignIn& operator=(const ChatSignIn&) = delete;

  // Answers, on the worker thread, the dixian user id for `code` from `channel_id`'s app; errors:
  // 401 sign_in_failed (unknown channel, bad or used code, a platform id nobody has, a revoked
  // user), 503 when the platform or the store cannot be reached or too many wait.
  void SignIn(std::string channel_id, std::string code, Answer answer);

  // The same, blocking (the worker's step; tests).
  engine::Result<std::string> UserFor(const std::string& channel_id, const std::string& code);

 private:
  void Run();

  engine::OutboxStore& channels_;
  engine::Store& store_;
  chat::AppClient& apps_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread worker_;  // last: started once the members above exist
};

}  // namespace dixian::runtime
