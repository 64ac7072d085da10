// `kimp venue-sim`: loads the emulator config, serves until SIGINT/SIGTERM, prints its ports when ready.
#include "app/venue_sim_command.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/exit_codes.hpp"
#include "config/problem.hpp"
#include "core/logging.hpp"
#include "sim/config/sim_config.hpp"
#include "sim/server/venue_sim.hpp"

namespace kimp::app {
namespace {

int run_venue_sim(const std::string& config_file) {
  const log::Logger logger("venue-sim");
  sim::SimConfig config;
  if (!config_file.empty()) {
    auto loaded = sim::load_sim_config(config_file);
    if (!loaded) {
      std::cerr << config::render_problems(loaded.error());
      std::cerr << config_file << ": " << loaded.error().size() << " problem(s); configuration is invalid\n";
      return kExitInvalidConfig;
    }
    config = std::move(*loaded);
  }
  boost::asio::io_context io;
  auto venue = sim::VenueSim::start(io, config);
  if (!venue) {
    logger.error("cannot start", {{"error", venue.error().describe()}});
    return kExitFailure;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (!error) {
      logger.info("stopping", {{"signal", signal}});
      (*venue)->stop();
    }
  });
  // One JSON line on stdout says the emulator is ready and where; logs go to stderr.
  std::cout << (*venue)->ports().to_json() << std::endl;
  logger.info("ready", {{"ports", (*venue)->ports().to_json()}, {"accounts", config.accounts.size()}});
  io.run();
  return kExitOk;
}

}  // namespace

void add_venue_sim_command(CLI::App& app, int& exit_code) {
  auto* command =
      app.add_subcommand("venue-sim", "Run the Upbit/Bybit/FX emulator on loopback until SIGTERM");
  auto file = std::make_shared<std::string>();
  command->add_option("--config", *file,
                      "Emulator config (sim/scenarios/default.toml); built-in defaults without");
  command->callback([file, &exit_code] { exit_code = run_venue_sim(*file); });
}

}  // namespace kimp::app
