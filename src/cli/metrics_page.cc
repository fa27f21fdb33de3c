#include "cli/metrics_page.h"

#include <optional>

#include "channels/delivery_metrics.h"
#include "cloudwatch/metric_exposition.h"
#include "console/metric_families.h"
#include "metrics/build_info.h"
#include "metrics/process_metrics.h"

namespace sluice::cli {

gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway, const cloudwatch::MetricStore* cloudwatch,
                                   const channels::Delivery* delivery) {
  return [&engine, server, &gateway, cloudwatch, delivery](const server::HttpRequest&) {
    metrics::Exposition out;
    console::AddEngineMetrics(engine.Metrics(), out);
    if (server) console::AddServerMetrics(server->Connections(), out);
    gateway.AddMetrics(out);
    if (cloudwatch) cloudwatch::AddCloudWatchMetrics(*cloudwatch, out);
    if (delivery) channels::AddDeliveryMetrics(delivery->Stats(), out);
    if (std::optional<metrics::ProcessStats> process = metrics::ReadProcessStats()) {
      metrics::AddProcessMetrics(*process, out);
    }
    metrics::AddBuildInfo(out);
    server::HttpResponse r;
    r.headers.emplace_back("Content-Type", std::string(metrics::kContentType));
    r.body = out.Render();
    return r;
  };
}

}  // namespace sluice::cli
