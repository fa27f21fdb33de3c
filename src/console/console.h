// The web console at /console: a page and its scripts built into the binary
// (from the repository's console/ folder, embedded at build time), and a
// small read-only JSON API the page polls every second:
//   GET /console/api/streams                   every stream: status, mode, shards, retention,
//                                               bytes on disk, cumulative record and byte counts
//   GET /console/api/stream?name=&account=&region=
//                                               one stream's per-shard cumulative counters and
//                                               iterator ages (the page turns counters into rates)
//   GET /console/api/records?stream=&shard=&n=&account=&region=
//                                               the newest n records of a shard (data in base64)
//   GET /console/api/cloudwatch                the CloudWatch metrics applications put (their
//                                               latest values), when a source is set
//   GET /console/api/channels                  every delivering channel's figures and last
//                                               error, when a source is set
//   GET /console/api/groups                    every stream's consumer groups: members,
//                                               assignment, checkpoints, lag per shard, when a
//                                               source is set
//   GET /console/api/cluster                   the cluster's nodes and shards as `sluice cluster
//                                               status --json` gives them, in cluster mode (a
//                                               source is set); else 404 saying so
// Everything else the page shows or does (hash ranges, lineage, consumers,
// creating, deleting, resharding, putting a record) goes through the Kinesis
// API itself from the browser, like any other client.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "server/http_types.h"

namespace sluice::console {

class Console {
 public:
  // `account` and `region`: the namespace of requests that name none.
  Console(engine::Engine& engine, std::string account, std::string region)
      : engine_(engine), account_(std::move(account)), region_(std::move(region)) {}

  // The JSON of /console/api/cloudwatch (the page lists its "metrics");
  // without one that path answers 404. Call before serving.
  void SetCloudWatchSource(std::function<std::string()> source) { cloudwatch_ = std::move(source); }
  // The JSON of /console/api/channels (the page lists its "channels");
  // without one that path answers 404. Call before serving.
  void SetChannelsSource(std::function<std::string()> source) { channels_ = std::move(source); }
  // The JSON of /console/api/groups (the page lists its "streams"' groups);
  // without one that path answers 404. Call before serving.
  void SetGroupsSource(std::function<std::string()> source) { groups_ = std::move(source); }
  // The JSON of /console/api/cluster (cluster/cluster_status.h's document;
  // the page lists its "nodes" and "shards"); without one that path answers
  // 404 {"error": "... not in a cluster ..."}. Call before serving.
  void SetClusterSource(std::function<std::string()> source) { cluster_ = std::move(source); }

  // True when `request` is the console's (GET /console...): then `*response`
  // is its answer.
  bool Handle(const server::HttpRequest& request, server::HttpResponse* response) const;
  // The answer to a request for a console path: Handle's, else 404.
  server::HttpResponse Answer(const server::HttpRequest& request) const;

 private:
  std::string Streams() const;
  server::HttpResponse Stream(std::string_view query) const;
  server::HttpResponse Records(std::string_view query) const;

  engine::Engine& engine_;
  std::string account_;
  std::string region_;
  std::function<std::string()> cloudwatch_;
  std::function<std::string()> channels_;
  std::function<std::string()> groups_;
  std::function<std::string()> cluster_;
};

// The value of `key` in a URL query string ("a=1&b=x%20y"), percent-decoded;
// empty when absent.
std::string QueryParam(std::string_view query, std::string_view key);

}  // namespace sluice::console
