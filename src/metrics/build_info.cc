#include "metrics/build_info.h"

namespace sluice::metrics {

// SLUICE_VERSION and SLUICE_REVISION are defined for this file alone by
// src/metrics/CMakeLists.txt.
std::string_view BuildVersion() { return SLUICE_VERSION; }
std::string_view BuildRevision() { return SLUICE_REVISION; }

void AddBuildInfo(Exposition& out) {
  out.Declare("sluice_build_info", "The version and source revision of the running server; always 1.",
              MetricType::kGauge)
      .Add({{"version", std::string(BuildVersion())}, {"revision", std::string(BuildRevision())}}, int64_t{1});
}

}  // namespace sluice::metrics
