// `kimp replay`: reads the candle files, runs the CandleReplay and writes trades, summary and series.
#include "app/replay_command.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/exit_codes.hpp"
#include "config/load.hpp"
#include "config/render.hpp"
#include "core/logging.hpp"
#include "market/candle_file.hpp"
#include "runtime/candle_replay.hpp"
#include "runtime/capture_replay.hpp"

namespace kimp::app {
namespace {

struct ReplayOptions {
  std::string config;
  std::string upbit_candles;
  std::string usdt_candles;
  std::string fx_daily;
  std::string out;
  std::string coin;
  std::vector<std::string> captures;
  std::string usd_krw;
};

int fail(const log::Logger& logger, const Error& error) {
  logger.error("replay failed", {{"error", error.describe()}});
  std::cerr << "kimp replay: " << error.message << '\n';
  return kExitFailure;
}

// Captures (with --usd-krw or --fx-daily) or the three candle files, not both.
std::optional<std::string> usage_problem(const ReplayOptions& options) {
  if (!options.captures.empty()) {
    if (!options.upbit_candles.empty() || !options.usdt_candles.empty()) {
      return "--capture replays raw captures; it does not take --upbit-candles or --usdt-candles";
    }
    if (options.usd_krw.empty() == options.fx_daily.empty()) {
      return "--capture needs exactly one of --usd-krw RATE or --fx-daily CSV";
    }
    return std::nullopt;
  }
  if (options.upbit_candles.empty() || options.usdt_candles.empty() || options.fx_daily.empty()) {
    return "a candle replay needs --upbit-candles, --usdt-candles and --fx-daily (or give --capture FILE)";
  }
  if (!options.usd_krw.empty()) {
    return "--usd-krw applies to --capture replays only";
  }
  return std::nullopt;
}

Result<std::string> run_captures(const config::Config& config, const ReplayOptions& options) {
  runtime::CaptureFx fx;
  if (!options.usd_krw.empty()) {
    KIMP_TRY_ASSIGN(const Decimal rate, Decimal::parse(options.usd_krw));
    if (!rate.is_positive()) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("--usd-krw must be positive, got {}", rate));
    }
    fx.fixed = rate;
  } else {
    KIMP_TRY_ASSIGN(fx.daily, market::read_daily_rates(options.fx_daily));
  }
  return runtime::replay_captures(config, options.captures, fx, options.out);
}

int run_replay(const ReplayOptions& options) {
  const log::Logger logger("replay");
  if (const std::optional<std::string> problem = usage_problem(options)) {
    std::cerr << "kimp replay: " << *problem << '\n';
    return kExitUsage;
  }
  const auto config = config::load_config(options.config);
  if (!config) {
    std::cerr << config::render_problems(config.error());
    std::cerr << options.config << ": " << config.error().size() << " problem(s); configuration is invalid\n";
    return kExitInvalidConfig;
  }
  const std::string coin = !options.coin.empty()             ? options.coin
                           : !config->strategy.coins.empty() ? config->strategy.coins.front()
                                                             : std::string("BTC");
  const auto summary =
      options.captures.empty()
          ? runtime::replay_candles(
                *config, coin, {options.upbit_candles, options.usdt_candles, options.fx_daily}, options.out)
          : run_captures(*config, options);
  if (!summary) {
    return fail(logger, summary.error());
  }
  logger.info("replay written", {{"dir", options.out}});
  std::cout << *summary << '\n';
  return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto* replay = app.add_subcommand("replay", "Backtest the strategy on recorded candles (deterministic)");
  auto options = std::make_shared<ReplayOptions>();
  replay->add_option("--config", options->config, "The session's TOML file (strategy, risk, replay sections)")
      ->required();
  replay->add_option("--upbit-candles", options->upbit_candles,
                     "Upbit KRW candles: timestamp,open,high,low,close,volume");
  replay->add_option("--usdt-candles", options->usdt_candles, "USDT-leg candles of the same interval");
  replay->add_option("--fx-daily", options->fx_daily, "Daily USD/KRW: date,open,high,low,close");
  replay->add_option("--capture", options->captures,
                     "A raw WebSocket capture (repeatable): replays books instead of candles");
  replay->add_option("--usd-krw", options->usd_krw, "A fixed USD/KRW rate for --capture replays");
  replay->add_option("--out", options->out, "Directory for trades.csv, trades.json, summary.json, series.csv")
      ->required();
  replay->add_option("--coin", options->coin, "The coin traded (default: the first of strategy.coins)");
  replay->callback([options, &exit_code] { exit_code = run_replay(*options); });
}

}  // namespace kimp::app
