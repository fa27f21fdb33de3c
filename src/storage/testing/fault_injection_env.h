// FaultInjectionEnv: an Env for tests that wraps a real one (by default the
// POSIX Env, on a real directory) and can
//   - fail a chosen call with a chosen errno: the next create, write, sync,
//     truncate, rename or directory sync (optionally only of paths ending in
//     a given suffix), or the one after N more such calls;
//   - simulate a power loss, after leveldb's db/fault_injection_test.cc:
//     it remembers, per file, what every write and truncate changed since the
//     file's last successful Sync(), and, per directory, the files created and
//     renamed since its last SyncDir(); DropUnsyncedData() then puts the
//     files back as they were at their last sync and undoes the unsynced
//     creations (the file is removed) and renames (the file goes back to its
//     old name, and a file it replaced comes back).
//
// The model is the worst case a power loss allows: every byte not synced is
// lost, every directory entry not synced is lost. Removals, and directories
// made by CreateDirs, are taken as durable at once. A write or a truncate
// counts as synced if it completed before a successful Sync() of the file
// began.
//
// An injected write failure writes the first half of its bytes before it
// fails, as a write(2) cut short by a full disk does. A failed Sync() leaves
// the unsynced data unsynced (a later successful one makes it durable, as the
// kernel may falsely report).
//
// Lives in its own library (sluice_storage_testing), linked only into tests:
// the storage tests use it, and the engine's tests can run a whole engine on
// it.
//
// Threading: thread-safe. Tracked writes and truncates run one at a time
// (under the Env's mutex, with the bytes they overwrite read first); syncs do
// not hold it, so appends go on during an fdatasync as they do in production.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "storage/env.h"

namespace sluice::storage {

// The calls a failure can be injected into.
enum class FaultOp {
  kCreate,    // Open() for writing (OpenMode::kReadWrite or kTruncate)
  kWrite,     // Write()
  kSync,      // Sync() of a file
  kTruncate,  // Truncate()
  kRename,    // Rename()
  kSyncDir,   // SyncDir()
};

class FaultInjectionEnv final : public Env {
 public:
  // `base` performs the calls; it must outlive this Env.
  explicit FaultInjectionEnv(Env* base = Env::Default());

  // The next `op` on a path ending in `path_suffix` ("" for any) fails with
  // IoError carrying strerror(`err`); the calls before it are not affected.
  void FailNext(FaultOp op, int err, std::string path_suffix = "");
  // The same, after `calls` more such calls have succeeded.
  void FailAfter(FaultOp op, uint64_t calls, int err, std::string path_suffix = "");
  // Forgets failures that have not fired yet.
  void ClearFaults();
  // How many injected failures have fired.
  uint64_t FailuresInjected() const;

  // While the power is off every call that would change the disk (writable
  // Open, Write, Sync, Truncate, Rename, removals, SyncDir, CreateDirs) fails
  // with EIO; reads still work. On again, everything works.
  void SetPowerOn(bool on);
  // The power goes off at the next `op` on a path ending in `path_suffix`
  // after `calls` more such calls: that call fails with EIO, as all after it.
  void PowerOffAt(FaultOp op, uint64_t calls = 0, std::string path_suffix = "");
  // Simulates the power loss (see above) and forgets what it undid: the disk
  // then holds only what was synced. Call it once the code under test has
  // stopped touching the files (closed them, or with the power off).
  Status DropUnsyncedData();

  Result<int> Open(const std::string& path, OpenMode mode) override;
  void Close(int fd) override;
  Status Write(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) override;
  Result<size_t> Read(int fd, char* dst, size_t n, uint64_t pos, const std::string& path) const override;
  Status Sync(int fd, const std::string& path) override;
  Status Truncate(int fd, uint64_t size, const std::string& path) override;
  Result<uint64_t> Size(int fd, const std::string& path) const override;
  Status CreateDirs(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;

 private:
  // What one unsynced write or truncate changed: the file's size before it,
  // and the bytes it overwrote (or cut) from `position` on.
  struct Undo {
    uint64_t old_size;
    uint64_t position;
    std::string old_bytes;
  };
  // A directory entry made since the directory's last sync.
  struct EntryChange {
    std::string dir;
    std::string path;       // created, or renamed to
    std::string from;       // renamed from; "" for a creation
    bool replaced = false;  // the rename replaced a file, whose bytes were:
    std::string replaced_bytes;
  };
  struct Fault {
    FaultOp op;
    std::string suffix;
    uint64_t skip;
    int err;
    bool power_off;
  };

  // Fails `op` on `path` if a fault fires or the power is off. Caller holds mu_.
  Status CheckLocked(FaultOp op, const std::string& path, const char* what);
  // Bytes [pos, pos + n) of `path` as they are now (short at its end).
  Result<std::string> ReadRange(const std::string& path, uint64_t pos, uint64_t n) const;
  // Records the undo of changing `path` from `pos` for `n` bytes (to the end
  // when n is UINT64_MAX). Caller holds mu_.
  Status RecordUndoLocked(int fd, const std::string& path, uint64_t pos, uint64_t n);

  Env* const base_;
  mutable std::mutex mu_;
  bool power_on_ = true;
  std::vector<Fault> faults_;
  uint64_t injected_ = 0;
  std::map<std::string, std::vector<Undo>> unsynced_;  // by path, oldest first
  std::vector<EntryChange> entries_;                   // oldest first
};

}  // namespace sluice::storage
