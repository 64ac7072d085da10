// `kimp run`: one engine session from its config file until --duration, SIGINT or SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `run --config FILE [--duration SECONDS]`; its outcome is written to `exit_code`.
void add_run_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
