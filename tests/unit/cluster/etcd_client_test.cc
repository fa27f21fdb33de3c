// The etcd client against a real etcd (etcd_process.h): key-value calls,
// transactions, leases, watches, and endpoints that are down.
#include "cluster/etcd_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "cluster/etcd_session.h"
#include "cluster/etcd_watch.h"
#include "cluster/etcd_fixture.h"
#include "cluster/etcd_process.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

using testing::EtcdCluster;
using testing::EtcdProcess;
using testing::Eventually;
using testing::FreePort;
using testing::MakeClient;

class EtcdClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    etcd_ = new EtcdProcess();
    Status started = etcd_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  static void TearDownTestSuite() {
    delete etcd_;
    etcd_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(etcd_, nullptr);
    client_ = MakeClient({etcd_->endpoint()});
    prefix_ = std::string("/test/") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
  }

  static EtcdProcess* etcd_;
  std::unique_ptr<EtcdClient> client_;
  std::string prefix_;
};
EtcdProcess* EtcdClientTest::etcd_ = nullptr;

TEST_F(EtcdClientTest, PutThenGetReturnsTheValueAndItsRevisions) {
  Result<int64_t> rev = client_->Put(prefix_ + "a", std::string("v\0\xff", 3));
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  Result<std::optional<KeyValue>> got = client_->Get(prefix_ + "a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->value, std::string("v\0\xff", 3));
  EXPECT_EQ((*got)->mod_revision, *rev);
  EXPECT_EQ((*got)->create_revision, *rev);
  EXPECT_EQ((*got)->version, 1);
}

TEST_F(EtcdClientTest, GetOfAnAbsentKeyIsEmpty) {
  Result<std::optional<KeyValue>> got = client_->Get(prefix_ + "none");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_F(EtcdClientTest, GetPrefixReturnsOnlyThePrefixInKeyOrderUpToTheLimit) {
  for (const char* k : {"c", "a", "b"}) ASSERT_TRUE(client_->Put(prefix_ + k, k).ok());
  ASSERT_TRUE(client_->Put(prefix_.substr(0, prefix_.size() - 1) + "X", "outside").ok());
  Result<RangeResult> all = client_->GetPrefix(prefix_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->kvs.size(), 3u);
  EXPECT_EQ(all->kvs[0].value, "a");
  EXPECT_EQ(all->kvs[2].value, "c");
  EXPECT_FALSE(all->more);
  Result<RangeResult> two = client_->GetPrefix(prefix_, 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->kvs.size(), 2u);
  EXPECT_TRUE(two->more);
}

TEST_F(EtcdClientTest, DeleteRemovesTheKey) {
  ASSERT_TRUE(client_->Put(prefix_ + "k", "v").ok());
  Result<int64_t> deleted = client_->Delete(prefix_ + "k");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(client_->Get(prefix_ + "k")->has_value());
  EXPECT_EQ(*client_->Delete(prefix_ + "k"), 0);
}

TEST_F(EtcdClientTest, CompareAndSwapSucceedsOnTheRevisionItSaw) {
  Result<TxnResult> created = client_->CompareAndSwap(prefix_ + "k", 0, "one");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->succeeded);
  const int64_t seen = (*client_->Get(prefix_ + "k"))->mod_revision;
  Result<TxnResult> swapped = client_->CompareAndSwap(prefix_ + "k", seen, "two");
  ASSERT_TRUE(swapped.ok());
  EXPECT_TRUE(swapped->succeeded);
  EXPECT_EQ((*client_->Get(prefix_ + "k"))->value, "two");
}

TEST_F(EtcdClientTest, CompareAndSwapOnAStaleRevisionFailsAndReturnsTheCurrentKey) {
  ASSERT_TRUE(client_->Put(prefix_ + "k", "one").ok());
  const int64_t stale = (*client_->Get(prefix_ + "k"))->mod_revision;
  ASSERT_TRUE(client_->Put(prefix_ + "k", "two").ok());
  Result<TxnResult> r = client_->CompareAndSwap(prefix_ + "k", stale, "three");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->succeeded);
  ASSERT_EQ(r->kvs.size(), 1u);
  EXPECT_EQ(r->kvs[0].value, "two");
  EXPECT_EQ((*client_->Get(prefix_ + "k"))->value, "two");
}

