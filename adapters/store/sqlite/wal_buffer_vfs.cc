#include "adapters/store/sqlite/wal_buffer_vfs.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dixian::store {
namespace {

constexpr char kName[] = "dixian-wal-buffer";
constexpr int kFrameHeader = 24;        // WAL_FRAME_HDRSIZE
// The unix VFS writes at most 128 KB - 1 per call (seekAndWriteFd masks the length with 0x1ffff):
// 30 frames of 4 KB pages per pwrite, a group of ~80 frames in 3.
constexpr int kBufferBytes = 124 * 1024;

sqlite3_vfs* g_unix = nullptr;  // the VFS underneath

// What SQLite allocates for each file of the shim: our header, then the unix VFS's own file.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  ShimFile* wal;     // on the database file: its WAL while open (same connection, same thread)
  ShimFile* db;      // on the WAL: its database file
  bool is_wal;
  bool in_commit;    // the commit frame's header went by: write through until the next frame
  char* buffer;      // WAL only: bytes not yet written, for [buffer_offset, +buffered)
  sqlite3_int64 buffer_offset;
  int buffered;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }
ShimFile* Shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

int Flush(ShimFile* f) {
  if (f->buffered == 0) return SQLITE_OK;
  const int rc = f->real->pMethods->xWrite(f->real, f->buffer, f->buffered, f->buffer_offset);
  f->buffered = 0;  // on failure the transaction fails; SQLite writes its frames again
  return rc;
}

// A frame header whose bytes 4..7 (the database size after commit) are set ends a transaction.
bool IsCommitHeader(const void* data, int amount) {
  if (amount != kFrameHeader) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;
}

int WalWrite(ShimFile* f, const void* data, int amount, sqlite3_int64 offset) {
  const bool contiguous = f->buffered > 0 && offset == f->buffer_offset + f->buffered;
  if ((!contiguous && f->buffered > 0) || f->buffered + amount > kBufferBytes) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (amount == kFrameHeader) f->in_commit = IsCommitHeader(data, amount);
  if (amount > kBufferBytes) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (f->buffered == 0) f->buffer_offset = offset;
  std::memcpy(f->buffer + f->buffered, data, static_cast<std::size_t>(amount));
  f->buffered += amount;
  // The commit frame's page (and anything after it, such as sync padding) is written before
  // this call returns: its failure is the COMMIT's, and SQLite publishes nothing before it.
  if (f->in_commit && amount != kFrameHeader) return Flush(f);
  return SQLITE_OK;
}

int ShimClose(sqlite3_file* file) {
  ShimFile* f = Shim(file);
  int rc = SQLITE_OK;
  if (f->is_wal) {
    rc = Flush(f);
    if (f->db != nullptr) f->db->wal = nullptr;
    sqlite3_free(f->buffer);
  } else if (f->wal != nullptr) {
    f->wal->db = nullptr;
  }
  const int closed = f->real->pMethods->xClose(f->real);
  return rc != SQLITE_OK ? rc : closed;
}

int ShimRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xRead(Real(file), out, amount, offset);
}

int ShimWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = Shim(file);
  if (f->is_wal) return WalWrite(f, data, amount, offset);
  return f->real->pMethods->xWrite(f->real, data, amount, offset);
}

int ShimTruncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xTruncate(Real(file), size);
}

int ShimSync(sqlite3_file* file, int flags) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xSync(Real(file), flags);
}

int ShimFileSize(sqlite3_file* file, sqlite3_int64* size) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xFileSize(Real(file), size);
}

int ShimLock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
int ShimUnlock(sqlite3_file* file, int level) { return Real(file)->pMethods->xUnlock(Real(file), level); }
int ShimCheckReservedLock(sqlite3_file* file, int* out) {
  return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}

int ShimFileControl(sqlite3_file* file, int op, void* arg) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}

int ShimSectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
int ShimDeviceCharacteristics(sqlite3_file* file) {
  return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}

int ShimShmMap(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  return Real(file)->pMethods->xShmMap(Real(file), page, page_size, extend, out);
}
int ShimShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}

void ShimShmBarrier(sqlite3_file* file) {
  ShimFile* f = Shim(file);
  if (f->wal != nullptr && f->wal->buffered > 0 && Flush(f->wal) != SQLITE_OK) {
    std::fprintf(stderr, "dixian: WAL write failed as a commit was being published; stopping\n");
    std::abort();
  }
  f->real->pMethods->xShmBarrier(f->real);
}

int ShimShmUnmap(sqlite3_file* file, int delete_flag) {
  return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}
int ShimFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  if (const int rc = Flush(Shim(file)); rc != SQLITE_OK) return rc;
  return Real(file)->pMethods->xFetch(Real(file), offset, amount, out);
}
int ShimUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return Real(file)->pMethods->xUnfetch(Real(file), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,           ShimClose,        ShimRead,    ShimWrite,       ShimTruncate,
    ShimSync,    ShimFileSize,     ShimLock,    ShimUnlock,      ShimCheckReservedLock,
    ShimFileControl, ShimSectorSize, ShimDeviceCharacteristics, ShimShmMap, ShimShmLock,
    ShimShmBarrier, ShimShmUnmap,  ShimFetch,   ShimUnfetch};

int ShimOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  ShimFile* f = Shim(file);
  std::memset(f, 0, sizeof(ShimFile));
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (f->is_wal) {
    f->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    if (f->buffer == nullptr) return SQLITE_NOMEM;
  }
  const int rc = g_unix->xOpen(g_unix, name, f->real, flags, out_flags);
  if (f->real->pMethods == nullptr) {  // nothing to close
    sqlite3_free(f->buffer);
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  f->base.pMethods = &kMethods;
  if (f->is_wal && name != nullptr) {
    if (sqlite3_file* db = sqlite3_database_file_object(name); db && db->pMethods == &kMethods) {
      f->db = Shim(db);
      f->db->wal = f;
    }
  }
  return rc;
}

sqlite3_vfs* Register() {
  g_unix = sqlite3_vfs_find("unix");
  if (g_unix == nullptr) return nullptr;
  static sqlite3_vfs vfs = *g_unix;
  vfs.zName = kName;
  vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_unix->szOsFile;
  vfs.pNext = nullptr;
  vfs.xOpen = ShimOpen;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* WalBufferVfsName() {
  static sqlite3_vfs* vfs = Register();
  return vfs != nullptr ? kName : nullptr;
}

}  // namespace dixian::store
