// The `kimp` command line: global logging options and the subcommands built on the libraries.
#include "app/cli.hpp"

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/config_command.hpp"
#include "app/db_command.hpp"
#include "app/exit_codes.hpp"
#include "app/feed_replay_command.hpp"
#include "app/replay_command.hpp"
#include "app/run_command.hpp"
#include "app/venue_sim_command.hpp"
#include "app/version.hpp"
#include "core/logging.hpp"

namespace kimp::app {
namespace {

struct GlobalOptions {
  std::string log_format = "human";
  std::string log_level = "info";

  [[nodiscard]] log::Format format() const {
    return log_format == "json" ? log::Format::kJson : log::Format::kHuman;
  }
  [[nodiscard]] spdlog::level::level_enum level() const {
    return log_level == "error" ? spdlog::level::err : spdlog::level::from_str(log_level);
  }
};

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--log-format", options.log_format,
                 "Log line format: human, or json (JSON lines for log shippers)")
      ->check(CLI::IsMember({"human", "json"}))
      ->envname("KIMP_LOG_FORMAT")
      ->capture_default_str();
  app.add_option("--log-level", options.log_level, "Lowest level written: debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->envname("KIMP_LOG_LEVEL")
      ->capture_default_str();
}

void add_version_command(CLI::App& app, int& exit_code) {
  auto* version = app.add_subcommand("version", "Print the version and build of this binary");
  version->callback([&exit_code] {
    std::cout << "kimp " << kVersion << " (" << kBuildType << ", " << kCompiler << ")\n";
    exit_code = kExitOk;
  });
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"kimp: Upbit/Bybit kimchi-premium arbitrage engine", "kimp"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kimp ") + kVersion);

  GlobalOptions options;
  add_global_options(app, options);
  // Logging must be configured before any subcommand runs (they log from their callbacks).
  app.parse_complete_callback([&options] { log::init(options.format(), options.level()); });

  int exit_code = kExitOk;
  add_version_command(app, exit_code);
  add_config_command(app, exit_code);
  add_venue_sim_command(app, exit_code);
  add_feed_replay_command(app, exit_code);
  add_replay_command(app, exit_code);
  add_run_command(app, exit_code);
  add_db_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace kimp::app
