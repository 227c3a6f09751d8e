#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/engine.h"

namespace dixian::runtime {

struct ServeOptions {
  std::string db = "data/dixian.db";
  std::string listen = "127.0.0.1:8080";
  std::string config;               // empty = shipped config/
  std::optional<std::string> fake_clock;  // RFC 3339 start of the engine clock
  bool demo = false;                // load the demo county into an empty database
  int threads = 0;
  std::string console_base_url;     // links in chat messages; default http://<listen>
  std::string key_file;             // master keys (runtime/keys.h); --demo may generate one
  std::string evidence_dir;         // attachments' files; default <db>.evidence (PostgreSQL: data/)
  std::string tls_cert, tls_key;    // HTTPS served directly (PEM files)
  bool insecure_http = false;       // allow plain HTTP on a non-loopback address (a TLS proxy in front)
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For names the client
  int channel_lease_seconds = 0;    // PostgreSQL: a dead node's channels pass on after this (0: 15)
};

// What the chat adapter says about channel kinds, for EngineOptions::channel_kinds.
engine::ChannelKinds ChatChannelKinds();

// Runs the server until SIGTERM/SIGINT; returns the process exit code.
int Serve(const ServeOptions& options);

}  // namespace dixian::runtime
