// The PostgreSQL backend on libpq: batch writes by COPY, migrations under an advisory lock, a fresh
// connection after a lost one, and account locks held on connections of their own.
#include "storage/postgres_database.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "core/logging.hpp"
#include "storage/schema.hpp"

namespace kimp::storage {
namespace {

constexpr std::string_view kApplicationName = "kimp";
// Account locks connect under a name of their own, so that they are told apart from the writer in
// pg_stat_activity.
constexpr std::string_view kLockApplicationName = "kimp-account-lock";
// Longer than the largest batch the DbWriter sends takes; a statement past it is cancelled (kUnavailable).
constexpr std::string_view kStatementTimeout = "60s";
// How long sent data may stay unacknowledged before the kernel drops the connection (milliseconds).
constexpr const char* kTcpUserTimeoutMs = "30000";
// Below this many rows of one table, one prepared INSERT per row costs fewer round trips than COPY.
constexpr std::size_t kCopyMinRows = 16;
constexpr std::size_t kCopyChunkBytes = std::size_t{1} << 20;
// The two-int advisory key space is apart from the one-bigint keys of account locks, so the migration
// lock cannot collide with an account's hash.
constexpr int kMigrationLockClass = 0x6b696d70;  // "kimp"
constexpr int kMigrationLockObject = 1;
constexpr std::string_view kUniqueViolation = "23505";

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnectionPtr = std::unique_ptr<PGconn, ConnectionCloser>;

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

// libpq's messages span lines ("server closed the connection unexpectedly\n\tThis probably means...");
// log lines and errors want one.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

// Where and how to connect. `label` names the server in messages; it never holds the password.
struct ConnectTarget {
  std::string url;
  std::string password;
  std::string connect_timeout;  // whole seconds
  std::string label;            // user@host:port/database
};

// The url's user, host, port and database for messages, leaving out any password it carries.
// Errors: kInvalidArgument when libpq cannot parse the url.
Result<std::string> describe_url(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &parse_error);
  if (options == nullptr) {
    std::string message = parse_error != nullptr ? one_line(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return make_error(ErrorCode::kInvalidArgument, fmt::format("storage url: {}", message));
  }
  std::string user;
  std::string host;
  std::string port;
  std::string database;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) {
      continue;
    }
    const std::string_view keyword = option->keyword;
    if (keyword == "user") {
      user = option->val;
    } else if (keyword == "host") {
      host = option->val;
    } else if (keyword == "port") {
      port = option->val;
    } else if (keyword == "dbname") {
      database = option->val;
    }
  }
  PQconninfoFree(options);
  return fmt::format("{}{}{}/{}", user.empty() ? "" : user + "@", host.empty() ? "localhost" : host,
                     port.empty() ? "" : ":" + port, database);
}

// Opens one connection and sets the session up for the row codec's text (UTC ISO timestamps, shortest
// exact doubles). Errors: kUnavailable when the server cannot be reached, refuses the login or the setup.
Result<ConnectionPtr> connect(const ConnectTarget& target, std::string_view application_name) {
  const std::string application(application_name);
  // Later keywords override earlier ones: the url may override these defaults, the password the url.
  std::vector<const char*> keys = {"connect_timeout",     "keepalives",       "keepalives_idle",
                                   "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                   "application_name",    "client_encoding",  "dbname"};
  std::vector<const char*> values = {target.connect_timeout.c_str(),
                                     "1",
                                     "10",
                                     "5",
                                     "3",
                                     kTcpUserTimeoutMs,
                                     application.c_str(),
                                     "UTF8",
                                     target.url.c_str()};
  if (!target.password.empty()) {
    keys.push_back("password");
    values.push_back(target.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnectionPtr conn(PQconnectdbParams(keys.data(), values.data(), 1));
  if (conn == nullptr) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("cannot connect to PostgreSQL at {}: out of memory", target.label));
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("cannot connect to PostgreSQL at {}: {}", target.label,
                                  one_line(PQerrorMessage(conn.get()))));
  }
  const std::string setup = fmt::format(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; "
      "SET statement_timeout = '{}'",
      kStatementTimeout);
  const ResultPtr result(PQexec(conn.get(), setup.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("session setup on PostgreSQL at {}: {}", target.label,
                                  one_line(result != nullptr ? PQresultErrorMessage(result.get())
                                                             : PQerrorMessage(conn.get()))));
  }
  return conn;
}

