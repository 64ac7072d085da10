// `kimp run`: loads and checks the config, runs the session on one event loop, prints a status line per
// bar and, as the last line of stdout, the summary JSON.
#include "app/run_command.hpp"

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "alerts/alert_service.hpp"
#include "alerts/telegram_sender.hpp"
#include "app/exit_codes.hpp"
#include "app/session_storage.hpp"
#include "config/load.hpp"
#include "config/render.hpp"
#include "config/secrets.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "runtime/simulation_session.hpp"

namespace kimp::app {
namespace {

// How long Telegram gets to deliver the last alerts at the end of a session.
constexpr std::chrono::seconds kTelegramDrain{5};

struct RunOptions {
  std::string config;
  std::optional<double> duration_sec;
};

int run_session(const RunOptions& options) {
  const log::Logger logger("run");
  const auto config = config::load_config(options.config);
  if (!config) {
    std::cerr << config::render_problems(config.error());
    std::cerr << options.config << ": " << config.error().size() << " problem(s); configuration is invalid\n";
    return kExitInvalidConfig;
  }
  if (config->engine.mode != config::Mode::kSimulation) {
    std::cerr << options.config << ": engine.mode = \"" << config::to_string(config->engine.mode)
              << "\" cannot run yet: this build trades in simulation mode only\n";
    return kExitInvalidConfig;
  }
  const auto secrets = config::load_secrets(*config, config::process_environment());
  if (!secrets) {
    std::cerr << options.config << ": " << secrets.error().message << '\n';
    return kExitInvalidConfig;
  }
  boost::asio::io_context io;
  const WallClock clock(io.get_executor());
  auto storage = open_session_storage(*config, *secrets, clock.now());
  if (!storage) {
    std::cerr << "kimp run: storage " << config->storage.url << ": " << storage.error().message << '\n';
    return kExitFailure;
  }
  auto telegram = alerts::make_telegram_sender(config->alerts, *secrets, (*storage)->writer());
  if (!telegram) {
    std::cerr << "kimp run: telegram alerts: " << telegram.error().message << '\n';
    (*storage)->close("failed", telegram.error().message, clock.now());
    return kExitInvalidConfig;
  }
  alerts::AlertService alert_service((*storage)->writer(), (*storage)->session_id(), clock, telegram->get());
  runtime::SessionOptions session_options;
  session_options.records = &(*storage)->writer();
  session_options.session_id = (*storage)->session_id();
  session_options.alerts = &alert_service;
  if (options.duration_sec) {
    session_options.duration =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*options.duration_sec));
  }
  session_options.output = [](const std::string& line) { std::cout << line << std::endl; };
  auto session = runtime::SimulationSession::create(io, *config, std::move(session_options));
  if (!session) {
    std::cerr << options.config << ": " << session.error().message << '\n';
    (*storage)->close("failed", session.error().message, clock.now());
    return kExitInvalidConfig;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (!error) {
      logger.info("stopping", {{"signal", signal}});
      (*session)->stop();
    }
  });
  Status outcome = ok();
  (*session)->start([&](Status status) {
    outcome = std::move(status);
    signals.cancel();
    io.stop();
  });
  io.run();
  if (!outcome) {
    alert_service.send(alerts::Error{.message = "session failed: " + outcome.error().message});
  }
  if (*telegram) {
    (*telegram)->stop(std::chrono::steady_clock::now() + kTelegramDrain);
  }
  const storage::ShutdownReport stored =
      (*storage)->close(outcome ? "stopped" : "failed", outcome ? "" : outcome.error().message, clock.now());
  const storage::DbWriterStats written = (*storage)->writer().stats();
  std::uint64_t rows = 0;
  std::uint64_t dropped = 0;
  for (const storage::TableCounters& table : written.tables) {
    rows += table.written;
    dropped += table.dropped;
  }
  logger.info("session stored", {{"session_id", (*storage)->session_id()},
                                 {"rows_written", rows},
                                 {"rows_dropped", dropped},
                                 {"drained", stored.drained}});
  std::cout << (*session)->summary_json() << std::endl;
  if (!stored.drained) {
    std::cerr << "kimp run: the database did not take every record; the rest is in "
              << config->storage.spill_journal << " for the next start\n";
    return kExitFailure;
  }
  if (!outcome) {
    std::cerr << "kimp run: " << outcome.error().message << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* run =
      app.add_subcommand("run", "Run an engine session (simulation mode: virtual fills from live books)");
  auto options = std::make_shared<RunOptions>();
  run->add_option("--config", options->config, "The session's TOML file")->required();
  run->add_option("--duration", options->duration_sec,
                  "Stop after this many seconds (default: until SIGINT/SIGTERM)")
      ->check(CLI::PositiveNumber);
  run->callback([options, &exit_code] { exit_code = run_session(*options); });
}

}  // namespace kimp::app
