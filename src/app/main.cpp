// Entry point of the `kimp` command.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return kimp::app::run_cli(argc, argv);
}
