// BarAggregator: bars aligned to the interval, the last sample of each, closing by time, skipped intervals.
#include "market/bar_aggregator.hpp"

#include <chrono>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

namespace kimp::market {
namespace {

using std::chrono::minutes;

constexpr Duration kFiveMinutes = minutes(5);

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

Timestamp at(const char* iso) {
  return Timestamp::parse_iso8601(iso).value();
}

TEST(BarAggregator, BarOpen_AlignsToTheIntervalFromTheEpoch) {
  const BarAggregator bars(kFiveMinutes, 1);
  EXPECT_EQ(bars.bar_open(at("2025-05-28T18:12:34.5Z")), at("2025-05-28T18:10:00Z"));
  EXPECT_EQ(bars.bar_open(at("2025-05-28T18:10:00Z")), at("2025-05-28T18:10:00Z"));
  EXPECT_EQ(bars.bar_open(at("2025-05-28T18:14:59.999999999Z")), at("2025-05-28T18:10:00Z"));
  // Before the epoch the interval still starts on a multiple of five minutes, not at zero.
  EXPECT_EQ(bars.bar_open(Timestamp::from_ns(-1)), Timestamp{} - kFiveMinutes);
  EXPECT_EQ(bars.interval(), kFiveMinutes);
}

TEST(BarAggregator, SeveralSamplesInOneInterval_LastSampleWinsAndPremiumIsOfTheCloses) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:10:05Z"), dec("140000000"), dec("100000"), dec("1400")));
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:12:00Z"), dec("140700000"), dec("100001"), dec("1399")));
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:14:59Z"), dec("141400000"), dec("100000"), dec("1400")));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:15:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].coin, 0U);
  EXPECT_EQ(closed[0].open_time, at("2025-05-28T18:10:00Z"));
  EXPECT_EQ(closed[0].upbit_close, dec("141400000"));
  EXPECT_EQ(closed[0].bybit_close, dec("100000"));
  EXPECT_EQ(closed[0].usd_krw, dec("1400"));
  EXPECT_EQ(closed[0].samples, 3U);
  // 141,400,000 / (100,000 × 1,400) − 1 = 1 %.
  EXPECT_NEAR(closed[0].premium, 0.01, 1e-12);
  EXPECT_EQ(bars.skipped(), 0U);
}

TEST(BarAggregator, SamplePastTheBarsEnd_ReturnsTheClosedBarAndOpensTheNext) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:11:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  const std::optional<Bar> closed =
      bars.sample(0, at("2025-05-28T18:15:00Z"), dec("141400000"), dec("100000"), dec("1400"));
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->open_time, at("2025-05-28T18:10:00Z"));
  EXPECT_EQ(closed->upbit_close, dec("140000000"));
  EXPECT_EQ(closed->samples, 1U);
  EXPECT_NEAR(closed->premium, 0.0, 1e-12);
  // The sample that closed it opened the 18:15 bar, which holds only that sample.
  std::vector<Bar> later;
  bars.close_through(at("2025-05-28T18:20:00Z"), later);
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].open_time, at("2025-05-28T18:15:00Z"));
  EXPECT_EQ(later[0].upbit_close, dec("141400000"));
  EXPECT_EQ(later[0].samples, 1U);
}

