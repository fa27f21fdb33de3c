// Reader: reads every shard of a stream by polling GetRecords.
//
// Shards are read parents first: a shard starts only once every parent it
// names (ParentShardId, AdjacentParentShardId) that is still listed has been
// read to its end; children are learnt from a closed shard's ChildShards
// (and from a ListShards every refresh_shards_ms). Where reading starts:
//   LATEST        the shards open at the first poll, from their tip; shards
//                 closed by then are skipped; their children and later
//                 shards from their start;
//   TRIM_HORIZON  every listed shard from its oldest record;
//   AT_TIMESTAMP  every listed shard from the time, later shards from their start.
// An expired iterator (ExpiredIteratorException) is replaced by one
// AFTER_SEQUENCE_NUMBER of the shard's last record read (or from the
// shard's starting position when none was read yet). Throttling
// (ProvisionedThroughputExceededException) and other retryable errors
// back the shard off exponentially; the other shards carry on.
//
// Threading: one thread at a time per Reader.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/types.h"

namespace sluice::client {

struct ReaderOptions {
  std::string stream_name;
  StartingPosition start = StartingPosition::Latest();
  int limit = 10000;              // GetRecords Limit
  int64_t idle_poll_ms = 1000;    // pause of a shard whose last read returned nothing
  int64_t backoff_base_ms = 100;  // after throttling or a retryable error, doubling
  int64_t backoff_max_ms = 5000;
  int64_t refresh_shards_ms = 30000;  // ListShards to find new shards
  // Read only these shards (not their children); empty: every shard. A
  // shard the stream does not have fails the first Poll (CheckShardsListed).
  std::vector<std::string> shard_ids;
};

using RecordHandler = std::function<void(const Record& record)>;

// Checks that each of `wanted` names one of the `listed` shards. For one
// that does not, GetShardIterator is asked about it and its error returned
// (ResourceNotFoundException for a shard the stream does not have), as the
// service would answer a reader that named it.
Outcome<Done> CheckShardsListed(Client& client, const std::string& stream, const std::vector<Shard>& listed,
                                const std::vector<std::string>& wanted);

class Reader {
 public:
  Reader(std::shared_ptr<Client> client, ReaderOptions options);

  struct PollResult {
    size_t records = 0;
    // Every shard started has returned nothing while at the tip
    // (MillisBehindLatest 0) or has been read to its end, and none waits.
    bool caught_up = false;
    int64_t next_due_ms = 0;  // steady-clock ms when a shard is next due
  };

  // One GetRecords for each shard that is due now; records go to `handler`
  // in each shard's order. A non-retryable error (e.g. the stream is gone)
  // is returned.
  Outcome<PollResult> Poll(const RecordHandler& handler);

  // Polls until `stop()` returns true or, with `until_caught_up`, until a
  // poll is caught up; waits between polls only when no shard is due.
  Outcome<Done> Run(const RecordHandler& handler, bool until_caught_up, const std::function<bool()>& stop);

  // The last sequence number read from each shard.
  std::map<std::string, std::string> Positions() const;
  // Shards read to their end.
  std::vector<std::string> FinishedShards() const;

 private:
  enum class State { kWaiting, kReading, kFinished };
  struct ShardState {
    std::vector<std::string> parents;
    State state = State::kWaiting;
    StartingPosition start;
    std::string iterator;
    std::string last_sequence;
    int64_t due_ms = 0;
    int64_t backoff_ms = 0;
    bool caught_up = false;
  };

  Outcome<Done> Refresh(bool initial);
  void Learn(const std::string& shard_id, std::vector<std::string> parents, const StartingPosition& start);
  void StartReadyShards();
  // One read of `id`; false with *error for a non-retryable failure.
  bool ReadShard(const std::string& id, ShardState& s, const RecordHandler& handler, size_t* records, Error* error);
  void BackOff(ShardState& s, int64_t now_ms);

  std::shared_ptr<Client> client_;
  const ReaderOptions options_;
  std::map<std::string, ShardState> shards_;
  bool listed_ = false;
  int64_t next_refresh_ms_ = 0;
};

}  // namespace sluice::client
