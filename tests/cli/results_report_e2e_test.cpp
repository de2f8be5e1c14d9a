// `lontar results report` and `lontar results ninebox` end to end, as the exam authority runs
// them: both demo exams (assets/demo: SKD with its applicant groups, CACT with positions) are
// built into packs for three terminals at two sites, candidates sit them through `lontar exam
// run`, the terminals sync to a real `lontar serve` on loopback, and the reports are made from
// its store. Each candidate's page carries the score the terminal showed the candidate; the
// cohort CSV ranks as BKN does; the CACT cohort feeds the nine-box with the agency's ratings.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/cli_collection.hpp"
#include "tests/support/pack_build.hpp"
#include "tests/support/pdf_pages.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::ExpectContains;
using testing::PdfText;
using testing::ReadText;
using testing::RunLontar;
using testing::WriteText;

const std::string kDemo = std::string(LONTAR_SOURCE_DIR) + "/assets/demo";

std::string Pin(const std::string& participant) {
  const std::string pins = ReadText(kDemo + "/pins.csv");
  const auto at = pins.find(participant + ",");
  EXPECT_NE(at, std::string::npos) << participant;
  return pins.substr(at + participant.size() + 1, 6);
}

class ResultsReportEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"authority.key", "authority.pub", "results.key", "results.pub"}) {
      std::filesystem::copy_file(kDemo + "/keys/" + f, dir_ / f);
      std::filesystem::permissions(
          dir_ / f, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    Ok(RunLontar({"keys", "new", "server", "--out", P("keys")}));
    std::filesystem::create_directories(dir_ / "enrolled");
    const std::map<std::string, std::string> sites = {
        {"s1", "SMD-01"}, {"s2", "BPN-02"}, {"c1", "SMD-01"}};
    for (const auto& [t, site] : sites) {
      Ok(RunLontar({"terminal", "init", "--home", P(t), "--site", site, "--trust",
                    P("authority.pub"), "--name", t}));
      Ok(RunLontar(
          {"terminal", "enrollment", "--home", P(t), "--out", P("enrolled/" + t + ".enroll")}));
    }
    Build("skd", {"s1", "s2"});
    Build("cact", {"c1"});
    for (const char* t : {"s1", "s2", "c1"}) {
      Ok(RunLontar({"terminal", "load", "--home", P(t),
                    P(std::string(t) == "c1" ? "cact.lpk" : "skd.lpk")}));
      Ok(RunLontar(
          {"session", "release", "--home", P(t), "--code-file", kDemo + "/release-code.txt"}));
      const auto open = Ok(RunLontar(
          {"session", "open", "--home", P(t), "--proctor-code-file", kDemo + "/proctor-code.txt"}));
      tokens_[t] = open.out.substr(0, open.out.find('\n'));
    }
  }

  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  CommandResult Ok(CommandResult r) {
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r;
  }

  void Build(const std::string& exam, const std::vector<std::string>& terminals) {
    testing::PackBuildArgs build{.source = kDemo + "/" + exam,
                                 .authority_key = P("authority.key"),
                                 .results_pub = P("results.pub"),
                                 .release_code_file = kDemo + "/release-code.txt",
                                 .proctor_code_file = kDemo + "/proctor-code.txt",
                                 .out = P(exam + ".lpk"),
                                 .enrollments = {}};
    for (const auto& t : terminals) build.enrollments.push_back(P("enrolled/" + t + ".enroll"));
    Ok(RunLontar(testing::PackBuildCommand(build)));
  }

  // One sitting: every item of each section answered with the section's letter (sections in
  // order, the demo exams' items listed in exam.yaml), then submitted. Returns the score the
  // terminal computed (`exam run --json`).
  nlohmann::json Sit(const std::string& terminal, const std::string& participant,
                     const std::vector<std::pair<std::vector<std::string>, std::string>>& plan) {
    std::string script;
    for (std::size_t s = 0; s < plan.size(); ++s) {
      if (s > 0) script += "{\"cmd\":\"next-section\"}\n";
      for (const std::string& item : plan[s].first) {
        script += "{\"cmd\":\"answer\",\"item\":\"" + item + "\",\"option\":\"" + plan[s].second +
                  "\"}\n";
      }
    }
    script += "{\"cmd\":\"submit\"}\n";
    const auto r = Ok(testing::SitWithCli(dir_.path(), terminal, participant, Pin(participant),
                                          tokens_[terminal], script, {"--json"}));
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.contains("score")) << r.out;
    return j.value("score", nlohmann::json::object());
  }

  static std::vector<std::string> Items(const std::string& prefix, int n) {
    std::vector<std::string> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(prefix + (i < 10 ? "-0" : "-") + std::to_string(i));
    return ids;
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> tokens_;
};

