// The SQLite backend: one file in WAL mode, the embedded default.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace kimp::storage {

// Opens `path` (creating the file and its parent directory when missing) in WAL mode with
// options.busy_timeout. Errors: kUnavailable when the file cannot be opened or is not a database.
Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const DatabaseOptions& options);

}  // namespace kimp::storage
