// The files a replay writes: trades.csv, trades.json, summary.json and series.csv, byte-identical for
// the same input and config.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "execution/sim_executor.hpp"
#include "runtime/pair_trader.hpp"

namespace kimp::runtime {

// What a replay ran: its trader and executor, and the span of its bars.
struct ReplayRun {
  const PairTrader* trader = nullptr;
  const execution::SimExecutor* executor = nullptr;
  std::uint64_t bars = 0;
  Timestamp first_open{};
  Timestamp last_close{};
};

// Everything the files are made of.
struct ReplayReport {
  std::string fill_model;  // "candle_close_slippage" (close ± replay.fill_slippage_pct) or "book_walk"
  std::string sizing;      // "configured_notional" or "book_depth"
  const config::Config* config = nullptr;
  ReplayRun run;
  // Counts of the input, by name ("bars_upbit_only", "frames", ...), in the summary's "input" object.
  std::vector<std::pair<std::string, std::uint64_t>> input;
  std::vector<SeriesRow> series;
};

// The summary as one JSON object on one line: mode, fill model, bars, trades, wins, win rate, gross/net
// PnL, fees, funding, max drawdown, exposure, exits by reason and the gate's counters per stage.
std::string replay_summary_json(const ReplayReport& report);

// Writes the four files into `dir` (created when missing), each through a temporary file renamed into
// place, so a failed write never leaves a half file under the final name.
// Errors: kUnavailable naming the file when it cannot be created, written or renamed (a full disk).
Status write_replay_report(const std::string& dir, const ReplayReport& report);

}  // namespace kimp::runtime
