#include "adapters/http/metrics.h"

#include <cmath>
#include <sstream>

namespace dixian::http {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os.precision(15);
  os << v;
  return os.str();
}

void Header(std::ostringstream& os, const std::string& name, const std::string& help,
            const char* type) {
  os << "# HELP " << name << ' ' << EscapeHelp(help) << '\n';
  os << "# TYPE " << name << ' ' << type << '\n';
}

template <std::size_t N, class H>
void RenderHistogram(std::ostringstream& os, const std::string& name, const std::string& labels,
                     const std::array<double, N>& bounds, const H& h) {
  std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < N; ++i) {
    cumulative += h.buckets[i];
    os << name << "_bucket{" << labels << sep << "le=\"" << FormatValue(bounds[i]) << "\"} "
       << cumulative << '\n';
  }
  os << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << '\n';
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  os << name << "_sum" << braces << ' ' << FormatValue(h.sum) << '\n';
  os << name << "_count" << braces << ' ' << h.count << '\n';
}

}  // namespace

template <std::size_t N>
void Metrics::Histogram<N>::Observe(const std::array<double, N>& bounds, double v) {
  for (std::size_t i = 0; i < N; ++i) {
    if (v <= bounds[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum += v;
}

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  latency_[route].Observe(kLatencyBuckets, seconds);
}

void Metrics::ObserveCommitBatch(std::size_t size) {
  std::lock_guard lock(mu_);
  batches_.Observe(kBatchBuckets, static_cast<double>(size));
}

void Metrics::ObserveWriteWait(double seconds) {
  std::lock_guard lock(mu_);
  write_wait_.Observe(kLatencyBuckets, seconds);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  callbacks_.push_back({std::move(name), std::move(help), "gauge", std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  callbacks_.push_back({std::move(name), std::move(help), "counter", std::move(read)});
}

std::string Metrics::Render() const {
  std::ostringstream os;
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mu_);
    Header(os, "dixian_http_requests_total", "HTTP requests by route and status.", "counter");
    for (const auto& [key, n] : requests_) {
      os << "dixian_http_requests_total{route=\"" << EscapeLabel(key.first) << "\",status=\""
         << key.second << "\"} " << n << '\n';
    }
    Header(os, "dixian_http_request_duration_seconds", "HTTP request latency by route.",
           "histogram");
    for (const auto& [route, h] : latency_) {
      RenderHistogram(os, "dixian_http_request_duration_seconds",
                      "route=\"" + EscapeLabel(route) + "\"", kLatencyBuckets, h);
    }
    Header(os, "dixian_commit_batch_size", "Commands written per group commit.", "histogram");
    RenderHistogram(os, "dixian_commit_batch_size", "", kBatchBuckets, batches_);
    Header(os, "dixian_write_wait_seconds",
           "HTTP writes: from the engine call to its answer (queue, transaction, commit, sync).",
           "histogram");
    RenderHistogram(os, "dixian_write_wait_seconds", "", kLatencyBuckets, write_wait_);
    callbacks = callbacks_;
  }
  // Callbacks run outside the lock: they may take locks of their own.
  for (const auto& cb : callbacks) {
    Header(os, cb.name, cb.help, cb.type.c_str());
    double value = 0;
    try {
      value = cb.read ? cb.read() : 0;
    } catch (...) {
      value = std::nan("");
    }
    os << cb.name << ' ' << FormatValue(value) << '\n';
  }
  return os.str();
}

Handler MetricsHandler(Metrics& metrics) {
  return [&metrics](Request&, Reply reply) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics.Render();
    reply(std::move(r));
  };
}

}  // namespace dixian::http
