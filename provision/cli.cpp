// The plumbing every `lontar` subcommand shares (cli.hpp): how a failure is reported, command
// groups and the --home option. Its own file so that command files and main.cpp depend on it, not
// on each other.
#include "provision/cli.hpp"

#include <iostream>

namespace lontar::cli {

void Runner::Run(const std::function<Status()>& body) {
  if (auto status = body(); !status) {
    std::cerr << "lontar: " << status.error().message() << "\n";
    exit_code = 1;
  }
}

void Runner::RunOnCall(CLI::App& command, std::function<Status()> body) {
  command.callback([this, body = std::move(body)] { Run(body); });
}

CLI::App* AddCommandGroup(CLI::App& app, const std::string& name, const std::string& description) {
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

void AddHomeOption(CLI::App& command, std::filesystem::path& home) {
  home = kDefaultHome;
  command.add_option("--home", home, "terminal home directory")->capture_default_str();
}

void AddJsonFlag(CLI::App& command, bool& json) {
  command.add_flag("--json", json, "machine-readable output");
}

}  // namespace lontar::cli
