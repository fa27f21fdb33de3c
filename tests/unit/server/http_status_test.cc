#include "server/http_status.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::server {
namespace {

TEST(HttpStatusTest, ReasonPhrasesOfTheStatusesTheServerSends) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(302), "Found");  // GET / to the console
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

TEST(HttpStatusTest, DateIsAnImfFixdate) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": day, 2-digit date, month, year, time.
  std::string date(HttpDateNow());
  ASSERT_EQ(date.size(), 29u) << date;
  EXPECT_NE(std::string("Mon,Tue,Wed,Thu,Fri,Sat,Sun").find(date.substr(0, 3)), std::string::npos) << date;
  EXPECT_NE(std::string("JanFebMarAprMayJunJulAugSepOctNovDec").find(date.substr(8, 3)), std::string::npos) << date;
  const std::string shape = "ddd, 00 ddd 0000 00:00:00 GMT";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == '0') {
      EXPECT_TRUE(date[i] >= '0' && date[i] <= '9') << date;
    } else if (shape[i] != 'd') {
      EXPECT_EQ(date[i], shape[i]) << date;
    }
  }
}

}  // namespace
}  // namespace sluice::server
