#include "client/reader.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "util/clock.h"

namespace sluice::client {

Outcome<Done> CheckShardsListed(Client& client, const std::string& stream, const std::vector<Shard>& listed,
                                const std::vector<std::string>& wanted) {
  for (const std::string& id : wanted) {
    auto same = [&](const Shard& s) { return s.shard_id == id; };
    if (std::any_of(listed.begin(), listed.end(), same)) continue;
    Outcome<std::string> it = client.GetShardIterator(stream, id, StartingPosition::TrimHorizon());
    if (!it.ok()) return it.error();
  }
  return Done{};
}

Reader::Reader(std::shared_ptr<Client> client, ReaderOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

void Reader::Learn(const std::string& shard_id, std::vector<std::string> parents, const StartingPosition& start) {
  if (shards_.count(shard_id) != 0) return;
  ShardState s;
  s.parents = std::move(parents);
  s.start = start;
  const auto& only = options_.shard_ids;
  if (!only.empty() && std::find(only.begin(), only.end(), shard_id) == only.end()) {
    s.state = State::kFinished;  // not asked for: never read
    s.parents.clear();
  }
  shards_.emplace(shard_id, std::move(s));
}

Outcome<Done> Reader::Refresh(bool initial) {
  Outcome<std::vector<Shard>> listed = client_->ListShards(options_.stream_name);
  if (!listed.ok()) return listed.error();
  if (initial) {
    Outcome<Done> wanted = CheckShardsListed(*client_, options_.stream_name, *listed, options_.shard_ids);
    if (!wanted.ok()) return wanted.error();
  }
  const StartingPosition later =
      options_.start.type == StartType::kAtTimestamp ? options_.start : StartingPosition::TrimHorizon();
  for (const Shard& shard : *listed) {
    if (shards_.count(shard.shard_id) != 0) continue;
    std::vector<std::string> parents;
    if (!shard.parent_shard_id.empty()) parents.push_back(shard.parent_shard_id);
    if (!shard.adjacent_parent_shard_id.empty()) parents.push_back(shard.adjacent_parent_shard_id);
    if (initial && options_.start.type == StartType::kLatest) {
      Learn(shard.shard_id, {}, StartingPosition::Latest());
      if (!shard.open() && options_.shard_ids.empty()) shards_[shard.shard_id].state = State::kFinished;
    } else {
      Learn(shard.shard_id, std::move(parents), initial ? options_.start : later);
    }
  }
  next_refresh_ms_ = MonotonicMillis() + options_.refresh_shards_ms;
  return Done{};
}

void Reader::StartReadyShards() {
  for (auto& [id, s] : shards_) {
    if (s.state != State::kWaiting) continue;
    bool ready = true;
    for (const std::string& parent : s.parents) {
      auto p = shards_.find(parent);
      if (p != shards_.end() && p->second.state != State::kFinished) ready = false;
    }
    if (ready) {
      s.state = State::kReading;
      s.due_ms = 0;
    }
  }
}

void Reader::BackOff(ShardState& s, int64_t now_ms) {
  s.backoff_ms = s.backoff_ms == 0 ? options_.backoff_base_ms : std::min(s.backoff_ms * 2, options_.backoff_max_ms);
  s.due_ms = now_ms + s.backoff_ms;
}

bool Reader::ReadShard(const std::string& id, ShardState& s, const RecordHandler& handler, size_t* records,
                       Error* error) {
  const int64_t now = MonotonicMillis();
  if (s.iterator.empty()) {
    const StartingPosition pos =
        s.last_sequence.empty() ? s.start : StartingPosition::AfterSequenceNumber(s.last_sequence);
    Outcome<std::string> it = client_->GetShardIterator(options_.stream_name, id, pos);
    if (!it.ok()) {
      if (it.error().Retryable()) {
        BackOff(s, now);
        return true;
      }
      *error = it.error();
      return false;
    }
    s.iterator = std::move(it).value();
  }
  Outcome<GetRecordsResult> got = client_->GetRecords(s.iterator, options_.limit);
  if (!got.ok()) {
    if (got.error().type == "ExpiredIteratorException") {
      s.iterator.clear();  // re-get after the last record
      s.due_ms = 0;
      return true;
    }
    if (got.error().Retryable()) {
      BackOff(s, now);
      return true;
    }
    *error = got.error();
    return false;
  }
  s.backoff_ms = 0;
  for (Record& r : got->records) {
    r.shard_id = id;
    handler(r);
    s.last_sequence = r.sequence_number;
  }
  *records += got->records.size();
  s.caught_up = got->records.empty() && got->millis_behind_latest == 0;
  if (got->next_iterator.empty()) {
    s.state = State::kFinished;
    s.iterator.clear();
    for (const ChildShard& child : got->child_shards) {
      Learn(child.shard_id, child.parent_shards,
            options_.start.type == StartType::kAtTimestamp ? options_.start : StartingPosition::TrimHorizon());
    }
    return true;
  }
  s.iterator = std::move(got->next_iterator);
  s.due_ms = got->records.empty() ? now + options_.idle_poll_ms : 0;
  return true;
}

Outcome<Reader::PollResult> Reader::Poll(const RecordHandler& handler) {
  if (!listed_) {
    Outcome<Done> r = Refresh(true);
    if (!r.ok()) return r.error();
    listed_ = true;
  } else if (MonotonicMillis() >= next_refresh_ms_) {
    Outcome<Done> r = Refresh(false);
    if (!r.ok()) return r.error();
  }
  PollResult result;
  StartReadyShards();
  // Shards may be learnt (children) or finished while reading; collect first.
  std::vector<std::string> due;
  const int64_t now = MonotonicMillis();
  for (const auto& [id, s] : shards_) {
    if (s.state == State::kReading && s.due_ms <= now) due.push_back(id);
  }
  for (const std::string& id : due) {
    Error error;
    if (!ReadShard(id, shards_[id], handler, &result.records, &error)) return error;
  }
  StartReadyShards();
  result.caught_up = true;
  result.next_due_ms = INT64_MAX;
  for (const auto& [id, s] : shards_) {
    if (s.state == State::kFinished) continue;
    if (s.state == State::kWaiting || !s.caught_up) result.caught_up = false;
    if (s.state == State::kReading) result.next_due_ms = std::min(result.next_due_ms, s.due_ms);
  }
  result.next_due_ms = std::min(result.next_due_ms, next_refresh_ms_);
  return result;
}

Outcome<Done> Reader::Run(const RecordHandler& handler, bool until_caught_up, const std::function<bool()>& stop) {
  while (!(stop && stop())) {
    Outcome<PollResult> r = Poll(handler);
    if (!r.ok()) return r.error();
    if (until_caught_up && r->caught_up) return Done{};
    // Sleep until the next shard is due, in short steps so stop() is heard.
    while (!(stop && stop())) {
      const int64_t left = r->next_due_ms - MonotonicMillis();
      if (left <= 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(left, 100)));
    }
  }
  return Done{};
}

std::map<std::string, std::string> Reader::Positions() const {
  std::map<std::string, std::string> out;
  for (const auto& [id, s] : shards_) {
    if (!s.last_sequence.empty()) out[id] = s.last_sequence;
  }
  return out;
}

std::vector<std::string> Reader::FinishedShards() const {
  std::vector<std::string> out;
  for (const auto& [id, s] : shards_) {
    if (s.state == State::kFinished) out.push_back(id);
  }
  return out;
}

}  // namespace sluice::client
