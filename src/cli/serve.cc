// `sluice serve`: opens the engine, starts the HTTP server, waits for
// SIGINT/SIGTERM/SIGHUP, then drains in-flight requests, syncs and exits 0.
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "api/call_rates.h"
#include "channels/channel_registry.h"
#include "channels/delivery.h"
#include "channels/delivery_metrics.h"
#include "api/faults.h"
#include "api/kinesis_service.h"
#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/metric_exposition.h"
#include "dynamodb/dynamodb_service.h"
#include "auth/credentials_file.h"
#include "auth/sigv4.h"
#include "cli/admin.h"
#include "cli/cluster_control.h"
#include "cli/cluster_membership.h"
#include "cluster/peer_service.h"
#include "cluster/request_forwarder.h"
#include "cluster/shard_put_relay.h"
#include "cli/data_dir_lock.h"
#include "cli/metrics_page.h"
#include "cli/object_store_setup.h"
#include "cli/serve_config.h"
#include "console/console.h"
#include "storage/fd_cache.h"
#include "sts/sts_service.h"
#include "gateway/gateway.h"
#include "groups/coordinator.h"
#include "groups/group_metrics.h"
#include "groups/group_store.h"
#include "groups_api/groups_service.h"
#include "engine/engine.h"
#include "engine/local_shard_store.h"
#include "server/free_heap.h"
#include "server/server.h"
#include "server/tls_certificate.h"
#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::cli {
namespace {

const char* DurabilityName(storage::Durability d) {
  switch (d) {
    case storage::Durability::kFsync: return "fsync";
    case storage::Durability::kOs: return "os";
    case storage::Durability::kMemory: return "memory";
  }
  return "?";
}

log::Level ParseLevel(const std::string& s) {
  if (s == "debug") return log::Level::kDebug;
  if (s == "warn") return log::Level::kWarn;
  if (s == "error") return log::Level::kError;
  return log::Level::kInfo;
}

// CPUs this process may run on (respects taskset), at least 1.
int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

// Responses of GetRecords and bodies of PutRecords are megabytes each. With
// glibc's defaults every such buffer is a fresh mmap, page-faulted in and
// unmapped again, which halves GetRecords throughput. Keep buffers up to
// 32 MiB on the heap and return memory to the OS only above 32 MiB free (and
// after a burst of buffered bytes, server/free_heap.h).
void TuneAllocator() { server::KeepFreeHeap(32 << 20); }

// Every connection holds a descriptor, and segment files are kept open up to
// --max-open-segments (by default half the limit), so the common soft limit
// of 1024 would make shards reopen their files often. The hard limit is what
// the administrator allows; take all of it.
void RaiseOpenFilesLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log::Debug("getrlimit(RLIMIT_NOFILE): {}", std::strerror(errno));
    return;
  }
  if (limit.rlim_cur >= limit.rlim_max) {
    log::Debug("open files limit already at its maximum ({})", static_cast<uint64_t>(limit.rlim_cur));
    return;
  }
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log::Debug("setrlimit(RLIMIT_NOFILE): {}", std::strerror(errno));
    return;
  }
  log::Debug("open files limit raised from {} to {}", static_cast<uint64_t>(before),
             static_cast<uint64_t>(limit.rlim_cur));
}

// The TLS settings for `sopts`: the given PEM files, or a self-signed pair
// kept in <data dir>/tls (with --durability memory: made anew, and the
// certificate written to a temporary file for clients to trust). Logs where
// the certificate is and its fingerprint. False when it cannot.
// `*temporary_file`: the temporary certificate file to remove at exit.
bool SetUpTls(const ServeConfig& config, server::TlsOptions* tls, std::string* temporary_file) {
  auto load = [&]() -> Result<server::TlsCredentials> {
    if (!config.tls_cert.empty()) return server::LoadTlsCredentials(config.tls_cert, config.tls_key);
    if (config.durability != storage::Durability::kMemory) {
      return server::LoadOrMakeTlsCredentials(config.data_dir + "/tls");
    }
    SLUICE_ASSIGN_OR_RETURN(server::TlsCredentials made, server::MakeSelfSignedCertificate());
    made.cert_path = server::WriteTemporaryCertificate(made.cert_pem);
    if (made.cert_path.empty()) log::Warn("cannot write the TLS certificate to a temporary file");
    *temporary_file = made.cert_path;
    return made;
  };
  Result<server::TlsCredentials> credentials = load();
  if (!credentials.ok()) {
    log::Error("TLS certificate: {}", credentials.status().ToString());
    return false;
  }
  log::Info("TLS certificate {} ({}), SHA-256 {}",
            credentials->cert_path.empty() ? "(in memory)" : credentials->cert_path,
            credentials->generated ? "self-signed, made now" : "loaded", credentials->fingerprint);
  tls->enabled = true;
  tls->separate_port = config.tls_port != 0;
  tls->port = config.tls_port;
  tls->cert_pem = std::move(credentials->cert_pem);
  tls->key_pem = std::move(credentials->key_pem);
  return true;
}

