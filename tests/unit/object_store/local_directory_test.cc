#include "object_store/local_directory.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/storage_test_util.h"
#include "storage/testing/fault_injection_env.h"

namespace sluice::object_store {
namespace {

using storage::testutil::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int EntriesIn(const std::string& dir) {
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  return entries;
}

TEST(LocalDirectoryTest, PutWritesTheObjectUnderItsBucketMakingTheKeysDirectories) {
  TempDir dir;
  LocalDirectory store(dir.Join("s3"));
  ASSERT_TRUE(store.Put("bucket", "2025/01/02/03/object.json", "body\n", {}).ok());
  EXPECT_EQ(Slurp(dir.Join("s3/bucket/2025/01/02/03/object.json")), "body\n");
}

TEST(LocalDirectoryTest, PutOfAnExistingKeyReplacesItWholeAndLeavesNoTemporaryFile) {
  TempDir dir;
  LocalDirectory store(dir.Join("s3"));
  ASSERT_TRUE(store.Put("b", "k", "a much longer first body", {}).ok());
  ASSERT_TRUE(store.Put("b", "k", "second", {}).ok());
  EXPECT_EQ(Slurp(store.PathOf("b", "k")), "second");
  EXPECT_EQ(EntriesIn(dir.Join("s3/b")), 1);
}

TEST(LocalDirectoryTest, KeysThatEscapeOrBlurTheBucketAreRefused) {
  TempDir dir;
  LocalDirectory store(dir.Join("s3"));
  for (const char* key : {"", "/abs", "a//b", "a/", "../x", "a/../b", "a/./b", "."}) {
    Status s = store.Put("b", key, "x", {});
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << "key '" << key << "'";
  }
  EXPECT_EQ(store.Put("..", "k", "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.Put("a/b", "k", "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.Join("x")));
}

TEST(LocalDirectoryTest, AFailedRenameLeavesTheOldObjectAndNoTemporaryFile) {
  TempDir dir;
  storage::FaultInjectionEnv env;
  LocalDirectory store(dir.Join("s3"), &env);
  ASSERT_TRUE(store.Put("b", "k", "old", {}).ok());
  env.FailNext(storage::FaultOp::kRename, ENOSPC);
  Status s = store.Put("b", "k", "new", {});
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_EQ(Slurp(store.PathOf("b", "k")), "old");
  EXPECT_EQ(EntriesIn(dir.Join("s3/b")), 1);
}

TEST(LocalDirectoryTest, AnAcknowledgedPutSurvivesAPowerLoss) {
  TempDir dir;
  storage::FaultInjectionEnv env;
  LocalDirectory store(dir.Join("s3"), &env);
  ASSERT_TRUE(store.Put("b", "x/y", "durable", {}).ok());
  env.SetPowerOn(false);
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  EXPECT_EQ(Slurp(store.PathOf("b", "x/y")), "durable");
}

TEST(LocalDirectoryTest, AFailedDirectorySyncIsReported) {
  TempDir dir;
  storage::FaultInjectionEnv env;
  LocalDirectory store(dir.Join("s3"), &env);
  env.FailNext(storage::FaultOp::kSyncDir, EIO);
  EXPECT_EQ(store.Put("b", "k", "x", {}).code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace sluice::object_store
