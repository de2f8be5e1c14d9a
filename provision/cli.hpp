// Shared plumbing for the `lontar` command: every subcommand registers itself here and reports
// failure the same way (message on stderr, non-zero exit).
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "core/crypto/code_file.hpp"
#include "core/crypto/secret.hpp"
#include "core/util/error.hpp"

namespace lontar::cli {

inline const std::filesystem::path kDefaultHome = "/var/lib/lontar";

// Exit codes: 0 success, 1 the operation failed (message on stderr), 2 usage error (CLI11).
struct Runner {
  int exit_code = 0;
  // Runs `body`; on failure prints "lontar: <message>" to stderr and sets exit_code to 1.
  void Run(const std::function<Status()>& body);
  // Makes `command`, when called, Run `body` (which holds what it needs: the runner outlives
  // parsing, the lambda's captures are copied into the command).
  void RunOnCall(CLI::App& command, std::function<Status()> body);
};

// Codes (release code, proctor code, PIN) come from files: core/crypto/code_file.hpp.
using crypto::ReadCodeFile;

// Adds the command group `name` (e.g. `lontar keys`), which does nothing itself: exactly one of
// its subcommands must be given (else a usage error, exit code 2).
CLI::App* AddCommandGroup(CLI::App& app, const std::string& name, const std::string& description);

// Adds `--json` (machine-readable output on stdout) to `command`.
void AddJsonFlag(CLI::App& command, bool& json);

// Adds `--home DIR` (default /var/lib/lontar) to `command`.
void AddHomeOption(CLI::App& command, std::filesystem::path& home);

void RegisterKeysCommands(CLI::App& app, Runner& runner);
void RegisterTerminalCommands(CLI::App& app, Runner& runner);
void RegisterJournalCommands(CLI::App& app, Runner& runner);
void RegisterPackCommands(CLI::App& app, Runner& runner);
void RegisterSessionCommands(CLI::App& app, Runner& runner);
void RegisterTrustCommands(CLI::App& app, Runner& runner);
// Adds `session open` to the `session` group, so call after RegisterSessionCommands.
void RegisterExamCommands(CLI::App& app, Runner& runner);
// Adds the proctor's actions to the `session` group, so call after RegisterSessionCommands.
void RegisterProctorCommands(CLI::App& app, Runner& runner);
void RegisterBundlesCommands(CLI::App& app, Runner& runner);
void RegisterServeCommands(CLI::App& app, Runner& runner);
void RegisterResultsCommands(CLI::App& app, Runner& runner);
// Add `results report` and `results ninebox` to the `results` group (called by
// RegisterResultsCommands).
void RegisterResultsReportCommand(CLI::App& results, Runner& runner);
void RegisterNineBoxCommand(CLI::App& results, Runner& runner);
// Adds `sync`, and `bundles import` to the `bundles` group, so call after RegisterBundlesCommands.
void RegisterSyncCommands(CLI::App& app, Runner& runner);
void RegisterTechnicianCommands(CLI::App& app, Runner& runner);
// `qti import|export` (provision/qti_command.cpp).
void RegisterQtiCommands(CLI::App& app, Runner& runner);
// `items import-csv` (provision/items_command.cpp).
void RegisterItemsCommands(CLI::App& app, Runner& runner);

}  // namespace lontar::cli
