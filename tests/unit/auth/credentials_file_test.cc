#include "auth/credentials_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace sluice::auth {
namespace {

Status ParseError(std::string_view text) { return ParseCredentials(text, "creds").status(); }

TEST(ParseCredentials, ReadsProfilesCommentsAndWhitespace) {
  const auto map = ParseCredentials(
      "# leading comment\n"
      "\n"
      "[default]\n"
      "aws_access_key_id=AKIDDEFAULT\n"
      "aws_secret_access_key = secret/with+chars=\n"
      "region = us-east-1\n"
      "  ; indented comment\n"
      "[ other ]\r\n"
      "\taws_access_key_id   =   AKIDOTHER  \r\n"
      "aws_secret_access_key=s2\r\n"
      "aws_account_id = 123456789012\r\n"
      "output=json\n",
      "creds");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ASSERT_EQ(map->size(), 2u);
  const Credential& d = map->at("AKIDDEFAULT");
  EXPECT_EQ(d.secret_access_key, "secret/with+chars=");  // only the first '=' splits
  EXPECT_FALSE(d.account_id.has_value());
  EXPECT_EQ(d.profile, "default");
  const Credential& o = map->at("AKIDOTHER");
  EXPECT_EQ(o.secret_access_key, "s2");
  EXPECT_EQ(o.account_id, "123456789012");
  EXPECT_EQ(o.profile, "other");
}

TEST(ParseCredentials, EmptyTextAndProfilesWithoutKeysGiveAnEmptyMap) {
  auto empty = ParseCredentials("", "creds");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto region_only = ParseCredentials("[profile dev]\nregion = eu-west-1\n", "creds");
  ASSERT_TRUE(region_only.ok());
  EXPECT_TRUE(region_only->empty());
}

TEST(ParseCredentials, MalformedLineNamesFileAndLine) {
  const Status s = ParseError("[a]\naws_access_key_id = K\njust some words\n");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "creds:3: expected 'key = value' or '[profile]'");
}

TEST(ParseCredentials, MalformedSectionHeader) {
  EXPECT_EQ(ParseError("\n[broken\n").message(), "creds:2: malformed section header (expected [name])");
  EXPECT_EQ(ParseError("[  ]\n").message(), "creds:1: empty profile name");
}

TEST(ParseCredentials, KeyBeforeAnyProfile) {
  EXPECT_EQ(ParseError("aws_access_key_id = K\n").message(),
            "creds:1: 'aws_access_key_id' appears before any [profile]");
}

TEST(ParseCredentials, MissingSecretIsReportedAtTheProfileHeader) {
  const Status s = ParseError("[ok]\naws_access_key_id=A\naws_secret_access_key=B\n\n[bad]\naws_access_key_id=C\n");
  EXPECT_EQ(s.message(), "creds:5: profile [bad] has aws_access_key_id but no aws_secret_access_key");
}

TEST(ParseCredentials, SecretWithoutAccessKey) {
  EXPECT_EQ(ParseError("[x]\naws_secret_access_key=B\n").message(),
            "creds:1: profile [x] has aws_secret_access_key but no aws_access_key_id");
}

TEST(ParseCredentials, DuplicateAccessKeyAcrossProfiles) {
  const Status s = ParseError(
      "[one]\naws_access_key_id=AKID\naws_secret_access_key=a\n"
      "[two]\naws_secret_access_key=b\naws_access_key_id=AKID\n");
  EXPECT_EQ(s.message(), "creds:6: access key AKID of profile [two] is already defined by profile [one]");
}

TEST(ParseCredentials, KeyRepeatedInOneProfile) {
  EXPECT_EQ(ParseError("[x]\naws_secret_access_key=a\naws_secret_access_key=b\n").message(),
            "creds:3: aws_secret_access_key given twice in profile [x]");
}

TEST(ParseCredentials, EmptyValue) {
  EXPECT_EQ(ParseError("[x]\naws_access_key_id =\n").message(), "creds:2: aws_access_key_id has an empty value");
}

TEST(ParseCredentials, BadAccountIds) {
  const char* header = "[x]\naws_access_key_id=A\naws_secret_access_key=B\n";
  EXPECT_EQ(ParseError(std::string(header) + "aws_account_id = 12345678901\n").message(),
            "creds:4: aws_account_id must be 12 digits, got '12345678901'");
  EXPECT_EQ(ParseError(std::string(header) + "aws_account_id = 12345678901x\n").message(),
            "creds:4: aws_account_id must be 12 digits, got '12345678901x'");
  EXPECT_EQ(ParseError(std::string(header) + "aws_account_id = 1234567890123\n").message(),
            "creds:4: aws_account_id must be 12 digits, got '1234567890123'");
}

TEST(LoadCredentialsFile, ReadsAFileAndNamesItInErrors) {
  char path[] = "/tmp/sluice-creds-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "[p]\naws_access_key_id=K\naws_secret_access_key=S\n";
  }
  auto ok = LoadCredentialsFile(path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->at("K").secret_access_key, "S");
  {
    std::ofstream out(path);
    out << "[p]\nnonsense\n";
  }
  EXPECT_EQ(LoadCredentialsFile(path).status().message(),
            std::string(path) + ":2: expected 'key = value' or '[profile]'");
  std::remove(path);
  EXPECT_EQ(LoadCredentialsFile(path).status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace sluice::auth
