// storage.url parsing and open_database(), which hands the url to its backend.
#include <fmt/format.h>

#include "storage/database.hpp"
#include "storage/postgres_database.hpp"
#include "storage/sqlite_database.hpp"

namespace kimp::storage {

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string_view path = url.substr(kSqlite.size());
    if (path.empty() || path.starts_with("//")) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("storage url \"{}\": expected sqlite:PATH with a file path", url));
    }
    return DatabaseUrl{Backend::kSqlite, std::string(path)};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return DatabaseUrl{Backend::kPostgres, std::string(url)};
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      fmt::format("storage url \"{}\": expected sqlite:PATH or postgresql://USER@HOST/DATABASE", url));
}

Result<std::unique_ptr<Database>> open_database(std::string_view url, const DatabaseOptions& options) {
  KIMP_TRY_ASSIGN(const DatabaseUrl parsed, parse_database_url(url));
  if (parsed.backend == Backend::kSqlite) {
    return open_sqlite_database(parsed.location, options);
  }
  return open_postgres_database(parsed.location, options);
}

}  // namespace kimp::storage
