// The fixed-rate PutRecord producer shared by the e2e and push workloads,
// and the send-time stamp it writes into every record.
//
// Stamp: a record's data starts with its send time (MonotonicNanos, 8 bytes
// little endian) and a marker byte, 9 bytes that encode to exactly the first
// 12 base64 characters of the record's Data; the rest of the data is random
// and fixed. A reader in the same process decodes those 12 characters and
// subtracts, so latency is measured record by record on one clock.
//
// Pacing: record k is due at start + k / rate; an idle connection sends the
// next record once it is due (or at once when behind), so the offered rate
// holds while connections x (1 / latency) exceeds it. The send time stamped
// is when the request is sent, not when it was due.
//
// Threading: used by the one thread running the LoadLoop it serves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/histogram.h"
#include "bench/load_loop.h"
#include "bench/workloads.h"

namespace sluice::bench {

// Data bytes taken by the stamp; a record is never shorter than this.
inline constexpr size_t kStampBytes = 9;

// Writes the stamp for `sent_ns` into data[0, kStampBytes); `data` must be at
// least that long.
void WriteStamp(int64_t sent_ns, std::string* data);

// Reads the stamp from the start of a record's base64 Data. False if the
// record was not written by a PacedProducer.
bool ReadStamp(std::string_view data_b64, int64_t* sent_ns);
// The same from a record's raw data bytes (as the client library hands them).
bool ReadRawStamp(std::string_view data, int64_t* sent_ns);

// Scans a GetRecords response or SubscribeToShardEvent payload (JSON) for
// records and records now_ns - sent into *latency for each stamped one.
struct StampScan {
  uint64_t stamped = 0;  // records with a stamp (one latency each)
  uint64_t foreign = 0;  // records without one
};
StampScan RecordStampedLatencies(std::string_view json, int64_t now_ns, Histogram* latency);

// The producer's connections: c.connections if set, else enough that a
// millisecond or two of fsync per PutRecord does not hold c.rate back
// (c.rate / 250, within 8..64).
int PacedProducerConnections(const BenchConfig& c);

// PutRecord at c.rate records/s on LoadLoop connections [0, connections()),
// c.record_size bytes of stamped data each, random partition keys. The loop
// may have further connections; the caller routes those elsewhere.
class PacedProducer {
 public:
  PacedProducer(const BenchConfig& c, std::string stream, int connections);

  // Sets the schedule. Until it is called, idle connections are told to ask
  // again a millisecond later, so that a workload can start producing once
  // its readers are ready.
  void Start(int64_t start_ns, int64_t end_ns);
  bool started() const { return start_ > 0; }
  int64_t start_ns() const { return start_; }
  int64_t end_ns() const { return end_; }

  int connections() const { return static_cast<int>(conns_.size()); }
  bool owns(int conn) const { return conn >= 0 && conn < connections(); }

  // LoopHandler calls for the producer's connections.
  Next NextRequest(int conn, int64_t now_ns);
  void OnResponse(int conn, const ResponseParser& response, int64_t latency_ns);
  void OnTransportError(int conn, std::string_view what);

  // Past the end of the schedule with no request in flight.
  bool Finished(int64_t now_ns) const { return started() && now_ns >= end_ && inflight == 0; }

  // Results.
  Histogram put_latency;  // per PutRecord, send to response
  uint64_t issued = 0;
  int64_t inflight = 0;
  uint64_t produced = 0;                    // acknowledged with HTTP 200
  std::vector<uint64_t> produced_by_shard;  // by the ShardId of each answer (c.shards)
  uint64_t errors = 0;
  std::string last_error;

 private:
  struct Conn {
    std::string body;
    std::string request;
  };

  const BenchConfig& c_;
  std::string stream_;
  int64_t start_ = 0;
  int64_t end_ = 0;
  int64_t interval_ns_;
  std::string data_;
  std::string b64_;
  std::vector<std::string> keys_;
  std::vector<Conn> conns_;
};

}  // namespace sluice::bench
