// SpillJournal: every record type round-trips through the file; torn and corrupted lines are skipped.
#include "storage/spill_journal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/storage/bulk_rows.hpp"

namespace kimp::storage {
namespace {

using testing::at_ms;
using testing::decimal;

std::vector<StorageRecord> one_of_each() {
  BalanceSnapshotRow snapshot;
  snapshot.created_at = at_ms(5);
  snapshot.snapshot_group_id = 1;
  snapshot.session_id = 5;
  snapshot.record_type = "FINAL";
  snapshot.cex = "UPBIT";
  snapshot.currency = "KRW";
  snapshot.available = decimal("2779359.74056633");
  snapshot.total = decimal("2811396.51958043");
  snapshot.usd_krw = decimal("1440.64001464");
  OrderRow order;
  order.client_order_id = "kimp-5-1-u";
  order.session_id = 5;
  order.position_id = 5'000'000'001;
  order.venue = "upbit";
  order.side = "buy";
  order.order_type = "limit";
  order.qty = decimal("0.00125");
  order.price = decimal("150389000");
  order.state = "filled";
  order.created_at = at_ms(1);
  order.updated_at = at_ms(2);
  order.revision = 3;
  std::vector<StorageRecord> records;
  records.emplace_back(
      SessionEnd{.id = 5, .ended_at = at_ms(9), .status = "stopped", .stop_reason = "signal"});
  records.emplace_back(testing::numbered_position(5, 1, 2));
  records.emplace_back(order);
  records.emplace_back(testing::numbered_trade(5, 1));
  records.emplace_back(testing::numbered_minute(5, 3));
  records.emplace_back(FundingRow{.coin = "BTC",
                                  .funding_rate = decimal("0.0001"),
                                  .next_funding_time = at_ms(8),
                                  .updated_at = at_ms(7)});
  records.emplace_back(snapshot);
  records.emplace_back(testing::numbered_alert(5, 1));
  records.emplace_back(AlertDelivery{.id = 5'000'000'001,
                                     .telegram_status = "failed",
                                     .telegram_error = "HTTP 500",
                                     .telegram_sent_at = std::nullopt});
  return records;
}

class SpillJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kimp-journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SpillJournalTest, EveryRecordType_ReadsBackEqual) {
  SpillJournal journal(dir_ / "sub" / "kimp.spill");
  const std::vector<StorageRecord> records = one_of_each();
  ASSERT_TRUE(journal.append(std::span(records).first(4)));
  ASSERT_TRUE(journal.append(std::span(records).subspan(4)));
  Result<JournalContents> contents = journal.read();
  ASSERT_TRUE(contents) << contents.error().describe();
  EXPECT_EQ(contents->torn_lines, 0U);
  ASSERT_EQ(contents->records.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(journal_line(contents->records[i]), journal_line(records[i])) << i;
  }
  EXPECT_EQ(std::get<OrderRow>(contents->records[2]).price, decimal("150389000"));
  EXPECT_EQ(std::get<PositionRow>(contents->records[1]).realised_pnl, decimal("0.42"));
}

TEST_F(SpillJournalTest, TornLastLine_IsSkippedAndCounted) {
  SpillJournal journal(dir_ / "kimp.spill");
  const std::vector<StorageRecord> records = one_of_each();
  ASSERT_TRUE(journal.append(records));
  const std::uintmax_t size = std::filesystem::file_size(journal.path());
  std::filesystem::resize_file(journal.path(), size - 20);
  Result<JournalContents> contents = journal.read();
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->records.size(), records.size() - 1);
  EXPECT_EQ(contents->torn_lines, 1U);
}

TEST_F(SpillJournalTest, LineFailingItsChecksum_IsSkipped) {
  SpillJournal journal(dir_ / "kimp.spill");
  const std::vector<StorageRecord> records = one_of_each();
  ASSERT_TRUE(journal.append(records));
  std::string text;
  {
    std::ifstream in(journal.path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::size_t digit = text.find("150389000");
  ASSERT_NE(digit, std::string::npos);
  text[digit] = '9';
  {
    std::ofstream out(journal.path(), std::ios::trunc);
    out << text;
  }
  Result<JournalContents> contents = journal.read();
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->records.size(), records.size() - 1);
  EXPECT_EQ(contents->torn_lines, 1U);
}

TEST_F(SpillJournalTest, Clear_RemovesTheFile_AndAnAbsentJournalIsEmpty) {
  SpillJournal journal(dir_ / "kimp.spill");
  ASSERT_TRUE(journal.append(one_of_each()));
  ASSERT_TRUE(journal.clear());
  EXPECT_FALSE(std::filesystem::exists(journal.path()));
  Result<JournalContents> contents = journal.read();
  ASSERT_TRUE(contents);
  EXPECT_TRUE(contents->records.empty());
}

TEST_F(SpillJournalTest, UnknownRecordType_IsRefused) {
  const std::string line = journal_line(testing::numbered_trade(1, 1));
  Result<StorageRecord> parsed = parse_journal_line(line);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parse_journal_line(R"(00000000 {"type":"nope","cells":[]})"));
  EXPECT_FALSE(parse_journal_line("garbage"));
}

TEST_F(SpillJournalTest, UnwritablePath_IsUnavailable) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  SpillJournal journal(dir_ / "file" / "kimp.spill");
  const Status status = journal.append(one_of_each());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace kimp::storage
