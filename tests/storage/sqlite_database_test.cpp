// Tests of the SQLite backend on real files: migrations, round trips of every row type, idempotent and
// atomic writes, a database locked by another connection, newer schemas and files that are no database.
#include "storage/sqlite_database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sample_rows.hpp"
#include "storage/schema.hpp"

namespace kimp::storage {
namespace {

using testing::at;
using testing::dec;
using ::testing::ElementsAre;
using testing::expect_same_row;
using ::testing::HasSubstr;
using testing::sample_alert;
using testing::sample_balance;
using testing::sample_funding;
using testing::sample_minute;
using testing::sample_order;
using testing::sample_position;
using testing::sample_session;
using testing::sample_trade;

// A second, raw connection to the same file: what another process (or sqlite3 on the command line) sees.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 0);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { sqlite3_close_v2(db_); }

  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

  // Every row of `sql`, each column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> query(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    std::vector<std::vector<std::string>> rows;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int column = 0; column < sqlite3_column_count(statement); ++column) {
        const unsigned char* text = sqlite3_column_text(statement, column);
        row.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    return rows;
  }

  std::string scalar(const std::string& sql) {
    const auto rows = query(sql);
    return rows.empty() || rows.front().empty() ? std::string("<none>") : rows.front().front();
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  SqliteDatabaseTest() : dir_("kimp_sqlite"), path_(dir_.path() / "kimp.sqlite") {}

  std::unique_ptr<Database> open(std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(5000)) {
    auto db = open_sqlite_database(path_.string(), {.postgres_password = "", .busy_timeout = busy_timeout});
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().describe());
    return db ? std::move(*db) : nullptr;
  }

  std::unique_ptr<Database> open_migrated() {
    auto db = open();
    if (db) {
      const auto applied = db->migrate();
      EXPECT_TRUE(applied.has_value()) << applied.error().describe();
    }
    return db;
  }

  std::int64_t count(Database& db, Table table) {
    const auto counts = db.count_rows();
    EXPECT_TRUE(counts.has_value());
    return counts ? (*counts)[static_cast<std::size_t>(table)].rows : -1;
  }

  // The one row of `table` (of session `session_id` when given), parsed into its typed row.
  template <class Row>
  Row read_one(Database& db, std::optional<std::int64_t> session_id = std::nullopt) {
    const auto selected = db.select_rows(RowTraits<Row>::kTable, session_id);
    EXPECT_TRUE(selected.has_value()) << selected.error().describe();
    if (!selected || selected->rows.size() != 1) {
      ADD_FAILURE() << "expected one row of " << table_name(RowTraits<Row>::kTable);
      return Row{};
    }
    const auto row = row_from_cells<Row>(selected->rows.front());
    EXPECT_TRUE(row.has_value()) << row.error().describe();
    return row.value_or(Row{});
  }

  testing::TempDir dir_;
  std::filesystem::path path_;
};

// Records of every table for session `session_id`.
std::vector<StorageRecord> full_batch(std::int64_t session_id) {
  return {sample_position(session_id), sample_order(session_id), sample_trade(session_id),
          sample_minute(session_id),   sample_funding(),         sample_balance(session_id),
          sample_alert(session_id)};
}

TEST_F(SqliteDatabaseTest, Migrate_SecondRunAppliesNothing) {
  auto db = open();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version().value_or(-1), 0);
  const auto first = db->migrate();
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  EXPECT_THAT(*first, ElementsAre(1));
  const auto second = db->migrate();
  ASSERT_TRUE(second.has_value()) << second.error().describe();
  EXPECT_TRUE(second->empty());
  EXPECT_EQ(db->schema_version().value_or(-1), 1);
  EXPECT_EQ(db->backend(), Backend::kSqlite);

  RawConnection raw(path_);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM schema_migrations"), "1");
  EXPECT_EQ(raw.scalar("SELECT description FROM schema_migrations WHERE version = 1"), "initial schema");
}

TEST_F(SqliteDatabaseTest, Migrate_TablesHaveTheColumnsOfTheirRowsInOrder) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  RawConnection raw(path_);
  for (const Table table : kAllTables) {
    std::vector<std::string> stored;
    for (const auto& row : raw.query("PRAGMA table_info(" + std::string(table_name(table)) + ")")) {
      stored.push_back(row.at(1));
    }
    const std::vector<std::string_view> columns = table_columns(table);
    EXPECT_EQ(stored, std::vector<std::string>(columns.begin(), columns.end())) << table_name(table);
  }
}

