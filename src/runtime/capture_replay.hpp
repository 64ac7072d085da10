// Capture replays: raw WebSocket captures of both venues through the parsers, books and the PairTrader on
// a simulated clock, with fills walked on the recorded books.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/decimal.hpp"
#include "core/result.hpp"
#include "market/candle_file.hpp"

namespace kimp::runtime {

// USD/KRW for a capture replay: one rate given on the command line, or daily closes (a close is known
// at the end of its day and usable for replay.daily_fx_max_age_days after that).
struct CaptureFx {
  std::optional<Decimal> fixed;
  std::vector<market::DailyRate> daily;
};

// Replays `captures` (frames merged in receive-time order) for the config's strategy.coins: Upbit
// KRW-<coin> books against Bybit linear <coin>USDT books, USDT/KRW from Upbit's KRW-USDT ticker when the
// capture has it (USD/KRW otherwise), funding from Bybit's tickers. Bybit's trading rules come from the
// instruments-info answers recorded in a capture, or the built-in BTCUSDT rules when none is. Writes
// trades.csv, trades.json, summary.json and series.csv into `out_dir` and returns the summary JSON line.
// The same captures and config give the same bytes.
// Errors: kInvalidArgument when strategy.coins is empty or a capture holds no frame; those of
// read_capture and write_replay_report.
Result<std::string> replay_captures(const config::Config& config, const std::vector<std::string>& captures,
                                    const CaptureFx& fx, const std::string& out_dir);

}  // namespace kimp::runtime
