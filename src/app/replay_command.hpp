// `kimp replay`: a deterministic backtest over recorded candles through the session's strategy.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `replay --config FILE --upbit-candles CSV --usdt-candles CSV --fx-daily CSV --out DIR [--coin C]`
// and `replay --config FILE --capture FILE... (--usd-krw RATE | --fx-daily CSV) --out DIR`; its outcome is
// written to `exit_code`.
void add_replay_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
