// The console's files, embedded at build time from the repository's
// console/ folder (the generated console_assets.cc; see src/console/CMakeLists.txt).
#pragma once

#include <span>
#include <string_view>

namespace sluice::console {

struct ConsoleAsset {
  std::string_view name;          // file name, e.g. "console.js"
  std::string_view content_type;  // from its extension
  std::string_view body;
};

std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace sluice::console
