// CandleReplay: a deterministic backtest on recorded candles — Upbit KRW closes, a USDT-leg proxy's
// closes and daily USD/KRW — through the same PairTrader as a live session, on a simulated clock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "execution/sim_executor.hpp"
#include "market/candle_file.hpp"
#include "risk/risk_manager.hpp"
#include "runtime/pair_trader.hpp"
#include "runtime/replay_report.hpp"

namespace kimp::runtime {

// One bar of both legs with the USD/KRW rate usable at its close.
struct ReplayBar {
  Timestamp open_time{};
  Decimal upbit_close{};  // KRW
  Decimal usdt_close{};   // USDT
  Decimal usd_krw{};
  Duration fx_age{};  // since the rate became known (the end of its day)
};

// The bars both files have, and what was left out.
struct JoinedBars {
  std::vector<ReplayBar> bars;
  std::uint64_t upbit_only = 0;  // Upbit candles with no USDT candle at the same time
  std::uint64_t usdt_only = 0;
  std::uint64_t without_fx = 0;  // both present, but no daily rate young enough
};

// Matches candles by open time. A daily close is known at the end of its day (no look-ahead) and stays
// usable for `fx_max_age` after that.
// Errors: kInvalidArgument when a candle's open time is not a multiple of `interval` (the files are not
// `interval` candles), or when no bar is left.
Result<JoinedBars> join_candles(const std::vector<market::Candle>& upbit,
                                const std::vector<market::Candle>& usdt,
                                const std::vector<market::DailyRate>& usd_krw, Duration interval,
                                Duration fx_max_age);

// The trading rules a candle replay sizes with: Upbit's KRW market (10^-8 lot, 5,000 KRW minimum) and
// Bybit's BTCUSDT (qtyStep 0.001, minOrderQty 0.001, minNotionalValue 5 USDT), since candles carry none.
model::Instrument replay_upbit_rules(const std::string& coin);
model::Instrument replay_bybit_rules(const std::string& coin);

// Feeds bars one at a time: the clock moves to the bar's close, exits and entries are evaluated on the
// close ± replay.fill_slippage_pct (against the statistics of the bars before), the executions complete,
// then the bar's premium joins the window. Single-threaded; the same bars and config give the same trades.
class CandleReplay {
 public:
  CandleReplay(const config::Config& config, const std::string& coin, TraderListeners listeners = {});

  // Errors: kInvalidArgument when bars do not move forward in time.
  Status step(const ReplayBar& bar);
  // Closes what is still open at the last bar's prices (reason end_of_data).
  void finish();

  [[nodiscard]] const PairTrader& trader() const { return trader_; }
  [[nodiscard]] const execution::SimExecutor& executor() const { return executor_; }
  [[nodiscard]] std::uint64_t bars() const { return bars_; }
  [[nodiscard]] Timestamp first_open() const { return first_open_; }
  [[nodiscard]] Timestamp last_close() const { return last_close_; }
  [[nodiscard]] ReplayRun run() const { return {&trader_, &executor_, bars_, first_open_, last_close_}; }

 private:
  [[nodiscard]] CoinQuote quote_of(const ReplayBar& bar) const;
  void run_executions();

  config::Config config_;
  Decimal slippage_fraction_;
  SimClock clock_;
  boost::asio::io_context io_;
  execution::SimExecutor executor_;
  risk::RiskManager risk_;
  PairTrader trader_;
  std::uint32_t coin_ = 0;
  std::uint64_t bars_ = 0;
  Timestamp first_open_{};
  Timestamp last_close_{};
  ReplayBar last_bar_{};
};

// The recorded candle files of one coin: Upbit KRW, the USDT leg, daily USD/KRW.
struct CandleFiles {
  std::string upbit;
  std::string usdt;
  std::string usd_krw_daily;
};

// A whole candle replay of `coin`: reads the files, joins them, runs every bar, closes what is open at the
// end, writes trades.csv, trades.json, summary.json and series.csv into `out_dir`, and returns the
// summary JSON line.
// Errors: those of read_candles, read_daily_rates, join_candles, CandleReplay::step and
// write_replay_report.
Result<std::string> replay_candles(const config::Config& config, const std::string& coin,
                                   const CandleFiles& files, const std::string& out_dir);

}  // namespace kimp::runtime
