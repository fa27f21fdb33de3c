// The cluster view against a real etcd (etcd_process.h): read at one
// revision, kept current by its watch, and read whole again when etcd has
// compacted the history the watch needs.
#include "cluster/cluster_view.h"

#include <gtest/gtest.h>

#include "cluster/etcd_fixture.h"
#include "cluster/node_registry.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;
using testing::MakeClient;

std::string NodeDoc(const std::string& id) { return EncodeNodeInfo({id, "127.0.0.1:1001", 1796000000000, "test"}); }

TEST(ClusterViewTest, AViewWhoseWatchMissedACompactedHistoryReadsItWholeAgain) {
  testing::EtcdCluster etcd(3);
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  // The view asks the first member only; the test writes through the second.
  std::unique_ptr<EtcdClient> viewer = MakeClient({etcd.member(0).endpoint()});
  std::unique_ptr<EtcdClient> writer = MakeClient({etcd.member(1).endpoint()});
  ASSERT_TRUE(writer->Put("/sluice/v1/nodes/old", NodeDoc("old")).ok());
  auto view = ClusterView::Open(*viewer);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_TRUE((*view)->live_node("old").has_value());

  // While the view's member is down, changes it must not miss, then a
  // compaction of their history; the member comes back with both.
  etcd.member(0).Kill9();
  ASSERT_TRUE(writer->Delete("/sluice/v1/nodes/old").ok());
  Result<int64_t> last = writer->Put("/sluice/v1/nodes/new", NodeDoc("new"));
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ASSERT_TRUE(writer->Compact(*last).ok());
  started = etcd.member(0).Start();
  ASSERT_TRUE(started.ok()) << started.ToString();

  EXPECT_TRUE(Eventually([&] { return (*view)->live_node("new").has_value(); }));
  EXPECT_FALSE((*view)->live_node("old").has_value()) << "a delete inside the compacted history is seen";
  EXPECT_EQ((*view)->resyncs(), 1);
  EXPECT_GE((*view)->revision(), *last);
  // And it follows the watch again from there.
  ASSERT_TRUE(writer->Put("/sluice/v1/nodes/later", NodeDoc("later")).ok());
  EXPECT_TRUE(Eventually([&] { return (*view)->live_node("later").has_value(); }));
}

}  // namespace
}  // namespace sluice::cluster