TEST_F(SqliteDatabaseTest, Open_FileIsInWalModeAndItsDirectoryIsCreated) {
  path_ = dir_.path() / "nested" / "deeper" / "kimp.sqlite";
  auto db = open();
  ASSERT_TRUE(db);
  EXPECT_TRUE(std::filesystem::exists(path_));
  RawConnection raw(path_);
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteDatabaseTest, Open_FileThatIsNotADatabase_IsUnavailableNamingThePath) {
  std::ofstream(path_) << "this is a text file, not a SQLite database; it is long enough to have a header\n";
  const auto db = open_sqlite_database(path_.string(), {});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(db.error().message, HasSubstr(path_.string()));
  EXPECT_THAT(db.error().message, HasSubstr("not a database"));
}

TEST_F(SqliteDatabaseTest, Open_PathBelowARegularFile_IsUnavailableNamingThePath) {
  std::ofstream(dir_.path() / "plain") << "x";
  const std::string path = (dir_.path() / "plain" / "kimp.sqlite").string();
  const auto db = open_sqlite_database(path, {});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(db.error().message, HasSubstr(path));
}

TEST_F(SqliteDatabaseTest, Migrate_NewerSchemaInTheFile_IsRefusedAsFailedPrecondition) {
  {
    auto db = open_migrated();
    ASSERT_TRUE(db);
  }
  {
    RawConnection raw(path_);
    ASSERT_EQ(
        raw.exec("INSERT INTO schema_migrations VALUES (2, 'from the future', '2027-01-01T00:00:00.000Z')"),
        SQLITE_OK);
  }
  auto db = open();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schema_version().value_or(-1), 2);
  const auto applied = db->migrate();
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(applied.error().message, HasSubstr("schema version 2"));
}

TEST_F(SqliteDatabaseTest, BeginSession_AssignsIncreasingIdsAndStoresTheRow) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  const auto first = db->begin_session(sample_session());
  const auto second = db->begin_session(sample_session("bybit-main"));
  ASSERT_TRUE(first.has_value()) << first.error().describe();
  ASSERT_TRUE(second.has_value()) << second.error().describe();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*second, 2);

  SessionRow expected = sample_session("bybit-main");
  expected.id = 2;
  expect_same_row(read_one<SessionRow>(*db, 2), expected);
}

TEST_F(SqliteDatabaseTest, Write_EveryRowTypeReadsBackEqual) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  const auto session = db->begin_session(sample_session());
  ASSERT_TRUE(session.has_value());
  const auto batch = full_batch(*session);
  const auto written = db->write(batch, Durability::kCritical);
  ASSERT_TRUE(written.has_value()) << written.error().describe();

  SessionRow expected_session = sample_session();
  expected_session.id = *session;
  expect_same_row(read_one<SessionRow>(*db, *session), expected_session);
  expect_same_row(read_one<PositionRow>(*db, *session), sample_position(*session));
  expect_same_row(read_one<OrderRow>(*db, *session), sample_order(*session));
  expect_same_row(read_one<TradeRow>(*db, *session), sample_trade(*session));
  expect_same_row(read_one<MinuteRow>(*db, *session), sample_minute(*session));
  expect_same_row(read_one<FundingRow>(*db), sample_funding());
  BalanceSnapshotRow expected_balance = sample_balance(*session);
  expected_balance.id = 1;  // assigned by the database
  expect_same_row(read_one<BalanceSnapshotRow>(*db, *session), expected_balance);
  expect_same_row(read_one<AlertRow>(*db, *session), sample_alert(*session));
}

TEST_F(SqliteDatabaseTest, Write_DecimalsAndTimesAreStoredAsExactText) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write(full_batch(1), Durability::kCritical).has_value());
  RawConnection raw(path_);
  EXPECT_EQ(raw.scalar("SELECT typeof(upbit_qty) FROM positions"), "text");
  EXPECT_EQ(raw.scalar("SELECT upbit_qty FROM positions"), "0.00000001");
  EXPECT_EQ(raw.scalar("SELECT typeof(upbit_avg_price) || ' ' || upbit_avg_price FROM positions"),
            "text 150389000");
  EXPECT_EQ(raw.scalar("SELECT typeof(realised_pnl) FROM positions"), "null");
  EXPECT_EQ(raw.scalar("SELECT typeof(fee) || ' ' || fee FROM orders"), "text 0.751945");
  EXPECT_EQ(raw.scalar("SELECT typeof(total_usdt) || ' ' || total_usdt FROM balance_snapshots"),
            "text 691.94575145");
  EXPECT_EQ(raw.scalar("SELECT opened_at FROM positions"), "2026-02-14T08:41:00.000001Z");
  EXPECT_EQ(raw.scalar("SELECT typeof(premium) || ' ' || typeof(z) FROM minutes"), "real null");
  EXPECT_EQ(raw.scalar("SELECT typeof(session_id) FROM minutes"), "integer");
}