TEST(BarAggregator, CloseThrough_ClosesOnlyBarsThatEndedInCoinOrder) {
  BarAggregator bars(kFiveMinutes, 3);
  EXPECT_FALSE(bars.sample(2, at("2025-05-28T18:12:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  EXPECT_FALSE(bars.sample(1, at("2025-05-28T18:15:01Z"), dec("3500000"), dec("2500"), dec("1400")));
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:13:00Z"), dec("150000000"), dec("100000"), dec("1400")));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:14:59Z"), closed);
  EXPECT_TRUE(closed.empty());
  bars.close_through(at("2025-05-28T18:19:59Z"), closed);
  ASSERT_EQ(closed.size(), 2U);
  EXPECT_EQ(closed[0].coin, 0U);
  EXPECT_EQ(closed[0].upbit_close, dec("150000000"));
  EXPECT_EQ(closed[1].coin, 2U);
  EXPECT_EQ(closed[1].upbit_close, dec("140000000"));
  // Closed bars are not closed again; coin 1's bar ends at 18:20.
  closed.clear();
  bars.close_through(at("2025-05-28T18:19:59Z"), closed);
  EXPECT_TRUE(closed.empty());
  bars.close_through(at("2025-05-28T18:20:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].coin, 1U);
  EXPECT_EQ(closed[0].open_time, at("2025-05-28T18:15:00Z"));
}

TEST(BarAggregator, IntervalsWithoutASample_AreCountedAsSkippedAndYieldNoBar) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:10:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  // Nothing in 18:15 and 18:20; the 18:25 sample closes the 18:10 bar.
  const std::optional<Bar> first =
      bars.sample(0, at("2025-05-28T18:25:00Z"), dec("140100000"), dec("100000"), dec("1400"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->open_time, at("2025-05-28T18:10:00Z"));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:30:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].open_time, at("2025-05-28T18:25:00Z"));
  EXPECT_EQ(bars.skipped(), 2U);
  // Consecutive bars skip nothing.
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:30:00Z"), dec("140200000"), dec("100000"), dec("1400")));
  bars.close_through(at("2025-05-28T18:35:00Z"), closed);
  ASSERT_EQ(closed.size(), 2U);
  EXPECT_EQ(bars.skipped(), 2U);
}

TEST(BarAggregator, SampleEarlierThanTheLast_IsIgnored) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:12:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:11:00Z"), dec("999000000"), dec("1"), dec("1")));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:15:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].upbit_close, dec("140000000"));
  EXPECT_EQ(closed[0].bybit_close, dec("100000"));
  EXPECT_EQ(closed[0].samples, 1U);
}

TEST(BarAggregator, SampleEarlierThanTheLastAfterItsBarClosed_IsIgnoredAndNoBarRepeats) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:12:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:15:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  // A late sample from the bar already closed must not reopen it.
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:11:00Z"), dec("999000000"), dec("1"), dec("1")));
  bars.close_through(at("2025-05-28T18:20:00Z"), closed);
  EXPECT_EQ(closed.size(), 1U);
}

TEST(BarAggregator, AddCoin_AppendsAnIndexThatSamplesLikeTheOthers) {
  BarAggregator bars(kFiveMinutes, 1);
  EXPECT_EQ(bars.add_coin(), 1U);
  EXPECT_EQ(bars.add_coin(), 2U);
  EXPECT_FALSE(bars.sample(2, at("2025-05-28T18:10:00Z"), dec("3500000"), dec("2500"), dec("1400")));
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:15:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].coin, 2U);
  EXPECT_EQ(closed[0].bybit_close, dec("2500"));
}

TEST(BarAggregator, ResetCoin_DropsTheOpenBarAndStartsAfresh) {
  BarAggregator bars(kFiveMinutes, 2);
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:10:00Z"), dec("140000000"), dec("100000"), dec("1400")));
  EXPECT_FALSE(bars.sample(1, at("2025-05-28T18:10:00Z"), dec("3500000"), dec("2500"), dec("1400")));
  bars.reset_coin(0);
  std::vector<Bar> closed;
  bars.close_through(at("2025-05-28T18:15:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].coin, 1U);
  // Sampled again later, the coin's first bar has only the new sample and no skipped intervals are
  // counted across the reset.
  EXPECT_FALSE(bars.sample(0, at("2025-05-28T18:40:00Z"), dec("141000000"), dec("100000"), dec("1400")));
  closed.clear();
  bars.close_through(at("2025-05-28T18:45:00Z"), closed);
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].coin, 0U);
  EXPECT_EQ(closed[0].open_time, at("2025-05-28T18:40:00Z"));
  EXPECT_EQ(closed[0].samples, 1U);
  EXPECT_EQ(bars.skipped(), 0U);
}

}  // namespace
}  // namespace kimp::market
