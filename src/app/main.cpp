// Entry point of the `kimp` command.
#include <exception>

#include "app/cli.hpp"
#include "app/exit_codes.hpp"
#include "core/logging.hpp"

int main(int argc, char** argv) {
  // Expected failures are values; an exception reaching here is a bug or an unrecoverable
  // environment failure. It is logged (redacted like every line) instead of aborting silently.
  try {
    return kimp::app::run_cli(argc, argv);
  } catch (const std::exception& error) {
    kimp::log::Logger("app").error("fatal error", {{"what", error.what()}});
    return kimp::app::kExitFailure;
  }
}
