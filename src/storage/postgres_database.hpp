// The PostgreSQL backend (libpq): batched writes, reconnect after a lost connection, advisory account locks.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace kimp::storage {

// Connects to `url` (postgresql://USER@HOST[:PORT]/DATABASE[?params]) with options.postgres_password.
// The connection reports application_name "kimp" (account locks, on connections of their own:
// "kimp-account-lock") unless the url sets one. A connection found dead at the start of a call is
// replaced within that call; one lost during a call fails it with kUnavailable and the next call
// connects afresh.
// Errors: kInvalidArgument when libpq cannot parse `url`, kUnavailable when the server cannot be reached
// or refuses the login.
Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url,
                                                         const DatabaseOptions& options);

}  // namespace kimp::storage