// The quota settings: --limits, then each --limit NAME=VALUE.
struct QuotaSettings {
  engine::ThroughputLimits throughput;
  bool control_plane = false;
};

Result<QuotaSettings> ReadQuotaSettings(const ServeConfig& config) {
  QuotaSettings q;
  if (config.limits == "real") {
    q.throughput = engine::ThroughputLimits::Real();
    q.control_plane = true;
  }
  for (const std::string& item : config.limit_overrides) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("--limit " + item + ": expected NAME=VALUE");
    const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) {
      return Status::InvalidArgument("--limit " + item + ": the value must be a number");
    }
    if (name == "control-plane") {
      if (value != 0 && value != 1) return Status::InvalidArgument("--limit control-plane takes 0 or 1");
      q.control_plane = value == 1;
      continue;
    }
    SLUICE_RETURN_IF_ERROR(q.throughput.Set(name, value));
  }
  return q;
}

// What GET /admin/limits answers.
std::string DescribeQuotas(const QuotaSettings& q) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  for (const auto& [name, value] : q.throughput.Figures()) w.MemberDouble(name, value);
  w.MemberBool("control-plane", q.control_plane);
  w.EndObject();
  return out;
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
  }
  return "a signal";
}

// --ready-file: what a harness reads to find the ports, written to a
// temporary name and renamed, so a reader never sees half of it.
Status WriteReadyFile(const std::string& path, int port, int tls_port, int admin_port) {
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.MemberInt("port", port);
  w.Key("tls_port");
  tls_port > 0 ? w.Int(tls_port) : w.Null();
  w.Key("admin_port");
  admin_port > 0 ? w.Int(admin_port) : w.Null();
  w.MemberInt("pid", getpid());
  w.EndObject();
  json += "\n";
  const std::string temporary = path + ".tmp";
  std::FILE* f = std::fopen(temporary.c_str(), "w");
  if (f == nullptr) return Status::InvalidArgument(temporary + ": " + std::strerror(errno));
  const bool written = std::fwrite(json.data(), 1, json.size(), f) == json.size();
  if (std::fclose(f) != 0 || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    std::remove(temporary.c_str());
    return Status::InvalidArgument(path + ": " + error);
  }
  return Status::Ok();
}

}  // namespace

