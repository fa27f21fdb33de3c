#include "metrics/build_info.h"

#include <gtest/gtest.h>

namespace sluice::metrics {
namespace {

TEST(BuildInfoTest, GaugeOfOneLabelledWithVersionAndRevision) {
  EXPECT_FALSE(BuildVersion().empty());
  EXPECT_FALSE(BuildRevision().empty());
  Exposition out;
  AddBuildInfo(out);
  EXPECT_EQ(out.Render(),
            "# HELP sluice_build_info The version and source revision of the running server; always 1.\n"
            "# TYPE sluice_build_info gauge\n"
            "sluice_build_info{version=\"" +
                std::string(BuildVersion()) + "\",revision=\"" + std::string(BuildRevision()) + "\"} 1\n");
}

}  // namespace
}  // namespace sluice::metrics
