// `kimp config check`: every problem of a config file and its secrets, or the effective config, masked.
#include "app/config_command.hpp"

#include <cstddef>
#include <iostream>
#include <memory>
#include <string>

#include "app/exit_codes.hpp"
#include "config/load.hpp"
#include "config/render.hpp"
#include "config/secrets.hpp"
#include "core/logging.hpp"

namespace kimp::app {
namespace {

struct CheckOptions {
  std::string file;
  bool print = false;
};

// Problems go to stderr, one per line; the effective config (with --print) alone goes to stdout
// so that it can be redirected into a file.
int check_config(const CheckOptions& options) {
  const log::Logger logger("config");
  const auto config = config::load_config(options.file);
  if (!config) {
    std::cerr << config::render_problems(config.error());
    std::cerr << options.file << ": " << config.error().size() << " problem(s); configuration is invalid\n";
    return kExitInvalidConfig;
  }
  const auto secrets = config::load_secrets(*config, config::process_environment());
  if (!secrets) {
    std::cerr << options.file << ": secrets: " << secrets.error().message << '\n';
    return kExitInvalidConfig;
  }
  if (const auto required = config::require_secrets(*config, *secrets); !required) {
    std::cerr << options.file << ": secrets: " << required.error().message << '\n';
    return kExitInvalidConfig;
  }
  for (std::size_t index = 0; index < config::kSecretCount; ++index) {
    const auto name = static_cast<config::SecretName>(index);
    logger.debug("secret", {{"name", config::env_name(name)}, {"value", (*secrets)[name].value}});
  }
  logger.info("configuration is valid", {{"file", options.file},
                                         {"mode", config::to_string(config->engine.mode)},
                                         {"session", config->engine.session}});
  if (options.print) {
    std::cout << config::render_config(*config, *secrets);
  }
  return kExitOk;
}

}  // namespace

void add_config_command(CLI::App& app, int& exit_code) {
  auto* config = app.add_subcommand("config", "Configuration tools");
  config->require_subcommand(1);
  auto* check =
      config->add_subcommand("check", "Validate a session config file and its secrets (exit 2 if invalid)");
  auto options = std::make_shared<CheckOptions>();
  check->add_option("FILE", options->file, "The session's TOML file")->required();
  check->add_flag("--print", options->print,
                  "Print the effective configuration (defaults included, secrets masked)");
  check->callback([options, &exit_code] { exit_code = check_config(*options); });
}

}  // namespace kimp::app