// What a failed statement means for the caller, and whether the connection is gone with it.
struct Failure {
  Error error;
  bool connection_lost = false;
};

bool lost_connection_state(std::string_view sqlstate) {
  // 08: connection exceptions; 57P01..03: the server is shutting down or terminated this backend.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

bool transient_state(std::string_view sqlstate) {
  // 40: serialization failure or deadlock; 53: out of resources (disk, memory, connections); 57014: the
  // statement timeout; 55P03: a lock not granted in time; 58: I/O errors.
  return sqlstate.starts_with("40") || sqlstate.starts_with("53") || sqlstate.starts_with("58") ||
         sqlstate == "57014" || sqlstate == "55P03";
}

bool refused_state(std::string_view sqlstate) {
  // 22: data exceptions; 23: integrity constraints; 42: syntax errors and missing objects.
  return sqlstate.starts_with("22") || sqlstate.starts_with("23") || sqlstate.starts_with("42");
}

// The Error for a statement that failed on `conn` with `result` (null when libpq had none) while doing
// `what`: kUnavailable for a lost connection or a transient refusal, `refused` for one of the data, kInternal
// for anything else. The SQLSTATE goes into Error::venue_code.
Failure describe_failure(PGconn* conn, const PGresult* result, std::string_view what, ErrorCode refused) {
  std::string sqlstate;
  std::string message;
  if (result != nullptr) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE); state != nullptr) {
      sqlstate = state;
    }
    if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY); primary != nullptr) {
      message = primary;
      if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL); detail != nullptr) {
        message += fmt::format(" ({})", detail);
      }
    } else {
      message = PQresultErrorMessage(result);
    }
  }
  if (message.empty()) {
    message = PQerrorMessage(conn);
  }
  message = one_line(message);
  if (message.empty()) {
    message = "unknown error";
  }
  if (PQstatus(conn) != CONNECTION_OK || lost_connection_state(sqlstate)) {
    return {Error{ErrorCode::kUnavailable, sqlstate, fmt::format("{}: connection lost: {}", what, message)},
            true};
  }
  ErrorCode code = ErrorCode::kInternal;
  if (transient_state(sqlstate)) {
    code = ErrorCode::kUnavailable;
  } else if (refused_state(sqlstate)) {
    code = refused;
  }
  return {Error{code, sqlstate, fmt::format("{}: {}", what, message)}, false};
}

// PostgreSQL text cannot hold a NUL byte, and libpq's text parameters would cut the value at one silently.
Status check_text(std::string_view column, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("column {}: text holds a NUL byte, which PostgreSQL cannot store", column));
  }
  return ok();
}

template <class Row>
Status check_cells(const std::vector<Cell>& cells) {
  const std::vector<std::string_view> columns = write_columns<Row>();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i]) {
      KIMP_TRY(check_text(columns[i], *cells[i]));
    }
  }
  return ok();
}

bool copy_special(char c) {
  return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
}

// One COPY text-format field: backslash, tab, newline and carriage return escaped, NULL as \N.
Status append_copy_text(std::string& out, std::string_view column, std::string_view text) {
  if (std::none_of(text.begin(), text.end(), copy_special)) {
    out += text;
    return ok();
  }
  KIMP_TRY(check_text(column, text));
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c; break;
    }
  }
  return ok();
}

template <class T>
Status append_copy_field(std::string& out, std::string_view column, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return append_copy_text(out, column, value);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    std::array<char, 24> digits{};
    const auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    out.append(digits.data(), end);
    return ok();
  } else if constexpr (std::is_same_v<T, Decimal>) {
    out += value.to_string();  // digits, '-' and '.' only: nothing to escape
    return ok();
  } else {
    const Cell cell = to_cell(value);
    if (!cell) {
      out += "\\N";
      return ok();
    }
    return append_copy_text(out, column, *cell);
  }
}

// One line of COPY text for `row`: its write_columns() separated by tabs.
template <class Row>
Status append_copy_line(std::string& out, const Row& row) {
  Status status = ok();
  bool first = true;
  for_each_column(row, [&](std::string_view name, const auto& value) {
    if (!status || name == RowTraits<Row>::kAssignedColumn) {
      return;
    }
    if (!first) {
      out += '\t';
    }
    first = false;
    status = append_copy_field(out, name, value);
  });
  out += '\n';
  return status;
}

