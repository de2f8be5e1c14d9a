// `lontar keys new|show`: the exam authority's keys (formats in core/crypto/key_file.hpp, the
// operator's guide in docs/keys.md).
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct KeysArgs {
  std::string kind;
  std::filesystem::path out;
  std::filesystem::path file;
  bool json = false;
};

// Writes NAME.key then NAME.pub; refuses before writing anything if either exists. If the
// public half cannot be written, the secret half just written is removed again, so that a retry
// starts clean instead of finding a key without its .pub.
Status WritePair(const std::filesystem::path& dir, const std::string& name, ByteView secret_text,
                 const std::string& public_text) {
  const auto key_path = dir / (name + ".key");
  const auto pub_path = dir / (name + ".pub");
  for (const auto& p : {key_path, pub_path}) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) {
      return std::unexpected(
          Error::AlreadyExists(p.string() +
                               " already exists; refusing to overwrite a key. Choose another --out "
                               "directory, or move the old key away deliberately"));
    }
  }
  LONTAR_TRY(WriteFileAtomic(key_path, secret_text, 0600, Overwrite::kRefuse));
  if (auto st = WriteFileAtomic(pub_path, AsBytes(public_text), 0644, Overwrite::kRefuse); !st) {
    ::unlink(key_path.c_str());
    return st;
  }
  return Ok();
}

Status New(const KeysArgs& args) {
  LONTAR_TRY(EnsureDir(args.out, 0700));
  std::string id;
  std::string algorithm;
  if (args.kind == "results") {
    LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::BoxSecretKey::Generate());
    id = key.public_key().id().ToString();
    algorithm = "X25519";
    LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                            crypto::FormatBoxSecretKey(key, "lontar results secret key " + id));
    LONTAR_TRY(
        WritePair(args.out, args.kind, secret.view(),
                  crypto::FormatBoxPublicKey(key.public_key(), "lontar results public key " + id)));
  } else {
    LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::Generate());
    id = key.id().ToString();
    algorithm = "Ed25519";
    // minisign shows the untrusted comment; say what the key is for.
    LONTAR_ASSIGN_OR_RETURN(
        crypto::SecretBytes secret,
        crypto::FormatSigningSecretKey(key, "lontar " + args.kind + " secret key " + id));
    LONTAR_TRY(WritePair(
        args.out, args.kind, secret.view(),
        crypto::FormatSigningPublicKey(
            key.public_key(), "minisign public key " + id + " (lontar " + args.kind + ")")));
  }
  if (args.json) {
    nlohmann::ordered_json j;
    j["kind"] = args.kind;
    j["algorithm"] = algorithm;
    j["key_id"] = id;
    j["secret_key"] = (args.out / (args.kind + ".key")).string();
    j["public_key"] = (args.out / (args.kind + ".pub")).string();
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << id << "\n";
    // The authority and results keys are used on an offline machine; a server's or relay's key
    // lives on the running server that signs receipts with it.
    const bool online = args.kind == "server" || args.kind == "relay";
    std::cerr << "wrote " << (args.out / (args.kind + ".key")).string()
              << (online ? " (secret: keep it on the " + args.kind +
                               " that signs receipts, readable only by the user that runs it)"
                         : std::string(" (secret, keep it offline)"))
              << " and " << (args.out / (args.kind + ".pub")).string() << "\n";
  }
  return Ok();
}

Status Show(const KeysArgs& args) {
  LONTAR_ASSIGN_OR_RETURN(crypto::KeyFileInfo info, crypto::InspectKeyFile(args.file));
  struct stat st {};
  if (info.secret && ::stat(args.file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::cerr << "warning: " << args.file.string()
              << " is readable by other users; Lontar will refuse to use it until you run "
                 "`chmod 600 "
              << args.file.string() << "`\n";
  }
  if (args.json) {
    nlohmann::ordered_json j;
    j["file"] = args.file.string();
    j["algorithm"] = info.algorithm;
    j["secret"] = info.secret;
    j["key_id"] = info.id.ToString();
    j["comment"] = info.comment;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << info.algorithm << (info.secret ? " secret" : " public") << " key "
              << info.id.ToString() << "\n";
    if (!info.comment.empty()) std::cout << "comment (untrusted): " << info.comment << "\n";
  }
  return Ok();
}

}  // namespace

void RegisterKeysCommands(CLI::App& app, Runner& runner) {
  auto* keys = AddCommandGroup(app, "keys", "make and inspect the exam authority's keys");
  auto args = std::make_shared<KeysArgs>();

  auto* make = keys->add_subcommand(
      "new",
      "make a key pair: authority (signs packs), results (opens bundles), server (the "
      "collection server's, signs receipts), relay (a site relay's, signs its own receipts)");
  make->add_option("kind", args->kind, "authority, results, server or relay")
      ->required()
      ->check(CLI::IsMember({"authority", "results", "server", "relay"}));
  make->add_option("--out", args->out, "directory for KIND.key and KIND.pub")->required();
  AddJsonFlag(*make, args->json);
  runner.RunOnCall(*make, [args] { return New(*args); });

  auto* show = keys->add_subcommand(
      "show", "print a key file's algorithm, whether it is secret, and its key id (never secrets)");
  show->add_option("file", args->file, "a .pub or .key file")->required();
  AddJsonFlag(*show, args->json);
  runner.RunOnCall(*show, [args] { return Show(*args); });
}

}  // namespace lontar::cli