TEST_F(EtcdClientTest, CreateIfAbsentFailsWhenTheKeyExists) {
  ASSERT_TRUE(client_->Put(prefix_ + "k", "first").ok());
  Result<TxnResult> r = client_->Txn({Compare::Absent(prefix_ + "k")}, {TxnOp::Put(prefix_ + "k", "second")},
                                     {TxnOp::Get(prefix_ + "k")});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->succeeded);
  EXPECT_EQ(r->kvs.at(0).value, "first");
}

TEST_F(EtcdClientTest, KeysOfAnExpiredLeaseDisappear) {
  Result<Lease> lease = client_->GrantLease(2);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_TRUE(client_->Put(prefix_ + "k", "v", lease->id).ok());
  EXPECT_TRUE(client_->Get(prefix_ + "k")->has_value());
  EXPECT_TRUE(Eventually([&] { return !client_->Get(prefix_ + "k")->has_value(); }, 6000));
  Result<int64_t> ttl = client_->KeepAliveOnce(lease->id);
  ASSERT_TRUE(ttl.ok()) << ttl.status().ToString();
  EXPECT_EQ(*ttl, 0) << "an expired lease renews to nothing";
}

TEST_F(EtcdClientTest, PutWithAnUnknownLeaseIsNotFound) {
  Result<int64_t> r = client_->Put(prefix_ + "k", "v", 12345);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kResourceNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("lease not found"), std::string::npos) << r.status().ToString();
}

