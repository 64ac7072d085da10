// The `kimp` command line: global options, subcommands, and their exit codes.
#pragma once

namespace kimp::app {

// Parses argv, runs the chosen subcommand and returns the process exit code (see exit_codes.hpp).
int run_cli(int argc, char** argv);

}  // namespace kimp::app
