#include "core/terminal/terminal.hpp"

#include <nlohmann/json.hpp>

namespace lontar::terminal {
namespace {

constexpr char kSigningSecret[] = "signing";
constexpr char kBoxSecret[] = "box";

Status AddTrustedKeys(vault::Vault& vault, const std::vector<TrustedKey>& keys, std::uint64_t seq) {
  LONTAR_ASSIGN_OR_RETURN(
      vault::Statement s,
      vault.db().Prepare("INSERT OR REPLACE INTO trusted_keys(key_id, public_key, label, "
                         "added_seq) VALUES (?, ?, ?, ?)"));
  for (const TrustedKey& k : keys) {
    s.Bind(1, k.key.id().ToString())
        .BindBlob(2, k.key.view())
        .Bind(3, k.label)
        .Bind(4, static_cast<std::int64_t>(seq));
    LONTAR_TRY(s.Run());
    s.Reset();
  }
  return Ok();
}

}  // namespace

std::string TerminalIdFor(const crypto::VerifyKey& key) { return "T-" + key.id().ToString(); }

Status ValidateSite(std::string_view site) {
  bool ok = !site.empty() && site.size() <= 64;
  for (char c : site) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.');
  }
  if (!ok) {
    return std::unexpected(Error::InvalidArgument(
        "site code '" + std::string(site) +
        "' is not valid: use 1 to 64 characters from A-Z a-z 0-9 - _ . (e.g. KANREG-IV-01)"));
  }
  return Ok();
}

Terminal::Terminal(Terminal&&) noexcept = default;
Terminal::~Terminal() = default;

Result<Terminal> Terminal::Init(const std::filesystem::path& home, const InitOptions& options,
                                const Clock& clock, const vault::VaultOptions& vault_options) {
  LONTAR_TRY(ValidateSite(options.site));
  if (options.name.size() > 128) {
    return std::unexpected(Error::InvalidArgument("terminal name is longer than 128 bytes"));
  }
  if (options.trusted.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "a terminal must trust at least one exam authority key (--trust authority.pub)"));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey signing, crypto::SigningKey::Generate());
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey box, crypto::BoxSecretKey::Generate());
  LONTAR_ASSIGN_OR_RETURN(vault::Vault vault, vault::Vault::Create(home, vault_options));

  Terminal t;
  t.id_ = TerminalIdFor(signing.public_key());
  t.site_ = options.site;
  t.name_ = options.name;
  t.vault_ = std::make_unique<vault::Vault>(std::move(vault));
  t.signing_key_ = std::make_unique<crypto::SigningKey>(std::move(signing));
  t.box_key_ = std::make_unique<crypto::BoxSecretKey>(std::move(box));
  LONTAR_ASSIGN_OR_RETURN(journal::Journal journal,
                          journal::Journal::Open(*t.vault_, *t.signing_key_, clock));
  t.journal_ = std::make_unique<journal::Journal>(std::move(journal));

  nlohmann::ordered_json payload;
  payload["terminal_id"] = t.id_;
  payload["site"] = t.site_;
  payload["name"] = t.name_;
  payload["signing_key"] = Base64Encode(t.signing_key_->public_key().view());
  payload["box_key"] = Base64Encode(t.box_key_->public_key().view());
  nlohmann::ordered_json trusted = nlohmann::ordered_json::array();
  for (const TrustedKey& k : options.trusted) {
    trusted.push_back({{"key_id", k.key.id().ToString()}, {"label", k.label}});
  }
  payload["trusted_keys"] = trusted;

  // Identity, keys and the first journal record land in one transaction: a crash leaves either
  // a complete terminal or a vault with no identity (which Open reports as incomplete).
  vault::Vault& v = *t.vault_;
  auto store = [&]() -> Status {
    LONTAR_TRY(v.SetMeta("terminal_id", t.id_));
    LONTAR_TRY(v.SetMeta("site", t.site_));
    LONTAR_TRY(v.SetMeta("name", t.name_));
    LONTAR_TRY(v.SetMeta("created_wall_ms", std::to_string(clock.WallMs())));
    LONTAR_TRY(v.PutSecret(kSigningSecret, t.signing_key_->secret_view()));
    LONTAR_TRY(v.PutSecret(kBoxSecret, t.box_key_->secret_view()));
    return AddTrustedKeys(v, options.trusted, 1);
  };
  const journal::Event first{"terminal.initialised", payload.dump()};
  LONTAR_TRY(t.journal_->Append(std::span<const journal::Event>(&first, 1), store));
  LONTAR_TRY(t.journal_->SignHead());
  return t;
}

Result<Terminal> Terminal::Open(const std::filesystem::path& home, const Clock& clock,
                                const vault::VaultOptions& vault_options) {
  LONTAR_ASSIGN_OR_RETURN(vault::Vault vault, vault::Vault::Open(home, vault_options));
  Terminal t;
  t.vault_ = std::make_unique<vault::Vault>(std::move(vault));
  vault::Vault& v = *t.vault_;
  auto incomplete = [&](const std::string& what) {
    return std::unexpected(
        Error::Corruption(v.db_path().string() + " has no complete terminal identity (" + what +
                          "): initialisation was interrupted. Move " + home.string() +
                          " aside and run `lontar terminal init` again"));
  };
  LONTAR_ASSIGN_OR_RETURN(auto id, v.GetMeta("terminal_id"));
  LONTAR_ASSIGN_OR_RETURN(auto site, v.GetMeta("site"));
  LONTAR_ASSIGN_OR_RETURN(auto name, v.GetMeta("name"));
  if (!id || !site) return incomplete("no terminal id");
  auto signing_secret = v.GetSecret(kSigningSecret);
  if (!signing_secret) return incomplete("no signing key");
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey signing,
                          crypto::SigningKey::FromSecretKey(signing_secret->view()));
  auto box_secret = v.GetSecret(kBoxSecret);
  if (!box_secret) return incomplete("no box key");
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey box,
                          crypto::BoxSecretKey::FromBytes(box_secret->view()));
  if (*id != TerminalIdFor(signing.public_key())) {
    return std::unexpected(
        Error::Corruption(v.db_path().string() + ": stored terminal id " + *id +
                          " does not match the terminal's signing key; the vault was altered"));
  }
  t.id_ = *id;
  t.site_ = *site;
  t.name_ = name.value_or("");
  t.signing_key_ = std::make_unique<crypto::SigningKey>(std::move(signing));
  t.box_key_ = std::make_unique<crypto::BoxSecretKey>(std::move(box));
  LONTAR_ASSIGN_OR_RETURN(journal::Journal journal,
                          journal::Journal::Open(v, *t.signing_key_, clock));
  t.journal_ = std::make_unique<journal::Journal>(std::move(journal));
  return t;
}

Result<std::vector<TrustedKey>> Terminal::TrustedKeys() {
  LONTAR_ASSIGN_OR_RETURN(
      vault::Statement s,
      vault_->db().Prepare(
          "SELECT public_key, label FROM trusted_keys ORDER BY added_seq, key_id"));
  std::vector<TrustedKey> out;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto key = crypto::VerifyKey::FromBytes(s.ColumnBlobView(0));
    if (!key) {
      return std::unexpected(Error::Corruption("a trusted key in the vault is not a valid key"));
    }
    out.push_back(TrustedKey{*key, s.ColumnText(1)});
  }
  return out;
}

}  // namespace lontar::terminal