TEST_F(EtcdClientTest, ASessionKeepsItsKeysBeyondTheTtlAndStopRemovesThemAtOnce) {
  EtcdSession session(*client_, 2, [&](int64_t lease) { return client_->Put(prefix_ + "k", "v", lease).status(); });
  ASSERT_TRUE(session.Start().ok());
  const int64_t until = MonotonicMillis() + 5000;  // 2.5 TTLs
  while (MonotonicMillis() < until) {
    ASSERT_TRUE(client_->Get(prefix_ + "k")->has_value()) << "the key expired although its lease was renewed";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(session.renewals_lost(), 0);
  session.Stop();
  EXPECT_FALSE(client_->Get(prefix_ + "k")->has_value()) << "Stop revokes the lease";
}

TEST_F(EtcdClientTest, ASessionWhoseLeaseIsRevokedRegistersAgain) {
  std::atomic<int> granted{0};
  EtcdSession session(*client_, 2, [&](int64_t lease) {
    ++granted;
    return client_->Put(prefix_ + "k", "v", lease).status();
  });
  ASSERT_TRUE(session.Start().ok());
  const int64_t first = session.lease();
  ASSERT_TRUE(client_->RevokeLease(first).ok());
  EXPECT_TRUE(Eventually([&] { return granted.load() == 2 && client_->Get(prefix_ + "k")->has_value(); }, 5000));
  EXPECT_NE(session.lease(), first);
  EXPECT_EQ(session.renewals_lost(), 1);
}

// Collects a watch's events as "PUT key=value@rev" / "DELETE key@rev".
class EventLog {
 public:
  void Add(const std::vector<WatchEvent>& events) {
    std::lock_guard lock(mu_);
    for (const WatchEvent& e : events) {
      lines_.push_back(e.type == WatchEvent::Type::kPut ? "PUT " + e.kv.key + "=" + e.kv.value : "DELETE " + e.kv.key);
    }
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(EtcdClientTest, AWatchSeesPutsAndDeletesInOrderFromItsRevision) {
  const int64_t start = *client_->Put(prefix_ + "a", "1");
  ASSERT_TRUE(client_->Put(prefix_ + "b", "2").ok());
  EventLog log;
  EtcdWatch watch(*client_, {prefix_, start, [&](const auto& e) { log.Add(e); }, nullptr});
  ASSERT_TRUE(client_->Delete(prefix_ + "a").ok());
  ASSERT_TRUE(client_->Put("/elsewhere", "x").ok());
  ASSERT_TRUE(client_->Put(prefix_ + "a", "3").ok());
  const std::vector<std::string> want = {"PUT " + prefix_ + "a=1", "PUT " + prefix_ + "b=2", "DELETE " + prefix_ + "a",
                                         "PUT " + prefix_ + "a=3"};
  EXPECT_TRUE(Eventually([&] { return log.lines().size() >= want.size(); }, 5000));
  EXPECT_EQ(log.lines(), want);
}

TEST(EtcdWatchTest, AWatchResumesAfterEtcdRestartsWithoutLossOrRepeat) {
  EtcdProcess etcd;
  ASSERT_TRUE(etcd.Start().ok());
  std::unique_ptr<EtcdClient> client = MakeClient({etcd.endpoint()});
  EventLog log;
  EtcdWatch watch(*client, {"/w/", 1, [&](const auto& e) { log.Add(e); }, nullptr});
  ASSERT_TRUE(client->Put("/w/1", "a").ok());
  ASSERT_TRUE(Eventually([&] { return log.lines().size() == 1; }, 5000));
  etcd.Kill9();
  Status restarted = etcd.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  ASSERT_TRUE(client->Put("/w/2", "b").ok());
  ASSERT_TRUE(client->Delete("/w/1").ok());
  EXPECT_TRUE(Eventually([&] { return log.lines().size() >= 3; }, 10000));
  EXPECT_EQ(log.lines(), (std::vector<std::string>{"PUT /w/1=a", "PUT /w/2=b", "DELETE /w/1"}));
  EXPECT_GE(watch.streams_opened(), 2) << "the stream was opened again after the restart";
}

TEST(EtcdWatchTest, AWatchFromNowKeepsItsStartAcrossARestartBeforeAnyEvent) {
  EtcdProcess etcd;
  ASSERT_TRUE(etcd.Start().ok());
  std::unique_ptr<EtcdClient> client = MakeClient({etcd.endpoint()});
  ASSERT_TRUE(client->Put("/w/before", "x").ok());
  EventLog log;
  EtcdWatch watch(*client, {"/w/", 0, [&](const auto& e) { log.Add(e); }, nullptr});
  ASSERT_TRUE(Eventually([&] { return watch.next_revision() > 0; }, 5000)) << "the first stream was created";
  etcd.Kill9();
  ASSERT_TRUE(etcd.Start().ok());
  ASSERT_TRUE(client->Put("/w/during", "y").ok());  // before or after the watch reconnects
  EXPECT_TRUE(Eventually([&] { return !log.lines().empty(); }, 10000));
  EXPECT_EQ(log.lines(), (std::vector<std::string>{"PUT /w/during=y"}));
}

TEST_F(EtcdClientTest, AWatchFromACompactedRevisionReadsTheStateAgainAndGoesOnFromThere) {
  const int64_t first = *client_->Put(prefix_ + "a", "1");
  const int64_t second = *client_->Put(prefix_ + "a", "2");
  ASSERT_TRUE(client_->Compact(second).ok());
  EventLog log;
  std::atomic<int64_t> read_at{0};
  WatchOptions options{prefix_, first, [&](const auto& e) { log.Add(e); }, nullptr};
  options.on_compacted = [&]() -> Result<int64_t> {
    SLUICE_ASSIGN_OR_RETURN(RangeResult range, client_->GetPrefix(prefix_));
    read_at = range.revision;
    return range.revision;
  };
  EtcdWatch watch(*client_, options);
  ASSERT_TRUE(Eventually([&] { return watch.resyncs() == 1; }, 5000)) << "the compacted start was read again";
  EXPECT_GE(read_at.load(), second);
  ASSERT_TRUE(client_->Put(prefix_ + "b", "3").ok());
  EXPECT_TRUE(Eventually([&] { return !log.lines().empty(); }, 5000));
  EXPECT_EQ(log.lines(), std::vector<std::string>{"PUT " + prefix_ + "b=3"}) << "from after the range read on";
  EXPECT_EQ(watch.resyncs(), 1);
}

TEST_F(EtcdClientTest, AWatchFromACompactedRevisionWithoutARereadEndsWithAnError) {
  const int64_t first = *client_->Put(prefix_ + "a", "1");
  ASSERT_TRUE(client_->Compact(*client_->Put(prefix_ + "a", "2")).ok());
  std::mutex mu;
  Status ended;
  EtcdWatch watch(*client_, {prefix_, first, [](const auto&) {},
                             [&](const Status& s) {
                               std::lock_guard lock(mu);
                               ended = s;
                             }});
  ASSERT_TRUE(Eventually(
      [&] {
        std::lock_guard lock(mu);
        return !ended.ok();
      },
      5000));
  EXPECT_EQ(ended.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(ended.message().find("compacted"), std::string::npos) << ended.message();
}

TEST_F(EtcdClientTest, ADeadEndpointInTheListIsSkipped) {
  std::unique_ptr<EtcdClient> client = MakeClient({"127.0.0.1:" + std::to_string(FreePort()), etcd_->endpoint()});
  const int64_t started = MonotonicMillis();
  ASSERT_TRUE(client->Put(prefix_ + "k", "v").ok());
  Result<std::optional<KeyValue>> got = client->Get(prefix_ + "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->has_value());
  EXPECT_LT(MonotonicMillis() - started, 1000);
}

TEST(EtcdMembersTest, CallsKeepWorkingWhenOneOfThreeMembersIsKilled) {
  EtcdCluster etcd(3);
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  std::unique_ptr<EtcdClient> client = MakeClient(etcd.endpoints());
  ASSERT_TRUE(client->Put("/m/k", "0").ok());
  etcd.member(0).Kill9();  // the endpoint the client answered from last
  for (int i = 1; i <= 20; ++i) {
    Result<TxnResult> r = client->CompareAndSwap("/m/k", (*client->Get("/m/k"))->mod_revision, std::to_string(i));
    ASSERT_TRUE(r.ok()) << "write " << i << ": " << r.status().ToString();
    ASSERT_TRUE(r->succeeded) << "write " << i;
  }
  EXPECT_EQ((*client->Get("/m/k"))->value, "20");
}

TEST(EtcdMembersTest, AWatchOnAMemberThatHangsFollowsTheCallsToAnotherMember) {
  EtcdCluster etcd(3);
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  std::unique_ptr<EtcdClient> client = MakeClient(etcd.endpoints());
  ASSERT_TRUE(client->Put("/h/before", "x").ok());  // answered by the first member
  EventLog log;
  EtcdWatch watch(*client, {"/h/", 0, [&](const auto& e) { log.Add(e); }, nullptr});
  ASSERT_TRUE(Eventually([&] { return watch.next_revision() > 0; }, 5000)) << "the stream was created";
  // The watch's stream stays open on the first member, silent; the put moves
  // on from it after the attempt's timeout.
  etcd.member(0).Pause();
  Result<int64_t> put = client->Put("/h/during", "y");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(Eventually([&] { return !log.lines().empty(); }, 10000));
  EXPECT_EQ(log.lines(), std::vector<std::string>{"PUT /h/during=y"});
  EXPECT_GE(watch.streams_opened(), 2);
  etcd.member(0).Resume();
}

TEST(EtcdClientDeadlineTest, ACallToNoLiveEndpointFailsWithinItsDeadlineNamingTheLastError) {
  const std::string dead = "127.0.0.1:" + std::to_string(FreePort());
  std::unique_ptr<EtcdClient> client = MakeClient({"127.0.0.1:" + std::to_string(FreePort()), dead}, 800);
  const int64_t started = MonotonicMillis();
  Result<std::optional<KeyValue>> got = client->Get("/k");
  const int64_t took = MonotonicMillis() - started;
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kTimedOut);
  EXPECT_GE(took, 700);
  EXPECT_LT(took, 1500);
  EXPECT_NE(got.status().message().find("no endpoint of 2 answered /v3/kv/range within 800 ms"), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("ConnectionFailed"), std::string::npos) << got.status().message();
}

TEST(ClusterUrlTest, ParsesEveryEndpointAndRefusesOthers) {
  Result<std::vector<std::string>> two = ParseClusterUrl("etcd://127.0.0.1:2379,etcd2:2380");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, (std::vector<std::string>{"127.0.0.1:2379", "etcd2:2380"}));
  EXPECT_FALSE(ParseClusterUrl("http://127.0.0.1:2379").ok());
  EXPECT_FALSE(ParseClusterUrl("etcd://").ok());
  EXPECT_FALSE(ParseClusterUrl("etcd://host").ok());
  EXPECT_FALSE(ParseClusterUrl("etcd://a:1,,b:2").ok());
}

TEST(PrefixEndTest, IncrementsTheLastByteThatCan) {
  EXPECT_EQ(PrefixEnd("/a/"), "/a0");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(""), std::string(1, '\0'));
}

}  // namespace
}  // namespace sluice::cluster
