// The effective configuration as TOML text, every default included and every secret masked.
#pragma once

#include <string>

#include "config/config.hpp"
#include "config/secrets.hpp"

namespace kimp::config {

// Every key of every section, defaults and derived values included, as TOML that parse_config reads
// back into an equal Config.
std::string render_config(const Config& config);

// The same, preceded by comment lines saying for each secret whether it is set and where it came from
// (environment or secrets file); no character of any secret value is written.
std::string render_config(const Config& config, const Secrets& secrets);

}  // namespace kimp::config