// The conflict key of `row` as one string (each key cell length-prefixed, so no two keys run together).
template <class Row>
std::string conflict_key(const Row& row) {
  std::string key;
  for_each_column(row, [&](std::string_view name, const auto& value) {
    const auto& names = RowTraits<Row>::kKey;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return;
    }
    const Cell cell = to_cell(value);
    if (cell) {
      key += fmt::format("{}:{}", cell->size(), *cell);
    } else {
      key += "-:";
    }
  });
  return key;
}

// The rows of a batch that reach the database: for upserts one per key (the highest revision, the first
// of equal ones, for kUpsertNewer; the last for kUpsert), since one INSERT ... ON CONFLICT DO UPDATE may not
// touch a row twice. Insert-once rows pass unchanged: ON CONFLICT DO NOTHING keeps the first of them.
template <class Row>
std::vector<const Row*> winning_rows(const std::vector<const Row*>& rows) {
  constexpr WriteKind kKind = RowTraits<Row>::kKind;
  if constexpr (kKind == WriteKind::kUpsertNewer || kKind == WriteKind::kUpsert) {
    std::vector<const Row*> kept;
    std::unordered_map<std::string, std::size_t> slot_of_key;
    slot_of_key.reserve(rows.size());
    for (const Row* row : rows) {
      const auto [slot, inserted] = slot_of_key.try_emplace(conflict_key(*row), kept.size());
      if (inserted) {
        kept.push_back(row);
      } else if constexpr (kKind == WriteKind::kUpsertNewer) {
        if (row->revision > kept[slot->second]->revision) {
          kept[slot->second] = row;
        }
      } else {
        kept[slot->second] = row;
      }
    }
    return kept;
  } else {
    return rows;
  }
}

template <class Row>
std::string staging_table() {
  return fmt::format("staging_{}", table_name(RowTraits<Row>::kTable));
}

// write_statement() with the staging table in place of VALUES, so both paths share one conflict rule.
template <class Row>
std::string merge_statement() {
  std::string sql = write_statement<Row>(Backend::kPostgres);
  const std::size_t values = sql.find(" VALUES (");
  const std::size_t conflict = sql.find(") ON CONFLICT", values);
  sql.replace(values, conflict + 1 - values,
              fmt::format(" SELECT {} FROM {}", schema_detail::join_columns(write_columns<Row>(), ", "),
                          staging_table<Row>()));
  return sql;
}

// One staging table per inserted row type: write_columns() only (no constraints, no database-assigned
// column), emptied by every commit.
template <class Row>
std::string create_staging_statement() {
  return fmt::format(
      "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM {} WITH NO DATA",
      staging_table<Row>(), schema_detail::join_columns(write_columns<Row>(), ", "),
      table_name(RowTraits<Row>::kTable));
}

template <class Row>
std::string statement_name() {
  return fmt::format("{}_{}", RowTraits<Row>::kKind == WriteKind::kUpdate ? "update" : "insert",
                     table_name(RowTraits<Row>::kTable));
}

// A batch's records grouped by row type, in batch order within each type.
using Batch =
    std::tuple<std::vector<const SessionEnd*>, std::vector<const PositionRow*>, std::vector<const OrderRow*>,
               std::vector<const TradeRow*>, std::vector<const MinuteRow*>, std::vector<const FundingRow*>,
               std::vector<const BalanceSnapshotRow*>, std::vector<const AlertRow*>,
               std::vector<const AlertDelivery*>>;

Result<std::int64_t> integer_cell(const PGresult* result, int row, int column, std::string_view name) {
  std::int64_t value = 0;
  const Cell cell =
      PQgetisnull(result, row, column) != 0 ? Cell{} : Cell{std::string(PQgetvalue(result, row, column))};
  KIMP_TRY(from_cell(cell, name, value));
  return value;
}

std::string text_cell(const PGresult* result, int row, int column) {
  return {PQgetvalue(result, row, column), static_cast<std::size_t>(PQgetlength(result, row, column))};
}

// Parameters for PQexecParams / PQexecPrepared: text format, NULL for a missing cell.
std::vector<const char*> parameter_values(std::span<const Cell> cells) {
  std::vector<const char*> values;
  values.reserve(cells.size());
  for (const Cell& cell : cells) {
    values.push_back(cell ? cell->c_str() : nullptr);
  }
  return values;
}

