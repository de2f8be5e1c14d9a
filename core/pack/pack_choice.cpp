#include "core/pack/pack_choice.hpp"

#include <algorithm>

namespace lontar::pack {
namespace {

std::string Names(const std::vector<const LoadedPack*>& packs) {
  std::string out;
  for (const LoadedPack* p : packs) out += (out.empty() ? "" : ", ") + DescribePack(p->header);
  return out;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

}  // namespace

std::string DescribePack(const PackHeader& h) {
  return h.exam_id + "@" + std::to_string(h.exam_version) + " (pack " + h.pack_id.substr(0, 8) +
         ")";
}

Result<PackChoice> FindPack(const std::vector<LoadedPack>& packs, std::string_view spec) {
  std::vector<const LoadedPack*> all, matches;
  for (const LoadedPack& p : packs) all.push_back(&p);
  const auto at = spec.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view exam = spec.substr(0, at), version = spec.substr(at + 1);
    if (exam.empty() || version.empty() || version.size() > 18 ||
        version.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::unexpected(
          Error::InvalidArgument("--pack " + std::string(spec) +
                                 ": expected EXAM_ID@VERSION (e.g. SKD-2026@2), a pack "
                                 "id or its first " +
                                 std::to_string(kMinPackPrefix) + " characters"));
    }
    const std::uint64_t v = std::stoull(std::string(version));
    for (const LoadedPack& p : packs) {
      if (p.header.exam_id == exam && p.header.exam_version == v) matches.push_back(&p);
    }
  } else {
    if (spec.size() < kMinPackPrefix || !IsHex(spec)) {
      return std::unexpected(Error::InvalidArgument(
          "--pack " + std::string(spec) + ": give at least the first " +
          std::to_string(kMinPackPrefix) +
          " characters of a pack id (see `lontar terminal status`), or EXAM_ID@VERSION"));
    }
    std::string lower(spec);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const LoadedPack& p : packs) {
      if (p.header.pack_id.starts_with(lower)) matches.push_back(&p);
    }
  }
  if (matches.empty()) {
    return std::unexpected(
        Error::NotFound("no loaded pack matches --pack " + std::string(spec) +
                        " (loaded: " + (all.empty() ? std::string("none") : Names(all)) + ")"));
  }
  if (matches.size() > 1) {
    return std::unexpected(Error::InvalidArgument("--pack " + std::string(spec) +
                                                  " matches more than one loaded pack (" +
                                                  Names(matches) + "): give more of the id"));
  }
  return PackChoice{matches.front(), ""};
}

std::vector<const LoadedPack*> ValidPacks(const std::vector<LoadedPack>& packs,
                                          std::int64_t now_ms) {
  std::vector<const LoadedPack*> valid;
  for (const LoadedPack& p : packs) {
    if (p.header.valid_from_ms <= now_ms && now_ms <= p.header.valid_until_ms) {
      valid.push_back(&p);
    }
  }
  return valid;
}

Result<PackChoice> DefaultPack(const std::vector<LoadedPack>& packs, std::int64_t now_ms) {
  std::vector<const LoadedPack*> valid = ValidPacks(packs, now_ms);
  if (valid.empty()) {
    return std::unexpected(
        Error::NotFound("no loaded pack is valid now: load the session's pack first (lontar "
                        "terminal load), and check the terminal's clock"));
  }
  const bool one_exam = std::all_of(valid.begin(), valid.end(), [&](const LoadedPack* p) {
    return p->header.exam_id == valid.front()->header.exam_id;
  });
  if (!one_exam) {
    return std::unexpected(Error::InvalidArgument(
        "packs of more than one exam are valid now (" + Names(valid) +
        "): name the one for this session with --pack EXAM_ID@VERSION or its id's first " +
        std::to_string(kMinPackPrefix) + " characters"));
  }
  std::sort(valid.begin(), valid.end(), [](const LoadedPack* a, const LoadedPack* b) {
    return a->header.exam_version > b->header.exam_version;
  });
  PackChoice choice{valid.front(), ""};
  if (valid.size() > 1) {
    std::vector<const LoadedPack*> older(valid.begin() + 1, valid.end());
    choice.note = "took the newest version, " + DescribePack(valid.front()->header) + ", of " +
                  std::to_string(valid.size()) + " loaded (older: " + Names(older) +
                  "); name another with --pack EXAM_ID@VERSION";
  }
  return choice;
}

}  // namespace lontar::pack