TEST_F(SqliteDatabaseTest, SelectRows_DoublesAreShortestRoundTripText) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  MinuteRow minute = sample_minute(1);
  minute.premium = std::nan("");
  minute.z = -2.5;
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{minute}, Durability::kDroppable).has_value());
  const auto selected = db->select_rows(Table::kMinutes, 1);
  ASSERT_TRUE(selected.has_value());
  ASSERT_EQ(selected->rows.size(), 1U);
  const std::vector<Cell>& cells = selected->rows.front();
  ASSERT_EQ(cells.size(), 10U);
  EXPECT_EQ(cells[0], Cell("1"));
  EXPECT_EQ(cells[6], std::nullopt);                // NaN premium is NULL
  EXPECT_EQ(cells[7], Cell("0.3333333333333333"));  // SQLite's own text has 15 digits
  EXPECT_EQ(cells[8], Cell("1e-05"));
  EXPECT_EQ(cells[9], Cell("-2.5"));
  const auto row = row_from_cells<MinuteRow>(cells);
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(std::isnan(row->premium));
  EXPECT_EQ(row->mean, 1.0 / 3.0);
}

TEST_F(SqliteDatabaseTest, Write_SameBatchTwiceLeavesTheSameRows) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  const auto batch = full_batch(1);
  ASSERT_TRUE(db->write(batch, Durability::kCritical).has_value());
  RawConnection raw(path_);
  std::vector<std::vector<std::vector<std::string>>> before;
  before.reserve(kAllTables.size());
  for (const Table table : kAllTables) {
    before.push_back(raw.query("SELECT * FROM " + std::string(table_name(table))));
  }
  ASSERT_TRUE(db->write(batch, Durability::kCritical).has_value());
  for (std::size_t i = 0; i < kAllTables.size(); ++i) {
    EXPECT_EQ(raw.query("SELECT * FROM " + std::string(table_name(kAllTables[i]))), before[i])
        << table_name(kAllTables[i]);
    EXPECT_EQ(before[i].size(), kAllTables[i] == Table::kSessions ? 0U : 1U) << table_name(kAllTables[i]);
  }
}

TEST_F(SqliteDatabaseTest, Write_LowerRevisionDoesNotOverwriteAHigherOne) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  PositionRow newer = sample_position(1, 5);
  newer.state = "closed";
  newer.closed_at = at("2026-02-14T09:15:30.25Z");
  newer.realised_pnl = dec("-0.00000012");
  OrderRow order = sample_order(1);
  order.revision = 7;
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{newer, order}, Durability::kCritical).has_value());

  PositionRow stale = sample_position(1, 4);
  OrderRow stale_order = sample_order(1);
  stale_order.revision = 6;
  stale_order.state = "sent";
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{stale, stale_order}, Durability::kCritical).has_value());
  expect_same_row(read_one<PositionRow>(*db, 1), newer);
  expect_same_row(read_one<OrderRow>(*db, 1), order);

  // A higher revision does replace the row.
  PositionRow newest = newer;
  newest.revision = 6;
  newest.state = "partially_closed_one_leg";
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{newest}, Durability::kCritical).has_value());
  expect_same_row(read_one<PositionRow>(*db, 1), newest);
}

TEST_F(SqliteDatabaseTest, Write_FundingScheduleIsReplacedByTheLatestCopy) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{sample_funding()}, Durability::kDroppable).has_value());
  FundingRow later = sample_funding();
  later.funding_rate = dec("-0.000125");
  later.next_funding_time = at("2026-02-15T00:00:00Z");
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{later}, Durability::kDroppable).has_value());
  expect_same_row(read_one<FundingRow>(*db), later);
}

TEST_F(SqliteDatabaseTest, Write_SessionEndAndAlertDeliveryUpdateTheirRows) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  const auto session = db->begin_session(sample_session());
  ASSERT_TRUE(session.has_value());
  const SessionEnd end{.id = *session,
                       .ended_at = at("2026-02-14T10:00:00.000123Z"),
                       .status = "stopped",
                       .stop_reason = "SIGTERM"};
  const AlertDelivery delivery{.id = sample_alert(*session).id,
                               .telegram_status = "failed",
                               .telegram_error = "HTTP 429: retry after 3",
                               .telegram_sent_at = std::nullopt};
  ASSERT_TRUE(
      db->write(std::vector<StorageRecord>{sample_alert(*session), end, delivery}, Durability::kCritical)
          .has_value());

  SessionRow expected_session = sample_session();
  expected_session.id = *session;
  expected_session.ended_at = end.ended_at;
  expected_session.status = "stopped";
  expected_session.stop_reason = "SIGTERM";
  expect_same_row(read_one<SessionRow>(*db, *session), expected_session);

  AlertRow expected_alert = sample_alert(*session);
  expected_alert.telegram_status = "failed";
  expected_alert.telegram_error = "HTTP 429: retry after 3";
  expect_same_row(read_one<AlertRow>(*db, *session), expected_alert);

  const AlertDelivery sent{.id = delivery.id,
                           .telegram_status = "sent",
                           .telegram_error = "",
                           .telegram_sent_at = at("2026-02-14T08:41:04.5Z")};
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{sent}, Durability::kCritical).has_value());
  expected_alert.telegram_status = "sent";
  expected_alert.telegram_error = "";
  expected_alert.telegram_sent_at = sent.telegram_sent_at;
  expect_same_row(read_one<AlertRow>(*db, *session), expected_alert);
}

