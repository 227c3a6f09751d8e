#pragma once
// A VFS shim over SQLite's "unix" VFS for the one writer connection: the WAL frames of a
// transaction reach the kernel in one pwrite instead of two per page.
//
// SQLite writes each WAL frame as two pwrites (its 24-byte header, then the page); a group of
// engine writes dirties ~80 pages, so the writer made ~8 syscalls per write, a third of its CPU
// on this kind of VM. The shim keeps consecutive WAL writes in a buffer and writes it
// - inside the write of the commit frame's page (the frame whose header carries the database
//   size), so a failed write fails the COMMIT exactly as before and no reader can see a
//   transaction whose frames are not in the file: SQLite publishes the new wal-index header
//   only after that write returned;
// - before anything else touches the WAL file through this connection (read, sync, truncate,
//   size, close), before a write that is not the next in sequence, and when the buffer is full;
// - and, as a guard, in xShmBarrier of the database file, the call SQLite makes just before it
//   publishes a commit (nothing should be pending there; a failed write there stops the process,
//   so that recovery discards the unwritten transaction rather than readers seeing it).
// Every other call goes to the unix VFS unchanged (locks, shared memory and file identity are
// shared with connections on the plain VFS, as readers in this process are).

namespace dixian::store {

// Registers the shim once (not as the default VFS) and returns its name for sqlite3_open_v2.
const char* WalBufferVfsName();

}  // namespace dixian::store
