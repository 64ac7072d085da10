// The PostgreSQL backend (libpq): batched writes, reconnect after a lost connection, advisory account locks.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace kimp::storage {

// Connects to `url` (postgresql://USER@HOST[:PORT]/DATABASE[?params]) with options.postgres_password.
// Errors: kUnavailable when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url, const DatabaseOptions& options);

}  // namespace kimp::storage
