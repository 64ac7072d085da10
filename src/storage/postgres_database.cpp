// placeholder
#include "storage/postgres_database.hpp"
namespace kimp::storage {
Result<std::unique_ptr<Database>> open_postgres_database(const std::string&, const DatabaseOptions&) {
  return make_error(ErrorCode::kUnavailable, "not built");
}
}  // namespace kimp::storage
