// `kimp replay`: reads the candle files, runs the CandleReplay and writes trades, summary and series.
#include "app/replay_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "app/exit_codes.hpp"
#include "config/load.hpp"
#include "config/render.hpp"
#include "core/logging.hpp"
#include "market/candle_file.hpp"
#include "runtime/candle_replay.hpp"
#include "runtime/replay_report.hpp"

namespace kimp::app {
namespace {

struct ReplayOptions {
  std::string config;
  std::string upbit_candles;
  std::string usdt_candles;
  std::string fx_daily;
  std::string out;
  std::string coin;
};

int fail(const log::Logger& logger, const Error& error) {
  logger.error("replay failed", {{"error", error.describe()}});
  std::cerr << "kimp replay: " << error.message << '\n';
  return kExitFailure;
}

int run_replay(const ReplayOptions& options) {
  const log::Logger logger("replay");
  const auto config = config::load_config(options.config);
  if (!config) {
    std::cerr << config::render_problems(config.error());
    std::cerr << options.config << ": " << config.error().size() << " problem(s); configuration is invalid\n";
    return kExitInvalidConfig;
  }
  const std::string coin = !options.coin.empty()             ? options.coin
                           : !config->strategy.coins.empty() ? config->strategy.coins.front()
                                                             : std::string("BTC");
  const auto upbit = market::read_candles(options.upbit_candles);
  if (!upbit) {
    return fail(logger, upbit.error());
  }
  const auto usdt = market::read_candles(options.usdt_candles);
  if (!usdt) {
    return fail(logger, usdt.error());
  }
  const auto fx = market::read_daily_rates(options.fx_daily);
  if (!fx) {
    return fail(logger, fx.error());
  }
  auto joined = runtime::join_candles(*upbit, *usdt, *fx, config->engine.bar_interval,
                                      std::chrono::hours(24) * config->replay.daily_fx_max_age_days);
  if (!joined) {
    return fail(logger, joined.error());
  }
  runtime::ReplayReport report;
  report.coin = coin;
  report.fill_model = "candle_close_slippage";
  report.config = &*config;
  runtime::TraderListeners listeners;
  listeners.on_series = [&report](const runtime::SeriesRow& row) { report.series.push_back(row); };
  runtime::CandleReplay replay(*config, coin, std::move(listeners));
  for (const runtime::ReplayBar& bar : joined->bars) {
    if (const Status stepped = replay.step(bar); !stepped) {
      return fail(logger, stepped.error());
    }
  }
  replay.finish();
  report.replay = &replay;
  report.joined.upbit_only = joined->upbit_only;
  report.joined.usdt_only = joined->usdt_only;
  report.joined.without_fx = joined->without_fx;
  if (const Status written = runtime::write_replay_report(options.out, report); !written) {
    return fail(logger, written.error());
  }
  logger.info(
      "replay written",
      {{"dir", options.out}, {"bars", replay.bars()}, {"trades", replay.trader().closed_pairs().size()}});
  std::cout << runtime::replay_summary_json(report) << '\n';
  return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto* replay = app.add_subcommand("replay", "Backtest the strategy on recorded candles (deterministic)");
  auto options = std::make_shared<ReplayOptions>();
  replay->add_option("--config", options->config, "The session's TOML file (strategy, risk, replay sections)")
      ->required();
  replay
      ->add_option("--upbit-candles", options->upbit_candles,
                   "Upbit KRW candles: timestamp,open,high,low,close,volume")
      ->required();
  replay->add_option("--usdt-candles", options->usdt_candles, "USDT-leg candles of the same interval")
      ->required();
  replay->add_option("--fx-daily", options->fx_daily, "Daily USD/KRW: date,open,high,low,close")->required();
  replay->add_option("--out", options->out, "Directory for trades.csv, trades.json, summary.json, series.csv")
      ->required();
  replay->add_option("--coin", options->coin, "The coin traded (default: the first of strategy.coins)");
  replay->callback([options, &exit_code] { exit_code = run_replay(*options); });
}

}  // namespace kimp::app
