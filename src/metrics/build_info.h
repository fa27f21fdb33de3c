// What was built: the version (CMake's project version) and the source
// revision (`git describe --always --dirty` of the checkout when CMake
// configured the build; "unknown" outside a git checkout). Served as the
// gauge `sluice_build_info{version,revision} 1`, as Prometheus exporters do.
#pragma once

#include <string_view>

#include "metrics/exposition.h"

namespace sluice::metrics {

std::string_view BuildVersion();
std::string_view BuildRevision();

// Adds sluice_build_info to `out`.
void AddBuildInfo(Exposition& out);

}  // namespace sluice::metrics
