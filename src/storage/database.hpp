// Database: the storage backends' common interface (SQLite embedded, PostgreSQL for several instances)
// and open_database(), which picks one from a `storage.url`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "storage/records.hpp"
#include "storage/row_codec.hpp"

namespace kimp::storage {

enum class Backend : std::uint8_t { kSqlite, kPostgres };

// A parsed `storage.url`: "sqlite:PATH" or "postgresql://USER@HOST[:PORT]/DATABASE[?params]".
struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  std::string location;  // the SQLite file path, or the PostgreSQL URL as given
};
// Errors: kInvalidArgument naming what is wrong with `url`.
Result<DatabaseUrl> parse_database_url(std::string_view url);

struct DatabaseOptions {
  std::string postgres_password{};  // KIMP_POSTGRES_PASSWORD; empty for none
  // Longest wait on a busy SQLite file or an unanswered PostgreSQL server before a call fails.
  std::chrono::milliseconds busy_timeout{5000};
};

// How durable a write must be once write() returns.
enum class Durability : std::uint8_t {
  kCritical,   // on stable storage (SQLite synchronous=FULL; PostgreSQL commit)
  kDroppable,  // may still be in the OS cache (SQLite synchronous=NORMAL)
};

// The rows of one table for an export or a check: cells in RowTraits order, as the backend returned them.
struct TableRows {
  std::vector<std::string_view> columns;
  std::vector<std::vector<Cell>> rows;
};

struct TableCount {
  Table table = Table::kSessions;
  std::int64_t rows = 0;
};

// Held while a session trades an account; releasing (destroying) it lets another session take it.
class AccountLock {
 public:
  AccountLock() = default;
  AccountLock(const AccountLock&) = delete;
  AccountLock& operator=(const AccountLock&) = delete;
  virtual ~AccountLock() = default;
};

// One connection. Not thread-safe: the DbWriter's thread owns it once the session has begun.
class Database {
 public:
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  virtual ~Database() = default;

  [[nodiscard]] virtual Backend backend() const = 0;

  // Applies the migrations not yet applied, each in its own transaction; returns their versions.
  // Errors: kUnavailable (connection lost, database busy), kFailedPrecondition when the database holds
  // a newer schema than this build knows, kInternal for a migration the database refuses.
  virtual Result<std::vector<int>> migrate() = 0;
  // The highest migration applied; 0 for an empty database.
  virtual Result<int> schema_version() = 0;

  // Inserts `session` (its id ignored) and returns the id the database gave it.
  virtual Result<std::int64_t> begin_session(const SessionRow& session) = 0;

  // Writes `records` in one transaction: all of them or none. Idempotent: a record whose key is already
  // present is skipped, or replaces the stored copy as its RowTraits say, so writing a batch twice
  // (a retry after a lost commit acknowledgement, a journal replay) changes nothing the second time.
  // Errors: kUnavailable (connection lost, busy; retry the whole batch), kInvalidArgument for a record
  // the database refuses (a bug: the batch will never be written as it is).
  virtual Status write(std::span<const StorageRecord> records, Durability durability) = 0;

  // Every row of `table`, in RowTraits<row>::kOrderBy order; only session `session_id`'s when given
  // (for sessions: that one row; funding_schedules, which has no session, ignores it). Cells follow
  // row_codec's column order.
  virtual Result<TableRows> select_rows(Table table, std::optional<std::int64_t> session_id) = 0;
  // Rows per table, in kAllTables order.
  virtual Result<std::vector<TableCount>> count_rows() = 0;

  // Takes the lock on `account` for as long as the returned object lives.
  // Errors: kFailedPrecondition when another session holds it, naming that session (id, host, pid,
  // start) when the sessions table knows it; kUnavailable when the server cannot be asked.
  // SQLite (one process per file) returns a lock that guards nothing.
  virtual Result<std::unique_ptr<AccountLock>> lock_account(std::string_view account) = 0;
};

// Opens (creating a SQLite file and its directory when missing) the database at `url`; no migration runs.
// Errors: kInvalidArgument for a malformed url, kUnavailable when it cannot be opened or reached.
Result<std::unique_ptr<Database>> open_database(std::string_view url, const DatabaseOptions& options = {});

}  // namespace kimp::storage
