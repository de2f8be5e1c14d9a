// Item packs end to end in-process: build from the mini fixture, load onto real terminals,
// release; and every refusal the technician can meet, each with its message.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/authoring/source.hpp"
#include "core/pack/archive.hpp"
#include "core/pack/build.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/enrollment.hpp"
#include "tests/support/authority_test.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/mini_exam.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::pack {
namespace {

using lontar::testing::ReadText;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

using testing::kDay;
using testing::kMini;
using testing::kNov24;

class PackTest : public testing::AuthorityTest {
 protected:
  void SetUp() override {
    AuthorityTest::SetUp();
    clock_.SetWallMs(kNov24);
    t1_.emplace(MakeTerminal("t1", "SITE-01"));
    t2_.emplace(MakeTerminal("t2", "SITE-02"));
    auto source = authoring::LoadSource(kMini);
    ASSERT_TRUE(source) << source.error().front().ToString();
    source_.emplace(std::move(*source));
  }

  terminal::Terminal MakeTerminal(const std::string& name, const std::string& site) {
    return testing::InitTerminal(dir_ / name, authority_->public_key(), clock_, name, site).value();
  }

  terminal::Enrollment EnrollmentOf(terminal::Terminal& t) {
    auto e = terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(t, clock_.WallMs())));
    EXPECT_TRUE(e);
    return *e;
  }

  std::filesystem::path Build(const std::string& name, std::uint64_t version,
                              std::vector<terminal::Enrollment> targets,
                              const crypto::SigningKey* signer = nullptr,
                              std::int64_t from = kNov24 - kDay,
                              std::int64_t until = kNov24 + kDay) {
    auto code = crypto::SecretBytes::CopyOf(AsBytes(testing::kMiniReleaseCode)).value();
    BuildOptions o = DayPackOptions(name, code, std::move(targets));
    if (signer != nullptr) o.authority = signer;
    o.version = version;
    o.valid_from_ms = from;
    o.valid_until_ms = until;
    auto h = BuildPack(*source_, o);
    EXPECT_TRUE(h) << h.error().message();
    return o.out;
  }

  std::optional<terminal::Terminal> t1_, t2_;
  std::optional<authoring::Source> source_;
};

TEST_F(PackTest, BuildLoadReleaseAndReadTheItems) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  auto loaded = LoadPack(*t1_, file, clock_);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_FALSE(loaded->already_loaded);
  EXPECT_EQ(loaded->header.exam_id, "TEST-MINI");
  EXPECT_EQ(loaded->header.items, 4u);
  EXPECT_EQ(loaded->header.participants, 3u);
  EXPECT_EQ(loaded->header.results_key, results_->public_key());
  // Built without a proctor code, and the signed header says so.
  EXPECT_EQ(loaded->header.proctor_code, std::optional<bool>(false));
  EXPECT_EQ(ProctorCodeState(loaded->header), "no");

  auto again = LoadPack(*t1_, file, clock_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_loaded);

  // Before release: no content key, and no item text anywhere in the vault or the stored pack.
  EXPECT_EQ(ContentKey(*t1_, loaded->header.pack_id).error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(ReadReleasedExam(*t1_, loaded->header.pack_id).error().kind(), ErrorKind::kNotFound);
  const std::string stem = "Rekan kerja menawarkan hadiah";
  for (const char* table :
       {"meta", "secrets", "trusted_keys", "journal", "packs", "exam_versions", "released_keys"}) {
    auto s = t1_->vault().db().Prepare(std::string("SELECT * FROM ") + table);
    ASSERT_TRUE(s);
    while (s->Step().value_or(false)) {
      for (int c = 0; c < s->ColumnCount(); ++c) {
        if (std::string(AsChars(s->ColumnBlobView(c))).find(stem) != std::string::npos) {
          ADD_FAILURE() << "item text found in vault table " << table;
        }
      }
    }
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "t1")) {
    if (e.is_regular_file()) {
      EXPECT_EQ(ReadText(e.path()).find(stem), std::string::npos) << e.path();
    }
  }

  auto released = ReleasePack(*t1_, "", AsBytes(testing::kMiniReleaseCode), clock_);
  ASSERT_TRUE(released) << released.error().message();
  auto key = ContentKey(*t1_, released->pack_id);
  ASSERT_TRUE(key) << key.error().message();

  // With the key, the archive inside holds the exam, the roster and the image.
  auto packs = ListPacks(*t1_);
  ASSERT_TRUE(packs);
  ASSERT_EQ(packs->size(), 1u);
  EXPECT_TRUE((*packs)[0].released);
  auto envelope = ReadEnvelope((*packs)[0].file);
  ASSERT_TRUE(envelope);
  const std::string stored = ReadText((*packs)[0].file);
  std::map<std::string, Bytes> entries;
  ArchiveParser parser(
      [](const std::string&, std::uint64_t) { return true; },
      [&](const std::string& name, Bytes data) { entries[name] = std::move(data); });
  auto payload =
      ByteView(reinterpret_cast<const std::uint8_t*>(stored.data()) + envelope->payload_offset,
               stored.size() - envelope->payload_offset);
  auto plain = crypto::DecryptBytes(*key, payload);
  ASSERT_TRUE(plain) << plain.error().message();
  ASSERT_TRUE(parser.Feed(*plain));
  ASSERT_TRUE(parser.Finish());
  ASSERT_TRUE(entries.contains("exam.json"));
  EXPECT_NE(std::string(AsChars(entries["exam.json"])).find(stem), std::string::npos);
  ASSERT_TRUE(entries.contains("roster.json"));
  EXPECT_NE(std::string(AsChars(entries["roster.json"])).find("Baso, Daeng"), std::string::npos);
  ASSERT_TRUE(entries.contains("media/boxes.png"));
  EXPECT_EQ(std::string(AsChars(entries["media/boxes.png"])), ReadText(kMini / "media/boxes.png"));

  // The terminal reads the exam back exactly as it was authored.
  auto exam = ReadReleasedExam(*t1_, released->pack_id);
  ASSERT_TRUE(exam) << exam.error().message();
  EXPECT_EQ(model::ExamToJson(*exam), model::ExamToJson(source_->exam));
  EXPECT_EQ(model::RosterToJson(exam->roster), model::RosterToJson(source_->exam.roster));

  // Releasing again is harmless.
  EXPECT_TRUE(ReleasePack(*t1_, "", AsBytes(testing::kMiniReleaseCode), clock_));
}

