// The replication protocol (replica_log.h) between two or three replicas in
// one process: each over a MemoryLocalLog whose records turn durable when
// the test syncs it, fetching from one another through an in-memory
// PeerFetcher, one fetch at a time as the test steps them.
#include "cluster/replica_log.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "cluster/replica_test_util.h"

namespace sluice::cluster {
namespace {

using testutil::Contents;
using testutil::Held;
using testutil::kShard;
using testutil::kT0;
using testutil::Put;

// Replicas by node id; a node's address is its id.
class Replicas final : public PeerFetcher {
 public:
  explicit Replicas(std::vector<std::string> ids, size_t min_insync = 1) {
    for (const std::string& id : ids) {
      ReplicaOptions options;
      options.node_id = id;
      options.min_insync_replicas = min_insync;
      options.clock = &clock;
      nodes[id] = testutil::MakeReplica(options, /*durable_on_append=*/false, [this](const IsrProposal& p) {
        proposals.push_back(p.isr);
        proposed_from.push_back(p.from_isr);
      });
    }
  }

  Result<FetchResponse> Fetch(const std::string& leader_address, const FetchRequest& request) override {
    if (down.contains(leader_address)) return Status::ConnectionFailed(leader_address + " is down");
    return nodes.at(leader_address).replica->HandleFetch(request);
  }

  // Hands every replica (but those down) the same leadership record.
  void Lead(const std::string& leader, int64_t epoch, std::vector<std::string> replicas, std::vector<std::string> isr) {
    ShardLeadership l{leader, epoch, std::move(replicas), std::move(isr)};
    for (auto& [id, node] : nodes) {
      if (down.contains(id)) continue;
      ASSERT_TRUE(node.replica->ApplyLeadership(l, leader).ok()) << id;
    }
  }
  ReplicaLog& operator[](const std::string& id) { return *nodes.at(id).replica; }
  void Sync(const std::string& id) { nodes.at(id).log->Sync(); }
  // One fetch by `id`, then its disk catches up with what it got.
  void FetchAndSync(const std::string& id) {
    ASSERT_TRUE(nodes.at(id).replica->FetchOnce(*this).ok()) << id;
    Sync(id);
  }
  // Everything `id` holds, committed or not.
  std::vector<Held> Log(const std::string& id) { return Contents(*nodes.at(id).log); }
  // Puts `data` through `leader` and lets every follower named fetch it, sync
  // it and report it, so that the leader commits it.
  void PutCommitted(const std::string& leader, const std::vector<std::string>& data,
                    const std::vector<std::string>& followers) {
    const uint64_t end = Put(*nodes.at(leader).replica, data);
    Sync(leader);
    for (const std::string& f : followers) FetchAndSync(f);
    for (const std::string& f : followers) ASSERT_TRUE(nodes.at(f).replica->FetchOnce(*this).ok()) << f;
    ASSERT_EQ(nodes.at(leader).replica->VisibleEndOffset(), end);
  }

  ManualClock clock{kT0};
  std::map<std::string, testutil::TestReplica> nodes;
  std::set<std::string> down;
  std::vector<std::vector<std::string>> proposals;
  std::vector<std::vector<std::string>> proposed_from;
};

struct Wait : testutil::Wait {
  using testutil::Wait::Wait;
  ErrorCode code() const { return result().code(); }
};

Wait WaitFor(ReplicaLog& leader, uint64_t end) { return Wait(leader, end); }

TEST(ReplicaLogTest, TheHighWatermarkAdvancesOnlyWhenEveryInSyncReplicaHasTheRecordsDurable) {
  Replicas r({"n1", "n2", "n3"});
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  Wait w = WaitFor(r["n1"], Put(r["n1"], {"a", "b", "c"}));
  r.Sync("n1");
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u) << "only the leader has them";

  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());  // n2 gets them, not yet on its disk
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());  // and says so
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u) << "n2 holds them in memory only";
  r.Sync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u) << "n3 has none of them";
  EXPECT_FALSE(w.done());

  r.FetchAndSync("n3");
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u) << "n3 has not reported them durable yet";
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 3u);
  ASSERT_TRUE(w.done());
  EXPECT_TRUE(w.result().ok());

  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 3u) << "followers learn the HW from their next fetch";
}

