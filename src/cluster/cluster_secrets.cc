#include "cluster/cluster_secrets.h"

#include <openssl/rand.h>

#include <vector>

namespace sluice::cluster {

Result<std::string> LoadOrCreateIteratorKey(EtcdClient& etcd) {
  std::string fresh(kClusterIteratorKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()), static_cast<int>(fresh.size())) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  const std::string key(kIteratorKeyKey);
  // Create it unless it exists; either way read what is stored.
  SLUICE_ASSIGN_OR_RETURN(TxnResult txn, etcd.Txn({Compare::Absent(key)}, {TxnOp::Put(key, fresh)}, {TxnOp::Get(key)}));
  if (txn.succeeded) return fresh;
  if (txn.kvs.empty()) return Status(ErrorCode::kBadResponse, "etcd: " + key + " is neither absent nor present");
  const std::string& stored = txn.kvs.front().value;
  if (stored.size() != kClusterIteratorKeySize) {
    return Status(ErrorCode::kBadResponse, "etcd: " + key + " holds " + std::to_string(stored.size()) +
                                               " bytes, want " + std::to_string(kClusterIteratorKeySize));
  }
  return stored;
}

}  // namespace sluice::cluster