TEST_F(PackTest, AProctorCodeUnderSixCharactersIsRefusedAndNothingIsWritten) {
  auto code = crypto::SecretBytes::CopyOf(AsBytes(testing::kMiniReleaseCode)).value();
  auto proctor = crypto::SecretBytes::CopyOf(AsBytes("12345")).value();
  BuildOptions o = DayPackOptions("short.lpk", code, {EnrollmentOf(*t1_)});
  o.proctor_code = &proctor;
  auto h = BuildPack(*source_, o);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(h.error().message(), "the proctor code must be at least 6 characters");
  EXPECT_FALSE(std::filesystem::exists(o.out));
}

TEST_F(PackTest, EveryFlippedByteIsRefusedAndChangesNothing) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  const std::string pristine = ReadText(file);
  const auto head_before = t1_->journal().head();
  int refused = 0;
  for (std::size_t i = 0; i < pristine.size(); ++i) {
    std::string damaged = pristine;
    damaged[i] = static_cast<char>(damaged[i] ^ (1 << (i % 8)));
    WriteText(dir_ / "damaged.lpk", damaged);
    auto r = LoadPack(*t1_, dir_ / "damaged.lpk", clock_);
    if (r) {
      ADD_FAILURE() << "flip at byte " << i << " of " << pristine.size() << " was accepted";
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(refused, static_cast<int>(pristine.size()));
  EXPECT_EQ(t1_->journal().head().seq, head_before.seq) << "a refused load changed the journal";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t1" / "packs") &&
               !std::filesystem::is_empty(dir_ / "t1" / "packs"))
      << "a refused pack left a file behind";
}

TEST_F(PackTest, TruncationAnywhereIsRefused) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  const std::string pristine = ReadText(file);
  for (std::size_t keep = 0; keep < pristine.size(); keep += (keep < 200 ? 1 : 37)) {
    WriteText(dir_ / "cut.lpk", pristine.substr(0, keep));
    auto r = LoadPack(*t1_, dir_ / "cut.lpk", clock_);
    ASSERT_FALSE(r) << "cut at " << keep << " was accepted";
  }
  WriteText(dir_ / "cut.lpk", pristine.substr(0, pristine.size() - 1));
  auto r = LoadPack(*t1_, dir_ / "cut.lpk", clock_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("truncated"), std::string::npos) << r.error().message();
}

struct Refusal {
  const char* says;
  ErrorKind kind;
};

void ExpectRefused(const Result<LoadResult>& r, Refusal want) {
  ASSERT_FALSE(r) << "accepted";
  EXPECT_EQ(r.error().kind(), want.kind) << r.error().message();
  EXPECT_NE(r.error().message().find(want.says), std::string::npos) << r.error().message();
}

TEST_F(PackTest, UntrustedSignerIsRefused) {
  auto other = crypto::SigningKey::Generate().value();
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)}, &other);
  ExpectRefused(LoadPack(*t1_, file, clock_),
                {"which this terminal does not trust", ErrorKind::kUntrusted});
}

TEST_F(PackTest, PackForAnotherTerminalIsRefused) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t2_)});
  ExpectRefused(LoadPack(*t1_, file, clock_),
                {"not meant for this terminal", ErrorKind::kInvalidArgument});
}

TEST_F(PackTest, PackForAnotherSiteIsRefused) {
  // An enrollment of t1 re-signed by t1 with another site, as if it had been enrolled there.
  terminal::Enrollment e = EnrollmentOf(*t1_);
  e.site = "SITE-99";
  const auto file = Build("exam.lpk", 1, {e});
  ExpectRefused(LoadPack(*t1_, file, clock_),
                {"enrolled at site SITE-01", ErrorKind::kInvalidArgument});
}