TEST(ReplicaLogTest, TheLeadersOwnDiskHoldsTheHighWatermarkBackToo) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  Wait w = WaitFor(r["n1"], Put(r["n1"], {"a", "b"}));
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u);
  r.Sync("n1");
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 2u);
  EXPECT_TRUE(w.done());
}

TEST(ReplicaLogTest, AnAppendWhileTheIsrIsBelowMinInsyncFailsRetryably) {
  Replicas r({"n1", "n2"}, /*min_insync=*/2);
  r.Lead("n1", 1, {"n1", "n2"}, {"n1"});
  std::vector<storage::AppendEntry> one{{"k", "v"}};
  auto refused = r["n1"].Append(one, kT0);
  ASSERT_FALSE(refused.ok());
  // The engine answers any failed append with a per-record InternalFailure,
  // which producers retry.
  EXPECT_EQ(refused.status().code(), ErrorCode::kInternalFailure);
  EXPECT_NE(refused.status().message().find("not enough in-sync replicas"), std::string::npos);
  EXPECT_EQ(r["n1"].EndOffset(), 0u) << "nothing was written";

  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  EXPECT_TRUE(r["n1"].Append(one, kT0).ok());
}

TEST(ReplicaLogTest, ALaggingFollowerIsProposedForRemovalAndItsRemovalLetsTheHighWatermarkAdvance) {
  Replicas r({"n1", "n2", "n3"});
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  Wait w = WaitFor(r["n1"], Put(r["n1"], {"a", "b"}));
  r.Sync("n1");
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  r.clock.Advance(9'000);
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  r["n1"].CheckLaggingFollowers();
  EXPECT_TRUE(r.proposals.empty()) << "n3 is not yet 10 s behind";
  r.clock.Advance(1'001);
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());  // n2 keeps up
  r["n1"].CheckLaggingFollowers();
  ASSERT_EQ(r.proposals.size(), 1u);
  EXPECT_EQ(r.proposals[0], (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 0u) << "a proposal is not yet the ISR";
  EXPECT_FALSE(w.done());

  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2"});  // the controller wrote it
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 2u);
  ASSERT_TRUE(w.done());
  EXPECT_TRUE(w.result().ok());
}

TEST(ReplicaLogTest, ACaughtUpFollowerIsProposedForAdditionAndCountsForTheHighWatermarkMeanwhile) {
  Replicas r({"n1", "n2", "n3"});
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2"});
  Put(r["n1"], {"a", "b", "c"});
  r.Sync("n1");
  r.FetchAndSync("n2");
  r.FetchAndSync("n3");
  EXPECT_TRUE(r.proposals.empty()) << "n3's first fetch started below the log end";
  Put(r["n1"], {"d"});
  r.Sync("n1");
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());  // at the log end (3) as it was, not as it is (4)
  EXPECT_TRUE(r.proposals.empty());
  r.Sync("n3");
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
  ASSERT_EQ(r.proposals.size(), 1u);
  EXPECT_EQ(r.proposals[0], (std::vector<std::string>{"n1", "n2", "n3"}));

  // While the addition is in flight n3 counts: n2 alone cannot commit e.
  Wait w = WaitFor(r["n1"], Put(r["n1"], {"e"}));
  r.Sync("n1");
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 4u) << "n3 does not have e yet";
  EXPECT_FALSE(w.done());
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  EXPECT_EQ(r["n1"].Isr(), (std::vector<std::string>{"n1", "n2", "n3"}));
  r.FetchAndSync("n3");
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 5u);
  EXPECT_TRUE(w.done());
}

