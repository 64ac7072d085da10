// The kimp binary run as a shell command with both streams captured, for the command-line tests.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kimp {

struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the shell command line `command` with stdout and stderr sent to files in `dir`, then read back.
inline CommandOutput run_command_line(const std::string& command, const std::filesystem::path& dir) {
  const std::filesystem::path out = dir / "stdout";
  const std::filesystem::path err = dir / "stderr";
  const int status = std::system((command + " >" + out.string() + " 2>" + err.string()).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

}  // namespace kimp
