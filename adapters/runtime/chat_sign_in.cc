#include "adapters/runtime/chat_sign_in.h"

#include "adapters/chat/platform.h"
#include "engine/core/fields.h"

namespace dixian::runtime {

namespace {

engine::Error Failed(const std::string& why) {
  return {engine::ErrorCode::kUnauthenticated, "sign_in_failed", "免登失败：" + why};
}

}  // namespace

ChatSignIn::ChatSignIn(engine::OutboxStore& channels, engine::Store& store, chat::AppClient& apps)
    : channels_(channels), store_(store), apps_(apps), worker_([this] { Run(); }) {}

ChatSignIn::~ChatSignIn() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void ChatSignIn::SignIn(std::string channel_id, std::string code, Answer answer) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && jobs_.size() < kMaxWaiting) {
      jobs_.push_back([this, channel_id = std::move(channel_id), code = std::move(code), answer] {
        answer(UserFor(channel_id, code));
      });
      cv_.notify_one();
      return;
    }
  }
  answer(engine::Error::Unavailable("sign_in_busy", "登录请求过多，请稍后再试"));
}

engine::Result<std::string> ChatSignIn::UserFor(const std::string& channel_id,
                                                const std::string& code) {
  if (!engine::IsSafeId(channel_id)) return Failed("渠道编号无效，请从工作群消息中重新打开");
  auto found = channels_.FindChannel(channel_id);
  if (!found.ok()) return found.error();
  const std::optional<engine::Channel>& channel = found.value();
  const std::string platform = channel ? chat::PersonPlatform(channel->kind) : std::string();
  if (platform.empty()) return Failed("该渠道不是应用通道，请从工作群消息中重新打开");
  auto im_id = apps_.ExchangeSignInCode(*channel, code);
  if (!im_id.ok()) {
    if (im_id.error().code == engine::ErrorCode::kUnavailable) return im_id.error();
    return Failed(im_id.error().message);
  }
  auto view = store_.Read();
  auto user = view->FindUserByIm(platform, im_id.value());
  if (view->failure()) return *view->failure();
  if (!user || user->revoked)
    return Failed("该账号未在本系统登记，请联系县级管理员在用户信息中登记（im." + platform + "）");
  return user->id;
}

void ChatSignIn::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace dixian::runtime