TEST(ReplicaLogTest, AFollowerJoinsTheIsrOnlyOnceTheCommittedRecordsAreOnItsDisk) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1"});
  Put(r["n1"], {"a", "b"});
  r.Sync("n1");
  ASSERT_EQ(r["n1"].VisibleEndOffset(), 2u) << "committed by the leader alone";
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());  // gets a and b
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());  // at the log end, nothing on its disk
  EXPECT_TRUE(r.proposals.empty()) << "as a member it could lead, and lose a and b in a crash";
  r.Sync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  ASSERT_EQ(r.proposals.size(), 1u);
  EXPECT_EQ(r.proposals[0], (std::vector<std::string>{"n1", "n2"}));
}

TEST(ReplicaLogTest, AProposalKeepsCountingForTheHighWatermarkUntilTheIsrItCameFromChanges) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1"});
  r.PutCommitted("n1", {"a"}, {});
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  ASSERT_EQ(r.proposals.size(), 1u);
  EXPECT_EQ(r.proposals[0], (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(r.proposed_from[0], (std::vector<std::string>{"n1"})) << "to be written only onto this ISR";

  // The same record handed back again (another field changed, or a repeat):
  // the proposal may still be written onto it, so n2 still counts.
  r.Lead("n1", 1, {"n1", "n2"}, {"n1"});
  Wait w = WaitFor(r["n1"], Put(r["n1"], {"b"}));
  r.Sync("n1");
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 1u) << "n2 does not have b";
  EXPECT_FALSE(w.done());
  // Written: now n2 counts as a member.
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 2u);
  EXPECT_TRUE(w.done());
}

TEST(ReplicaLogTest, AFailoverKeepsEveryCommittedRecordAndTheOldLeaderConvergesToTheNewLog) {
  Replicas r({"n1", "n2", "n3"});
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  r.PutCommitted("n1", {"a", "b", "c"}, {"n2", "n3"});
  // n1 takes two more records nobody else gets, then goes away.
  Wait lost = WaitFor(r["n1"], Put(r["n1"], {"x", "y"}, kT0 + 1'000));
  r.Sync("n1");
  r.down.insert("n1");

  r.Lead("n2", 2, {"n1", "n2", "n3"}, {"n2", "n3"});
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 0u) << "n2 had not yet heard that 3 was committed";
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 3u) << "every committed record is still there";
  Put(r["n2"], {"p", "q"}, kT0 + 2'000);
  r.Sync("n2");
  r.FetchAndSync("n3");
  ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 5u);

  // n1 returns and learns it follows n2 now.
  r.down.erase("n1");
  ASSERT_TRUE(r["n1"].ApplyLeadership({"n2", 2, {"n1", "n2", "n3"}, {"n2", "n3"}}, "n2").ok());
  ASSERT_TRUE(lost.done());
  EXPECT_EQ(lost.code(), ErrorCode::kNotLeader) << "x and y were never committed";
  ASSERT_TRUE(r["n1"].FetchOnce(r).ok());  // told the log diverges at 3
  EXPECT_EQ(r.Log("n1").size(), 3u) << "x and y are cut";
  r.FetchAndSync("n1");
  ASSERT_TRUE(r["n1"].FetchOnce(r).ok());
  EXPECT_EQ(r.Log("n1"), r.Log("n2"));
  EXPECT_EQ(r.Log("n3"), r.Log("n2"));
  EXPECT_EQ(std::get<3>(r.Log("n1")[3]), "p");
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 5u);
  EXPECT_EQ(r.proposals.back(), (std::vector<std::string>{"n1", "n2", "n3"})) << "n1 caught up: it may rejoin";
}

