// The gateway's request counters, as GET /metrics renders them.
#include "gateway/request_metrics.h"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

TEST(RequestMetricsTest, CountsByOperationStatusAndError) {
  RequestMetrics m;
  const int kinesis = m.AddService({"GetRecords", "PutRecords"});
  const int other = m.AddService({"Query"});
  const int put = m.OperationIndex(kinesis, "PutRecords");
  const int unknown = m.OperationIndex(kinesis, "Nope");
  EXPECT_EQ(m.OperationName(put), "PutRecords");
  EXPECT_EQ(m.OperationName(unknown), "unknown");
  EXPECT_EQ(m.OperationIndex(other, "PutRecords"), unknown);
  EXPECT_EQ(m.OperationIndex(-1, "PutRecords"), unknown);
  m.Record(put, 200, "", 300);
  m.Record(put, 200, "", 2000);
  m.Record(put, 400, "ResourceNotFoundException", 100);
  m.Record(unknown, 400, "UnknownOperationException", 50);
  metrics::Exposition out;
  m.AddTo(out);
  const std::string text = out.Render();
  EXPECT_NE(
      text.find("# TYPE sluice_requests_total counter\n"
                "sluice_requests_total{operation=\"PutRecords\",status=\"200\",error=\"\"} 2\n"
                "sluice_requests_total{operation=\"PutRecords\",status=\"400\",error=\"ResourceNotFoundException\"} 1\n"
                "sluice_requests_total{operation=\"unknown\",status=\"400\",error=\"UnknownOperationException\"} 1\n"
                "# HELP sluice_request_duration_seconds"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_request_duration_seconds_bucket{operation=\"PutRecords\",le=\"0.0005\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_request_duration_seconds_count{operation=\"PutRecords\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_request_duration_seconds_sum{operation=\"PutRecords\"} 0.0024\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("operation=\"GetRecords\""), std::string::npos);  // never called: no series
}

}  // namespace
}  // namespace sluice::gateway
