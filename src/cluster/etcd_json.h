// The JSON of etcd's v3 gateway, bytes in and values out (no I/O), so that
// what goes on the wire is testable without an etcd. The shapes are those of
// etcd 3.4's grpc-gateway: member names in snake_case, keys and values base64,
// 64-bit integers as JSON strings (read back from strings or numbers), and
// members at their zero value left out of answers (an absent "succeeded" is
// false, an absent "TTL" is 0). docs/cluster.md, "etcd's JSON gateway".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/etcd_types.h"
#include "util/status.h"

namespace sluice::cluster::etcd_json {

// Request bodies. An empty `range_end` asks for the one key.
std::string RangeRequest(std::string_view key, std::string_view range_end, int64_t limit);
std::string PutRequest(std::string_view key, std::string_view value, int64_t lease);
std::string DeleteRangeRequest(std::string_view key, std::string_view range_end);
std::string TxnRequest(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                       const std::vector<TxnOp>& failure);
std::string LeaseGrantRequest(int64_t ttl_s);
std::string LeaseIdRequest(int64_t lease_id);  // keepalive and revoke
// Compaction of the history up to `revision`, waiting until it is done.
std::string CompactionRequest(int64_t revision);
std::string WatchCreateRequest(std::string_view key, std::string_view range_end, int64_t start_revision);

// Answer bodies (of a 200). Errors: BadResponse naming what does not parse.
Result<RangeResult> ParseRange(std::string_view body);
Result<int64_t> ParseHeaderRevision(std::string_view body);  // put
Result<int64_t> ParseDeleted(std::string_view body);         // deleterange
Result<TxnResult> ParseTxn(std::string_view body);
Result<Lease> ParseLeaseGrant(std::string_view body);
// The first answer of a keepalive stream: the lease's TTL, 0 when it is gone.
Result<int64_t> ParseKeepAlive(std::string_view body);

// One message of a watch stream (one JSON object per line).
struct WatchMessage {
  bool created = false;
  bool canceled = false;
  int64_t compact_revision = 0;  // set when the start revision was compacted
  int64_t revision = 0;          // header revision
  std::string cancel_reason;
  std::vector<WatchEvent> events;
};
Result<WatchMessage> ParseWatchMessage(std::string_view line);

// An answer other than 200 as a Status: etcd's {"error","message","code"}
// with its gRPC code mapped (NotFound → ResourceNotFound, InvalidArgument,
// FailedPrecondition → InvalidArgument, Unavailable and DeadlineExceeded →
// ServiceUnavailable, others → InternalFailure), the message prefixed "etcd: ".
Status ErrorStatus(int http_status, std::string_view body);

// True for the errors after which another endpoint may answer.
bool Retryable(const Status& status);

}  // namespace sluice::cluster::etcd_json