TEST(ReplicaLogTest, ADeposedLeaderCutsItsRecordsNotYetOnItsOwnDiskWhenItFollows) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  r.PutCommitted("n1", {"a"}, {"n2"});
  Wait unsynced = WaitFor(r["n1"], Put(r["n1"], {"x"}));  // its local sync is still pending
  r.Lead("n2", 2, {"n1", "n2"}, {"n2"});
  EXPECT_EQ(unsynced.code(), ErrorCode::kNotLeader);
  Put(r["n2"], {"p"});
  r.Sync("n2");
  // The cut fails n1's pending local sync of x, from inside the fetch.
  ASSERT_TRUE(r["n1"].FetchOnce(r).ok());
  r.FetchAndSync("n1");
  EXPECT_EQ(r.Log("n1"), r.Log("n2"));
  EXPECT_EQ(std::get<3>(r.Log("n1")[1]), "p");
}

TEST(ReplicaLogTest, OffsetsAndArrivalTimesAreIdenticalOnEveryReplica) {
  Replicas r({"n1", "n2", "n3"});
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  Put(r["n1"], {"a", "b"}, kT0 + 5);
  Put(r["n1"], {"c"}, kT0 + 1'007);
  r.FetchAndSync("n2");  // n2 fetches between the batches of the same second
  Put(r["n1"], {"d", "e", "f"}, kT0 + 1'007);
  Put(r["n1"], {"g"}, kT0 + 3'000);
  r.Sync("n1");
  r.FetchAndSync("n2");
  r.FetchAndSync("n3");
  const std::vector<Held> leader = r.Log("n1");
  ASSERT_EQ(leader.size(), 7u);
  EXPECT_EQ(r.Log("n2"), leader);
  EXPECT_EQ(r.Log("n3"), leader);
  EXPECT_EQ(std::get<1>(leader[4]), kT0 + 1'007);
  EXPECT_EQ(r["n2"].LastArrivalMillis(), kT0 + 3'000);
}

TEST(ReplicaLogTest, ADeposedLeaderNeverCompletesAWaitAboveTheHighWatermarkItHad) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  r.PutCommitted("n1", {"a"}, {"n2"});
  Wait pending = WaitFor(r["n1"], Put(r["n1"], {"b"}));
  r.FetchAndSync("n2");  // n2 holds b durably, but n1 has not heard so

  ASSERT_TRUE(r["n1"].ApplyLeadership({"n2", 2, {"n1", "n2"}, {"n2"}}, "n2").ok());
  ASSERT_TRUE(pending.done()) << "failed at once";
  EXPECT_EQ(pending.code(), ErrorCode::kNotLeader);
  r.Sync("n1");  // its own disk catching up changes nothing now
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 1u);
  Wait later = WaitFor(r["n1"], 2);
  ASSERT_TRUE(later.done());
  EXPECT_EQ(later.code(), ErrorCode::kNotLeader);
  Wait committed = WaitFor(r["n1"], 1);
  ASSERT_TRUE(committed.done());
  EXPECT_TRUE(committed.result().ok()) << "what was committed stays so";
  std::vector<storage::AppendEntry> one{{"k", "v"}};
  EXPECT_EQ(r["n1"].Append(one, kT0).status().code(), ErrorCode::kNotLeader);
}

TEST(ReplicaLogTest, ReadNeverReturnsRecordsAtOrPastTheHighWatermark) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  Put(r["n1"], {"a", "b"});
  r.Sync("n1");
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  Put(r["n1"], {"c", "d"});
  r.Sync("n1");
  ASSERT_EQ(r["n1"].VisibleEndOffset(), 2u);
  ASSERT_EQ(r["n1"].EndOffset(), 4u);
  auto read = r["n1"].Read(0, 100, 1 << 20);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->records.size(), 2u);
  EXPECT_EQ(read->next_offset, 2u);
  auto past = r["n1"].Read(2, 100, 1 << 20);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->records.empty());
  EXPECT_EQ(past->next_offset, 2u);
}

