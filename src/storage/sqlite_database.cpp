// The SQLite backend: WAL file, versioned migrations, batched idempotent writes with cached statements.
#include "storage/sqlite_database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <boost/mp11/algorithm.hpp>

#include "storage/schema.hpp"

namespace kimp::storage {
namespace {

struct ConnectionCloser {
  void operator()(sqlite3* connection) const { sqlite3_close_v2(connection); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";

// What the caller may do about a failed call: busy, locked, I/O and full-disk failures pass (retry the
// batch later); a refused value is the batch's own fault; anything else is a bug here.
ErrorCode code_of(int result) {
  switch (result & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return ErrorCode::kUnavailable;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return ErrorCode::kInvalidArgument;
    default: return ErrorCode::kInternal;
  }
}

std::string_view hint_of(int result) {
  switch (result & 0xff) {
    case SQLITE_FULL: return " (disk full: free space, then retry)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return " (another connection holds the database)";
    default: return "";
  }
}

tl::unexpected<Error> sqlite_error(int result, sqlite3* connection, const std::string& path,
                                   std::string_view what) {
  // The connection's message belongs to its latest call, which is the failed one only when codes agree.
  const char* message = connection != nullptr && sqlite3_extended_errcode(connection) == result
                            ? sqlite3_errmsg(connection)
                            : sqlite3_errstr(result);
  return make_error(code_of(result),
                    fmt::format("sqlite {}: {}: {}{}", path, what, message, hint_of(result)));
}

int bind_value(sqlite3_stmt* statement, int index, std::int64_t value) {
  return sqlite3_bind_int64(statement, index, value);
}

int bind_value(sqlite3_stmt* statement, int index, double value) {
  // to_cell writes a NaN or an infinity as NULL; the stored row says the same.
  return std::isfinite(value) ? sqlite3_bind_double(statement, index, value)
                              : sqlite3_bind_null(statement, index);
}

// Strings of the row outlive the step that reads them: bound without a copy.
int bind_value(sqlite3_stmt* statement, int index, const std::string& value) {
  return sqlite3_bind_text64(statement, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
}

int bind_cell(sqlite3_stmt* statement, int index, const Cell& cell) {
  if (!cell) {
    return sqlite3_bind_null(statement, index);
  }
  return sqlite3_bind_text64(statement, index, cell->data(), cell->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Decimals are stored as their exact text (the column is TEXT, so SQLite never turns them into REAL).
int bind_value(sqlite3_stmt* statement, int index, Decimal value) {
  return bind_cell(statement, index, to_cell(value));
}

int bind_value(sqlite3_stmt* statement, int index, Timestamp value) {
  return bind_cell(statement, index, to_cell(value));
}

template <class T>
int bind_value(sqlite3_stmt* statement, int index, const std::optional<T>& value) {
  return value ? bind_value(statement, index, *value) : sqlite3_bind_null(statement, index);
}

// Binds write_columns<Row>() of `row` as parameters 1, 2, ...; the first failing result, or SQLITE_OK.
template <class Row>
int bind_row(sqlite3_stmt* statement, const Row& row) {
  int index = 0;
  int result = SQLITE_OK;
  for_each_column(row, [&](std::string_view name, const auto& value) {
    if (result == SQLITE_OK && name != RowTraits<Row>::kAssignedColumn) {
      result = bind_value(statement, ++index, value);
    }
  });
  return result;
}

// A column by its storage class: integers as decimal text, doubles as to_cell's shortest round-trip text
// (not SQLite's 15-digit rendering), text and blobs byte for byte.
Cell read_cell(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL: return std::nullopt;
    case SQLITE_INTEGER: return to_cell(static_cast<std::int64_t>(sqlite3_column_int64(statement, column)));
    case SQLITE_FLOAT: return to_cell(sqlite3_column_double(statement, column));
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement, column));
      return text == nullptr ? std::string() : std::string(text, size);
    }
  }
}

std::string now_iso8601() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return *to_cell(
      Timestamp::from_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count()));
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, Connection connection)
      : path_(std::move(path)), connection_(std::move(connection)) {}

