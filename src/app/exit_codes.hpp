// Process exit codes of the `kimp` command, shared by every subcommand.
#pragma once

namespace kimp::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;        // the command ran and failed (an invariant, an I/O error)
inline constexpr int kExitInvalidConfig = 2;  // the configuration or its secrets are invalid: nothing started
inline constexpr int kExitUsage = 64;         // wrong command-line usage (as sysexits' EX_USAGE)

}  // namespace kimp::app
