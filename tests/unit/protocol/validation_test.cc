#include "protocol/validation.h"

#include <gtest/gtest.h>

#include <array>

namespace sluice::protocol {
namespace {

bool Never(std::string_view) { return false; }

TEST(ValidationTest, EmptyIsOk) {
  ValidationErrors e;
  EXPECT_TRUE(e.ToStatus().ok());
}

TEST(ValidationTest, OneErrorUsesSingular) {
  ValidationErrors e;
  e.CheckString("streamName", std::string_view("a b"), true, "[a-zA-Z0-9_.-]+", &Never, 1, 128);
  Status st = e.ToStatus();
  EXPECT_EQ(st.code(), ErrorCode::kValidation);
  EXPECT_EQ(st.message(),
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

TEST(ValidationTest, SeveralErrorsArePluralAndJoinedInOrder) {
  ValidationErrors e;
  e.CheckNumber("shardCount", 0, true, 1, 100000);
  e.CheckString("streamName", std::nullopt, true, "", nullptr, 1, 128);
  EXPECT_EQ(e.ToStatus().message(),
            "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have "
            "value greater than or equal to 1; Value null at 'streamName' failed to satisfy constraint: Member must "
            "not be null");
}

TEST(ValidationTest, PatternComesBeforeLength) {
  ValidationErrors e;
  e.CheckString("streamName", std::string(129, '!'), false, "[a-zA-Z0-9_.-]+", &Never, 1, 128);
  std::string m = e.ToStatus().message();
  EXPECT_EQ(e.count(), 2u);
  EXPECT_LT(m.find("regular expression"), m.find("less than or equal to 128"));
}

TEST(ValidationTest, AtMostTenErrorsAreReported) {
  ValidationErrors e;
  for (int i = 0; i < 15; ++i) e.CheckRequired("m" + std::to_string(i), false);
  EXPECT_EQ(e.count(), 10u);
  std::string m = e.ToStatus().message();
  EXPECT_EQ(m.rfind("10 validation errors detected: ", 0), 0u);
  EXPECT_NE(m.find("'m9'"), std::string::npos);
  EXPECT_EQ(m.find("'m10'"), std::string::npos);
}

TEST(ValidationTest, EnumListsAllowedValues) {
  ValidationErrors e;
  constexpr std::array<std::string_view, 2> kModes = {"PROVISIONED", "ON_DEMAND"};
  e.CheckEnum("streamModeDetails.streamMode", std::string_view("X"), true, kModes);
  EXPECT_EQ(e.ToStatus().message(),
            "1 validation error detected: Value 'X' at 'streamModeDetails.streamMode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
}

TEST(ValidationTest, BlobsRenderAsHeapByteBuffer) {
  ValidationErrors e;
  e.CheckBlob("data", 11, true, 10);
  EXPECT_EQ(e.ToStatus().message(),
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=11 cap=11]' at 'data' failed to "
            "satisfy constraint: Member must have length less than or equal to 10");
}

TEST(ValidationTest, LengthsCountUtf16Units) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xc3\xa9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xe2\x82\xac"), 1u);      // €
  EXPECT_EQ(Utf16Length("\xf0\x9f\x98\x80"), 2u);  // emoji: a surrogate pair
}

}  // namespace
}  // namespace sluice::protocol
