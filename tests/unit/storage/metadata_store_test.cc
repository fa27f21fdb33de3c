#include "storage/metadata_store.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "storage/log_format.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::TempDir;

TEST(MetadataStoreTest, NothingSavedLoadsAsNullopt) {
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), false);
  auto doc = store.Load();
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->has_value());
}

TEST(MetadataStoreTest, SaveThenLoadRoundTrips) {
  TempDir dir;
  std::string doc = std::string("{\"streams\":[]}") + std::string(1, '\0') + "binary";
  {
    MetadataStore store(dir.Join("metadata"), false);
    ASSERT_TRUE(store.Save(doc).ok());
  }
  MetadataStore reopened(dir.Join("metadata"), false);
  auto loaded = reopened.Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, doc);
}

TEST(MetadataStoreTest, SaveReplacesAndLeavesNoTemporaryFile) {
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), false);
  ASSERT_TRUE(store.Save("first").ok());
  ASSERT_TRUE(store.Save("second, longer document").ok());
  EXPECT_EQ(**store.Load(), "second, longer document");
  ASSERT_TRUE(store.Save("").ok());
  EXPECT_EQ(**store.Load(), "");
  EXPECT_FALSE(std::filesystem::exists(dir.Join("metadata.tmp")));
}

TEST(MetadataStoreTest, LeftoverTemporaryFileDoesNotAffectLoad) {
  // A crash between writing the temporary file and renaming it.
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), false);
  ASSERT_TRUE(store.Save("committed").ok());
  testutil::WriteGarbage(dir.Join("metadata.tmp"), "half-writ");
  EXPECT_EQ(**store.Load(), "committed");
  ASSERT_TRUE(store.Save("next").ok());
  EXPECT_EQ(**store.Load(), "next");
}

TEST(MetadataStoreTest, FlippedPayloadByteIsCorruption) {
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), false);
  ASSERT_TRUE(store.Save("some metadata document").ok());
  testutil::FlipByte(dir.Join("metadata"), kMetadataHeaderSize + 3);
  auto doc = store.Load();
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), ErrorCode::kCorruption);
}

TEST(MetadataStoreTest, TruncatedOrForeignFileIsCorruption) {
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), false);
  ASSERT_TRUE(store.Save("some metadata document").ok());
  testutil::TruncateFile(dir.Join("metadata"), testutil::FileSize(dir.Join("metadata")) - 1);
  EXPECT_EQ(store.Load().status().code(), ErrorCode::kCorruption);
  testutil::WriteGarbage(dir.Join("metadata"), "not a metadata file at all");
  EXPECT_EQ(store.Load().status().code(), ErrorCode::kCorruption);
}

TEST(MetadataStoreTest, InMemoryStoreTouchesNoFile) {
  TempDir dir;
  MetadataStore store(dir.Join("metadata"), true);
  EXPECT_FALSE(store.Load()->has_value());
  ASSERT_TRUE(store.Save("doc").ok());
  EXPECT_EQ(**store.Load(), "doc");
  EXPECT_FALSE(std::filesystem::exists(dir.Join("metadata")));
}

TEST(MetadataStoreTest, AFailedRenameKeepsTheOldDocumentIntact) {
  TempDir dir;
  FaultInjectionEnv env;
  MetadataStore store(dir.Join("metadata"), false, &env);
  ASSERT_TRUE(store.Save("old").ok());
  env.FailNext(FaultOp::kRename, EIO);
  Status failed = store.Save("new");
  EXPECT_EQ(failed.code(), ErrorCode::kIoError);
  EXPECT_NE(failed.message().find("rename"), std::string::npos) << failed.ToString();
  EXPECT_EQ(env.FailuresInjected(), 1u);
  EXPECT_EQ(**store.Load(), "old");
  EXPECT_EQ(**MetadataStore(dir.Join("metadata"), false, &env).Load(), "old");
  ASSERT_TRUE(store.Save("new").ok());  // the next save replaces it
  EXPECT_EQ(**store.Load(), "new");
}

TEST(MetadataStoreTest, APowerLossKeepsTheLastSavedDocument) {
  TempDir dir;
  FaultInjectionEnv env;
  MetadataStore store(dir.Join("metadata"), false, &env);
  ASSERT_TRUE(store.Save("first").ok());
  ASSERT_TRUE(store.Save("second").ok());
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(**MetadataStore(dir.Join("metadata"), false, &env).Load(), "second");

  // The power fails before the directory holding the new name is synced.
  env.PowerOffAt(FaultOp::kSyncDir);
  EXPECT_FALSE(store.Save("third").ok());
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  EXPECT_EQ(**MetadataStore(dir.Join("metadata"), false, &env).Load(), "second");
}

}  // namespace
}  // namespace sluice::storage
