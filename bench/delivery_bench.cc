// Notification throughput: outbox rows committed -> received by a loopback webhook receiver with
// no rate limit, through the real DeliveryWorker (kind "webhook" channels).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <cstring>
#include <thread>

#include "adapters/runtime/config.h"
#include "adapters/chat/delivery_worker.h"
#include "bench/bench_common.h"
#include "bench/modes.h"

namespace dixian::bench {

using nlohmann::json;

namespace {

// A minimal HTTP/1.1 receiver on 127.0.0.1: answers every POST with 200 {"ok":true}, counts them.
class Receiver {
 public:
  explicit Receiver(int threads) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    Check(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd_, 512) == 0,
          "receiver bind");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Accept(); });
  }
  ~Receiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    for (auto& t : threads_) t.join();
  }
  int port() const { return port_; }
  std::int64_t received() const { return received_.load(); }

 private:
  void Accept() {
    while (true) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Serve(c);
      ::close(c);
    }
  }
  // Requests on one connection (keep-alive honoured) until the peer closes.
  void Serve(int c) {
    std::string buf;
    char tmp[16384];
    while (true) {
      const auto head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        std::string head = buf.substr(0, head_end);
        for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (auto p = head.find("content-length:"); p != std::string::npos) length = std::strtoul(head.c_str() + p + 15, nullptr, 10);
        if (buf.size() >= head_end + 4 + length) {
          buf.erase(0, head_end + 4 + length);
          ++received_;
          const bool close = head.find("connection: close") != std::string::npos;
          static const char kReply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
          if (::send(c, kReply, sizeof kReply - 1, MSG_NOSIGNAL) < 0 || close) return;
          continue;
        }
      }
      const auto n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<std::int64_t> received_{0};
  std::vector<std::thread> threads_;
};

// Threads of this process now (/proc/self/task).
int ProcessThreads() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

json Payload(std::int64_t i) {
  return {{"task_id", std::to_string(i)}, {"case_id", "C" + std::to_string(i)}, {"household_id", HouseholdId(i)},
          {"head_name", "王某某"},        {"village", "尖坡村"},                  {"step", "village_fill"},
          {"step_label", "风险消除·村级填报"}, {"due_at", "2026-03-09T23:59:59+08:00"}, {"days_left", 5},
          {"org", kVillage},              {"org_name", "尖坡村"},                 {"escalation_level", 0},
          {"link", "http://127.0.0.1:8080/#/cases/C" + std::to_string(i)},      {"mobiles", {"13800000001"}}};
}

}  // namespace

// dixian_bench receiver: runs a receiver until killed; prints {"port":P}.
int RunReceiver(int argc, char** argv) {
  Receiver r(static_cast<int>(IntArg(argc, argv, "threads", 8)));
  Emit({{"port", r.port()}});
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

// dixian_bench delivery --db PATH --messages N --channels C
// Also reports the threads the worker added to the process at most while delivering (sampled
// every 5 ms): they must not grow with C (the receiver's threads are started before, and fixed).
int RunDelivery(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/delivery.db");
  const std::int64_t messages = IntArg(argc, argv, "messages", 20000);
  const int channels = static_cast<int>(IntArg(argc, argv, "channels", 4));
  Receiver receiver(std::min(channels + 2, 16));
  World w = OpenWorld(db, true);
  SeedOrgChain(w, "");
  std::vector<std::string> ids;
  for (int c = 0; c < channels; ++c) {
    const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook/" + std::to_string(c);
    ids.push_back(Must(engine::RunNow(*w.engine, &engine::CreateChannel, w.admin,
                                      {"", kVillage, "webhook", url, "", std::nullopt}),
                       "channel")
                      .id);
  }
  const engine::Instant now = w.clock->Now();
  for (std::int64_t start = 0; start < messages; start += 20000) {
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<json> {
      for (std::int64_t i = start; i < std::min(messages, start + 20000); ++i) {
        engine::OutboxMessage m;
        m.channel_id = ids[static_cast<std::size_t>(i % channels)];
        m.kind = "new_task";
        m.payload = Payload(i);
        m.created_at = now;
        tx.InsertOutbox(m);
      }
      return json(nullptr);
    }), "fill outbox");
  }
  chat::DeliveryOptions options;
  options.templates = chat::Templates::Load(runtime::ResolvePaths("").config_dir + "/templates.json");
  options.poll_ms = 50;
  chat::SystemWallClock wall;
  const int threads_before = ProcessThreads();
  int threads_max = threads_before;
  chat::DeliveryWorker worker(*w.store, wall, options);
  const double t0 = NowSeconds();
  worker.Start();
  worker.Wake();
  while (worker.counters().total.delivered.load() < messages && NowSeconds() - t0 < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    threads_max = std::max(threads_max, ProcessThreads());
  }
  const double seconds = NowSeconds() - t0;
  worker.Stop();
  const std::int64_t delivered = worker.counters().total.delivered.load();
  const std::int64_t requests = worker.counters().requests.load();
  w.store->Close();
  Emit({{"bench", "delivery"}, {"messages", messages}, {"delivered", delivered}, {"requests", requests},
        {"received", receiver.received()}, {"channels", channels}, {"seconds", seconds},
        {"worker_threads", threads_max - threads_before}, {"process_threads", threads_max},
        {"scans", worker.scans()},
        {"messages_per_s", static_cast<double>(delivered) / seconds}});
  return delivered == messages ? 0 : 1;
}

}  // namespace dixian::bench
