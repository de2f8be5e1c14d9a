// `lontar`: the operators' command line (keys, terminals, journal, and later packs, sessions,
// bundles, sync and the collection server).
#include "provision/cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lontar: provision and operate Lontar exam terminals"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lontar 0.1.0");
  lontar::cli::Runner runner;
  lontar::cli::RegisterKeysCommands(app, runner);
  lontar::cli::RegisterTerminalCommands(app, runner);
  lontar::cli::RegisterJournalCommands(app, runner);
  lontar::cli::RegisterPackCommands(app, runner);
  lontar::cli::RegisterSessionCommands(app, runner);
  lontar::cli::RegisterTrustCommands(app, runner);
  lontar::cli::RegisterExamCommands(app, runner);
  lontar::cli::RegisterProctorCommands(app, runner);
  lontar::cli::RegisterBundlesCommands(app, runner);
  lontar::cli::RegisterServeCommands(app, runner);
  lontar::cli::RegisterResultsCommands(app, runner);
  lontar::cli::RegisterSyncCommands(app, runner);
  lontar::cli::RegisterTechnicianCommands(app, runner);
  lontar::cli::RegisterQtiCommands(app, runner);
  lontar::cli::RegisterItemsCommands(app, runner);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help) and names its own code per kind of error; scripts
    // need one documented code for every usage error (cli.hpp), and 0 for --help and --version.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return runner.exit_code;
}
