#include "adapters/http/evidence_calls.h"

#include "adapters/http/json_views.h"
#include "engine/commands/evidence.h"
#include "engine/core/sha256.h"

namespace dixian::http::api {

using engine::Engine;
using engine::Principal;

namespace {

// The upload as the engine's input; the file name percent-decoded (X-Filename carries UTF-8).
engine::Result<engine::AttachInput> InputOf(Request& req) {
  engine::AttachInput in;
  in.kind = req.query["kind"];
  if (!PercentDecode(req.Header("x-filename"), false, &in.filename))
    return engine::InvalidField("filename", "X-Filename 应为百分号编码的 UTF-8 文本");
  in.content_type = req.content_type;
  in.bytes = std::move(req.body);
  return in;
}

engine::Write<engine::Attachment> WriteOf(const Principal& who, const Request& req,
                                          const engine::AttachInput& in, JsonDone done) {
  engine::Write<engine::Attachment> w;
  w.who = who;
  // The same key again with the same file, kind and name replays; another file is a new request.
  w.idempotency = {req.idempotency_key, req.method + " " + req.path,
                   engine::Sha256Hex(in.bytes) + "\n" + in.kind + "\n" + in.filename};
  w.render = [](const engine::Attachment& a) { return Dump(ToJson(a)); };
  w.done = [done = std::move(done)](engine::Result<engine::Answer<engine::Attachment>> a) {
    if (!a.ok()) return done(a.error());
    if (a->replayed()) return done(Body([s = std::move(a->replay)] { return s; }));
    done(Body([v = *a->value] { return Dump(ToJson(v)); }));
  };
  return w;
}

// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name percent-encoded.
std::string Disposition(const engine::Attachment& a) {
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : a.filename) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  const auto dot = a.filename.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : a.filename.substr(dot);
  std::string ascii_ext;
  for (char c : ext)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') ascii_ext.push_back(c);
  return "attachment; filename=\"evidence-" + std::to_string(a.id) + ascii_ext +
         "\"; filename*=UTF-8''" + encoded;
}

std::optional<std::int64_t> VisitId(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

void AttachToCase(Engine& e, const Principal& who, Request& req, JsonDone done) {
  auto in = InputOf(req);
  if (!in.ok()) return done(in.error());
  in->case_id = req.params["id"];
  auto w = WriteOf(who, req, in.value(), std::move(done));
  engine::AttachToCase(e, std::move(w), std::move(in.value()));
}

void AttachToVisit(Engine& e, const Principal& who, Request& req, JsonDone done) {
  auto visit = VisitId(req.params["visit"]);
  if (!visit) return done(engine::Error::NotFound("visit_not_found", "走访记录不存在"));
  auto in = InputOf(req);
  if (!in.ok()) return done(in.error());
  in->household = req.params["id"];
  in->visit = visit;
  auto w = WriteOf(who, req, in.value(), std::move(done));
  engine::AttachToVisit(e, std::move(w), std::move(in.value()));
}

Response DownloadAttachment(Engine& e, const Principal& who, const std::string& id) {
  auto n = VisitId(id);
  if (!n) return Response::ErrorBody(404, "attachment_not_found", "佐证材料 " + id + " 不存在");
  auto file = engine::GetAttachment(e, who, *n);
  if (!file.ok()) return Response::FromError(file.error());
  Response r;
  // Only the types the upload accepted (sniffed from the bytes), never text/html.
  r.content_type = file->meta.content_type;
  r.body = std::move(file->bytes);
  r.headers.emplace_back("Content-Disposition", Disposition(file->meta));
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

Response VisitAttachments(Engine& e, const Principal& who, Request& req) {
  auto visit = VisitId(req.params["visit"]);
  if (!visit) return Response::ErrorBody(404, "visit_not_found", "走访记录不存在");
  auto list = engine::VisitAttachments(e, who, req.params["id"], *visit);
  if (!list.ok()) return Response::FromError(list.error());
  return Response::Json(200, ToJson(list.value()));
}

bool IsUploadPath(std::string_view method, std::string_view path) {
  constexpr std::string_view kSuffix = "/attachments";
  return method == "POST" && path.rfind("/api/v1/", 0) == 0 && path.size() > kSuffix.size() &&
         path.substr(path.size() - kSuffix.size()) == kSuffix;
}

}  // namespace dixian::http::api