  [[nodiscard]] Backend backend() const override { return Backend::kSqlite; }

  Result<std::vector<int>> migrate() override {
    KIMP_TRY(exec(kCreateMigrationsTable, "create schema_migrations"));
    std::vector<int> applied;
    // The version is read again inside each migration's transaction, so that two processes migrating
    // the same file at once apply every migration exactly once.
    KIMP_TRY(require_known_version());
    for (const Migration& migration : migrations(Backend::kSqlite)) {
      bool applied_now = false;
      KIMP_TRY(in_transaction([&] { return apply_migration(migration, applied_now); }));
      if (applied_now) {
        applied.push_back(migration.version);
      }
    }
    return applied;
  }

  Result<int> schema_version() override {
    KIMP_TRY_ASSIGN(const std::int64_t tables,
                    query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                              "'schema_migrations'"));
    if (tables == 0) {
      return 0;
    }
    KIMP_TRY_ASSIGN(const std::int64_t version,
                    query_int("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    return static_cast<int>(version);
  }

  Result<std::int64_t> begin_session(const SessionRow& session) override {
    KIMP_TRY(set_synchronous(Durability::kCritical));
    if (!session_insert_) {
      KIMP_TRY_ASSIGN(session_insert_,
                      prepare(write_statement<SessionRow>(Backend::kSqlite), SQLITE_PREPARE_PERSISTENT));
    }
    KIMP_TRY(step_row(session_insert_.get(), session, "insert session"));
    if (sqlite3_changes(connection_.get()) != 1) {
      return make_error(ErrorCode::kInternal,
                        fmt::format("sqlite {}: insert session: no row inserted", path_));
    }
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(connection_.get()));
  }

  Status write(std::span<const StorageRecord> records, Durability durability) override {
    KIMP_TRY(set_synchronous(durability));
    return in_transaction([&]() -> Status {
      for (const StorageRecord& record : records) {
        KIMP_TRY(std::visit([this](const auto& row) { return write_row(row); }, record));
      }
      return ok();
    });
  }

  Result<TableRows> select_rows(Table table, std::optional<std::int64_t> session_id) override {
    // funding_schedules holds one row per coin whatever the session.
    const bool by_session = session_id.has_value() && table != Table::kFundingSchedules;
    KIMP_TRY_ASSIGN(const Statement select, prepare(select_statement(Backend::kSqlite, table, by_session)));
    if (by_session) {
      const int result = sqlite3_bind_int64(select.get(), 1, *session_id);
      if (result != SQLITE_OK) {
        return sqlite_error(result, connection_.get(), path_, "bind session id");
      }
    }
    TableRows selected{.columns = table_columns(table), .rows = {}};
    const int column_count = sqlite3_column_count(select.get());
    int result = SQLITE_OK;
    while ((result = sqlite3_step(select.get())) == SQLITE_ROW) {
      std::vector<Cell> cells;
      cells.reserve(static_cast<std::size_t>(column_count));
      for (int column = 0; column < column_count; ++column) {
        cells.push_back(read_cell(select.get(), column));
      }
      selected.rows.push_back(std::move(cells));
    }
    if (result != SQLITE_DONE) {
      return sqlite_error(result, connection_.get(), path_, fmt::format("select {}", table_name(table)));
    }
    return selected;
  }

  Result<std::vector<TableCount>> count_rows() override {
    std::vector<TableCount> counts;
    for (const Table table : kAllTables) {
      KIMP_TRY_ASSIGN(const std::int64_t rows,
                      query_int(fmt::format("SELECT count(*) FROM {}", table_name(table))));
      counts.push_back({.table = table, .rows = rows});
    }
    return counts;
  }