TEST(ReplicaLogTest, TheLeaderRefusesStaleAndUnknownEpochsAndNodesThatAreNotReplicas) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 3, {"n1", "n2"}, {"n1", "n2"});
  FetchRequest request;
  request.shard = kShard;
  request.follower = "n2";
  request.leader_epoch = 2;
  EXPECT_EQ(r["n1"].HandleFetch(request).error, FetchError::kStaleEpoch);
  request.leader_epoch = 4;
  EXPECT_EQ(r["n1"].HandleFetch(request).error, FetchError::kUnknownEpoch);
  request.leader_epoch = 3;
  request.follower = "n9";
  EXPECT_EQ(r["n1"].HandleFetch(request).error, FetchError::kNotReplica);
  request.follower = "n2";
  EXPECT_EQ(r["n2"].HandleFetch(request).error, FetchError::kNotLeader);
  request.shard.shard_index = 5;
  EXPECT_EQ(r["n1"].HandleFetch(request).error, FetchError::kUnknownShard);
}

// Answers every fetch with what it is given.
class ScriptedLeader final : public PeerFetcher {
 public:
  Result<FetchResponse> Fetch(const std::string&, const FetchRequest&) override { return answer; }
  FetchResponse answer;
};

TEST(ReplicaLogTest, AFollowerNeverAppendsRecordsFromAnOlderEpoch) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 2, {"n1", "n2"}, {"n1", "n2"});
  ScriptedLeader old_leader;
  old_leader.answer.leader_epoch = 1;
  old_leader.answer.high_watermark = 1;
  old_leader.answer.records.push_back({0, kT0, 1, "k", "stale"});
  Result<bool> fetched = r["n2"].FetchOnce(old_leader);
  EXPECT_EQ(fetched.status().code(), ErrorCode::kNotLeader);
  EXPECT_TRUE(r.Log("n2").empty());
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 0u);
}

TEST(ReplicaLogTest, AFollowerWhoseLastEpochTheLeaderNeverHadDropsThatWholeEpoch) {
  Replicas r({"n1", "n2", "n3"});
  // Epoch 1: n1 writes a..e, n2 and n3 get a..e, committed.
  r.Lead("n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"});
  r.PutCommitted("n1", {"a", "b", "c", "d", "e"}, {"n2", "n3"});
  // n1 appends f (epoch 1) that only n3 gets.
  Put(r["n1"], {"f"});
  r.Sync("n1");
  r.FetchAndSync("n3");
  // Epoch 2: n2 leads with n3 in sync, writes x, y, z at 5..7; n3 is away
  // and gets none of them, so they are never committed.
  r.down = {"n1", "n3"};
  ASSERT_TRUE(r["n2"].ApplyLeadership({"n2", 2, {"n1", "n2", "n3"}, {"n2", "n3"}}, "n2").ok());
  Put(r["n2"], {"x", "y", "z"});
  r.Sync("n2");
  // Epoch 3: n3 leads (it had f), n2 follows. n3 never had epoch 2.
  r.down.clear();
  r.Lead("n3", 3, {"n1", "n2", "n3"}, {"n3"});
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r.Log("n2").size(), 6u) << "epoch 1 ends at 6 on n3: y and z go";
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r.Log("n2").size(), 5u) << "x still is of an epoch n3 never had: it goes too";
  r.FetchAndSync("n2");
  r.FetchAndSync("n1");
  EXPECT_EQ(r.Log("n2"), r.Log("n3"));
  EXPECT_EQ(r.Log("n1"), r.Log("n3"));
  ASSERT_EQ(r.Log("n3").size(), 6u);
  EXPECT_EQ(std::get<3>(r.Log("n2")[5]), "f");
}

