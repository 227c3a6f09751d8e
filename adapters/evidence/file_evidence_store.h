#pragma once
// Attachments' bytes as files beside the database: `<db>.evidence/ab/cdef...` (the SHA-256 in
// hex, split after two characters). The folder is 0700, the files 0600. A file is written to a
// temporary name, fsynced, renamed into place and its folder fsynced before Put returns, so the
// row the caller commits next never points at missing bytes, even after kill -9.
#include <string>
#include <vector>

#include "engine/store/evidence_store.h"

namespace dixian::evidence {

class FileEvidenceStore final : public engine::EvidenceStore {
 public:
  explicit FileEvidenceStore(std::string dir) : dir_(std::move(dir)) {}
  // The folder beside a SQLite database file (`data/dixian.db` -> `data/dixian.db.evidence`).
  static std::string DirFor(const std::string& db_path) { return db_path + ".evidence"; }

  engine::Result<std::string> Put(std::string_view bytes) override;
  engine::Result<std::string> Open(const std::string& sha256) override;

  const std::string& dir() const { return dir_; }
  // Where the file of `sha256` lives (empty if `sha256` is not 64 lower-case hex digits).
  std::string PathOf(const std::string& sha256) const;

 private:
  std::string dir_;
};

// Checks that each digest's file exists under `dir` and that its bytes hash to the digest; the
// error names the first file that is missing or does not match.
engine::Status VerifyEvidence(const std::string& dir, const std::vector<std::string>& digests);
// Copies each digest's file from `from` to `to` (durably, as Put writes), verifying the bytes on
// the way; the error names the first file that is missing or does not match.
engine::Status CopyEvidence(const std::string& from, const std::string& to,
                            const std::vector<std::string>& digests);

}  // namespace dixian::evidence
