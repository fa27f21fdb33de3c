// Replication under random failures: three replicas, a controller that
// follows the rules of leadership_plan.h (a lost node leaves the ISR unless
// it is the last member; a new leader only from the live ISR, with the next
// epoch), puts, syncs and fetches in a random order, and crashes that lose
// whatever a node had not synced. After every step: no acknowledged record
// is missing from the leader's log, no high watermark moves back; at the end,
// once every node is back, every log is the leader's.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "cluster/replica_test_util.h"
#include "storage/storage_test_util.h"

namespace sluice::cluster {
namespace {

using testutil::Contents;
using testutil::kShard;
using testutil::kT0;

// The epoch histories' files stay in the page cache across the simulated
// crashes (which drop what the in-memory logs had not synced), so their
// fsyncs are skipped: they would only slow the runs down.
class NoSyncEnv final : public storage::testutil::ForwardingEnv {
 public:
  Status Sync(int, const std::string&) override { return Status::Ok(); }
  Status SyncDir(const std::string&) override { return Status::Ok(); }
};

class Simulation final : public PeerFetcher {
 public:
  explicit Simulation(uint32_t seed) : random_(seed) {
    for (const std::string& id : ids_) Start(id, std::make_unique<MemoryLocalLog>());
    leadership_ = {"n1", 1, ids_, ids_};
    Announce();
  }

  Result<FetchResponse> Fetch(const std::string& leader_address, const FetchRequest& request) override {
    if (down_.contains(leader_address)) return Status::ConnectionFailed(leader_address + " is down");
    return replicas_.at(leader_address)->HandleFetch(request);
  }