std::string Figure(const nlohmann::json& v) {
  const double d = v.get<double>();
  return d == static_cast<double>(static_cast<long>(d)) ? std::to_string(static_cast<long>(d))
                                                        : std::to_string(d);
}

TEST_F(ResultsReportEndToEnd, BothDemoExamsFromTerminalsToReportsAndTheNineBox) {
  const auto twk = Items("twk", 8), tiu = Items("tiu", 8), tkp = Items("tkp", 8);
  // SKD: a general candidate at each site and the cum laude graduate (DEMO-0031, whose rule is
  // total and TIU minimums instead of the three section thresholds).
  const auto a = Sit("s1", "DEMO-0001", {{twk, "A"}, {tiu, "B"}, {tkp, "C"}});
  const auto b = Sit("s2", "DEMO-0011", {{twk, "B"}, {tiu, "C"}, {tkp, "A"}});
  const auto c = Sit("s1", "DEMO-0031", {{twk, "C"}, {tiu, "A"}, {tkp, "B"}});
  // CACT: one section of 30 weighted items; two positions.
  std::vector<std::string> cact;
  for (const char* comp : {"integritas", "kerja-sama", "komunikasi", "orientasi-hasil",
                           "pelayanan-publik", "perekat-bangsa"}) {
    for (const auto& id : Items(comp, 5)) cact.push_back(id);
  }
  const auto k1 = Sit("c1", "DEMO-0001", {{cact, "A"}});
  const auto k2 = Sit("c1", "DEMO-0002", {{cact, "C"}});

  {
    std::filesystem::create_directories(dir_ / "server-log");
    testing::ServerProcess server(
        {"--store", P("store"), "--enrolled", P("enrolled"), "--key", P("keys/server.key")},
        dir_ / "server-log");
    ASSERT_NE(server.port(), 0);
    for (const char* t : {"s1", "s2", "c1"}) {
      Ok(RunLontar({"sync", "--home", P(t), "--server", server.url(), "--server-key",
                    P("keys/server.pub")}));
    }
  }

  // --- SKD ---
  auto skd = Ok(RunLontar({"results", "report", "--store", P("store"), "--key", P("results.key"),
                           "--pack", P("skd.lpk"), "--out", P("skd"), "--agency",
                           "BKD Provinsi Uji", "--site-time-zone", "BPN-02=WITA", "--json"}));
  auto js = nlohmann::json::parse(skd.out);
  EXPECT_EQ(js["sittings"], 3);
  EXPECT_EQ(js["opened"], 3);
  EXPECT_EQ(js["candidate_pdfs"], 3);
  EXPECT_EQ(js["other_exams"], 2);
  EXPECT_TRUE(js["unopenable"].empty());
  // Each page carries the terminal's own score: section totals and the total.
  for (const auto& [who, score] :
       {std::pair{"DEMO-0001", a}, std::pair{"DEMO-0011", b}, std::pair{"DEMO-0031", c}}) {
    const std::string text = PdfText(dir_ / "skd" / "candidates" / (std::string(who) + ".pdf"));
    std::vector<std::string> want = {who, "BKD Provinsi Uji", "Total " + Figure(score["total"])};
    for (const auto& s : score["sections"]) {
      std::string id = s["id"].get<std::string>();
      for (char& ch : id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      want.push_back(id + " (");
      want.push_back(") " + Figure(s["total"]) + " 40");
    }
    want.push_back(score["passed"].get<bool>() ? "LULUS" : "TIDAK LULUS");
    ExpectContains(text, want);
  }
  ExpectContains(PdfText(dir_ / "skd" / "candidates" / "DEMO-0031.pdf"),
                 {"Lulusan cum laude", "Lulusan cum laude: total \u2265 68, TIU \u2265 19"});
  ExpectContains(PdfText(dir_ / "skd" / "candidates" / "DEMO-0011.pdf"), {"BPN-02", "WITA"});
  // cohort.csv: ranked by total, then TKP, TIU, TWK (BKN); ranks agree with the totals.
  const std::string csv = ReadText(dir_ / "skd" / "cohort.csv");
  std::vector<std::pair<double, std::string>> by_total = {{a["total"].get<double>(), "DEMO-0001"},
                                                          {b["total"].get<double>(), "DEMO-0011"},
                                                          {c["total"].get<double>(), "DEMO-0031"}};
  std::sort(by_total.begin(), by_total.end(), std::greater<>());
  const auto first_line = csv.find("\r\n") + 2;
  EXPECT_EQ(csv.substr(first_line, 2 + by_total[0].second.size()), "1," + by_total[0].second)
      << csv;
  EXPECT_NE(csv.find(",DEMO-0031,"), std::string::npos);
  EXPECT_NE(csv.find(",cumlaude,"), std::string::npos) << csv;
  for (const char* f :
       {"candidates.pdf", "cohort.pdf", "items.csv", "item_sections.csv", "items.pdf"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "skd" / f)) << f;
  }
  ExpectContains(PdfText(dir_ / "skd" / "cohort.pdf"),
                 {"Laporan Hasil Kelompok", "SMD-01", "BPN-02", "Lulusan cum laude", "TWK"});
  // Item analysis over the three SKD sittings: 24 items, each section's reliability named.
  const std::string items = ReadText(dir_ / "skd" / "items.csv");
  EXPECT_EQ(std::count(items.begin(), items.end(), '\n'), 25) << items;
  const std::string sections = ReadText(dir_ / "skd" / "item_sections.csv");
  EXPECT_NE(sections.find("twk,8,3,"), std::string::npos) << sections;

  // --- CACT ---
  auto cr =
      Ok(RunLontar({"results", "report", "--store", P("store"), "--key", P("results.key"), "--pack",
                    P("cact.lpk"), "--out", P("cact"), "--lang", "en", "--no-items", "--json"}));
  auto jc = nlohmann::json::parse(cr.out);
  EXPECT_EQ(jc["candidate_pdfs"], 2);
  EXPECT_EQ(jc["ranked"], 2);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cact" / "items.csv"));
  for (const auto& [who, score] : {std::pair{"DEMO-0001", k1}, std::pair{"DEMO-0002", k2}}) {
    const auto& jpm = score["job_person_match"];
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.1f%%", jpm["percent"].get<double>());
    ExpectContains(
        PdfText(dir_ / "cact" / "candidates" / (std::string(who) + ".pdf")),
        {who, "Competency profile", "Integrity", percent, jpm["category"].get<std::string>()});
  }

  // --- Nine-box from the CACT cohort and the agency's ratings ---
  WriteText(dir_ / "kinerja.csv",
            "participant,rating\nDEMO-0001,di atas ekspektasi\nDEMO-0002,sesuai ekspektasi\n");
  auto nb = Ok(
      RunLontar({"results", "ninebox", "--results", P("cact/cohort.csv"), "--performance",
                 P("kinerja.csv"), "--out", P("ninebox"), "--exam", "DEMO-CACT-2026", "--json"}));
  const auto jn = nlohmann::json::parse(nb.out, nullptr, false);
  ASSERT_FALSE(jn.is_discarded()) << nb.out;
  const std::string boxes = ReadText(dir_ / "ninebox" / "ninebox.csv");
  EXPECT_NE(boxes.find("DEMO-0001,"), std::string::npos) << boxes;
  EXPECT_NE(boxes.find("DEMO-0002,"), std::string::npos) << boxes;
  ExpectContains(PdfText(dir_ / "ninebox" / "ninebox.pdf"), {"Peta Talenta", "DEMO-CACT-2026"});
}

}  // namespace
}  // namespace lontar
