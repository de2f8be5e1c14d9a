#include "tests/support/authority_test.hpp"

#include "tests/support/mini_exam.hpp"

namespace lontar::testing {

pack::BuildOptions DayPackOptions(const crypto::SigningKey& authority,
                                  const crypto::BoxPublicKey& results,
                                  const crypto::SecretBytes& release_code,
                                  std::vector<terminal::Enrollment> targets,
                                  const std::filesystem::path& out) {
  pack::BuildOptions o;
  o.authority = &authority;
  o.version = 1;
  o.valid_from_ms = kNov24 - kDay;
  o.valid_until_ms = kNov24 + kDay;
  o.now_ms = kNov24;
  o.targets = std::move(targets);
  o.release_code = &release_code;
  o.results_key = results;
  o.kdf = crypto::Argon2Params{1, 8 * 1024 * 1024};
  o.out = out;
  return o;
}

}  // namespace lontar::testing
