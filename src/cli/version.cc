#include "cli/version.h"

#include "cli/version_line.h"  // generated into the build tree (cmake/version.cmake)

namespace sluice::cli {

std::string_view VersionLine() { return SLUICE_VERSION_LINE; }

}  // namespace sluice::cli
