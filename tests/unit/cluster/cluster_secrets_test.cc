// The cluster's shared iterator and peer keys against a real etcd
// (etcd_process.h): the first node creates each, every later call reads the
// same bytes, and a stored key of the wrong size is an error rather than a
// silent new key.
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

TEST_F(ClusterSecretsTest, ThePeerKeyIsASecretOfItsOwnKeptLikeTheIteratorKey) {
  Result<std::string> iterator_key = LoadOrCreateIteratorKey(*client_);
  Result<std::string> peer_key = LoadOrCreatePeerKey(*client_);
  ASSERT_TRUE(iterator_key.ok() && peer_key.ok()) << peer_key.status().ToString();
  EXPECT_EQ(peer_key->size(), kClusterPeerKeySize);
  EXPECT_NE(*peer_key, *iterator_key);
  Result<std::string> again = LoadOrCreatePeerKey(*client_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *peer_key);
  Result<std::optional<KeyValue>> stored = client_->Get(kPeerKeyKey);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, *peer_key);
}

}  // namespace
}  // namespace sluice::cluster
