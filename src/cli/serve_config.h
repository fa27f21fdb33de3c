// Settings of `sluice serve`, from flags, SLUICE_* environment variables or
// a TOML file (--config, cli/config_file.h): a flag wins over its variable,
// which wins over the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/shard_log.h"

namespace CLI {
class App;
}

namespace sluice::cli {

struct ServeConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;
  std::string data_dir = "./data";
  storage::Durability durability = storage::Durability::kFsync;
  std::string region = "us-east-1";
  std::string account = "000000000000";
  int64_t create_stream_ms = 0;
  int64_t delete_stream_ms = 0;
  int64_t update_stream_ms = 0;
  int64_t register_consumer_ms = 0;
  int64_t deregister_consumer_ms = 0;
  int64_t subscription_lifetime_ms = 5 * 60 * 1000;
  int64_t subscription_heartbeat_ms = 5000;
  int shard_limit = 20000;
  // Segment files kept open at once (storage::FdCache); 0: half the
  // open-files limit.
  int64_t max_open_segments = 0;
  // A shard log unused this long is unloaded (engine/housekeeping.h); 0: never.
  int64_t shard_idle_unload_seconds = 300;
  int on_demand_stream_limit = 50;
  int consumer_limit = 20;
  int64_t clock_offset_ms = 0;
  std::string auth_file;  // --auth: verify SigV4 against these credentials
  uint64_t max_body_bytes = 16ull << 20;
  // All connections' buffered request bodies and unsent answers. 256 MiB:
  // a laptop keeps it without noticing, it admits sixteen maximal 16 MiB
  // bodies at once, and it is an eighth of the 2 GB that 100 stalled
  // maximal bodies (or 1,000 subscribers that never read) would take.
  uint64_t max_buffered_bytes = 256ull << 20;
  // A request body must be in this long after its headers (0: no limit).
  int64_t body_timeout_ms = 30'000;
  int threads = 0;  // 0 = one per CPU this process may run on
  std::string log_level = "info";
  // Quota emulation: "off" or "real" (the service's figures), then each
  // NAME=VALUE of `limit_overrides` (engine/throughput_quota.h names, and
  // control-plane=0|1).
  std::string limits = "off";
  std::vector<std::string> limit_overrides;
  std::string faults_file;          // --faults: fault rules loaded at start (api/faults.h)
  int admin_port = -1;              // the local admin API (cli/admin.h) on 127.0.0.1; -1: none, 0: a free port
  std::string log_format = "text";  // text or json
  bool log_requests = false;        // one line per API request
  bool tls = false;                 // serve TLS (same port as plain HTTP unless tls_port)
  uint16_t tls_port = 0;            // 0: TLS on `port`, sniffed per connection
  std::string tls_cert;             // PEM files; both empty: a self-signed pair
  std::string tls_key;
  std::string config_file;  // --config: read after the flags (cli/config_file.h)
  // --ready-file: once serving, {"port":N,"tls_port":M|null,"admin_port":K|null,"pid":P}
  // is written here atomically (removed again at shutdown).
  std::string ready_file;
  // Channels' destination: an S3-compatible server (cli/object_store_setup.h)
  // instead of the embedded store; its region ("" for `region`) and a PEM
  // bundle to trust for its https:// certificate.
  std::string s3_endpoint;
  std::string s3_region;
  std::string s3_ca_bundle;
  // Cluster mode (docs/cluster.md): etcd://HOST:PORT[,HOST:PORT...]; empty
  // for the single-node server, which then touches no etcd.
  std::string cluster;
  std::string node_id;    // this node's id in the cluster
  std::string advertise;  // host:port other nodes and clients reach it at; "": host:port served
  // The lease of the node's registration: its key goes this long after a crash.
  int64_t cluster_session_ttl_s = 10;
  // Replicas per shard (capped by the live nodes when the shard is
  // assigned), and the in-sync replicas a write needs (capped by the shard's
  // replicas).
  int replication_factor = 3;
  int min_insync_replicas = 2;
};

// Registers the serve flags on `serve` and binds them to `config`.
void AddServeFlags(CLI::App& serve, ServeConfig& config);

// Runs the server until SIGINT, SIGTERM or SIGHUP (each: finish in-flight
// requests, sync, exit 0); returns the exit code.
int RunServe(const ServeConfig& config);

}  // namespace sluice::cli
