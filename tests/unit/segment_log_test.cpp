// Segment files of the SQLite store (core/server/segment_log): records read back as written, a
// record that is not what the index says is refused as damage, and an open cuts off what no index
// row names.
#include "core/server/segment_log.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using server::SegmentLocation;
using server::SegmentWriter;

constexpr std::uint64_t kCut = 1 << 20;

Bytes Id(std::uint8_t fill) { return Bytes(32, fill); }

std::string Read(const std::filesystem::path& dir, const SegmentLocation& at, std::uint8_t id,
                 std::uint64_t length) {
  auto r = server::ReadSegmentRecord(dir, at, Id(id), length);
  return r ? std::string(r->begin(), r->end()) : "error: " + r.error().message();
}

TEST(SegmentLog, RecordsReadBackAsWritten) {
  testing::TempDir dir;
  auto w = SegmentWriter::Open(dir / "seg", {}, kCut);
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(w->BeginBatch());
  auto a = w->Append(Id(1), AsBytes(std::string("first")));
  auto b = w->Append(Id(2), AsBytes(std::string("second")));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(w->Sync());
  EXPECT_EQ(a->segment, 1);
  EXPECT_EQ(a->offset, 0u);
  EXPECT_EQ(b->offset, server::kSegmentRecordHeaderBytes + 5);
  EXPECT_EQ(Read(dir / "seg", *a, 1, 5), "first");
  EXPECT_EQ(Read(dir / "seg", *b, 2, 6), "second");
}

TEST(SegmentLog, ARecordThatIsNotWhatTheIndexSaysIsDamage) {
  testing::TempDir dir;
  auto w = SegmentWriter::Open(dir / "seg", {}, kCut);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->BeginBatch());
  auto a = w->Append(Id(1), AsBytes(std::string("first")));
  ASSERT_TRUE(a && w->Sync());
  EXPECT_NE(Read(dir / "seg", *a, 2, 5).find("does not hold the bundle"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", *a, 1, 4).find("does not hold the bundle"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", *a, 1, 500).find("cut or damaged"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", {1, 3}, 1, 5).find("cut or damaged"), std::string::npos);
  auto missing = server::ReadSegmentRecord(dir / "seg", {7, 0}, Id(1), 5);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
}

TEST(SegmentLog, OpenCutsWhatNoIndexRowNamesAndRefusesAShortSegment) {
  testing::TempDir dir;
  SegmentLocation b;
  {
    auto w = SegmentWriter::Open(dir / "seg", {}, kCut);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->BeginBatch());
    ASSERT_TRUE(w->Append(Id(1), AsBytes(std::string("first"))));
    b = w->Append(Id(2), AsBytes(std::string("second"))).value();
    ASSERT_TRUE(w->Sync());
  }
  const std::uint64_t first_end = server::kSegmentRecordHeaderBytes + 5;
  const auto path = server::SegmentPath(dir / "seg", 1);
  {  // The index committed only the first record: the second is cut, and appends follow the first.
    auto w = SegmentWriter::Open(dir / "seg", {{1, first_end}}, kCut);
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ(std::filesystem::file_size(path), first_end);
    ASSERT_TRUE(w->BeginBatch());
    auto c = w->Append(Id(3), AsBytes(std::string("third")));
    ASSERT_TRUE(c && w->Sync());
    EXPECT_EQ(c->offset, first_end);
    EXPECT_EQ(Read(dir / "seg", *c, 3, 5), "third");
    // A batch whose index commit failed is cut at once.
    ASSERT_TRUE(w->BeginBatch());
    ASSERT_TRUE(w->Append(Id(4), AsBytes(std::string("fourth"))));
    w->Rollback();
    EXPECT_EQ(std::filesystem::file_size(path), 2 * first_end);
  }
  {  // More unindexed bytes than one batch: an index older than the segments; nothing is cut.
    auto older_index = SegmentWriter::Open(dir / "seg", {{1, 1}}, first_end);
    ASSERT_FALSE(older_index);
    EXPECT_EQ(older_index.error().kind(), ErrorKind::kCorruption);
    EXPECT_NE(older_index.error().message().find("older backup"), std::string::npos);
    EXPECT_EQ(std::filesystem::file_size(path), 2 * first_end);
  }
  auto short_segment = SegmentWriter::Open(dir / "seg", {{1, 10 * first_end}}, kCut);
  ASSERT_FALSE(short_segment);
  EXPECT_EQ(short_segment.error().kind(), ErrorKind::kCorruption);
  auto missing = SegmentWriter::Open(dir / "seg", {{1, 2 * first_end}, {2, 100}}, kCut);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("00000002.seg is missing"), std::string::npos)
      << missing.error().message();
}

}  // namespace
}  // namespace lontar
