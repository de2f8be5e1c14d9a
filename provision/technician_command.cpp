// `lontar technician code|verify`: make the technician code's hash file (at image build) and check
// a code against it (the root service that turns USB storage on, and operators by hand). The code
// never appears on a command line or in output: it comes from a file or standard input.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "core/terminal/technician_code.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct TechnicianArgs {
  std::filesystem::path out, hash, code_file;
  std::string cost = "moderate";
};

// The code from `--code-file`, or else from standard input (one line; echo off on a terminal).
Result<crypto::SecretBytes> ReadTechnicianCodeInput(const std::filesystem::path& code_file) {
  if (!code_file.empty()) return ReadCodeFile(code_file);
  termios saved{};
  const bool tty = ::isatty(0) == 1 && ::tcgetattr(0, &saved) == 0;
  if (tty) {
    std::cerr << "technician code: " << std::flush;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSAFLUSH, &quiet);
  }
  auto code = crypto::ReadCodeFromFd(0, "standard input");
  if (tty) {
    ::tcsetattr(0, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  return code;
}

Status MakeCode(const TechnicianArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadTechnicianCodeInput(a.code_file));
  const auto cost = a.cost == "interactive" ? terminal::TechnicianCodeCost::kInteractive
                                            : terminal::TechnicianCodeCost::kModerate;
  LONTAR_TRY(terminal::WriteTechnicianCodeFile(a.out, code.view(), cost));
  std::cerr << "wrote the technician code's hash to " << a.out.string()
            << "; technician mode on a terminal opens with this code\n";
  return Ok();
}

// Exit 0 when the code matches, 1 otherwise (or when the hash file cannot be read).
Status Verify(const TechnicianArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadTechnicianCodeInput(a.code_file));
  LONTAR_ASSIGN_OR_RETURN(bool match, terminal::VerifyTechnicianCode(a.hash, code.view()));
  if (!match) {
    return std::unexpected(
        Error::WrongKey("the technician code does not match " + a.hash.string()));
  }
  return Ok();
}

}  // namespace

void RegisterTechnicianCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<TechnicianArgs>();
  auto* tech = AddCommandGroup(app, "technician", "the technician code that opens technician mode");

  auto* code = tech->add_subcommand(
      "code", "hash a technician code (from --code-file or standard input) into a file");
  code->add_option("--out", args->out, "hash file to write, e.g. /etc/lontar/technician.code")
      ->required();
  code->add_option("--code-file", args->code_file,
                   "file holding the code (default: read one line from standard input)");
  code->add_option("--cost", args->cost,
                   "Argon2id cost: moderate (256 MiB, default) or interactive (64 MiB, for slow "
                   "emulated machines)")
      ->check(CLI::IsMember({"moderate", "interactive"}))
      ->capture_default_str();
  runner.RunOnCall(*code, [args] { return MakeCode(*args); });

  auto* verify = tech->add_subcommand(
      "verify", "exit 0 when a code (from --code-file or standard input) matches the hash file");
  verify->add_option("--hash", args->hash, "hash file")
      ->default_val(terminal::kDefaultTechnicianCodePath.string())
      ->capture_default_str();
  verify->add_option("--code-file", args->code_file,
                     "file holding the code (default: read one line from standard input)");
  runner.RunOnCall(*verify, [args] { return Verify(*args); });
}

}  // namespace lontar::cli
