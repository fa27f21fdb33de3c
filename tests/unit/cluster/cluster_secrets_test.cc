// The cluster's shared iterator key against a real etcd (etcd_process.h):
// the first node creates it, every later call reads the same bytes, and a
// stored key of the wrong size is an error rather than a silent new key.
#include "cluster/cluster_secrets.h"

#include <gtest/gtest.h>

#include "cluster/etcd_fixture.h"

namespace sluice::cluster {
namespace {

using ClusterSecretsTest = testing::EtcdFixture;

TEST_F(ClusterSecretsTest, TheFirstCallCreatesTheKeyAndEveryLaterOneReadsIt) {
  Result<std::string> first = LoadOrCreateIteratorKey(*client_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), kClusterIteratorKeySize);
  Result<std::string> second = LoadOrCreateIteratorKey(*client_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, *first);
  Result<std::optional<KeyValue>> stored = client_->Get(kIteratorKeyKey);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, *first);
}

TEST_F(ClusterSecretsTest, AStoredKeyOfTheWrongSizeIsAnError) {
  ASSERT_TRUE(client_->Put(kIteratorKeyKey, "short").ok());
  Result<std::string> key = LoadOrCreateIteratorKey(*client_);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kBadResponse);
  EXPECT_NE(key.status().message().find("holds 5 bytes, want 32"), std::string::npos) << key.status().ToString();
}

}  // namespace
}  // namespace sluice::cluster
