// The values of etcd's v3 key-value and lease API as Sluice uses them: keys
// and values as bytes, revisions and lease ids as integers (docs/cluster.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cluster {

// One key as etcd stores it.
struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;  // 1 at creation, +1 per put
  int64_t lease = 0;    // 0: none
};

struct RangeResult {
  std::vector<KeyValue> kvs;
  int64_t revision = 0;  // the store's revision the range was read at
  bool more = false;     // a limit cut the range short
};

// One condition of a transaction: `target` of `key` compared with a number
// (versions and revisions; an absent key has 0 for each) or with a value.
struct Compare {
  enum class Target { kVersion, kCreateRevision, kModRevision, kValue };
  enum class Op { kEqual, kNotEqual, kGreater, kLess };
  Target target = Target::kModRevision;
  Op op = Op::kEqual;
  std::string key;
  int64_t number = 0;
  std::string value;  // for kValue

  static Compare ModRevision(std::string key, int64_t revision, Op op = Op::kEqual);
  static Compare Version(std::string key, int64_t version, Op op = Op::kEqual);
  static Compare Absent(std::string key);  // create_revision == 0
  static Compare Value(std::string key, std::string value, Op op = Op::kEqual);
};

// One operation of a transaction branch.
struct TxnOp {
  enum class Kind { kPut, kGet, kDelete };
  Kind kind = Kind::kGet;
  std::string key;
  std::string value;  // kPut
  int64_t lease = 0;  // kPut
  // kGet, kDelete: every key from `key` up to this one (empty: `key` only).
  std::string range_end;

  static TxnOp Put(std::string key, std::string value, int64_t lease = 0);
  static TxnOp Get(std::string key);
  static TxnOp Delete(std::string key);
  static TxnOp DeletePrefix(std::string prefix);  // every key starting with `prefix`
};

struct TxnResult {
  bool succeeded = false;     // the compares held and the success branch ran
  int64_t revision = 0;       // the store's revision after the transaction
  std::vector<KeyValue> kvs;  // what the branch's Get ops read, in order
};

struct Lease {
  int64_t id = 0;
  int64_t ttl_s = 0;  // as granted
};

// A change seen by a watch (etcd_watch.h).
struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;  // for kDelete: the key and the delete's mod_revision only
};

}  // namespace sluice::cluster
