#pragma once
// Prometheus text exposition (format 0.0.4). Thread-safe. The hot path (ObserveRequest) takes one
// short mutex hold with no allocation once a route+status pair has been seen.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/http_types.h"

namespace dixian::http {

class Metrics {
 public:
  // Upper bounds of the request-latency histogram, in seconds.
  // 0.02: the p99 target of a durable action (docs/benchmarks.md).
  static constexpr std::array<double, 12> kLatencyBuckets = {0.005, 0.01, 0.02, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,  1,    2.5,   5,    10};
  // Upper bounds of the group-commit batch-size histogram.
  static constexpr std::array<double, 9> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  // dixian_http_requests_total{route,status} and dixian_http_request_duration_seconds{route}.
  void ObserveRequest(const std::string& route, int status, double seconds);
  // dixian_commit_batch_size histogram.
  void ObserveCommitBatch(std::size_t size);
  // dixian_write_wait_seconds histogram: from handing an HTTP write to the engine to its answer
  // (writer queue, transaction, group commit, WAL sync); the rest of a write's latency is the
  // server's own (parse, authenticate, reply).
  void ObserveWriteWait(double seconds);
  // A value read at render time. name must be a valid metric name, e.g. "dixian_open_tasks".
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  void AddCounter(std::string name, std::string help, std::function<double()> read);

  std::string Render() const;

 private:
  template <std::size_t N>
  struct Histogram {
    std::array<std::uint64_t, N> buckets{};  // non-cumulative counts; rendered cumulative
    std::uint64_t count = 0;
    double sum = 0;
    void Observe(const std::array<double, N>& bounds, double v);
  };
  struct Callback {
    std::string name;
    std::string help;
    std::string type;  // "gauge" or "counter"
    std::function<double()> read;
  };

  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;     // guarded by mu_
  std::map<std::string, Histogram<kLatencyBuckets.size()>> latency_;  // guarded by mu_
  Histogram<kBatchBuckets.size()> batches_;                           // guarded by mu_
  Histogram<kLatencyBuckets.size()> write_wait_;                      // guarded by mu_
  std::vector<Callback> callbacks_;                                   // guarded by mu_
};

// A handler that answers GET /metrics with Render() as text/plain; version=0.0.4.
Handler MetricsHandler(Metrics& metrics);

}  // namespace dixian::http
