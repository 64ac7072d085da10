// `kimp feed-replay`: pushes a raw WebSocket capture through the engine's parse and book path.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `feed-replay FILE [--repeat N]`; its outcome is written to `exit_code`.
void add_feed_replay_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
