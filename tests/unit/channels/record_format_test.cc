#include "channels/record_format.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include "channels/compression.h"

namespace sluice::channels {
namespace {

TEST(RecordFormatTest, JsonRecordsAreOneDocumentPerLineWithTheirLineBreaksMadeSpaces) {
  RecordWriter w;
  std::string object, reason;
  ASSERT_TRUE(w.Append(RecordFormat::kJson, "{\"a\": 1}", &object, &reason));
  ASSERT_TRUE(w.Append(RecordFormat::kJson, "{\n  \"b\": \"x\\ny\"\r\n}", &object, &reason));
  ASSERT_TRUE(w.Append(RecordFormat::kJson, "42", &object, &reason));
  EXPECT_EQ(object, "{\"a\": 1}\n{   \"b\": \"x\\ny\"  }\n42\n");
}

TEST(RecordFormatTest, ARecordThatIsNotOneJsonDocumentIsRefusedAndLeavesTheObjectAsItWas) {
  RecordWriter w;
  std::string object = "{}\n", reason;
  for (std::string_view bad : {"not json", "{\"a\": ", "", "{} {}"}) {
    reason.clear();
    EXPECT_FALSE(w.Append(RecordFormat::kJson, bad, &object, &reason)) << bad;
    EXPECT_NE(reason.find("JSON"), std::string::npos);
  }
  EXPECT_EQ(object, "{}\n");
}

TEST(RecordFormatTest, StringRecordsAreUtf8LinesAndOtherBytesAreRefused) {
  RecordWriter w;
  std::string object, reason;
  ASSERT_TRUE(w.Append(RecordFormat::kString, "h\xc3\xa9llo", &object, &reason));
  EXPECT_FALSE(w.Append(RecordFormat::kString, "\xff\xfe", &object, &reason));
  EXPECT_NE(reason.find("UTF-8"), std::string::npos);
  EXPECT_EQ(object, "h\xc3\xa9llo\n");
}

TEST(RecordFormatTest, ByteArrayRecordsAreConcatenatedAsTheyAre) {
  RecordWriter w;
  std::string object, reason;
  ASSERT_TRUE(w.Append(RecordFormat::kByteArray, std::string_view("\0\xff", 2), &object, &reason));
  ASSERT_TRUE(w.Append(RecordFormat::kByteArray, "ab", &object, &reason));
  EXPECT_EQ(object, std::string("\0\xff"
                                "ab",
                                4));
}

TEST(CompressionTest, GzipObjectsAreOneGzipMemberThatInflatesBack) {
  const std::string data(100000, 'k');
  Result<std::string> z = Compress(Compression::kGzip, data);
  ASSERT_TRUE(z.ok());
  ASSERT_GT(z->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*z)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*z)[1]), 0x8b);
  z_stream s{};
  ASSERT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string back(data.size() + 1, '\0');
  s.next_in = reinterpret_cast<Bytef*>(z->data());
  s.avail_in = static_cast<uInt>(z->size());
  s.next_out = reinterpret_cast<Bytef*>(back.data());
  s.avail_out = static_cast<uInt>(back.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  back.resize(s.total_out);
  inflateEnd(&s);
  EXPECT_EQ(back, data);
  EXPECT_STREQ(ContentEncoding(Compression::kGzip), "gzip");
}

TEST(CompressionTest, ZstdObjectsAreOneFrameThatDecompressesBack) {
  const std::string data = "{\"id\":1}\n{\"id\":2}\n";
  Result<std::string> z = Compress(Compression::kZstd, data);
  ASSERT_TRUE(z.ok());
  ASSERT_EQ(ZSTD_getFrameContentSize(z->data(), z->size()), data.size());
  std::string back(data.size(), '\0');
  EXPECT_EQ(ZSTD_decompress(back.data(), back.size(), z->data(), z->size()), data.size());
  EXPECT_EQ(back, data);
  EXPECT_STREQ(CompressedExtension(Compression::kZstd), ".zst");
}

TEST(CompressionTest, NoneIsTheDataItself) {
  EXPECT_EQ(*Compress(Compression::kNone, "abc"), "abc");
  EXPECT_EQ(ParseCompression("NONE"), Compression::kNone);
  EXPECT_STREQ(ContentEncoding(Compression::kNone), "");
}

}  // namespace
}  // namespace sluice::channels
