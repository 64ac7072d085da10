// A child process for end-to-end tests: spawned with posix_spawn, stdout read line by line, stopped by
// signal.
#pragma once

#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace kimp::e2e {

class ChildProcess {
 public:
  // Starts args[0] with the remaining arguments and this process's environment; its stdout becomes a
  // pipe read by read_line(), its stderr is inherited. pid() is -1 when the spawn failed.
  explicit ChildProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) {
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) {
      std::fclose(out_);
    }
  }

  [[nodiscard]] pid_t pid() const { return pid_; }

  // The next line of the child's stdout without its newline; empty at end of file.
  std::string read_line() {
    std::string line;
    for (int c = std::fgetc(out_); c != EOF && c != '\n'; c = std::fgetc(out_)) {
      line += static_cast<char>(c);
    }
    return line;
  }

  // File descriptors the child has open right now (its /proc/<pid>/fd entries).
  [[nodiscard]] std::size_t open_descriptors() const {
    std::size_t count = 0;
    std::error_code error;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid_) + "/fd", error), end;
         !error && it != end; it.increment(error)) {
      ++count;
    }
    return count;
  }

  // The child's resident memory in KiB (VmRSS of /proc/<pid>/status); 0 when it cannot be read.
  [[nodiscard]] std::size_t resident_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) {
        return std::stoul(line.substr(line.find_first_of("0123456789")));
      }
    }
    return 0;
  }

  // Sends SIGTERM and returns the exit code (-1 when it died of a signal).
  int terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
};

}  // namespace kimp::e2e