  // One process writes a SQLite file (the DbWriter's connection), so there is nobody to exclude: the
  // lock guards nothing. Several instances on one account need the PostgreSQL backend.
  Result<std::unique_ptr<AccountLock>> lock_account(std::string_view /*account*/) override {
    return std::make_unique<AccountLock>();
  }

 private:
  // Applies `migration` unless the version it brings is already there, saying so in `applied`; runs
  // inside a transaction.
  Status apply_migration(const Migration& migration, bool& applied) {
    KIMP_TRY_ASSIGN(const int current, require_known_version());
    if (migration.version <= current) {
      return ok();
    }
    KIMP_TRY(exec(migration.sql, fmt::format("migration {} ({})", migration.version, migration.description))
                 .map_error([](Error error) {
                   // A migration the database refuses is a bug of the migration, not a passing failure.
                   if (error.code == ErrorCode::kInvalidArgument) {
                     error.code = ErrorCode::kInternal;
                   }
                   return error;
                 }));
    KIMP_TRY_ASSIGN(
        const Statement insert,
        prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)"));
    const std::string description(migration.description);
    const std::string applied_at = now_iso8601();
    int result = sqlite3_bind_int64(insert.get(), 1, migration.version);
    if (result == SQLITE_OK) {
      result = bind_value(insert.get(), 2, description);
    }
    if (result == SQLITE_OK) {
      result = bind_value(insert.get(), 3, applied_at);
    }
    if (result == SQLITE_OK) {
      result = sqlite3_step(insert.get());
    }
    if (result != SQLITE_DONE) {
      return sqlite_error(result, connection_.get(), path_, "record migration");
    }
    applied = true;
    return ok();
  }

  Result<Statement> prepare(std::string_view sql, unsigned flags = 0) {
    sqlite3_stmt* raw = nullptr;
    const int result =
        sqlite3_prepare_v3(connection_.get(), sql.data(), static_cast<int>(sql.size()), flags, &raw, nullptr);
    Statement statement(raw);
    if (result != SQLITE_OK) {
      return sqlite_error(result, connection_.get(), path_, fmt::format("prepare \"{}\"", sql));
    }
    return statement;
  }

  // Runs `sql` (one statement or several separated by ";\n") without results.
  Status exec(std::string_view sql, std::string_view what) {
    const std::string text(sql);
    const int result = sqlite3_exec(connection_.get(), text.c_str(), nullptr, nullptr, nullptr);
    if (result != SQLITE_OK) {
      return sqlite_error(result, connection_.get(), path_, what);
    }
    return ok();
  }

  // The integer in the first column of the first row of `sql`.
  Result<std::int64_t> query_int(std::string_view sql) {
    KIMP_TRY_ASSIGN(const Statement query, prepare(sql));
    const int result = sqlite3_step(query.get());
    if (result != SQLITE_ROW) {
      return sqlite_error(result, connection_.get(), path_, fmt::format("query \"{}\"", sql));
    }
    return static_cast<std::int64_t>(sqlite3_column_int64(query.get(), 0));
  }

  // The version recorded in schema_migrations. Errors: kFailedPrecondition when it is newer than
  // latest_schema_version(): an older build must not write into a schema it does not know.
  Result<int> require_known_version() {
    KIMP_TRY_ASSIGN(const int version, schema_version());
    if (version > latest_schema_version()) {
      return make_error(
          ErrorCode::kFailedPrecondition,
          fmt::format("sqlite {}: schema version {} is newer than this build's {}; use a newer kimp", path_,
                      version, latest_schema_version()));
    }
    return version;
  }

  // PRAGMA synchronous cannot change inside a transaction; it is set before BEGIN, only when it changes.
  Status set_synchronous(Durability durability) {
    if (synchronous_ == durability) {
      return ok();
    }
    KIMP_TRY(
        exec(durability == Durability::kCritical ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
             "set synchronous"));
    synchronous_ = durability;
    return ok();
  }

