// FaultInjectionEnv itself: what it keeps and drops at a simulated power
// loss, and failures on demand. The storage tests' claims rest on it.
#include "storage/testing/fault_injection_env.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::TempDir;

std::string Contents(Env* env, const std::string& path) {
  auto bytes = env->ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : "";
}

TEST(FaultInjectionEnvTest, DroppingUnsyncedDataKeepsExactlyWhatWasSynced) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string path = dir.Join("file");
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  int fd = env.Open(path, OpenMode::kReadWrite).value();
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());  // the entry is durable
  ASSERT_TRUE(env.Write(fd, "synced..", 8, 0, path).ok());
  ASSERT_TRUE(env.Sync(fd, path).ok());
  ASSERT_TRUE(env.Write(fd, "SY", 2, 0, path).ok());     // overwrites synced bytes
  ASSERT_TRUE(env.Write(fd, "-lost", 5, 8, path).ok());  // grows the file
  ASSERT_TRUE(env.Truncate(fd, 4, path).ok());           // and cuts it
  env.Close(fd);
  EXPECT_EQ(Contents(&env, path), "SYnc");
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(&env, path), "synced..");
}

TEST(FaultInjectionEnvTest, DroppingUnsyncedDataUndoesUnsyncedCreationsAndRenames) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string doc = dir.Join("doc"), tmp = dir.Join("doc.tmp"), other = dir.Join("other");
  ASSERT_TRUE(env.WriteFile(doc, "old", /*sync=*/true).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE(env.WriteFile(tmp, "new", /*sync=*/true).ok());
  ASSERT_TRUE(env.Rename(tmp, doc).ok());
  ASSERT_TRUE(env.WriteFile(other, "x", /*sync=*/true).ok());
  EXPECT_EQ(Contents(&env, doc), "new");
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(&env, doc), "old");
  EXPECT_FALSE(std::filesystem::exists(tmp));
  EXPECT_FALSE(std::filesystem::exists(other));

  // Synced, the directory keeps them.
  ASSERT_TRUE(env.WriteFile(tmp, "new", /*sync=*/true).ok());
  ASSERT_TRUE(env.Rename(tmp, doc).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(&env, doc), "new");
}

TEST(FaultInjectionEnvTest, AFailureFiresOnceOnTheChosenCallAndPath) {
  TempDir dir;
  FaultInjectionEnv env;
  env.FailAfter(FaultOp::kSync, 1, ENOSPC, ".log");
  const std::string a = dir.Join("a.log"), b = dir.Join("b.index");
  int fa = env.Open(a, OpenMode::kReadWrite).value();
  int fb = env.Open(b, OpenMode::kReadWrite).value();
  EXPECT_TRUE(env.Sync(fb, b).ok());  // another suffix
  EXPECT_TRUE(env.Sync(fa, a).ok());  // the one call let through
  Status failed = env.Sync(fa, a);
  EXPECT_EQ(failed.code(), ErrorCode::kIoError);
  EXPECT_NE(failed.message().find("No space left on device"), std::string::npos) << failed.ToString();
  EXPECT_TRUE(env.Sync(fa, a).ok());
  EXPECT_EQ(env.FailuresInjected(), 1u);
  env.Close(fa);
  env.Close(fb);
}

TEST(FaultInjectionEnvTest, AFailedWriteLeavesPartOfItsBytes) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string path = dir.Join("f");
  int fd = env.Open(path, OpenMode::kReadWrite).value();
  env.FailNext(FaultOp::kWrite, ENOSPC);
  EXPECT_FALSE(env.Write(fd, "abcdefgh", 8, 0, path).ok());
  EXPECT_EQ(env.Size(fd, path).value(), 4u);
  env.Close(fd);
}

TEST(FaultInjectionEnvTest, WithThePowerOffNothingChangesOnDisk) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string path = dir.Join("f");
  ASSERT_TRUE(env.WriteFile(path, "kept", /*sync=*/true).ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  env.PowerOffAt(FaultOp::kWrite);
  // The open (which empties the file) succeeds, the write does not.
  EXPECT_FALSE(env.WriteFile(path, "lost", /*sync=*/true).ok());
  EXPECT_FALSE(env.Open(dir.Join("g"), OpenMode::kReadWrite).ok());
  EXPECT_FALSE(env.SyncDir(dir.path()).ok());
  env.SetPowerOn(true);
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(&env, path), "kept");
}

}  // namespace
}  // namespace sluice::storage
