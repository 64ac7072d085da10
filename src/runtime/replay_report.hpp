// The files a replay writes: trades.csv, trades.json, summary.json and series.csv, byte-identical for
// the same input and config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "runtime/candle_replay.hpp"
#include "runtime/pair_trader.hpp"

namespace kimp::runtime {

// Everything the files are made of.
struct ReplayReport {
  std::string coin;
  std::string fill_model;  // "candle_close_slippage": fills at the close ± replay.fill_slippage_pct
  const config::Config* config = nullptr;
  const CandleReplay* replay = nullptr;
  JoinedBars joined;  // the counts; its bars need not be kept
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
