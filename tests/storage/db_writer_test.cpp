// DbWriter against a real SQLite file: lanes and drop counts, drain at shutdown, spilling to the journal
// while the database is down, the hard timeout, and the journal written exactly once at the next start.
#include "storage/db_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "storage/database.hpp"
#include "storage/spill_journal.hpp"
#include "tests/storage/bulk_rows.hpp"

namespace kimp::storage {
namespace {

using testing::numbered_alert;
using testing::numbered_minute;
using testing::numbered_position;
using testing::numbered_trade;

// A real database behind a switch: while `down`, every write fails as a lost connection would; a record
// whose key is `poison_trade_id` is refused as invalid.
class SwitchableDatabase final : public Database {
 public:
  SwitchableDatabase(std::unique_ptr<Database> inner, std::shared_ptr<std::atomic<bool>> down)
      : inner_(std::move(inner)), down_(std::move(down)) {}

  std::int64_t poison_trade_id = -1;
  std::shared_ptr<std::atomic<int>> writes = std::make_shared<std::atomic<int>>(0);

  [[nodiscard]] Backend backend() const override { return inner_->backend(); }
  Result<std::vector<int>> migrate() override { return inner_->migrate(); }
  Result<int> schema_version() override { return inner_->schema_version(); }
  Result<std::int64_t> begin_session(const SessionRow& session) override {
    return inner_->begin_session(session);
  }
  Status write(std::span<const StorageRecord> records, Durability durability) override {
    writes->fetch_add(1);
    if (down_->load()) {
      return make_error(ErrorCode::kUnavailable, "connection refused");
    }
    for (const StorageRecord& record : records) {
      if (const auto* trade = std::get_if<TradeRow>(&record);
          trade != nullptr && trade->id == poison_trade_id) {
        return make_error(ErrorCode::kInvalidArgument, "value too long");
      }
    }
    return inner_->write(records, durability);
  }
  Result<TableRows> select_rows(Table table, std::optional<std::int64_t> session_id) override {
    return inner_->select_rows(table, session_id);
  }
  Result<std::vector<TableCount>> count_rows() override { return inner_->count_rows(); }
  Result<std::unique_ptr<AccountLock>> lock_account(std::string_view account) override {
    return inner_->lock_account(account);
  }

 private:
  std::unique_ptr<Database> inner_;
  std::shared_ptr<std::atomic<bool>> down_;
};

class DbWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kimp-db-writer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "kimp.sqlite").string();
    std::unique_ptr<Database> db = open();
    ASSERT_TRUE(db->migrate());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Database> open() {
    Result<std::unique_ptr<Database>> db =
        open_database(url_, {.busy_timeout = std::chrono::milliseconds(2000)});
    EXPECT_TRUE(db) << db.error().describe();
    return std::move(*db);
  }

  DbWriterOptions options() {
    DbWriterOptions options;
    options.journal_path = dir_ / "kimp.spill";
    options.retry_initial = std::chrono::milliseconds(5);
    options.retry_max = std::chrono::milliseconds(20);
    return options;
  }

  std::unique_ptr<DbWriter> writer(DbWriterOptions writer_options, SwitchableDatabase** handle = nullptr) {
    auto db = std::make_unique<SwitchableDatabase>(open(), down_);
    if (handle != nullptr) {
      *handle = db.get();
    }
    return std::make_unique<DbWriter>(std::move(db), std::move(writer_options));
  }

