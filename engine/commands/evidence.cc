// Evidence (佐证材料): attach, read, and the kinds a step requires.
#include "engine/commands/evidence.h"

#include <algorithm>
#include <memory>

#include "engine/core/fields.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"
#include "engine/core/sha256.h"
#include "engine/store/evidence_store.h"

namespace dixian::engine {

namespace {

bool StartsWith(std::string_view bytes, std::string_view magic, std::size_t at = 0) {
  return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
}

std::string MediaWords(const std::string& media_type) {
  if (media_type == "image/jpeg") return "JPEG 图片";
  if (media_type == "image/png") return "PNG 图片";
  if (media_type == "image/webp") return "WebP 图片";
  if (media_type == "image/heic") return "HEIC 图片";
  if (media_type == "application/pdf") return "PDF 文件";
  return media_type;
}

std::string Extension(const std::string& media_type) {
  if (media_type == "image/jpeg") return ".jpg";
  if (media_type == "image/png") return ".png";
  if (media_type == "image/webp") return ".webp";
  if (media_type == "image/heic") return ".heic";
  return ".pdf";
}

// Drops control characters (C0, DEL, C1) and the bidirectional overrides that make a name read
// differently from what it is (U+202A-202E, U+2066-2069).
std::string WithoutControls(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) continue;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Who may read a case may attach to it and read its attachments: the same 403 and 404 as
// GET /cases/{id} (a case elsewhere reads as absent).
Result<Case> ReadableCase(ReadView& view, const Principal& who, const std::string& id) {
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  auto c = view.FindCase(id);
  if (!c || !InSubtree(who, c->org_path))
    return Error::NotFound("case_not_found", "案件 " + id + " 不存在");
  return *c;
}

Result<Household> ReadableVisit(ReadView& view, const Principal& who, const std::string& household,
                                std::int64_t visit) {
  auto hh = PermittedHousehold(view, who, household, Capability::kReadHouseholds);
  if (!hh.ok()) return hh.error();
  for (const auto& v : view.VisitsOf(household))
    if (v.id == visit) return hh;
  return Error::NotFound("visit_not_found", "走访记录 " + std::to_string(visit) + " 不存在");
}

// The checks that need no database: kind, size, type by the first bytes, file name.
Result<Attachment> CheckedFile(const AttachInput& in) {
  auto kind = RequireEnum<EvidenceKind>("kind", in.kind);
  if (!kind.ok()) return kind.error();
  if (static_cast<std::int64_t>(in.bytes.size()) > kMaxEvidenceBytes)
    return Error::TooLarge("文件过大：上限为 " + std::to_string(kMaxEvidenceBytes / 1024 / 1024) +
                           " MB");
  if (in.bytes.empty()) return Error::Unprocessable("empty_file", "文件为空，请重新选择");
  const std::string sniffed = SniffMediaType(in.bytes);
  if (sniffed.empty())
    return Error::Unprocessable("unsupported_file_type",
                                "文件类型不受支持：只接受 JPEG、PNG、WebP、HEIC 图片和 PDF 文件");
  const std::string& declared = in.content_type;
  if (!declared.empty() && declared != "application/octet-stream" && declared != sniffed)
    return Error::Unprocessable("content_type_mismatch", "文件内容是" + MediaWords(sniffed) +
                                                             "，与声明的类型 " + declared +
                                                             " 不符");
  auto name = SanitiseFileName(in.filename, sniffed);
  if (!name.ok()) return name.error();
  Attachment a;
  a.kind = kind.value();
  a.filename = name.value();
  a.content_type = sniffed;
  a.size = static_cast<std::int64_t>(in.bytes.size());
  return a;
}

EvidenceStore* Evidence(Engine& e) { return e.options().evidence.get(); }

// Stores the bytes (files: durable before the row is written; the store's own: in the row's
// transaction), then the row and its audit event.
void Attach(Engine& e, Write<Attachment> w, AttachInput in, Attachment a) {
  const bool in_store = e.options().evidence_in_store;
  std::shared_ptr<const std::string> bytes;  // for the transaction, when the store keeps them
  if (in_store) {
    a.sha256 = Sha256Hex(in.bytes);
    bytes = std::make_shared<const std::string>(std::move(in.bytes));
  } else {
    auto* files = Evidence(e);
    if (!files) return w.done(Error::Unavailable("evidence_unavailable", "佐证材料存储未配置"));
    auto digest = files->Put(in.bytes);
    if (!digest.ok()) return w.done(digest.error());
    a.sha256 = digest.value();
  }
  const Principal who = w.who;
  // The job keeps the metadata (and the bytes only when they go into its transaction).
  AttachInput target{in.case_id, in.household, in.visit, "", "", "", ""};
  e.Submit<Attachment>(std::move(w), [who, in = std::move(target), a, bytes](EngineTx& etx) mutable -> Result<Attachment> {
    auto& tx = etx.tx();
    if (!in.case_id.empty()) {  // again inside the transaction: nothing moved since the check
      auto c = ReadableCase(tx, who, in.case_id);
      if (!c.ok()) return c.error();
      a.case_id = c->id;
      a.household = c->household;
      a.org_path = c->org_path;
    } else {
      auto hh = ReadableVisit(tx, who, in.household, in.visit.value_or(0));
      if (!hh.ok()) return hh.error();
      a.visit = *in.visit;
      a.household = hh->id;
      a.org_path = hh->village_path;
    }
    if (bytes)
      if (auto st = tx.PutEvidenceBytes(a.sha256, *bytes); !st.ok()) return st.error();
    a.actor = who.user.id;
    a.at = etx.now();
    a.id = tx.InsertAttachment(a);
    AuditEvent ev = EventBy(who, a.household, "attach_evidence");
    ev.data = {{"attachment", std::to_string(a.id)}, {"kind", Name(a.kind)},
               {"sha256", a.sha256}, {"size", a.size}, {"content_type", a.content_type}};
    if (!a.case_id.empty()) ev.data["case"] = a.case_id;
    if (a.visit) ev.data["visit"] = std::to_string(a.visit);
    etx.Audit(ev);
    return a;
  });
}

// The bytes of `sha256`: from the store when it keeps them (falling back to files stored before
// it did), else from the files; checked against the digest either way.
Result<std::string> StoredBytes(Engine& e, ReadView& view, const std::string& sha256) {
  auto* files = Evidence(e);
  if (!e.options().evidence_in_store) {
    if (!files) return Error::Unavailable("evidence_unavailable", "佐证材料存储未配置");
    return files->Open(sha256);
  }
  auto bytes = view.EvidenceBytes(sha256);
  if (auto failure = view.failure()) return *failure;
  if (!bytes) {
    if (files) return files->Open(sha256);
    return Error::Internal("佐证材料内容缺失，请联系县级管理员从备份恢复");
  }
  if (Sha256Hex(*bytes) != sha256)
    return Error::Internal("佐证材料内容已损坏（SHA-256 不符），请联系县级管理员从备份恢复");
  return std::move(*bytes);
}

}  // namespace

std::string SniffMediaType(std::string_view b) {
  if (StartsWith(b, "\xFF\xD8\xFF")) return "image/jpeg";
  if (StartsWith(b, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (StartsWith(b, "%PDF-")) return "application/pdf";
  if (StartsWith(b, "RIFF") && StartsWith(b, "WEBP", 8)) return "image/webp";
  if (StartsWith(b, "ftyp", 4))
    for (std::string_view brand : {"heic", "heix", "heif", "mif1", "hevc"})
      if (StartsWith(b, brand, 8)) return "image/heic";
  return "";
}

Result<std::string> SanitiseFileName(const std::string& given, const std::string& media_type) {
  if (!IsValidUtf8(given)) return InvalidField("filename", "不是有效的 UTF-8 文本");
  std::string name = given;
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos) name.erase(0, slash + 1);
  name = WithoutControls(name);
  const auto first = name.find_first_not_of(" .");
  name = first == std::string::npos ? "" : name.substr(first);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  if (auto st = LimitText("filename", name, kMaxEvidenceNameChars); !st.ok()) return st.error();
  if (name.empty()) name = "佐证材料" + Extension(media_type);
  return name;
}

Status CheckRequiredEvidence(ReadView& view, const std::string& case_id, const ActionDef& action) {
  if (action.requires_evidence.empty()) return OkStatus();
  const auto present = view.AttachmentsOf(case_id, 0);
  for (EvidenceKind kind : action.requires_evidence) {
    const bool has = std::any_of(present.begin(), present.end(),
                                 [kind](const Attachment& a) { return a.kind == kind; });
    if (!has)
      return Error::Unprocessable("evidence_required",
                                  "请先上传" + Label(kind) + "（" + Name(kind) + "），再" +
                                      (action.label.empty() ? action.name : action.label));
  }
  return OkStatus();
}

void AttachToCase(Engine& e, Write<Attachment> w, AttachInput in) {
  {  // the case first: a case elsewhere answers 404 whatever the file is
    auto view = e.store().Read();
    auto c = ReadableCase(*view, w.who, in.case_id);
    if (auto failure = view->failure()) return w.done(*failure);
    if (!c.ok()) return w.done(c.error());
  }
  auto a = CheckedFile(in);
  if (!a.ok()) return w.done(a.error());
  Attach(e, std::move(w), std::move(in), a.value());
}

void AttachToVisit(Engine& e, Write<Attachment> w, AttachInput in) {
  in.case_id.clear();
  if (!in.visit) return w.done(MissingField("visit"));
  {
    auto view = e.store().Read();
    auto hh = ReadableVisit(*view, w.who, in.household, *in.visit);
    if (auto failure = view->failure()) return w.done(*failure);
    if (!hh.ok()) return w.done(hh.error());
  }
  auto a = CheckedFile(in);
  if (!a.ok()) return w.done(a.error());
  Attach(e, std::move(w), std::move(in), a.value());
}

Result<EvidenceFile> GetAttachment(Engine& e, const Principal& who, std::int64_t id) {
  auto view = e.store().Read();
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  const auto absent = Error::NotFound("attachment_not_found",
                                      "佐证材料 " + std::to_string(id) + " 不存在");
  auto a = view->FindAttachment(id);
  if (!a) return Checked<EvidenceFile>(*view, absent);
  const bool readable = !a->case_id.empty()
                            ? ReadableCase(*view, who, a->case_id).ok()
                            : PermittedHousehold(*view, who, a->household,
                                                 Capability::kReadHouseholds).ok();
  if (auto failure = view->failure()) return *failure;
  if (!readable) return absent;  // the same answer as an id that never existed
  auto bytes = StoredBytes(e, *view, a->sha256);
  if (!bytes.ok()) return bytes.error();
  return EvidenceFile{*a, std::move(bytes.value())};
}

Result<std::vector<Attachment>> VisitAttachments(Engine& e, const Principal& who,
                                                 const std::string& household,
                                                 std::int64_t visit) {
  using List = std::vector<Attachment>;
  auto view = e.store().Read();
  auto hh = ReadableVisit(*view, who, household, visit);
  if (!hh.ok()) return Checked<List>(*view, hh.error());
  return Checked<List>(*view, view->AttachmentsOf("", visit));
}

}  // namespace dixian::engine
