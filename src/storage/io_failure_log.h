// Log lines for failed storage I/O: one line per failure, naming the
// operation, the file and the errno text (the Status carries them, e.g.
// "write <dir>/00000000000000066000.log: No space left on device"), at most
// one line a second per kind of failure, with a count of the suppressed ones.
// A full disk or an exhausted descriptor table fails every append of every
// shard, and the log must stay readable.
//
// Threading: thread-safe.
#pragma once

#include "util/status.h"

namespace sluice::storage {

enum class IoFailure {
  kCreateSegment,  // a roll could not create the next segment
  kWrite,          // an append's write(2) failed (the file was cut back)
  kSync,           // fdatasync failed
  kPadding,        // writing zero padding ahead of the data failed
  kRead,           // a read failed or found corruption
};

// Logs `status` (which must name the file) as a warning, rate-limited per kind.
void LogIoFailure(IoFailure kind, const Status& status);

}  // namespace sluice::storage
