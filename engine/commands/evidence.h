#pragma once
// Evidence (佐证材料): files attached to a case or a visit, their checks (size, type by the first
// bytes, kind, file name), reading them back, and a step's required kinds (requires_evidence).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/write.h"
#include "engine/model/model.h"

namespace dixian::engine {

class ReadView;
struct ActionDef;

constexpr std::int64_t kMaxEvidenceBytes = 10 * 1024 * 1024;  // 10 MiB
constexpr std::size_t kMaxEvidenceNameChars = 100;

struct AttachInput {
  std::string case_id;               // a case's attachment, or
  std::string household;             // a visit's: the household and the visit's id
  std::optional<std::int64_t> visit;
  std::string kind;
  std::string filename;              // as given (already percent-decoded); sanitised here
  std::string content_type;          // as declared; must agree with the first bytes
  std::string bytes;
};

void AttachToCase(Engine& engine, Write<Attachment> write, AttachInput input);
void AttachToVisit(Engine& engine, Write<Attachment> write, AttachInput input);

struct EvidenceFile {
  Attachment meta;
  std::string bytes;
};
// The file, for whoever may read its case (or household): 403/404 exactly as the case answers.
Result<EvidenceFile> GetAttachment(Engine& engine, const Principal& who, std::int64_t id);
// A visit's attachments, for whoever may read the household.
Result<std::vector<Attachment>> VisitAttachments(Engine& engine, const Principal& who,
                                                 const std::string& household, std::int64_t visit);

// The media type the first bytes show (image/jpeg, image/png, image/webp, image/heic,
// application/pdf), or "" when none of them.
std::string SniffMediaType(std::string_view bytes);
// A file name safe to store and send back: no path parts, no control characters; an error names
// the field when it is not UTF-8 or longer than kMaxEvidenceNameChars characters.
Result<std::string> SanitiseFileName(const std::string& given, const std::string& media_type);
// The first kind an action requires that the case lacks: 422 evidence_required naming it.
Status CheckRequiredEvidence(ReadView& view, const std::string& case_id, const ActionDef& action);

}  // namespace dixian::engine
