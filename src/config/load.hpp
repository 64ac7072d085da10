// Loading a session's TOML file into a validated Config, or the complete list of what is wrong with it.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "config/problem.hpp"

namespace kimp::config {

// A fully validated Config, or every problem found (at least one), sorted by position.
using ConfigResult = tl::expected<Config, std::vector<ConfigProblem>>;

// Reads and validates the file at `path`; problems name the file as `path` is written. Problems:
// a path that is missing, not a regular file or unreadable (no position), TOML syntax error (one, at
// its position), unknown keys (with a suggestion when one is close), secret-looking keys, wrong types,
// missing required keys, values out of range or not allowed, and rules across keys (mode vs URLs,
// thresholds, coins, intervals, ...), which stay quiet when a key they read has a problem. Never throws
// for anything the file or the file system does.
ConfigResult load_config(const std::filesystem::path& path);

// As load_config, for TOML text already in memory; `file_name` is used in the problems.
ConfigResult parse_config(std::string_view text, std::string_view file_name);

}  // namespace kimp::config