int RunServe(const ServeConfig& config) {
  log::SetLevel(ParseLevel(config.log_level));
  log::SetFormat(config.log_format == "json" ? log::Format::kJson : log::Format::kText);
  TuneAllocator();
  RaiseOpenFilesLimit();
  storage::FdCache::Instance().SetCapacity(config.max_open_segments > 0 ? static_cast<size_t>(config.max_open_segments)
                                                                        : storage::FdCache::CapacityForThisProcess());
  // A file left by an earlier run must not announce this one's ports.
  if (!config.ready_file.empty()) std::remove(config.ready_file.c_str());
  if (Status cluster_flags = CheckClusterFlags(config); !cluster_flags.ok()) {
    log::Error("{}", cluster_flags.message());
    return 2;
  }

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // The terminal closing, or a supervisor's "reload": there is no
  // configuration to reload, so a hang-up stops the server as SIGTERM does.
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  engine::EngineOptions eopts;
  eopts.data_dir = config.data_dir;
  eopts.durability = config.durability;
  eopts.log.durability = config.durability;
  eopts.create_stream_delay_ms = config.create_stream_ms;
  eopts.delete_stream_delay_ms = config.delete_stream_ms;
  eopts.update_stream_delay_ms = config.update_stream_ms;
  eopts.register_consumer_delay_ms = config.register_consumer_ms;
  eopts.deregister_consumer_delay_ms = config.deregister_consumer_ms;
  eopts.subscription_lifetime_ms = config.subscription_lifetime_ms;
  eopts.subscription_heartbeat_ms = config.subscription_heartbeat_ms;
  eopts.shard_idle_unload_ms = config.shard_idle_unload_seconds * 1000;
  eopts.quotas.shard_limit = config.shard_limit;
  eopts.quotas.on_demand_stream_limit = config.on_demand_stream_limit;
  eopts.quotas.consumers_per_stream = config.consumer_limit;
  Result<QuotaSettings> quotas = ReadQuotaSettings(config);
  if (!quotas.ok()) {
    log::Error("{}", quotas.status().message());
    return 2;
  }
  eopts.limits = quotas->throughput;
  if (quotas->throughput.Any() || quotas->control_plane) log::Info("quota emulation on: {}", DescribeQuotas(*quotas));
  api::FaultInjector faults;
  if (!config.faults_file.empty()) {
    std::ifstream in(config.faults_file);
    std::stringstream text;
    text << in.rdbuf();
    Status loaded = in ? faults.Replace(text.str()) : Status::InvalidArgument("cannot read the file");
    if (!loaded.ok()) {
      log::Error("--faults {}: {}", config.faults_file, loaded.message());
      return 2;
    }
    log::Info("fault rules from {}: {}", config.faults_file, faults.Describe());
  }
  // Where channels deliver; the delivery engine is given this store.
  Result<std::shared_ptr<object_store::ObjectStore>> object_store = OpenObjectStore(config);
  if (!object_store.ok()) {
    log::Error("{}", object_store.status().ToString());
    return 1;
  }
  OffsetClock offset_clock(config.clock_offset_ms);
  if (config.clock_offset_ms != 0) {
    eopts.clock = &offset_clock;
    log::Warn("clock shifted by {} ms (--clock-offset-ms)", config.clock_offset_ms);
  }
  // One process per data directory, locked before anything in it is read.
  std::optional<DataDirLock> data_dir_lock;
  if (config.durability != storage::Durability::kMemory) {
    Result<DataDirLock> locked = DataDirLock::Acquire(config.data_dir);
    if (!locked.ok()) {
      log::Error("{}", locked.status().message());
      return 1;
    }
    data_dir_lock.emplace(std::move(locked).value());
  }
  auto tables = dynamodb::TableStore::Open({config.data_dir, config.durability});
  if (!tables.ok()) {
    log::Error("cannot open the DynamoDB tables in {}: {}", config.data_dir, tables.status().ToString());
    return 1;
  }
  // Cluster mode: the streams' metadata is kept in etcd, shared by every node.
  std::unique_ptr<ClusterControl> cluster_control;
  std::unique_ptr<cluster::RequestForwarder> forwarder;
  if (!config.cluster.empty()) {
    Result<std::unique_ptr<ClusterControl>> connected = ClusterControl::Connect(config);
    if (!connected.ok()) {
      log::Error("cannot use the cluster at {}: {}", config.cluster, connected.status().message());
      return 1;
    }
    cluster_control = std::move(connected).value();
    // The DynamoDB tables are etcd's, one set for every node.
    tables = dynamodb::TableStore::Open(
        {config.data_dir, config.durability, storage::Env::Default(), cluster_control->dynamodb_tables()});
    if (!tables.ok()) {
      log::Error("cannot open the DynamoDB tables in etcd: {}", tables.status().ToString());
      return 1;
    }
    eopts.catalog = cluster_control->catalog();
    eopts.accounts = cluster_control->accounts();
    eopts.placement = cluster_control->placement();
    eopts.active_once_led = true;  // a new stream is ACTIVE once the controller has given each shard a leader
    eopts.iterator_key = cluster_control->iterator_key();
    // Data-plane calls for shards other nodes lead go there: whole
    // (forwarded), or a PutRecords' records shard by shard (PutToShard).
    // Under --auth they are signed as this node's, acting as the client's account.
    forwarder = std::make_unique<cluster::RequestForwarder>(
        cluster::ForwarderOptions{.signer = cluster_control->peer_signer()});
    eopts.remote_writer = std::make_shared<cluster::PeerShardWriter>(*forwarder);
  }
  // The shard logs' store, built here so that the consumer group journal
  // shares its group commit.
  auto shard_stores = std::make_shared<engine::LocalShardStoreFactory>(eopts.log);
  eopts.shard_stores = shard_stores;
  // Cluster mode: each shard's records are replicated, in logs kept by the local store.
  if (cluster_control) eopts.shard_stores = cluster_control->ShardStores(shard_stores);
  auto engine = engine::Engine::Open(eopts);
  if (!engine.ok()) {
    log::Error("cannot open the data dir {}: {}", config.data_dir, engine.status().ToString());
    return 1;
  }
  (*engine)->Start();
  channels::ChannelRegistry channel_registry(
      {channels::ChannelsPath(config.data_dir), config.durability == storage::Durability::kMemory,
       config.create_stream_ms, config.update_stream_ms, config.delete_stream_ms},
      eopts.clock != nullptr ? *eopts.clock : SystemClock::Instance(),
      // Cluster mode: the channels are kept in etcd, shared by every node.
      cluster_control ? cluster_control->channels() : nullptr);
  if (Status loaded = channel_registry.Load(); !loaded.ok()) {
    log::Error("cannot read the channels in {}: {}", config.data_dir, loaded.ToString());
    return 1;
  }
  // Channels deliver to the store chosen above: <data-dir>/s3/<bucket>/<key>, or --s3-endpoint.
  channels::DeliveryOptions delivery_options;
  delivery_options.data_dir = config.data_dir;
  delivery_options.in_memory = config.durability == storage::Durability::kMemory;
  if (cluster_control) {
    // Cluster mode: each node delivers the shards it leads; the checkpoints are in etcd.
    delivery_options.checkpoints = cluster_control->delivery_checkpoints();
    delivery_options.placement = cluster_control->placement();
  }
  channels::Delivery delivery(channel_registry, **engine, *object_store, delivery_options,
                              eopts.clock != nullptr ? *eopts.clock : SystemClock::Instance());

  // Consumer groups: durable groups and checkpoints under <data-dir>/groups/
  // (in a cluster: in etcd, each group answered by one coordinating node).
  std::unique_ptr<groups::GroupRecords> group_records;
  if (cluster_control) {
    group_records = cluster_control->OpenGroupRecords();
  } else {
    auto group_store = groups::GroupStore::Open(
        {.data_dir = config.data_dir, .durability = config.durability, .flusher = shard_stores->flusher()});
    if (!group_store.ok()) {
      log::Error("cannot open the consumer groups in {}: {}", config.data_dir, group_store.status().ToString());
      return 1;
    }
    group_records = std::move(group_store).value();
  }
  groups::CoordinatorOptions group_options{.clock = eopts.clock};
  if (cluster_control) {
    group_options.coordinates_here = [placement = cluster_control->group_placement()](const groups::GroupKey& key) {
      Result<groups::GroupCoordinator> coordinator = placement->CoordinatorOf(key);
      return !coordinator.ok() || coordinator->here;  // no live node known yet: nothing moved
    };
  }
  groups::Coordinator group_coordinator(**engine, *group_records, std::move(group_options));
  group_coordinator.Start();

  api::ApiOptions aopts;
  aopts.default_account = config.account;
  aopts.default_region = config.region;
  api::CallRates call_rates;
  if (quotas->control_plane) aopts.call_rates = &call_rates;
  aopts.faults = &faults;
  aopts.channels = &channel_registry;
  gateway::Gateway gateway;
  std::unique_ptr<cluster::EngineShardPuts> shard_puts;
  if (cluster_control) {
    gateway.AddService(std::make_unique<api::KinesisService>(**engine, aopts, forwarder.get(), config.node_id,
                                                             /*forward_puts=*/eopts.remote_writer == nullptr,
                                                             /*relay_subscriptions=*/true),
                       /*fallback=*/true);
    // The peer protocol: the followers' fetches, and PutToShard from the other nodes.
    shard_puts = std::make_unique<cluster::EngineShardPuts>(**engine);
    gateway.AddService(std::make_unique<cluster::PeerService>(cluster_control->fetch_handler(), shard_puts.get()));
  } else {
    gateway.AddService(std::make_unique<api::KinesisService>(**engine, aopts), /*fallback=*/true);
  }
  gateway.AddService(std::make_unique<dynamodb::DynamoDbService>(**tables, config.account, config.region));
  cloudwatch::MetricStore cloudwatch_metrics;
  gateway.AddService(
      std::make_unique<cloudwatch::CloudWatchService>(cloudwatch_metrics, config.account, config.region));
  gateway.AddService(std::make_unique<sts::StsService>(config.account));
  groups_api::GroupsCluster groups_cluster;
  if (cluster_control) groups_cluster = {cluster_control->group_placement(), forwarder.get(), config.node_id};
  gateway.AddService(std::make_unique<groups_api::GroupsService>(group_coordinator, **engine, config.account,
                                                                 config.region, std::move(groups_cluster)));
  gateway.SetLogRequests(config.log_requests);
  // The console's pages read every stream without a signature, so it is
  // served only where any credentials are accepted anyway.
  console::Console console(**engine, config.account, config.region);
  console.SetCloudWatchSource([&cloudwatch_metrics] { return cloudwatch::LatestValuesJson(cloudwatch_metrics); });
  console.SetChannelsSource(
      [&delivery] { return channels::DeliveryStatsJson(delivery.Stats(), delivery.Destination()); });
  console.SetGroupsSource([&group_coordinator, &streams = **engine] {
    return groups::GroupsJson(group_coordinator, streams.Metrics(engine::ShardDetail::kNone).streams);
  });
  if (cluster_control) console.SetClusterSource([&cluster_control] { return cluster_control->StatusJson(); });
  if (config.auth_file.empty()) {
    auto page = [&console](const server::HttpRequest& req) { return console.Answer(req); };
    gateway.AddPage("/console", page);
    gateway.AddPage("/console/", page);
  }
  if (!config.auth_file.empty()) {
    Result<auth::CredentialMap> credentials = auth::LoadCredentialsFile(config.auth_file);
    if (!credentials.ok()) {
      log::Error("cannot use the credentials file: {}", credentials.status().ToString());
      return 1;
    }
    log::Info("verifying Signature Version 4 against {} access keys from {}", credentials->size(), config.auth_file);
    gateway.SetVerifier(std::make_unique<auth::SigV4Verifier>(std::move(credentials).value(), config.account));
    // The other nodes' calls, signed with the cluster's peer key, are admitted as the account they name.
    if (cluster_control) gateway.SetPeerVerifier(std::make_unique<auth::PeerVerifier>(cluster_control->peer_key()));
  }

  server::ServerOptions sopts;
  sopts.host = config.host;
  sopts.port = config.port;
  sopts.threads = config.threads > 0 ? config.threads : AvailableCpus();
  sopts.max_body_bytes = config.max_body_bytes;
  sopts.max_buffered_bytes = config.max_buffered_bytes;
  sopts.body_timeout_ms = config.body_timeout_ms;
  std::string temporary_cert;
  if (config.tls && !SetUpTls(config, &sopts.tls, &temporary_cert)) {
    (*engine)->Stop();
    return 1;
  }
  auto server = server::Server::Create(sopts, [&gateway](const server::HttpRequest& req, server::Responder respond) {
    gateway.Handle(req, std::move(respond));
  });
  if (!server.ok()) {
    log::Error("cannot listen on {}:{}: {}", config.host, config.port, server.status().ToString());
    (*engine)->Stop();
    if (!temporary_cert.empty()) std::remove(temporary_cert.c_str());
    return 1;
  }
  gateway.AddPage("/metrics", MetricsPage(**engine, server->get(), gateway, &cloudwatch_metrics, &delivery,
                                          &group_coordinator, cluster_control.get()));
  (*server)->Start();
  Admin admin(faults, DescribeQuotas(*quotas));
  Result<std::unique_ptr<server::Server>> admin_server = std::unique_ptr<server::Server>();
  if (config.admin_port >= 0) {
    server::ServerOptions aso;
    aso.host = "127.0.0.1";
    aso.port = static_cast<uint16_t>(config.admin_port);
    aso.threads = 1;
    admin_server = server::Server::Create(aso, [&admin](const server::HttpRequest& req, server::Responder respond) {
      admin.Handle(req, std::move(respond));
    });
    if (!admin_server.ok()) {
      log::Error("cannot listen on 127.0.0.1:{} for the admin API: {}", config.admin_port,
                 admin_server.status().ToString());
      faults.Stop();
      (*server)->Shutdown(0);
      if (forwarder) forwarder->Stop();
      (*engine)->Stop();
      if (!temporary_cert.empty()) std::remove(temporary_cert.c_str());
      return 1;
    }
    (*admin_server)->Start();
    log::Info("admin API on 127.0.0.1:{}", (*admin_server)->port());
  }
  // Cluster mode: this node registers in etcd once it serves, and is refused
  // when a live node has its id.
  std::unique_ptr<ClusterMembership> membership;
  if (!config.cluster.empty()) {
    Result<std::unique_ptr<ClusterMembership>> joined = ClusterMembership::Join(config, (*server)->port());
    Status started = joined.status();
    if (started.ok()) {
      membership = std::move(joined).value();
      // From the revision the engine loaded at: nothing changed since is missed.
      cluster_control->Follow(**engine);
      started = cluster_control->StartController(*membership);
    }
    if (!started.ok()) {
      log::Error("{}", started.message());
      cluster_control->Stop();
      if (membership) membership->Leave();
      if (*admin_server) (*admin_server)->Shutdown(0);
      faults.Stop();
      (*server)->Shutdown(0);
      if (forwarder) forwarder->Stop();
      (*engine)->Stop();
      if (!temporary_cert.empty()) std::remove(temporary_cert.c_str());
      return 1;
    }
  }
  delivery.Start();  // after the last early return: those stop the engine under it
  gateway.SetReady(true);
  log::Info("sluice listening on {}:{} (data dir {}, durability {}, region {}, account {}, {} threads)", config.host,
            (*server)->port(), config.durability == storage::Durability::kMemory ? "none" : config.data_dir,
            DurabilityName(config.durability), config.region, config.account, sopts.threads);
  if (config.tls) {
    log::Info("TLS on port {}{}", (*server)->tls_port(),
              sopts.tls.separate_port ? " (TLS only)" : " (shared with plain HTTP)");
  }
  // The ports for programs (as fields in either log format, and --ready-file).
  const int tls_port = config.tls ? (*server)->tls_port() : 0;
  const int admin_port = *admin_server ? (*admin_server)->port() : 0;
  log::Event(log::Level::kInfo, "ready",
             {{"port", static_cast<int>((*server)->port())},
              {"tls_port", tls_port},
              {"admin_port", admin_port},
              {"pid", static_cast<int>(getpid())}});
  // A harness waiting for the file would wait in vain: stop instead.
  int exit_code = 0;
  if (!config.ready_file.empty()) {
    Status written = WriteReadyFile(config.ready_file, (*server)->port(), tls_port, admin_port);
    if (!written.ok()) {
      log::Error("cannot write --ready-file {}, stopping", written.message());
      exit_code = 1;
    }
  }

  if (exit_code == 0) {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::Info("received {}, finishing in-flight requests", SignalName(sig));
    if (!config.ready_file.empty()) std::remove(config.ready_file.c_str());
  }
  // Leaving first: the cluster stops counting on this node at once (the
  // controller resigns, so another node takes over).
  if (cluster_control) cluster_control->Stop();
  if (membership) membership->Leave();
  gateway.SetReady(false);
  if (*admin_server) (*admin_server)->Shutdown(1000);
  // Delayed answers go out now (and later ones undelayed): each calls into
  // the gateway, which is destroyed before the fault injector.
  faults.Stop();
  (*server)->Shutdown(5000);
  // Calls still with other nodes are answered now, while what they answer through is here.
  if (forwarder) forwarder->Stop();
  delivery.Stop();
  group_coordinator.Stop();
  (*engine)->Stop();
  if (!temporary_cert.empty()) std::remove(temporary_cert.c_str());
  log::Info("sluice stopped");
  return exit_code;
}

}  // namespace sluice::cli
