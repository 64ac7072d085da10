// SessionRecorder: the rows each trader event must produce, and a close without a recorded open skipped.
#include "runtime/session_recorder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kimp::runtime {
namespace {

Decimal dec(const char* text) {
  return *Decimal::parse(text);
}

class VectorSink final : public storage::RecordSink {
 public:
  void enqueue(storage::StorageRecord record) override { records.push_back(std::move(record)); }
  template <class Row>
  std::vector<Row> rows() const {
    std::vector<Row> found;
    for (const storage::StorageRecord& record : records) {
      if (const Row* row = std::get_if<Row>(&record)) {
        found.push_back(*row);
      }
    }
    return found;
  }
  std::vector<storage::StorageRecord> records;
};

constexpr std::int64_t kSession = 12;

std::string coin_name(std::uint32_t coin) {
  return coin == 0 ? "BTC" : "ETH";
}

OpenPair open_pair(std::uint64_t id) {
  OpenPair pair;
  pair.id = id;
  pair.coin = 1;
  pair.entry.upbit = {
      .qty = dec("0.5"), .avg_price = dec("5100000"), .fee = dec("1275"), .at = Timestamp::from_ns(1)};
  pair.entry.bybit = {
      .qty = dec("0.5"), .avg_price = dec("3500.5"), .fee = dec("0.96"), .at = Timestamp::from_ns(2)};
  pair.entry.usdt_krw = dec("1470");
  pair.upbit_order_id = "u-1";
  pair.bybit_order_id = "b-1";
  pair.opened_at = Timestamp::from_ns(3);
  return pair;
}

ClosedPair closed_pair(std::uint64_t id) {
  ClosedPair pair;
  pair.open = open_pair(id);
  pair.exit.upbit = {
      .qty = dec("0.5"), .avg_price = dec("5110000"), .fee = dec("1277.5"), .at = Timestamp::from_ns(8)};
  pair.exit.bybit = {
      .qty = dec("0.5"), .avg_price = dec("3499"), .fee = dec("0.95"), .at = Timestamp::from_ns(9)};
  pair.exit.usdt_krw = dec("1471");
  pair.upbit_order_id = "u-2";
  pair.bybit_order_id = "b-2";
  pair.closed_at = Timestamp::from_ns(10);
  pair.pnl.net_usdt = dec("1.25");
  pair.pnl.funding_usdt = dec("0.01");
  return pair;
}

TEST(SessionRecorder, SeriesRows_AreOneMinutesRowEachWithTheCoinsName) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  for (std::uint32_t coin = 0; coin < 2; ++coin) {
    SeriesRow row;
    row.bar.coin = coin;
    row.bar.open_time = Timestamp::from_ns(60'000'000'000);
    row.bar.upbit_close = dec("150389000");
    row.bar.premium = 0.031;
    row.mean = 0.03;
    row.stddev = 0.001;
    row.z = 1.0;
    recorder.on_series(row);
  }
  const std::vector<storage::MinuteRow> minutes = sink.rows<storage::MinuteRow>();
  ASSERT_EQ(minutes.size(), 2U);
  EXPECT_EQ(minutes[0].coin, "BTC");
  EXPECT_EQ(minutes[1].coin, "ETH");
  EXPECT_EQ(minutes[0].session_id, kSession);
  EXPECT_EQ(minutes[0].upbit_close, dec("150389000"));
  EXPECT_EQ(minutes[0].z, 1.0);
  EXPECT_EQ(recorder.counters().minutes, 2U);
}

TEST(SessionRecorder, ClosedPair_WritesATradeWhosePositionIdIsThePositionsDbId) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  recorder.on_opened(open_pair(41));
  recorder.on_closed(closed_pair(41));
  const std::vector<storage::PositionRow> positions = sink.rows<storage::PositionRow>();
  ASSERT_EQ(positions.size(), 2U);
  EXPECT_EQ(positions[0].id, kSession * storage::RowIdAllocator::kPerSession + 1);
  EXPECT_EQ(positions[0].state, "open");
  EXPECT_EQ(positions[1].id, positions[0].id);
  EXPECT_EQ(positions[1].state, "closed");
  EXPECT_GT(positions[1].revision, positions[0].revision);
  EXPECT_EQ(positions[1].realised_pnl, dec("1.25"));
  const std::vector<storage::TradeRow> trades = sink.rows<storage::TradeRow>();
  ASSERT_EQ(trades.size(), 1U);
  EXPECT_EQ(trades[0].position_id, positions[0].id);
  EXPECT_EQ(trades[0].coin, "ETH");
  EXPECT_EQ(trades[0].side, "exit");
  EXPECT_EQ(trades[0].upbit_entry_price, dec("5100000"));
  EXPECT_EQ(trades[0].bybit_exit_price, dec("3499"));
  EXPECT_EQ(trades[0].upbit_fee_krw, dec("2552.5"));
  EXPECT_EQ(trades[0].bybit_fee_usdt, dec("1.91"));
  EXPECT_EQ(trades[0].pnl, dec("1.25"));
  const std::vector<storage::OrderRow> orders = sink.rows<storage::OrderRow>();
  ASSERT_EQ(orders.size(), 4U);
  EXPECT_EQ(orders[0].venue, "upbit");
  EXPECT_EQ(orders[0].side, "buy");
  EXPECT_EQ(orders[1].venue, "bybit");
  EXPECT_EQ(orders[1].side, "sell");
  EXPECT_EQ(orders[3].side, "buy");
  EXPECT_EQ(orders[3].venue_order_id, "b-2");
  EXPECT_EQ(orders[3].position_id, positions[0].id);
}

