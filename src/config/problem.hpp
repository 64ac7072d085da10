// One problem found in a configuration file, with its position and the stable text the CLI prints.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace kimp::config {

struct ConfigProblem {
  std::string file;
  std::int32_t line = 0;  // 1-based; 0 when the problem concerns the whole file (it cannot be read)
  std::int32_t column = 0;
  std::string key_path;  // "strategy.coins[2]"; empty for TOML syntax errors
  std::string message;

  // "FILE:LINE:COLUMN: key.path: message"; the key part is left out when empty and the position
  // part when line is 0 ("FILE: message").
  [[nodiscard]] std::string to_string() const;

  bool operator==(const ConfigProblem&) const = default;
};

// One problem per line, each line ending in '\n'.
std::string render_problems(std::span<const ConfigProblem> problems);

}  // namespace kimp::config