TEST_F(PackTest, ExpiredAndNotYetValidAreRefusedOutsideTheTolerance) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  clock_.SetWallMs(kNov24 + kDay + kClockToleranceMs + 1000);
  ExpectRefused(LoadPack(*t1_, file, clock_), {"has expired", ErrorKind::kInvalidArgument});
  clock_.SetWallMs(kNov24 - kDay - kClockToleranceMs - 1000);
  ExpectRefused(LoadPack(*t1_, file, clock_), {"not valid yet", ErrorKind::kInvalidArgument});
  clock_.SetWallMs(kNov24 - kDay - kClockToleranceMs + 1000);  // within tolerance
  EXPECT_TRUE(LoadPack(*t1_, file, clock_));
}

TEST_F(PackTest, OlderOrEqualVersionIsRefused) {
  const auto v2 = Build("v2.lpk", 2, {EnrollmentOf(*t1_)});
  const auto v1 = Build("v1.lpk", 1, {EnrollmentOf(*t1_)});
  const auto v2b = Build("v2b.lpk", 2, {EnrollmentOf(*t1_)});
  ASSERT_TRUE(LoadPack(*t1_, v2, clock_));
  ExpectRefused(LoadPack(*t1_, v1, clock_),
                {"is not newer than version 2", ErrorKind::kInvalidArgument});
  ExpectRefused(LoadPack(*t1_, v2b, clock_),
                {"is not newer than version 2", ErrorKind::kInvalidArgument});
  const auto v3 = Build("v3.lpk", 3, {EnrollmentOf(*t1_)});
  EXPECT_TRUE(LoadPack(*t1_, v3, clock_));
}

// A header signed by the trusted authority but with absurd values is still refused: signatures
// say who made a pack, not that its values are sane.
TEST_F(PackTest, AbsurdSignedHeaderValuesAreRefused) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  auto envelope = ReadEnvelope(file);
  ASSERT_TRUE(envelope);
  const std::string original = envelope->header_json;
  const std::string payload = ReadText(file).substr(envelope->payload_offset);
  struct Case {
    std::string from, to, says;
  };
  const Case cases[] = {
      {"\"exam_version\":1", "\"exam_version\":99999999999999999",
       "'exam_version' is absurdly large"},
      {"\"items\":4", "\"items\":4000000000", "'items' is absurdly large"},
      {"\"valid_until\":\"", "\"valid_until\":\"1999-01-01T00:00:00Z\",\"x\":\"",
       "valid_until is not after valid_from"},
      {"\"targets\":[", "\"targets\":[],\"y\":[", "no target terminals"},
      {"\"proctor_code\":false", "\"proctor_code\":\"no\"",
       "header field 'proctor_code' is not true or false"},
  };
  for (const Case& c : cases) {
    std::string header = original;
    const auto at = header.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    header.replace(at, c.from.size(), c.to);
    const PackSignature sig{authority_->id(), authority_->Sign(SignedMessage(header))};
    const Bytes env = SerializeEnvelope({sig}, header);
    WriteText(dir_ / "absurd.lpk", std::string(AsChars(env)) + payload);
    auto r = LoadPack(*t1_, dir_ / "absurd.lpk", clock_);
    ASSERT_FALSE(r) << c.to;
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed) << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
}

TEST_F(PackTest, NotAPackIsNamed) {
  WriteText(dir_ / "x.lpk", "hello, this is a text file");
  ExpectRefused(LoadPack(*t1_, dir_ / "x.lpk", clock_),
                {"is not a Lontar item pack", ErrorKind::kMalformed});
}

TEST_F(PackTest, WrongCodesBackOffAndAreJournaled) {
  const auto file = Build("exam.lpk", 1, {EnrollmentOf(*t1_)});
  ASSERT_TRUE(LoadPack(*t1_, file, clock_));
  for (int i = 1; i <= 4; ++i) {
    auto r = ReleasePack(*t1_, "", AsBytes("WRONG-CODE"), clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind(), ErrorKind::kWrongKey);
    EXPECT_NE(r.error().message().find(std::to_string(i) + " wrong in a row"), std::string::npos)
        << r.error().message();
  }
  // The 4th failure imposed a wait: even the right code is not tried until it passes.
  auto blocked = ReleasePack(*t1_, "", AsBytes(testing::kMiniReleaseCode), clock_);
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message().find("wait 5 seconds"), std::string::npos)
      << blocked.error().message();
  clock_.Advance(6'000'000'000);
  EXPECT_TRUE(ReleasePack(*t1_, "", AsBytes(testing::kMiniReleaseCode), clock_));
  auto records = t1_->journal().Read(1, 100).value();
  int failures = 0;
  for (const auto& r : records) failures += r.type == "session.release_failed";
  EXPECT_EQ(failures, 4);
  EXPECT_EQ(records.back().type, "session.released");
  EXPECT_EQ(ReleaseBackoffSeconds(3), 0);
  EXPECT_EQ(ReleaseBackoffSeconds(5), 10);
  EXPECT_EQ(ReleaseBackoffSeconds(40), 15 * 60);
}

}  // namespace
}  // namespace lontar::pack
