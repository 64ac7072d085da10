// `kimp db ...`: migrating, inspecting and exporting the storage database named by a storage url.
#pragma once

#include <CLI/CLI.hpp>

namespace kimp::app {

// Adds `db migrate --url URL`, `db stats --url URL` and
// `db export --url URL --session N --format csv|json [--out FILE]`; their outcome is written to `exit_code`.
// URL is a storage.url: sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE (password from
// KIMP_POSTGRES_PASSWORD or the secrets file).
void add_db_command(CLI::App& app, int& exit_code);

}  // namespace kimp::app