// Held by its own connection: the writer's reconnects never release it. Closing the connection would
// release it too, but only once its backend has exited; unlocking first makes the release visible to
// every other session by the time the destructor returns.
class PostgresAccountLock final : public AccountLock {
 public:
  PostgresAccountLock(ConnectionPtr conn, std::string account)
      : conn_(std::move(conn)), account_(std::move(account)) {}
  PostgresAccountLock(const PostgresAccountLock&) = delete;
  PostgresAccountLock& operator=(const PostgresAccountLock&) = delete;
  ~PostgresAccountLock() override {
    if (PQstatus(conn_.get()) == CONNECTION_OK) {
      const std::array<const char*, 1> values = {account_.c_str()};
      const ResultPtr result(PQexecParams(conn_.get(), "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                                          1, nullptr, values.data(), nullptr, nullptr, 0));
    }
  }

 private:
  ConnectionPtr conn_;
  std::string account_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(ConnectTarget target, ConnectionPtr conn)
      : target_(std::move(target)), conn_(std::move(conn)) {
    log_.info("connected", {{"server", target_.label}});
  }

  [[nodiscard]] Backend backend() const override { return Backend::kPostgres; }

  Result<std::vector<int>> migrate() override {
    const std::vector<Migration> list = migrations(Backend::kPostgres);
    int current = 0;
    const Status checked_version = transaction("migrate", false, Durability::kCritical, [&]() -> Status {
      KIMP_TRY(lock_migrations("migrate"));
      KIMP_TRY(
          exec("migrate: create schema_migrations",
               "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT "
               "NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
      KIMP_TRY_ASSIGN(current, applied_version("migrate"));
      if (current > latest_schema_version()) {
        return make_error(
            ErrorCode::kFailedPrecondition,
            fmt::format("migrate: the database holds schema version {}, newer than {} that this "
                        "build knows; run a newer kimp",
                        current, latest_schema_version()));
      }
      return ok();
    });
    KIMP_TRY(checked_version);
    std::vector<int> applied;
    for (const Migration& migration : list) {
      if (migration.version <= current) {
        continue;
      }
      const std::string what = fmt::format("migration {} ({})", migration.version, migration.description);
      bool done = false;
      const Status migrated = transaction(what, false, Durability::kCritical, [&]() -> Status {
        KIMP_TRY(lock_migrations(what));
        // Another instance may have applied it between our look and our lock.
        KIMP_TRY_ASSIGN(current, applied_version(what));
        if (current >= migration.version) {
          return ok();
        }
        KIMP_TRY(exec(what, migration.sql, ErrorCode::kInternal));
        const std::vector<Cell> cells = {std::to_string(migration.version),
                                         std::string(migration.description)};
        KIMP_TRY(exec_params(what, "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                             cells, ErrorCode::kInternal));
        done = true;
        return ok();
      });
      KIMP_TRY(migrated);
      if (done) {
        log_.info("migrated", {{"version", migration.version}, {"description", migration.description}});
        applied.push_back(migration.version);
      }
    }
    return applied;
  }

  Result<int> schema_version() override {
    constexpr std::string_view kWhat = "schema version";
    KIMP_TRY_ASSIGN(const ResultPtr exists,
                    query(kWhat, "SELECT to_regclass('schema_migrations') IS NOT NULL", {}));
    if (text_cell(exists.get(), 0, 0) != "t") {
      return 0;
    }
    KIMP_TRY_ASSIGN(const ResultPtr version,
                    query(kWhat, "SELECT COALESCE(max(version), 0) FROM schema_migrations", {}));
    KIMP_TRY_ASSIGN(const std::int64_t value, integer_cell(version.get(), 0, 0, "version"));
    return static_cast<int>(value);
  }

  Result<std::int64_t> begin_session(const SessionRow& session) override {
    static const std::string insert_sql = [] {
      const std::vector<std::string_view> columns = write_columns<SessionRow>();
      std::vector<std::string> placeholders;
      for (std::size_t i = 1; i <= columns.size(); ++i) {
        placeholders.push_back(placeholder(Backend::kPostgres, i));
      }
      return fmt::format("INSERT INTO sessions ({}) VALUES ({}) RETURNING id",
                         schema_detail::join_columns(columns, ", "), fmt::join(placeholders, ", "));
    }();
    const std::string what = fmt::format("begin of a session on account {}", session.account);
    const std::vector<Cell> cells = write_cells(session);
    KIMP_TRY(check_cells<SessionRow>(cells));
    std::int64_t id = 0;
    // In a transaction so that only its BEGIN, which changes nothing, is retried on a fresh connection.
    const Status inserted = transaction(what, false, Durability::kCritical, [&]() -> Status {
      KIMP_TRY_ASSIGN(const ResultPtr result, exec_params(what, insert_sql, cells));
      KIMP_TRY_ASSIGN(id, integer_cell(result.get(), 0, 0, "id"));
      return ok();
    });
    KIMP_TRY(inserted);
    return id;
  }

  Status write(std::span<const StorageRecord> records, Durability durability) override {
    if (records.empty()) {
      return ok();
    }
    Batch batch;
    for (const StorageRecord& record : records) {
      std::visit(
          [&](const auto& row) {
            std::get<std::vector<const std::decay_t<decltype(row)>*>>(batch).push_back(&row);
          },
          record);
    }
    bool needs_staging = false;
    std::apply([&](const auto&... rows) { needs_staging = ((rows.size() >= kCopyMinRows) || ...); }, batch);
    const std::string what = fmt::format("write of {} records", records.size());
    return transaction(what, needs_staging, durability, [&]() -> Status {
      // Rows first, then the updates, which may concern a row of the same batch.
      KIMP_TRY(insert_rows(what, std::get<std::vector<const PositionRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const OrderRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const TradeRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const MinuteRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const FundingRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const BalanceSnapshotRow*>>(batch)));
      KIMP_TRY(insert_rows(what, std::get<std::vector<const AlertRow*>>(batch)));
      KIMP_TRY(update_rows(what, std::get<std::vector<const SessionEnd*>>(batch)));
      KIMP_TRY(update_rows(what, std::get<std::vector<const AlertDelivery*>>(batch)));
      return ok();
    });
  }

  Result<TableRows> select_rows(Table table, std::optional<std::int64_t> session_id) override {
    const std::string what = fmt::format("select of {}", table_name(table));
    // Funding schedules belong to no session (they have no session_id): a session's export has all of them.
    const bool by_session = session_id.has_value() && table != Table::kFundingSchedules;
    std::vector<Cell> parameters;
    if (by_session) {
      parameters.push_back(std::to_string(*session_id));
    }
    KIMP_TRY_ASSIGN(const ResultPtr result,
                    query(what, select_statement(Backend::kPostgres, table, by_session), parameters));
    TableRows rows{table_columns(table), {}};
    const int row_count = PQntuples(result.get());
    const int column_count = PQnfields(result.get());
    if (static_cast<std::size_t>(column_count) != rows.columns.size()) {
      return make_error(ErrorCode::kInternal, fmt::format("{}: {} columns returned, expected {}", what,
                                                          column_count, rows.columns.size()));
    }
    rows.rows.reserve(static_cast<std::size_t>(row_count));
    for (int r = 0; r < row_count; ++r) {
      std::vector<Cell>& cells = rows.rows.emplace_back();
      cells.reserve(static_cast<std::size_t>(column_count));
      for (int c = 0; c < column_count; ++c) {
        cells.push_back(PQgetisnull(result.get(), r, c) != 0 ? Cell{} : Cell{text_cell(result.get(), r, c)});
      }
    }
    return rows;
  }

  Result<std::vector<TableCount>> count_rows() override {
    static const std::string count_sql = [] {
      std::vector<std::string> counts;
      counts.reserve(kAllTables.size());
      for (const Table table : kAllTables) {
        counts.push_back(fmt::format("(SELECT count(*) FROM {})", table_name(table)));
      }
      return fmt::format("SELECT {}", fmt::join(counts, ", "));
    }();
    constexpr std::string_view kWhat = "count of rows";
    KIMP_TRY_ASSIGN(const ResultPtr result, query(kWhat, count_sql, {}));
    std::vector<TableCount> counts;
    for (std::size_t i = 0; i < kAllTables.size(); ++i) {
      KIMP_TRY_ASSIGN(const std::int64_t rows,
                      integer_cell(result.get(), 0, static_cast<int>(i), table_name(kAllTables[i])));
      counts.push_back({kAllTables[i], rows});
    }
    return counts;
  }

  Result<std::unique_ptr<AccountLock>> lock_account(std::string_view account) override {
    const std::string name(account);
    const std::string what = fmt::format("lock of account {}", name);
    KIMP_TRY_ASSIGN(ConnectionPtr conn, connect(target_, kLockApplicationName));
    const std::array<const char*, 1> values = {name.c_str()};
    const ResultPtr taken(PQexecParams(conn.get(), "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", 1,
                                       nullptr, values.data(), nullptr, nullptr, 0));
    if (PQresultStatus(taken.get()) != PGRES_TUPLES_OK) {
      return tl::unexpected(describe_failure(conn.get(), taken.get(), what, ErrorCode::kInternal).error);
    }
    if (text_cell(taken.get(), 0, 0) == "t") {
      return std::make_unique<PostgresAccountLock>(std::move(conn), name);
    }
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("account {} is already traded by {}", name, lock_holder(conn.get(), name)));
  }

 private:
  // The session that most likely holds `account`'s lock: its latest unended session.
  static std::string lock_holder(PGconn* conn, const std::string& account) {
    const std::array<const char*, 1> values = {account.c_str()};
    const ResultPtr result(
        PQexecParams(conn,
                     "SELECT id, host, pid, started_at FROM sessions WHERE account = $1 AND "
                     "ended_at IS NULL ORDER BY id DESC LIMIT 1",
                     1, nullptr, values.data(), nullptr, nullptr, 0));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) {
      return "another session";
    }
    std::string started = text_cell(result.get(), 0, 3);
    Timestamp at{};
    if (from_cell(Cell{started}, "started_at", at)) {
      started = at.to_iso8601();
    }
    return fmt::format("session {} (host {}, pid {}, started {})", text_cell(result.get(), 0, 0),
                       text_cell(result.get(), 0, 1), text_cell(result.get(), 0, 2), started);
  }

  // Forgets the connection and everything that lived on it; the next call connects afresh.
  void drop_connection() {
    conn_.reset();
    staging_ready_ = false;
    prepared_.clear();
  }

  // Errors: kUnavailable when no connection can be made.
  Status ensure_connected() {
    if (conn_ != nullptr && PQstatus(conn_.get()) == CONNECTION_OK) {
      return ok();
    }
    drop_connection();
    KIMP_TRY_ASSIGN(conn_, connect(target_, kApplicationName));
    log_.info("reconnected", {{"server", target_.label}});
    return ok();
  }

  tl::unexpected<Error> fail(std::string_view what, const PGresult* result,
                             ErrorCode refused = ErrorCode::kInvalidArgument) {
    Failure failure = describe_failure(conn_.get(), result, what, refused);
    if (failure.connection_lost) {
      log_.warn("connection lost", {{"server", target_.label}, {"error", failure.error.message}});
      drop_connection();
    }
    return tl::unexpected(std::move(failure.error));
  }

  Result<ResultPtr> checked(ResultPtr result, std::string_view what, ErrorCode refused) {
    const ExecStatusType status = PQresultStatus(result.get());
    if (result == nullptr || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)) {
      return fail(what, result.get(), refused);
    }
    return result;
  }

  Result<ResultPtr> exec(std::string_view what, const std::string& sql,
                         ErrorCode refused = ErrorCode::kInvalidArgument) {
    return checked(ResultPtr(PQexec(conn_.get(), sql.c_str())), what, refused);
  }

  Status run(std::string_view what, const std::string& sql, ErrorCode refused = ErrorCode::kInvalidArgument) {
    KIMP_TRY(exec(what, sql, refused));
    return ok();
  }

  Result<ResultPtr> exec_params(std::string_view what, const std::string& sql, std::span<const Cell> cells,
                                ErrorCode refused = ErrorCode::kInvalidArgument) {
    const std::vector<const char*> values = parameter_values(cells);
    return checked(ResultPtr(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                          values.data(), nullptr, nullptr, 0)),
                   what, refused);
  }

  // Prepares `sql` as `name` on this connection the first time, then executes it.
  Result<ResultPtr> exec_prepared(std::string_view what, const std::string& name, const std::string& sql,
                                  std::span<const Cell> cells) {
    const std::vector<const char*> values = parameter_values(cells);
    if (!prepared_.contains(name)) {
      KIMP_TRY(checked(ResultPtr(PQprepare(conn_.get(), name.c_str(), sql.c_str(),
                                           static_cast<int>(values.size()), nullptr)),
                       what, ErrorCode::kInternal));
      prepared_.insert(name);
    }
    return checked(ResultPtr(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(values.size()),
                                            values.data(), nullptr, nullptr, 0)),
                   what, ErrorCode::kInvalidArgument);
  }

  // One statement outside a transaction (reads: repeating one is always safe). A connection found dead
  // on it is replaced once.
  Result<ResultPtr> query(std::string_view what, const std::string& sql, std::span<const Cell> cells) {
    for (int attempt = 1;; ++attempt) {
      KIMP_TRY(ensure_connected());
      Result<ResultPtr> result = exec_params(what, sql, cells);
      if (result || conn_ != nullptr || attempt == 2) {
        return result;
      }
    }
  }

  // Creates the staging tables when this connection has none yet, then opens the transaction. When the
  // connection turns out to be dead (the server restarted, the backend was terminated while idle),
  // nothing of this call has reached the server yet, so one fresh connection may try again.
  Status begin(std::string_view what, bool needs_staging, Durability durability) {
    for (int attempt = 1;; ++attempt) {
      KIMP_TRY(ensure_connected());
      Status started = begin_on_this_connection(what, needs_staging, durability);
      if (started || conn_ != nullptr || attempt == 2) {
        return started;
      }
    }
  }

  Status begin_on_this_connection(std::string_view what, bool needs_staging, Durability durability) {
    // A transaction left open by a rollback that failed without losing the connection.
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
      KIMP_TRY(exec(fmt::format("{}: rollback of an earlier transaction", what), "ROLLBACK"));
    }
    if (needs_staging && !staging_ready_) {
      static const std::string create_sql =
          fmt::format("{};\n{};\n{};\n{};\n{};\n{};\n{}", create_staging_statement<PositionRow>(),
                      create_staging_statement<OrderRow>(), create_staging_statement<TradeRow>(),
                      create_staging_statement<MinuteRow>(), create_staging_statement<FundingRow>(),
                      create_staging_statement<BalanceSnapshotRow>(), create_staging_statement<AlertRow>());
      KIMP_TRY(exec(fmt::format("{}: create staging tables", what), create_sql));
      staging_ready_ = true;
    }
    // A droppable batch need not wait for its WAL to reach the disk.
    KIMP_TRY(exec(
        what, durability == Durability::kDroppable ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN"));
    return ok();
  }

  Status commit(std::string_view what) {
    KIMP_TRY_ASSIGN(const ResultPtr result, exec(what, "COMMIT"));
    // COMMIT of a transaction the server already aborted answers ROLLBACK without an error.
    if (std::string_view(PQcmdStatus(result.get())) != "COMMIT") {
      return make_error(ErrorCode::kInternal, fmt::format("{}: the transaction was rolled back", what));
    }
    return ok();
  }

  void rollback() {
    if (conn_ == nullptr || PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) {
      return;
    }
    const ResultPtr result(PQexec(conn_.get(), "ROLLBACK"));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      (void)fail("rollback", result.get());
    }
  }

  // Runs `body` between BEGIN and COMMIT; rolls back when it or the commit fails.
  template <class Body>
  Status transaction(std::string_view what, bool needs_staging, Durability durability, Body&& body) {
    KIMP_TRY(begin(what, needs_staging, durability));
    Status status = std::forward<Body>(body)();
    if (status) {
      status = commit(what);
    }
    if (!status) {
      rollback();
    }
    return status;
  }

  Status lock_migrations(std::string_view what) {
    static const std::string lock_sql =
        fmt::format("SELECT pg_advisory_xact_lock({}, {})", kMigrationLockClass, kMigrationLockObject);
    return run(what, lock_sql);
  }

  Result<int> applied_version(std::string_view what) {
    KIMP_TRY_ASSIGN(const ResultPtr result,
                    exec(what, "SELECT COALESCE(max(version), 0) FROM schema_migrations"));
    KIMP_TRY_ASSIGN(const std::int64_t version, integer_cell(result.get(), 0, 0, "version"));
    return static_cast<int>(version);
  }

  template <class Row>
  Status insert_rows(std::string_view what, const std::vector<const Row*>& batch_rows) {
    const std::vector<const Row*> rows = winning_rows(batch_rows);
    if (rows.empty()) {
      return ok();
    }
    const std::string step = fmt::format("{}: {}", what, table_name(RowTraits<Row>::kTable));
    if (rows.size() < kCopyMinRows || !staging_ready_) {
      static const std::string insert_sql = write_statement<Row>(Backend::kPostgres);
      static const std::string statement = statement_name<Row>();
      for (const Row* row : rows) {
        const std::vector<Cell> cells = write_cells(*row);
        KIMP_TRY(check_cells<Row>(cells));
        KIMP_TRY(exec_prepared(step, statement, insert_sql, cells));
      }
      return ok();
    }
    if constexpr (RowTraits<Row>::kKind == WriteKind::kInsertOnce) {
      // Rows written for the first time, the usual case, go straight into the table at COPY's speed; only
      // a batch holding a row that is there already (a retry after a lost commit acknowledgement, a
      // journal replay) pays for the staging table and ON CONFLICT.
      static const std::string direct_copy =
          fmt::format("COPY {} ({}) FROM STDIN", table_name(RowTraits<Row>::kTable),
                      schema_detail::join_columns(write_columns<Row>(), ", "));
      KIMP_TRY(run(step, "SAVEPOINT direct_copy"));
      Status direct = copy_rows(step, direct_copy, rows);
      if (direct) {
        return run(step, "RELEASE SAVEPOINT direct_copy");
      }
      if (direct.error().venue_code != kUniqueViolation || conn_ == nullptr) {
        return direct;
      }
      KIMP_TRY(run(step, "ROLLBACK TO SAVEPOINT direct_copy"));
    }
    static const std::string stage_copy = fmt::format("COPY {} FROM STDIN", staging_table<Row>());
    static const std::string merge = merge_statement<Row>();
    KIMP_TRY(copy_rows(step, stage_copy, rows));
    return run(step, merge);
  }

  template <class Row>
  Status update_rows(std::string_view what, const std::vector<const Row*>& rows) {
    static const std::string update_sql = write_statement<Row>(Backend::kPostgres);
    static const std::string statement = statement_name<Row>();
    const std::string step = fmt::format("{}: {} update", what, table_name(RowTraits<Row>::kTable));
    for (const Row* row : rows) {
      const std::vector<Cell> cells = write_cells(*row);
      KIMP_TRY(check_cells<Row>(cells));
      KIMP_TRY(exec_prepared(step, statement, update_sql, cells));
    }
    return ok();
  }

  // `copy` (a COPY ... FROM STDIN of write_columns()) with `rows`, sent in chunks of about kCopyChunkBytes.
  template <class Row>
  Status copy_rows(std::string_view what, const std::string& copy, const std::vector<const Row*>& rows) {
    const ResultPtr started(PQexec(conn_.get(), copy.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return fail(what, started.get());
    }
    std::string buffer;
    buffer.reserve(kCopyChunkBytes + 4096);
    Status encoded = ok();
    bool sent = true;
    for (const Row* row : rows) {
      encoded = append_copy_line(buffer, *row);
      if (!encoded) {
        break;
      }
      if (buffer.size() >= kCopyChunkBytes) {
        sent = PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) == 1;
        buffer.clear();
        if (!sent) {
          break;
        }
      }
    }
    if (encoded && sent && !buffer.empty()) {
      sent = PQputCopyData(conn_.get(), buffer.data(), static_cast<int>(buffer.size())) == 1;
    }
    if (sent) {
      PQputCopyEnd(conn_.get(), encoded ? nullptr : "a row the client refused");
    }
    // Drain every result; the first failure is the one to report.
    ResultPtr failed;
    while (ResultPtr result{PQgetResult(conn_.get())}) {
      const ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_COPY_IN) {
        if (PQputCopyEnd(conn_.get(), "aborted") != 1) {
          // A COPY that cannot even be ended leaves nothing usable on this connection.
          Error error = fail(what, nullptr).value();
          drop_connection();
          return make_error(ErrorCode::kUnavailable, std::move(error.message), std::move(error.venue_code));
        }
        continue;
      }
      if (status != PGRES_COMMAND_OK && failed == nullptr) {
        failed = std::move(result);
      }
    }
    if (!encoded) {
      return tl::unexpected(
          Error{encoded.error().code, {}, fmt::format("{}: {}", what, encoded.error().message)});
    }
    if (failed != nullptr || !sent) {
      return fail(what, failed.get());
    }
    return ok();
  }

  ConnectTarget target_;
  ConnectionPtr conn_;
  bool staging_ready_ = false;
  std::unordered_set<std::string> prepared_;
  log::Logger log_{"storage.postgres"};
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url,
                                                         const DatabaseOptions& options) {
  KIMP_TRY_ASSIGN(std::string label, describe_url(url));
  const auto timeout_ms = std::max<std::int64_t>(options.busy_timeout.count(), 1);
  ConnectTarget target{url, options.postgres_password, std::to_string((timeout_ms + 999) / 1000),
                       std::move(label)};
  KIMP_TRY_ASSIGN(ConnectionPtr conn, connect(target, kApplicationName));
  return std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(std::move(target), std::move(conn)));
}

}  // namespace kimp::storage
