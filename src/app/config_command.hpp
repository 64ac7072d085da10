// `kimp config ...`: checking a session configuration and its secrets before anything starts.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `config check FILE [--print]`; its outcome is written to `exit_code`.
void add_config_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