  // Runs `body` between BEGIN IMMEDIATE and COMMIT; rolls back when either fails, so nothing of a
  // failed body stays written.
  template <class Body>
  Status in_transaction(Body&& body) {
    KIMP_TRY(exec("BEGIN IMMEDIATE", "begin transaction"));
    Status status = body();
    if (status) {
      status = exec("COMMIT", "commit");
    }
    // Some failures (I/O, a full disk) roll the transaction back on their own; only roll back an open one.
    if (!status && sqlite3_get_autocommit(connection_.get()) == 0) {
      sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return status;
  }

  template <class Row>
  Status step_row(sqlite3_stmt* statement, const Row& row, std::string_view what) {
    int result = bind_row(statement, row);
    if (result == SQLITE_OK) {
      result = sqlite3_step(statement);
    }
    if (result != SQLITE_DONE) {
      Status status = sqlite_error(result, connection_.get(), path_, what);
      sqlite3_reset(statement);
      return status;
    }
    sqlite3_reset(statement);
    return ok();
  }

  template <class Row>
  Status write_row(const Row& row) {
    constexpr std::size_t kIndex = boost::mp11::mp_find<StorageRecord, Row>::value;
    Statement& statement = write_statements_[kIndex];
    if (!statement) {
      KIMP_TRY_ASSIGN(statement, prepare(write_statement<Row>(Backend::kSqlite), SQLITE_PREPARE_PERSISTENT));
    }
    return step_row(statement.get(), row, table_name(RowTraits<Row>::kTable));
  }

  std::string path_;
  Connection connection_;  // declared before the statements, which must be finalized first
  Statement session_insert_;
  std::array<Statement, std::variant_size_v<StorageRecord>> write_statements_{};
  std::optional<Durability> synchronous_{};
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const DatabaseOptions& options) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return make_error(ErrorCode::kUnavailable, fmt::format("sqlite {}: cannot create directory {}: {}",
                                                             path, parent.string(), error.message()));
    }
  }
  sqlite3* raw = nullptr;
  // No mutex: a Database is used by one thread at a time.
  const int opened = sqlite3_open_v2(
      path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection connection(raw);  // closed on every early return, a failed open included
  const auto unavailable = [&](int result, std::string_view what) {
    Error error = sqlite_error(result, connection.get(), path, what).value();
    error.code = ErrorCode::kUnavailable;
    return tl::unexpected<Error>(std::move(error));
  };
  if (opened != SQLITE_OK) {
    return unavailable(opened, "cannot open");
  }
  sqlite3_extended_result_codes(connection.get(), 1);
  const auto timeout_ms =
      std::clamp<std::int64_t>(options.busy_timeout.count(), 0, std::numeric_limits<int>::max());
  sqlite3_busy_timeout(connection.get(), static_cast<int>(timeout_ms));

  // The first statement reads the file's header, so this is where a file that is no database shows.
  sqlite3_stmt* raw_statement = nullptr;
  int result = sqlite3_prepare_v2(connection.get(), "PRAGMA journal_mode=WAL", -1, &raw_statement, nullptr);
  const Statement journal(raw_statement);
  if (result == SQLITE_OK) {
    result = sqlite3_step(journal.get());
  }
  if (result != SQLITE_ROW) {
    return unavailable(result, "cannot open");
  }
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(journal.get(), 0));
  const std::string journal_mode = mode == nullptr ? std::string() : std::string(mode);
  if (journal_mode != "wal") {
    return make_error(
        ErrorCode::kUnavailable,
        fmt::format("sqlite {}: journal_mode is \"{}\", WAL could not be enabled", path, journal_mode));
  }
  // No foreign keys: the rows of one batch land in table order, not in the order they were produced.
  result = sqlite3_exec(connection.get(), "PRAGMA foreign_keys=OFF", nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) {
    return unavailable(result, "cannot open");
  }
  return std::make_unique<SqliteDatabase>(path, std::move(connection));
}

}  // namespace kimp::storage