  void Step() {
    const std::string id = ids_[Pick(ids_.size())];
    switch (Pick(10)) {
      case 0:
      case 1:
      case 2: Put(); break;
      case 3:
      case 4:
        if (!down_.contains(id)) logs_.at(id)->Sync();
        break;
      case 5:
      case 6:
      case 7:
        if (!down_.contains(id)) (void)replicas_.at(id)->FetchOnce(*this);  // refusals are part of the game
        break;
      case 8:
        clock_.Advance(4'000);
        if (!leadership_.leader.empty()) replicas_.at(leadership_.leader)->CheckLaggingFollowers();
        break;
      case 9:
        if (down_.contains(id)) {
          Restart(id);
        } else if (down_.size() < 2) {
          Crash(id);
        }
        break;
    }
    ApplyProposals();
    Check();
  }

  // Every node back, no more puts: fetch until every log is the leader's.
  void Settle() {
    while (!down_.empty()) Restart(*down_.begin());
    ApplyProposals(/*all=*/true);
    for (int round = 0; round < 20; ++round) {
      for (const std::string& id : ids_) {
        logs_.at(id)->Sync();
        (void)replicas_.at(id)->FetchOnce(*this);
      }
      ApplyProposals(/*all=*/true);
    }
    Check();
    ASSERT_FALSE(leadership_.leader.empty());
    const auto leader_log = Contents(*logs_.at(leadership_.leader));
    for (const std::string& id : ids_) EXPECT_EQ(Contents(*logs_.at(id)), leader_log) << id;
    EXPECT_EQ(replicas_.at(leadership_.leader)->VisibleEndOffset(), leader_log.size());
  }

  size_t acknowledged() const { return acked_.size(); }
  int64_t epoch() const { return leadership_.leader_epoch; }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

  void Start(const std::string& id, std::unique_ptr<MemoryLocalLog> log) {
    ReplicaOptions options;
    options.node_id = id;
    options.clock = &clock_;
    options.isr_proposal_retry_ms = 0;
    logs_[id] = log.get();
    std::filesystem::create_directories(dir_.Join(id));
    auto history = LeaderEpochHistory::Open(dir_.Join(id), /*in_memory=*/false, &env_);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    auto replica = ReplicaLog::Open(kShard, options, std::move(log), std::move(*history),
                                    [this](const IsrProposal& p) { proposals_.push_back(p); });
    ASSERT_TRUE(replica.ok()) << replica.status().ToString();
    replicas_[id] = std::move(*replica);
    seen_hw_[id] = 0;
  }

  // Power loss: the node's unsynced records are gone, its replica with them.
  void Crash(const std::string& id) {
    std::unique_ptr<MemoryLocalLog> survivor = logs_.at(id)->DurableCopy();
    replicas_.erase(id);  // closes it: its waits fail
    survivors_[id] = std::move(survivor);
    down_.insert(id);
    // The controller: the node leaves the ISR unless it is the last member;
    // a lost leader gives way to a live ISR member, or to none.
    auto& isr = leadership_.isr;
    if (isr.size() > 1) std::erase(isr, id);
    if (leadership_.leader == id) Elect();
    Announce();
  }

  void Restart(const std::string& id) {
    Start(id, std::move(survivors_.at(id)));
    survivors_.erase(id);
    down_.erase(id);
    if (leadership_.leader.empty()) Elect();
    Announce();
  }

  void Elect() {
    leadership_.leader.clear();
    for (const std::string& m : leadership_.isr) {
      if (!down_.contains(m)) {
        leadership_.leader = m;
        break;
      }
    }
    ++leadership_.leader_epoch;
  }

  void Announce() {
    for (const std::string& id : ids_) {
      if (down_.contains(id)) continue;
      Status s = replicas_.at(id)->ApplyLeadership(leadership_, leadership_.leader);
      ASSERT_TRUE(s.ok()) << id << ": " << s.ToString();
    }
  }

  // The controller writes the current leader's proposals.
  // Some wait for a later step, and may be written after newer ones, as
  // the controller's writes may race.
  void ApplyProposals(bool all = false) {
    std::vector<IsrProposal> proposals;
    proposals.swap(proposals_);
    std::shuffle(proposals.begin(), proposals.end(), random_);
    for (const IsrProposal& p : proposals) {
      if (!all && Pick(2) == 0) {
        proposals_.push_back(p);
        continue;
      }
      // As the controller's compare-and-swap: only onto the record it came from.
      if (p.leader_epoch != leadership_.leader_epoch || p.from_isr != leadership_.isr) continue;
      std::vector<std::string> isr;
      for (const std::string& m : p.isr) {
        if (!down_.contains(m)) isr.push_back(m);
      }
      if (isr.empty()) continue;
      leadership_.isr = isr;
      Announce();
    }
  }

  void Put() {
    if (leadership_.leader.empty()) return;
    ReplicaLog& leader = *replicas_.at(leadership_.leader);
    const std::string data = "v" + std::to_string(next_value_++);
    std::vector<storage::AppendEntry> one{{"k", data}};
    Result<uint64_t> first = leader.Append(one, kT0 + next_value_);
    if (!first.ok()) return;
    leader.WhenDurable(*first + 1, [this, offset = *first, data](Status s) {
      if (s.ok()) acked_[offset] = data;
    });
  }

  void Check() {
    for (const std::string& id : ids_) {
      if (down_.contains(id)) continue;
      const uint64_t hw = replicas_.at(id)->VisibleEndOffset();
      // A restarted replica starts over at 0; one that stays open never goes back.
      EXPECT_GE(hw, seen_hw_[id]) << id;
      seen_hw_[id] = hw;
    }
    if (leadership_.leader.empty()) return;
    const auto log = Contents(*logs_.at(leadership_.leader));
    for (const auto& [offset, data] : acked_) {
      ASSERT_LT(offset, log.size()) << "acknowledged offset " << offset << " lost by " << leadership_.leader
                                    << " at epoch " << leadership_.leader_epoch;
      ASSERT_EQ(std::get<3>(log[offset]), data) << "offset " << offset;
    }
  }

  const std::vector<std::string> ids_{"n1", "n2", "n3"};
  std::mt19937 random_;
  ManualClock clock_{kT0};
  NoSyncEnv env_;
  storage::testutil::TempDir dir_;
  std::map<std::string, MemoryLocalLog*> logs_;
  std::map<std::string, std::unique_ptr<ReplicaLog>> replicas_;
  std::map<std::string, std::unique_ptr<MemoryLocalLog>> survivors_;
  std::map<std::string, uint64_t> seen_hw_;
  std::set<std::string> down_;
  ShardLeadership leadership_;
  std::vector<IsrProposal> proposals_;
  std::map<uint64_t, std::string> acked_;
  int next_value_ = 0;
};

TEST(ReplicaFailoverTest, NoAcknowledgedRecordIsLostAndEveryLogConvergesThroughRandomCrashes) {
  size_t acknowledged = 0;
  int64_t epochs = 0;
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Simulation sim(seed);
    for (int step = 0; step < 300 && !::testing::Test::HasFatalFailure(); ++step) sim.Step();
    sim.Settle();
    acknowledged += sim.acknowledged();
    epochs += sim.epoch();
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The runs did what they are for: many commits, many leader changes.
  EXPECT_GT(acknowledged, 500u);
  EXPECT_GT(epochs, 100);
}

}  // namespace
}  // namespace sluice::cluster
