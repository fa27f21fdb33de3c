#include "cluster/cluster_secrets.h"

#include <openssl/rand.h>

#include <vector>

namespace sluice::cluster {
namespace {

// The secret at `etcd_key`, `size` random bytes created when there is none.
Result<std::string> LoadOrCreateSecret(EtcdClient& etcd, std::string_view etcd_key, size_t size) {
  std::string fresh(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()), static_cast<int>(fresh.size())) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  const std::string key(etcd_key);
  // Create it unless it exists; either way read what is stored.
  SLUICE_ASSIGN_OR_RETURN(TxnResult txn, etcd.Txn({Compare::Absent(key)}, {TxnOp::Put(key, fresh)}, {TxnOp::Get(key)}));
  if (txn.succeeded) return fresh;
  if (txn.kvs.empty()) return Status(ErrorCode::kBadResponse, "etcd: " + key + " is neither absent nor present");
  const std::string& stored = txn.kvs.front().value;
  if (stored.size() != size) {
    return Status(ErrorCode::kBadResponse,
                  "etcd: " + key + " holds " + std::to_string(stored.size()) + " bytes, want " + std::to_string(size));
  }
  return stored;
}

}  // namespace

Result<std::string> LoadOrCreateIteratorKey(EtcdClient& etcd) {
  return LoadOrCreateSecret(etcd, kIteratorKeyKey, kClusterIteratorKeySize);
}

Result<std::string> LoadOrCreatePeerKey(EtcdClient& etcd) {
  return LoadOrCreateSecret(etcd, kPeerKeyKey, kClusterPeerKeySize);
}

}  // namespace sluice::cluster
