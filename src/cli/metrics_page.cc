#include "cli/metrics_page.h"

#include "console/metric_families.h"

namespace sluice::cli {

gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway) {
  return [&engine, server, &gateway](const server::HttpRequest&) {
    metrics::Exposition out;
    console::AddEngineMetrics(engine.Metrics(), out);
    if (server) console::AddServerMetrics(server->Connections(), out);
    gateway.AddMetrics(out);
    server::HttpResponse r;
    r.headers.emplace_back("Content-Type", std::string(metrics::kContentType));
    r.body = out.Render();
    return r;
  };
}

}  // namespace sluice::cli
