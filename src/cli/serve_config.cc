#include "cli/serve_config.h"

#include <CLI/CLI.hpp>

#include <map>

#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "http/url.h"

namespace sluice::cli {

void AddServeFlags(CLI::App& serve, ServeConfig& c) {
  serve
      .add_option("--config", c.config_file,
                  "TOML file of serve flags by long name (data-dir = \"/var/lib/sluice\"); flags and "
                  "SLUICE_* variables win over it")
      ->envname("SLUICE_CONFIG")
      ->check(CLI::ExistingFile)
      ->configurable(false);
  serve.add_option("--host", c.host, "Address to listen on")->envname("SLUICE_HOST")->capture_default_str();
  serve.add_option("--port", c.port, "Port to listen on (0 picks a free one)")
      ->envname("SLUICE_PORT")
      ->capture_default_str();
  serve.add_option("--data-dir", c.data_dir, "Directory of the embedded storage")
      ->envname("SLUICE_DATA_DIR")
      ->capture_default_str();
  static const std::map<std::string, storage::Durability> kModes = {
      {"fsync", storage::Durability::kFsync},
      {"os", storage::Durability::kOs},
      {"memory", storage::Durability::kMemory},
  };
  serve
      .add_option("--durability", c.durability,
                  "fsync: acknowledge after fsync (group commit); os: after the write reaches the OS; "
                  "memory: no files")
      ->envname("SLUICE_DURABILITY")
      ->transform(CLI::CheckedTransformer(kModes, CLI::ignore_case).description(""))
      // Runs first (transforms run in reverse order): only the names pass, not
      // the enum's numbers, which CheckedTransformer alone also takes ("2").
      ->transform(CLI::IsMember({"fsync", "os", "memory"}, CLI::ignore_case))
      ->default_str("fsync");
  serve.add_option("--region", c.region, "Default region of streams and ARNs")
      ->envname("SLUICE_REGION")
      ->capture_default_str();
  serve.add_option("--account", c.account, "Default 12-digit account id of streams and ARNs")
      ->envname("SLUICE_ACCOUNT")
      ->check([](const std::string& s) {
        if (s.size() != 12 || s.find_first_not_of("0123456789") != std::string::npos)
          return std::string("must be 12 digits");
        return std::string();
      })
      ->capture_default_str();
  serve.add_option("--create-stream-ms", c.create_stream_ms, "Time a new stream spends in CREATING")
      ->envname("SLUICE_CREATE_STREAM_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve.add_option("--delete-stream-ms", c.delete_stream_ms, "Time a deleted stream spends in DELETING")
      ->envname("SLUICE_DELETE_STREAM_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      .add_option("--update-stream-ms", c.update_stream_ms,
                  "Time a stream spends in UPDATING after a reshard or a settings change (a reshard "
                  "takes effect when it ends)")
      ->envname("SLUICE_UPDATE_STREAM_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      .add_option("--register-consumer-ms", c.register_consumer_ms,
                  "Time a registered stream consumer spends in CREATING")
      ->envname("SLUICE_REGISTER_CONSUMER_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      .add_option("--deregister-consumer-ms", c.deregister_consumer_ms,
                  "Time a deregistered stream consumer spends in DELETING")
      ->envname("SLUICE_DEREGISTER_CONSUMER_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve.add_option("--shard-limit", c.shard_limit, "Open shards an account may have in a region")
      ->envname("SLUICE_SHARD_LIMIT")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--max-open-segments", c.max_open_segments,
                  "Segment files kept open at once, active ones included; the least recently used are closed "
                  "and reopened on demand (0: half the open-files limit)")
      ->envname("SLUICE_MAX_OPEN_SEGMENTS")
      ->check(CLI::Range(int64_t{0}, int64_t{100'000'000}))
      ->capture_default_str();
  serve
      .add_option("--shard-idle-unload-seconds", c.shard_idle_unload_seconds,
                  "A shard log unused this long is unloaded (files closed, index and state freed) and loads "
                  "again on its next use (0: never)")
      ->envname("SLUICE_SHARD_IDLE_UNLOAD_SECONDS")
      ->check(CLI::Range(int64_t{0}, int64_t{365} * 24 * 3600))
      ->capture_default_str();
  serve
      .add_option("--on-demand-stream-limit", c.on_demand_stream_limit,
                  "ON_DEMAND streams an account may have in a region")
      ->envname("SLUICE_ON_DEMAND_STREAM_LIMIT")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  serve.add_option("--consumer-limit", c.consumer_limit, "Registered consumers a stream may have")
      ->envname("SLUICE_CONSUMER_LIMIT")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      .add_option("--subscription-lifetime-ms", c.subscription_lifetime_ms,
                  "How long a SubscribeToShard subscription lasts before it ends cleanly")
      ->envname("SLUICE_SUBSCRIPTION_LIFETIME_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600 * 1000))
      ->capture_default_str();
  serve
      .add_option("--subscription-heartbeat-ms", c.subscription_heartbeat_ms,
                  "Interval of empty SubscribeToShard events while a shard is idle (0: none)")
      ->envname("SLUICE_SUBSCRIPTION_HEARTBEAT_MS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      .add_option("--auth", c.auth_file,
                  "AWS shared-credentials file: verify every request's Signature Version 4 against its "
                  "access keys (default: any credentials are accepted)")
      ->envname("SLUICE_AUTH");
  serve
      .add_option("--clock-offset-ms", c.clock_offset_ms,
                  "Shift the server's clock by this many ms, at most 10^12 (about 31 years) either "
                  "way (for testing retention and expiry)")
      ->envname("SLUICE_CLOCK_OFFSET_MS")
      // Sequence numbers hold times as 36-bit epoch seconds and arrival times
      // are epoch ms in an int64_t: a bounded shift keeps both in range.
      ->check(CLI::Range(int64_t{-1'000'000'000'000}, int64_t{1'000'000'000'000}))
      ->capture_default_str();
  serve.add_option("--max-body-bytes", c.max_body_bytes, "Largest request body accepted (413 above)")
      ->envname("SLUICE_MAX_BODY_BYTES")
      ->check(CLI::Range(uint64_t{16} << 20, uint64_t{1} << 30))
      ->capture_default_str();
  serve
      .add_option("--max-buffered-bytes", c.max_buffered_bytes,
                  "Request bodies and unsent answers all connections may hold together; above it new "
                  "bodies get 503 and subscribers that stopped reading are cut off (0: no limit)")
      ->envname("SLUICE_MAX_BUFFERED_BYTES")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 40))
      ->capture_default_str();
  serve
      .add_option("--body-timeout-ms", c.body_timeout_ms,
                  "Time a request body may take to arrive after its headers (408 after; 0: no limit)")
      ->envname("SLUICE_BODY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{24} * 3600 * 1000))
      ->capture_default_str();
  serve.add_option("--threads", c.threads, "Event-loop threads (0: one per available CPU)")
      ->envname("SLUICE_THREADS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve
      .add_flag("--tls", c.tls,
                "Serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) next to plain HTTP on the same port; without "
                "--tls-cert/--tls-key a self-signed certificate for localhost is made in <data-dir>/tls")
      ->envname("SLUICE_TLS");
  serve.add_option("--tls-port", c.tls_port, "Serve TLS only, on this separate port (0: on --port)")
      ->envname("SLUICE_TLS_PORT")
      ->capture_default_str();
  auto* cert = serve.add_option("--tls-cert", c.tls_cert, "PEM certificate chain for --tls")
                   ->envname("SLUICE_TLS_CERT")
                   ->check(CLI::ExistingFile);
  auto* key = serve.add_option("--tls-key", c.tls_key, "PEM private key for --tls")
                  ->envname("SLUICE_TLS_KEY")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  serve
      .add_option("--limits", c.limits,
                  "Quota emulation: off, or real (the service's per-shard, fan-out, on-demand and "
                  "control-plane limits)")
      ->envname("SLUICE_LIMITS")
      ->check(CLI::IsMember({"off", "real"}))
      ->capture_default_str();
  serve
      .add_option("--limit", c.limit_overrides,
                  "NAME=VALUE: set one limit (per second; 0: none), e.g. shard-write-records=2000; "
                  "control-plane=0|1. Repeatable; applied after --limits")
      ->envname("SLUICE_LIMIT")
      ->delimiter(',');
  serve
      .add_option("--faults", c.faults_file,
                  "JSON file of fault rules to inject from the start (also set at run time through "
                  "PUT /admin/faults)")
      ->envname("SLUICE_FAULTS")
      ->check(CLI::ExistingFile);
  serve
      .add_option("--admin-port", c.admin_port,
                  "Serve the admin API (fault rules, limits) on 127.0.0.1 at this port (0: a free one; "
                  "-1: none)")
      ->envname("SLUICE_ADMIN_PORT")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  serve.add_option("--log-level", c.log_level, "debug, info, warn or error")
      ->envname("SLUICE_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  serve
      .add_option("--log-format", c.log_format,
                  "text: one line for humans per event; json: one JSON object per line (time, level, msg, fields)")
      ->envname("SLUICE_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve
      .add_flag("--log-requests", c.log_requests,
                "Log one line per API request (operation, stream, status, error, latency) at info level")
      ->envname("SLUICE_LOG_REQUESTS");
  serve
      .add_option("--ready-file", c.ready_file,
                  "Once serving, write {\"port\":N,\"tls_port\":M,\"admin_port\":K,\"pid\":P} to this "
                  "file atomically (for test harnesses with --port 0; removed at shutdown)")
      ->envname("SLUICE_READY_FILE");
  serve
      .add_option("--s3-endpoint", c.s3_endpoint,
                  "http[s]://host[:port] of an S3-compatible server (AWS S3, MinIO, moto) that channels "
                  "deliver to, path-style, signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / "
                  "AWS_SESSION_TOKEN; checked at startup")
      ->envname("SLUICE_S3_ENDPOINT")
      ->check([](const std::string& url) {
        Result<http::Url> parsed = http::ParseUrl(url);
        return parsed.ok() ? std::string() : parsed.status().message();
      });
  serve.add_option("--s3-region", c.s3_region, "Region the S3 requests are signed for (default: --region)")
      ->envname("SLUICE_S3_REGION");
  serve.add_option("--s3-ca-bundle", c.s3_ca_bundle, "PEM bundle to trust for an https:// --s3-endpoint")
      ->envname("SLUICE_S3_CA_BUNDLE")
      ->check(CLI::ExistingFile);
  serve
      .add_option("--cluster", c.cluster,
                  "Run as a node of a cluster coordinated by etcd at etcd://HOST:PORT[,HOST:PORT...] "
                  "(needs --node-id); without it, a single-node server that uses no etcd")
      ->envname("SLUICE_CLUSTER")
      ->check([](const std::string& url) {
        Result<std::vector<std::string>> parsed = cluster::ParseClusterUrl(url);
        return parsed.ok() ? std::string() : parsed.status().message();
      });
  serve.add_option("--node-id", c.node_id, "This node's id in the cluster (unique among its live nodes)")
      ->envname("SLUICE_NODE_ID")
      ->check([](const std::string& id) {
        Status valid = cluster::ValidateNodeId(id);
        return valid.ok() ? std::string() : valid.message();
      });
  serve
      .add_option("--advertise", c.advertise,
                  "HOST:PORT at which other nodes and clients reach this node (default: --host and the port "
                  "served)")
      ->envname("SLUICE_ADVERTISE");
  serve
      .add_option("--cluster-session-ttl", c.cluster_session_ttl_s,
                  "Seconds after a crash until the node's registration in etcd expires (renewed every third "
                  "of it)")
      ->envname("SLUICE_CLUSTER_SESSION_TTL")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      .add_option("--replication-factor", c.replication_factor,
                  "Replicas of each shard's records, on as many nodes (fewer when fewer nodes are live as the "
                  "shard is assigned); the elected controller's value is the one used")
      ->envname("SLUICE_REPLICATION_FACTOR")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  serve
      .add_option("--min-insync-replicas", c.min_insync_replicas,
                  "In-sync replicas a write to a shard this node leads needs before it is acknowledged (at most "
                  "the shard's replicas); below it, writes fail with the retryable InternalFailure")
      ->envname("SLUICE_MIN_INSYNC_REPLICAS")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
}

}  // namespace sluice::cli
