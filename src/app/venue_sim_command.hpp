// `kimp venue-sim`: the Upbit/Bybit/FX emulator on loopback, for tests and the demo.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `venue-sim [--config FILE]`; its outcome is written to `exit_code`.
void add_venue_sim_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
