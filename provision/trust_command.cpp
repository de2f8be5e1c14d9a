// `lontar trust sign`: the exam authority makes a trust update (add or revoke authority keys)
// that terminals apply with `lontar terminal trust`.
#include <iostream>

#include "core/crypto/key_file.hpp"
#include "core/terminal/trust.hpp"
#include "core/util/clock.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct TrustArgs {
  std::filesystem::path key, out;
  std::uint64_t sequence = 0;
  std::vector<std::filesystem::path> add;
  std::vector<std::string> revoke;
};

Status Sign(const TrustArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::ReadSigningSecretKeyFile(a.key));
  terminal::TrustUpdate u;
  u.sequence = a.sequence;
  for (const auto& path : a.add) {
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey k, crypto::ReadSigningPublicKeyFile(path));
    u.add.push_back({k, path.filename().string()});
  }
  for (const auto& id : a.revoke) {
    LONTAR_ASSIGN_OR_RETURN(crypto::KeyId k, crypto::KeyId::Parse(id));
    u.revoke.push_back(k);
  }
  if (u.add.empty() && u.revoke.empty()) {
    return std::unexpected(Error::InvalidArgument("a trust update needs --add or --revoke"));
  }
  const std::string text = terminal::WriteTrustUpdate(u, key, SystemClock().WallMs());
  LONTAR_TRY(WriteFileAtomic(a.out, AsBytes(text), 0644, Overwrite::kRefuse));
  std::cerr << "wrote trust update " << a.sequence << " to " << a.out.string()
            << "; apply it on each terminal with `lontar terminal trust --home DIR "
            << a.out.string() << "`\n";
  return Ok();
}

}  // namespace

void RegisterTrustCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<TrustArgs>();
  auto* trust = AddCommandGroup(app, "trust", "change which authority keys terminals trust");
  auto* sign = trust->add_subcommand("sign", "make a signed trust update");
  sign->add_option("--key", args->key, "a currently trusted authority secret key")->required();
  sign->add_option("--sequence", args->sequence, "update number, above any issued before")
      ->required()
      ->check(CLI::PositiveNumber);
  sign->add_option("--add", args->add, "authority public key to trust (repeatable)");
  sign->add_option("--revoke", args->revoke, "key id to stop trusting (repeatable)");
  sign->add_option("--out", args->out, "file to write, e.g. trust-0002.ltu")->required();
  runner.RunOnCall(*sign, [args] { return Sign(*args); });
}

}  // namespace lontar::cli