  std::int64_t rows(Table table) {
    Result<std::vector<TableCount>> counts = open()->count_rows();
    EXPECT_TRUE(counts) << counts.error().describe();
    for (const TableCount& count : *counts) {
      if (count.table == table) {
        return count.rows;
      }
    }
    return -1;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::shared_ptr<std::atomic<bool>> down_ = std::make_shared<std::atomic<bool>>(false);
  static constexpr std::int64_t kSession = 7;
};

TEST_F(DbWriterTest, Shutdown_With50000QueuedRows_WritesEveryCriticalRow) {
  auto db_writer = writer(options());
  for (std::int64_t n = 1; n <= 20'000; ++n) {
    db_writer->enqueue(numbered_trade(kSession, n));
    db_writer->enqueue(numbered_alert(kSession, n));
  }
  for (std::int64_t n = 1; n <= 10'000; ++n) {
    db_writer->enqueue(numbered_position(kSession, n, 1));
  }
  const ShutdownReport report = db_writer->shutdown();
  EXPECT_TRUE(report.drained);
  EXPECT_EQ(report.lost, 0U);
  EXPECT_EQ(rows(Table::kTrades), 20'000);
  EXPECT_EQ(rows(Table::kAlerts), 20'000);
  EXPECT_EQ(rows(Table::kPositions), 10'000);
  const DbWriterStats stats = db_writer->stats();
  EXPECT_EQ(stats[Table::kTrades].enqueued, 20'000U);
  EXPECT_EQ(stats[Table::kTrades].written, 20'000U);
  EXPECT_EQ(stats[Table::kTrades].dropped, 0U);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "kimp.spill"));
}

TEST_F(DbWriterTest, Flood_OfMinutes_DropsOnlyMinutesAndCountsEveryDrop) {
  DbWriterOptions flood = options();
  flood.droppable_capacity = 5'000;
  auto db_writer = writer(flood);
  // The database is away during the flood, so the minutes queue must overflow, whatever the machine's speed.
  down_->store(true);
  constexpr std::int64_t kMinutes = 1'000'000;
  constexpr std::int64_t kCritical = 10'000;
  for (std::int64_t n = 0; n < kMinutes; ++n) {
    db_writer->enqueue(numbered_minute(kSession, n));
    if (n % (kMinutes / kCritical) == 0) {
      const std::int64_t k = n / (kMinutes / kCritical) + 1;
      db_writer->enqueue(numbered_trade(kSession, k));
      db_writer->enqueue(numbered_alert(kSession, k));
    }
  }
  down_->store(false);
  ASSERT_TRUE(db_writer->shutdown().drained);
  const DbWriterStats stats = db_writer->stats();
  EXPECT_EQ(rows(Table::kTrades), kCritical);
  EXPECT_EQ(rows(Table::kAlerts), kCritical);
  EXPECT_EQ(stats[Table::kTrades].dropped, 0U);
  EXPECT_EQ(stats[Table::kAlerts].dropped, 0U);
  const TableCounters& minutes = stats[Table::kMinutes];
  EXPECT_EQ(minutes.enqueued, static_cast<std::uint64_t>(kMinutes));
  EXPECT_EQ(minutes.written + minutes.dropped, static_cast<std::uint64_t>(kMinutes));
  EXPECT_EQ(rows(Table::kMinutes), static_cast<std::int64_t>(minutes.written));
  EXPECT_GE(minutes.dropped, static_cast<std::uint64_t>(kMinutes - 3 * flood.droppable_capacity));
}

TEST_F(DbWriterTest, DatabaseDown_CriticalRowsSpillToJournal_AndLandOnceWhenItReturns) {
  DbWriterOptions spilling = options();
  spilling.spill_threshold = 100;
  auto db_writer = writer(spilling);
  down_->store(true);
  for (std::int64_t n = 1; n <= 1'000; ++n) {
    db_writer->enqueue(numbered_trade(kSession, n));
  }
  // The writer retries every few milliseconds; once over the threshold it spills to the journal.
  for (int i = 0; i < 2000 && db_writer->stats().journal_records == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(db_writer->stats().journal_records, 0U);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "kimp.spill"));
  EXPECT_EQ(rows(Table::kTrades), 0);
  down_->store(false);
  ASSERT_TRUE(db_writer->shutdown().drained);
  EXPECT_EQ(rows(Table::kTrades), 1'000);
  const DbWriterStats stats = db_writer->stats();
  EXPECT_GT(stats[Table::kTrades].spilled, 0U);
  EXPECT_GT(stats[Table::kTrades].failed, 0U);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "kimp.spill"));
}

TEST_F(DbWriterTest, DatabaseDownBriefly_BatchIsRetriedInMemoryUntilItLands) {
  SwitchableDatabase* db = nullptr;
  auto db_writer = writer(options(), &db);
  down_->store(true);
  for (std::int64_t n = 1; n <= 100; ++n) {
    db_writer->enqueue(numbered_alert(kSession, n));
  }
  const int before = db->writes->load();
  for (int i = 0; i < 2000 && db->writes->load() < before + 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  down_->store(false);
  ASSERT_TRUE(db_writer->shutdown().drained);
  EXPECT_EQ(rows(Table::kAlerts), 100);
  const TableCounters alerts = db_writer->stats()[Table::kAlerts];
  EXPECT_GE(alerts.failed, 100U);
  EXPECT_GE(alerts.retried, 100U);
  EXPECT_EQ(alerts.written, 100U);
  EXPECT_EQ(alerts.spilled, 0U);
}

TEST_F(DbWriterTest, HardTimeout_LeavesRowsInJournal_AndTheNextStartWritesThemOnce) {
  DbWriterOptions stuck = options();
  stuck.soft_timeout = std::chrono::milliseconds(100);
  stuck.hard_timeout = std::chrono::milliseconds(300);
  auto first = writer(stuck);
  down_->store(true);
  for (std::int64_t n = 1; n <= 1'000; ++n) {
    first->enqueue(numbered_trade(kSession, n));
    first->enqueue(numbered_position(kSession, n, 1));
  }
  for (std::int64_t n = 0; n < 100; ++n) {
    first->enqueue(numbered_minute(kSession, n));
  }
  const ShutdownReport report = first->shutdown();
  EXPECT_FALSE(report.drained);
  EXPECT_EQ(report.lost, 0U);
  EXPECT_EQ(report.left_in_journal[static_cast<std::size_t>(Table::kTrades)], 1'000U);
  EXPECT_EQ(report.left_in_journal[static_cast<std::size_t>(Table::kPositions)], 1'000U);
  EXPECT_EQ(report.left_in_journal[static_cast<std::size_t>(Table::kMinutes)], 100U);
  EXPECT_EQ(rows(Table::kTrades), 0);
  Result<JournalContents> journal = SpillJournal(dir_ / "kimp.spill").read();
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->records.size(), 2'100U);

  down_->store(false);
  auto second = writer(options());
  ASSERT_TRUE(second->shutdown().drained);
  EXPECT_EQ(rows(Table::kTrades), 1'000);
  EXPECT_EQ(rows(Table::kPositions), 1'000);
  EXPECT_EQ(rows(Table::kMinutes), 100);
  EXPECT_EQ(second->stats().journal_replayed, 2'100U);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "kimp.spill"));

  auto third = writer(options());
  ASSERT_TRUE(third->shutdown().drained);
  EXPECT_EQ(third->stats().journal_replayed, 0U);
  EXPECT_EQ(rows(Table::kTrades), 1'000);
}

TEST_F(DbWriterTest, JournalHoldingRowsAlreadyWritten_ReplaysWithoutDuplicates) {
  std::vector<StorageRecord> records;
  for (std::int64_t n = 1; n <= 50; ++n) {
    records.emplace_back(numbered_trade(kSession, n));
    records.emplace_back(numbered_position(kSession, n, 2));
  }
  ASSERT_TRUE(open()->write(records, Durability::kCritical));
  // The journal also holds the older revision of each position, which must not overwrite the newer one.
  for (std::int64_t n = 1; n <= 50; ++n) {
    records.emplace_back(numbered_position(kSession, n, 1));
  }
  ASSERT_TRUE(SpillJournal(dir_ / "kimp.spill").append(records));
  auto db_writer = writer(options());
  ASSERT_TRUE(db_writer->shutdown().drained);
  EXPECT_EQ(rows(Table::kTrades), 50);
  EXPECT_EQ(rows(Table::kPositions), 50);
  Result<TableRows> positions = open()->select_rows(Table::kPositions, kSession);
  ASSERT_TRUE(positions);
  for (const std::vector<Cell>& cells : positions->rows) {
    Result<PositionRow> row = row_from_cells<PositionRow>(cells);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->revision, 2);
    EXPECT_EQ(row->state, "closed");
  }
}

TEST_F(DbWriterTest, RecordTheDatabaseRefuses_IsSetAsideAndTheRestOfItsBatchIsWritten) {
  SwitchableDatabase* db = nullptr;
  auto db_writer = writer(options(), &db);
  db->poison_trade_id = kSession * RowIdAllocator::kPerSession + 3;
  for (std::int64_t n = 1; n <= 10; ++n) {
    db_writer->enqueue(numbered_trade(kSession, n));
  }
  db_writer->shutdown();
  EXPECT_EQ(rows(Table::kTrades), 9);
  EXPECT_EQ(db_writer->stats()[Table::kTrades].rejected, 1U);
  Result<JournalContents> rejected = SpillJournal(dir_ / "kimp.spill.rejected").read();
  ASSERT_TRUE(rejected);
  ASSERT_EQ(rejected->records.size(), 1U);
  EXPECT_EQ(std::get<TradeRow>(rejected->records[0]).id, db->poison_trade_id);
}

TEST_F(DbWriterTest, RecordAfterShutdown_IsCountedAsDropped) {
  auto db_writer = writer(options());
  db_writer->enqueue(numbered_trade(kSession, 1));
  ASSERT_TRUE(db_writer->shutdown().drained);
  db_writer->enqueue(numbered_trade(kSession, 2));
  EXPECT_EQ(db_writer->stats()[Table::kTrades].dropped, 1U);
  EXPECT_EQ(rows(Table::kTrades), 1);
}

TEST_F(DbWriterTest, PeriodicSnapshotsAreDroppable_FinalOnesAreNot) {
  BalanceSnapshotRow periodic;
  periodic.record_type = "PERIODIC";
  BalanceSnapshotRow final_row;
  final_row.record_type = "FINAL";
  EXPECT_FALSE(is_critical(periodic));
  EXPECT_TRUE(is_critical(final_row));
  EXPECT_FALSE(is_critical(numbered_minute(kSession, 1)));
  EXPECT_FALSE(is_critical(FundingRow{}));
  EXPECT_TRUE(is_critical(numbered_trade(kSession, 1)));
  EXPECT_TRUE(is_critical(AlertDelivery{}));
  EXPECT_TRUE(is_critical(SessionEnd{}));
}

}  // namespace
}  // namespace kimp::storage
