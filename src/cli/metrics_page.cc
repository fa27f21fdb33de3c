#include "cli/metrics_page.h"

#include <memory>
#include <optional>

#include "channels/delivery_metrics.h"
#include "cloudwatch/metric_exposition.h"
#include "console/metric_families.h"
#include "groups/group_metrics.h"
#include "metrics/build_info.h"
#include "metrics/process_metrics.h"

namespace sluice::cli {
namespace {

// The scrape goes out in pieces of about this size, and no more is made
// while this much is waiting for the client.
constexpr size_t kPieceBytes = 64u << 10;
constexpr size_t kBufferedBytes = 256u << 10;

// Writes a TextStream to a streamed body as the client reads it: a piece at
// a time until the writer holds kBufferedBytes, then again on each drain.
// Runs on the connection's loop thread only.
struct TextPump {
  std::shared_ptr<metrics::TextStream> text;
  std::shared_ptr<server::BodyWriter> writer;

  void Run() {
    while (text && !writer->closed() && writer->BufferedBytes() < kBufferedBytes) {
      std::string piece;
      const bool more = text->Next(&piece, kPieceBytes);
      if (!piece.empty()) writer->Write(std::move(piece));
      if (!more) {
        text.reset();  // what the parts held goes now, not with the connection
        writer->Finish();
      }
    }
  }
};

}  // namespace

std::shared_ptr<server::StreamingBody> StreamedText(std::shared_ptr<metrics::TextStream> text) {
  auto pump = std::make_shared<TextPump>();
  pump->text = std::move(text);
  auto body = std::make_shared<server::StreamingBody>();
  body->drain_threshold = kBufferedBytes;
  body->on_start = [pump](std::shared_ptr<server::BodyWriter> writer) {
    pump->writer = std::move(writer);
    pump->Run();
  };
  body->on_drain = [pump] {
    if (pump->writer) pump->Run();
  };
  return body;
}

gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway, const cloudwatch::MetricStore* cloudwatch,
                                   const channels::Delivery* delivery, groups::Coordinator* groups,
                                   const ClusterControl* cluster) {
  return [&engine, server, &gateway, cloudwatch, delivery, groups, cluster](const server::HttpRequest&) {
    auto text = std::make_shared<metrics::TextStream>();
    auto streams = std::make_shared<engine::EngineMetrics>(engine.Metrics(engine::ShardDetail::kEnhanced));
    console::AddEngineMetrics(streams, *text);
    metrics::Exposition out;
    if (server) console::AddServerMetrics(server->Connections(), out);
    gateway.AddMetrics(out);
    if (cloudwatch) cloudwatch::AddCloudWatchMetrics(*cloudwatch, out);
    if (delivery) channels::AddDeliveryMetrics(delivery->Stats(), out);
    if (groups) groups::AddGroupMetrics(*groups, streams->streams, out);
    if (cluster) cluster->AddMetrics(out);
    if (std::optional<metrics::ProcessStats> process = metrics::ReadProcessStats()) {
      metrics::AddProcessMetrics(*process, out);
    }
    metrics::AddBuildInfo(out);
    text->AddText(out.Render());
    server::HttpResponse r;
    r.headers.emplace_back("Content-Type", std::string(metrics::kContentType));
    r.streaming = StreamedText(std::move(text));
    return r;
  };
}

}  // namespace sluice::cli