TEST(SessionRecorder, ClosedPairNeverOpened_IsSkippedAndCounted_NoGhostRow) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  recorder.on_closed(closed_pair(7));
  EXPECT_TRUE(sink.records.empty());
  EXPECT_EQ(recorder.counters().trades_without_position, 1U);
  EXPECT_EQ(recorder.counters().trades, 0U);
}

TEST(SessionRecorder, Snapshot_IsOneRowPerLineUnderOneGroup_TotalsConverted) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  const std::vector<BalanceLine> lines = {
      {.cex = "UPBIT",
       .currency = "KRW",
       .available = dec("2940000"),
       .locked = {},
       .coin_value = {},
       .total = dec("2940000")},
      {.cex = "BYBIT",
       .currency = "USDT",
       .available = dec("2000"),
       .locked = {},
       .coin_value = {},
       .total = dec("2000")},
  };
  recorder.snapshot("FINAL", lines, dec("1400"), dec("1470"), Timestamp::from_ns(5));
  recorder.snapshot("FINAL", lines, dec("1400"), dec("1470"), Timestamp::from_ns(6));
  const std::vector<storage::BalanceSnapshotRow> rows = sink.rows<storage::BalanceSnapshotRow>();
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].snapshot_group_id, 1);
  EXPECT_EQ(rows[1].snapshot_group_id, 1);
  EXPECT_EQ(rows[2].snapshot_group_id, 2);
  EXPECT_EQ(rows[0].total_usd, dec("2100"));
  EXPECT_EQ(rows[0].total_usdt, dec("2000"));
  EXPECT_EQ(rows[1].total_usdt, dec("2000"));
  EXPECT_TRUE(storage::is_critical(rows[0]));
}

TEST(SessionRecorder, Funding_IsRecordedOnlyWhenItChanges) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  const Timestamp next = Timestamp::from_ns(8'000'000'000'000);
  recorder.on_funding("BTC", dec("0.0001"), next, Timestamp::from_ns(1));
  recorder.on_funding("BTC", dec("0.0001"), next, Timestamp::from_ns(2));
  recorder.on_funding("ETH", dec("0.0001"), next, Timestamp::from_ns(3));
  recorder.on_funding("BTC", dec("0.00012"), next, Timestamp::from_ns(4));
  const std::vector<storage::FundingRow> rows = sink.rows<storage::FundingRow>();
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].coin, "BTC");
  EXPECT_EQ(rows[1].coin, "ETH");
  EXPECT_EQ(rows[2].funding_rate, dec("0.00012"));
  EXPECT_EQ(recorder.counters().funding, 3U);
}

TEST(SessionRecorder, Listeners_CallTheRecorderThenTheNextListener) {
  VectorSink sink;
  SessionRecorder recorder(sink, kSession, coin_name);
  int next_calls = 0;
  TraderListeners next;
  next.on_opened = [&](const OpenPair&) { ++next_calls; };
  const TraderListeners listeners = recorder.listeners(std::move(next));
  listeners.on_opened(open_pair(1));
  ASSERT_TRUE(listeners.on_series);
  listeners.on_series(SeriesRow{});
  EXPECT_EQ(next_calls, 1);
  EXPECT_EQ(sink.rows<storage::PositionRow>().size(), 1U);
  EXPECT_EQ(sink.rows<storage::MinuteRow>().size(), 1U);
}

}  // namespace
}  // namespace kimp::runtime
