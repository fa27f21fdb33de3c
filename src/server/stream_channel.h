// StreamChannel: the BodyWriter of one streamed response, and the state it
// shares with the connection that sends it.
//
// The producer side (Write, Finish, BufferedBytes, closed) may run on any
// thread; the connection side (everything under "loop side") runs on the
// connection's loop thread only. Both sides lock one mutex, held only to
// move pieces in and out of the queue, never while calling out.
//
// Waking the loop: the first Write or Finish after the loop last looked
// (AckWake) runs `wake` once, outside the lock; the connection makes `wake`
// post a task to its loop's mailbox (Connection::MakeStreamWaker). So a
// burst of writes costs one eventfd wakeup, and a loop that is gone simply
// drops the task.
//
// Accounting: BufferedBytes() = bytes queued here + bytes the connection
// took but reports as not yet written (MarkTaken / MarkSent). The channel
// notes when BufferedBytes() reaches the drain threshold in Write; TakeDrained()
// reports, once, that it fell below it again (or to zero).
//
// Lifecycle: shared (std::shared_ptr) by the producer and the connection,
// so a producer may keep writing after the connection is destroyed: the
// connection Abort()s the channel when it lets go of it, and every later
// Write returns false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "server/http_types.h"

namespace sluice::server {

class StreamChannel final : public BodyWriter {
 public:
  StreamChannel(std::function<void()> wake, size_t drain_threshold)
      : wake_(std::move(wake)), drain_threshold_(drain_threshold) {}

  // ---- producer side: any thread ----
  bool Write(std::string bytes) override;
  void Finish() override;
  size_t BufferedBytes() const override;
  // True after Finish() or Abort().
  bool closed() const override;

  // ---- loop side ----
  // Re-arms the wakeup: the next Write or Finish runs `wake` again. Call
  // before taking bytes, so none can slip in unannounced.
  void AckWake();
  // Moves every queued piece to the back of `out` (counted as taken and
  // unsent until MarkSent); sets `*finished` once Finish() was called and
  // nothing is left queued.
  void TakeAll(std::deque<std::string>* out, bool* finished);
  // Copies up to `max` queued bytes to `buffer` (counted as sent at once);
  // sets `*finished` when Finish() was called and nothing is left queued.
  size_t Read(uint8_t* buffer, size_t max, bool* finished);
  // `n` bytes that TakeAll handed out have left the process.
  void MarkSent(size_t n);
  // True once each time BufferedBytes() fell below the drain threshold (or
  // to zero) after having reached it.
  bool TakeDrained();
  // Closes the channel for good: queued bytes are dropped, Write returns
  // false. True when the producer had not finished (so on_close is owed);
  // false if it had, or on a repeated call.
  bool Abort();

 private:
  size_t BufferedLocked() const { return queued_bytes_ + unsent_bytes_; }

  const std::function<void()> wake_;
  const size_t drain_threshold_;
  mutable std::mutex mu_;
  std::deque<std::string> queue_;
  size_t front_offset_ = 0;    // bytes of queue_.front() already Read
  size_t queued_bytes_ = 0;    // in queue_, not yet taken
  size_t unsent_bytes_ = 0;    // taken by TakeAll, not yet MarkSent
  bool wake_pending_ = false;  // `wake` ran and the loop has not acked it
  bool above_threshold_ = false;
  bool finished_ = false;
  bool aborted_ = false;
};

}  // namespace sluice::server
