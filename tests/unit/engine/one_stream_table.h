// OneStreamTable: a stream table of one stream in memory whose saves can be
// made to fail, recording each saved snapshot, for the control-plane parts
// alone (ConsumerRegistry, ResourcePolicies), without an Engine.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "engine/stream_state.h"
#include "engine/stream_table.h"

namespace sluice::engine::testing {

// Its control lock is the one a test may hold to see a part wait for it.
class OneStreamTable final : public StreamTable {
 public:
  explicit OneStreamTable(StreamMeta meta) : state_(std::make_shared<StreamState>()) { state_->meta = std::move(meta); }
  std::shared_ptr<StreamState> Find(const StreamRef& stream) const override {
    return KeyOf(stream) == KeyOf(state_->meta.ref) ? state_ : nullptr;
  }
  std::mutex& control_mu() const override { return mu_; }
  std::vector<StreamMeta> SnapshotLocked() const override {
    std::shared_lock lock(state_->mu);
    return {state_->meta};
  }
  Status SaveStreamsLocked(const std::vector<const StreamMeta*>& streams) override {
    if (fail_saves) return Status::IoError("disk full");
    saved.emplace_back();
    for (const StreamMeta* m : streams) saved.back().push_back(*m);
    return Status::Ok();
  }
  Status SaveRemovalLocked(const StreamKey& /*key*/) override {
    if (fail_saves) return Status::IoError("disk full");
    saved.emplace_back();  // a removal saves no stream
    return Status::Ok();
  }

  bool fail_saves = false;
  std::vector<std::vector<StreamMeta>> saved;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<StreamState> state_;
};

}  // namespace sluice::engine::testing