TEST_F(SqliteDatabaseTest, Write_LockedByAnotherConnection_IsUnavailableAndWritesNothingUntilReleased) {
  {
    auto migrated = open_migrated();
    ASSERT_TRUE(migrated);
  }
  auto db = open(std::chrono::milliseconds(50));
  ASSERT_TRUE(db);
  const auto batch = full_batch(1);
  RawConnection other(path_);
  ASSERT_EQ(other.exec("BEGIN EXCLUSIVE"), SQLITE_OK);

  const auto refused = db->write(batch, Durability::kCritical);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(refused.error().message, HasSubstr(path_.string()));

  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  for (const Table table : kAllTables) {
    EXPECT_EQ(count(*db, table), 0) << table_name(table);
  }
  const auto written = db->write(batch, Durability::kCritical);
  ASSERT_TRUE(written.has_value()) << written.error().describe();
  for (const Table table : kAllTables) {
    EXPECT_EQ(count(*db, table), table == Table::kSessions ? 0 : 1) << table_name(table);
  }
}

TEST_F(SqliteDatabaseTest, Write_RefusedRecord_IsInvalidArgumentAndRollsBackTheWholeBatch) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  {
    RawConnection raw(path_);
    ASSERT_EQ(
        raw.exec("CREATE TRIGGER refuse_trades BEFORE INSERT ON trades BEGIN SELECT RAISE(ABORT, 'refused "
                 "by test'); END"),
        SQLITE_OK);
  }
  const auto refused = db->write(full_batch(1), Durability::kCritical);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("refused by test"));
  for (const Table table : kAllTables) {
    EXPECT_EQ(count(*db, table), 0) << table_name(table);
  }
  // The connection is usable afterwards: a batch without the refused table goes through.
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{sample_position(1)}, Durability::kCritical).has_value());
  EXPECT_EQ(count(*db, Table::kPositions), 1);
}

TEST_F(SqliteDatabaseTest, SelectRows_BySessionKeepsOtherSessionsOutAndFollowsExportOrder) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write(std::vector<StorageRecord>{sample_minute(1, "2026-02-14T08:43:00Z"),
                                                   sample_minute(2, "2026-02-14T08:41:00Z"),
                                                   sample_minute(1, "2026-02-14T08:42:00Z")},
                        Durability::kDroppable)
                  .has_value());
  const auto selected = db->select_rows(Table::kMinutes, 1);
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(selected->columns, table_columns(Table::kMinutes));
  ASSERT_EQ(selected->rows.size(), 2U);
  EXPECT_EQ(selected->rows[0][2], Cell("2026-02-14T08:42:00.000000Z"));
  EXPECT_EQ(selected->rows[1][2], Cell("2026-02-14T08:43:00.000000Z"));
  const auto all = db->select_rows(Table::kMinutes, std::nullopt);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->rows.size(), 3U);

  const auto counts = db->count_rows();
  ASSERT_TRUE(counts.has_value());
  ASSERT_EQ(counts->size(), kAllTables.size());
  for (std::size_t i = 0; i < kAllTables.size(); ++i) {
    EXPECT_EQ((*counts)[i].table, kAllTables[i]);
    EXPECT_EQ((*counts)[i].rows, kAllTables[i] == Table::kMinutes ? 3 : 0);
  }
}

TEST_F(SqliteDatabaseTest, LockAccount_GuardsNothingOnSqlite) {
  auto db = open_migrated();
  ASSERT_TRUE(db);
  const auto first = db->lock_account("upbit-main");
  const auto second = db->lock_account("upbit-main");
  EXPECT_TRUE(first.has_value());
  EXPECT_TRUE(second.has_value());
}

TEST_F(SqliteDatabaseTest, OpenDatabase_SqliteUrlOpensTheFile) {
  auto db = open_database("sqlite:" + path_.string());
  ASSERT_TRUE(db.has_value()) << db.error().describe();
  EXPECT_EQ((*db)->backend(), Backend::kSqlite);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace kimp::storage