TEST(ReplicaLogTest, AnOlderLeadershipIsRefusedAndALeaderMustBeAReplica) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 2, {"n1", "n2"}, {"n1", "n2"});
  EXPECT_EQ(r["n1"].ApplyLeadership({"n2", 1, {"n1", "n2"}, {"n1", "n2"}}, "n2").code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(r["n1"].IsLeader());
  EXPECT_EQ(r["n1"].ApplyLeadership({"n2", 2, {"n1", "n2"}, {"n1", "n2"}}, "n2").code(), ErrorCode::kInvalidArgument)
      << "one epoch, one leader";
  EXPECT_EQ(r["n1"].ApplyLeadership({"n7", 3, {"n1", "n2"}, {"n1", "n2"}}, "n7").code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(r["n1"].IsLeader());
}

TEST(ReplicaLogTest, AClosedReplicaFailsItsPendingWaitsAndEveryLaterCallWithIoError) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  r.PutCommitted("n1", {"a"}, {"n2"});
  Wait pending = WaitFor(r["n1"], Put(r["n1"], {"b"}));
  ASSERT_TRUE(r["n1"].Close().ok());
  ASSERT_TRUE(pending.done());
  EXPECT_EQ(pending.code(), ErrorCode::kIoError);
  std::vector<storage::AppendEntry> one{{"k", "v"}};
  EXPECT_EQ(r["n1"].Append(one, kT0).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(r["n1"].Read(0, 10, 1 << 20).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(WaitFor(r["n1"], 1).code(), ErrorCode::kIoError);
  EXPECT_EQ(r["n1"].VisibleEndOffset(), 1u) << "the HW stays where it was";
  EXPECT_TRUE(r["n1"].Close().ok()) << "idempotent";
}

// kOffsetOutOfRange: n1 leads with n3 in sync; n2 has only `a` when n1's
// retention trims a and b; n4 (a replacement replica) has nothing.
class TrimmedLeader : public testing::Test {
 protected:
  void SetUp() override {
    r.Lead("n1", 1, {"n1", "n2", "n3", "n4"}, {"n1", "n3"});
    Put(r["n1"], {"a"}, kT0);
    r.Sync("n1");
    r.FetchAndSync("n2");
    Put(r["n1"], {"b"}, kT0);
    Put(r["n1"], {"c", "d"}, kT0 + 5'000);
    r.Sync("n1");
    r.FetchAndSync("n3");
    ASSERT_TRUE(r["n3"].FetchOnce(r).ok());
    ASSERT_EQ(r["n1"].VisibleEndOffset(), 4u);
    ASSERT_EQ(r["n1"].TrimOlderThan(kT0 + 1'000).value(), 2u);
  }
  FetchRequest RequestFrom(const std::string& follower, uint64_t fetch_offset, int64_t last_epoch) {
    FetchRequest request;
    request.shard = kShard;
    request.follower = follower;
    request.leader_epoch = 1;
    request.fetch_offset = request.durable_end = fetch_offset;
    request.last_fetched_epoch = last_epoch;
    return request;
  }
  Replicas r{{"n1", "n2", "n3", "n4"}};
};

TEST_F(TrimmedLeader, AFetchBelowTheLeadersStartIsAnsweredWithItsStartAndEnd) {
  FetchResponse answer = r["n1"].HandleFetch(RequestFrom("n2", 1, 1));
  EXPECT_EQ(answer.error, FetchError::kOffsetOutOfRange) << answer.message;
  EXPECT_EQ(answer.log_start_offset, 2u);
  EXPECT_EQ(answer.log_end_offset, 4u);
  EXPECT_EQ(answer.leader_epoch, 1);
  // A follower that holds no record before its fetch offset (epoch 0) is
  // served from there, as long as the leader's log reaches that far.
  answer = r["n1"].HandleFetch(RequestFrom("n2", 2, 0));
  EXPECT_EQ(answer.error, FetchError::kNone) << answer.message;
  EXPECT_FALSE(answer.diverging_end);
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0].offset, 2u);
  answer = r["n1"].HandleFetch(RequestFrom("n2", 7, 0));
  EXPECT_EQ(answer.error, FetchError::kOffsetOutOfRange) << answer.message;
  EXPECT_NE(answer.message.find("past the log end 4"), std::string::npos) << answer.message;
}

TEST_F(TrimmedLeader, AFollowerBelowTheLeadersStartStartsOverThereCatchesUpAndJoinsTheIsr) {
  ASSERT_EQ(r.Log("n2").size(), 1u);
  Result<bool> reset = r["n2"].FetchOnce(r);
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_TRUE(*reset);
  EXPECT_EQ(r["n2"].StartOffset(), 2u);
  EXPECT_EQ(r["n2"].EndOffset(), 2u);
  EXPECT_TRUE(r.Log("n2").empty()) << "a is gone";
  r.FetchAndSync("n2");
  ASSERT_TRUE(r["n2"].FetchOnce(r).ok());
  EXPECT_EQ(r.Log("n2"), r.Log("n1"));
  EXPECT_EQ(r.proposals.back(), (std::vector<std::string>{"n1", "n2", "n3"})) << "caught up: it may join";
  EXPECT_EQ(r["n2"].VisibleEndOffset(), 4u);

  // A replica with nothing at all (a wiped disk, a replacement) does the same.
  r.FetchAndSync("n4");
  r.FetchAndSync("n4");
  EXPECT_EQ(r["n4"].StartOffset(), 2u);
  EXPECT_EQ(r.Log("n4"), r.Log("n1"));
}

TEST_F(TrimmedLeader, AResetFollowerThatLeadsKeepsTheEpochsConsistent) {
  r.FetchAndSync("n2");
  r.FetchAndSync("n2");
  r.FetchAndSync("n2");
  // n2 leads epoch 2 with n1 following: n1's last epoch (1) ends, by n2's
  // history, where n2's epoch 2 starts, so nothing of n1's diverges.
  r.Lead("n2", 2, {"n1", "n2", "n3", "n4"}, {"n1", "n2", "n3"});
  EXPECT_EQ(r["n2"].StartOffset(), 2u);
  auto horizon = r["n2"].Read(0, 10, 1 << 20);
  ASSERT_TRUE(horizon.ok());
  ASSERT_FALSE(horizon->records.empty()) << "the committed records are readable from the new start";
  EXPECT_EQ(horizon->records.front().offset, 2u);
  Put(r["n2"], {"e"}, kT0 + 2'000);
  r.Sync("n2");
  r.FetchAndSync("n1");
  r.FetchAndSync("n3");
  EXPECT_EQ(r.Log("n1").size(), 3u) << "c, d (a and b trimmed) and e, nothing cut";
  EXPECT_EQ(r.Log("n1"), r.Log("n2"));
  EXPECT_EQ(r.Log("n3").back(), r.Log("n2").back());
}

TEST(ReplicaLogTest, AFollowerPastTheLeadersEndIsNotResetButFailsSayingWhy) {
  Replicas r({"n1", "n2"});
  r.Lead("n1", 1, {"n1", "n2"}, {"n1", "n2"});
  r.PutCommitted("n1", {"a", "b", "c"}, {"n2"});
  ScriptedLeader leader;
  leader.answer.error = FetchError::kOffsetOutOfRange;
  leader.answer.leader_epoch = 1;
  leader.answer.log_start_offset = 0;
  leader.answer.log_end_offset = 2;
  leader.answer.message = "offset 3 is past the log end 2";
  Result<bool> fetched = r["n2"].FetchOnce(leader);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), ErrorCode::kInternalFailure) << fetched.status().ToString();
  EXPECT_NE(fetched.status().message().find("not resetting"), std::string::npos) << fetched.status().ToString();
  EXPECT_EQ(r.Log("n2"), r.Log("n1")) << "nothing removed";
  EXPECT_EQ(r["n2"].StartOffset(), 0u);
}

}  // namespace
}  // namespace sluice::cluster
