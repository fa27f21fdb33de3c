// The version line of `sluice --version` and `sluice version`.
#pragma once

#include <string_view>

namespace sluice::cli {

// "sluice 0.1.0 (git 1a2b3c4, built 2026-01-02)": the project version, the
// commit the build was configured at ("-dirty" with uncommitted changes,
// "unknown" without git) and the configure date (UTC).
std::string_view VersionLine();

}  // namespace sluice::cli
