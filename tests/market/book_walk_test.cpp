// Book walks: what a taker order fills up to its limit and what it costs; slippage limits and their rounding.
#include "market/book_walk.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "../strategy/test_books.hpp"

namespace kimp::market {
namespace {

using strategy::testing::book;
using strategy::testing::dec;

// Asks 100 × 1, 101 × 2, 103 × 5; bids 99 × 1, 98 × 2, 95 × 1.
OrderBook sample_book() {
  return book(model::Venue::kBybit, "BTCUSDT", {{"99", "1"}, {"98", "2"}, {"95", "1"}},
              {{"100", "1"}, {"101", "2"}, {"103", "5"}});
}

TEST(BookWalk, BuyWithinLimit_TakesAsksFromTheBestAndCostsEachLevel) {
  const OrderBook asks = sample_book();
  const Result<BookWalk> walk = walk_book(asks, model::Side::kBuy, dec("2.5"), dec("101"));
  ASSERT_TRUE(walk) << walk.error().describe();
  // 1 × 100 + 1.5 × 101.
  EXPECT_EQ(walk->qty, dec("2.5"));
  EXPECT_EQ(walk->cost, dec("251.5"));
  EXPECT_EQ(walk->worst, dec("101"));
}

TEST(BookWalk, BuyBeyondTheLevelsWithinLimit_FillsPartiallyUpToTheLimitInclusive) {
  const OrderBook asks = sample_book();
  const Result<BookWalk> walk = walk_book(asks, model::Side::kBuy, dec("5"), dec("101"));
  ASSERT_TRUE(walk);
  EXPECT_EQ(walk->qty, dec("3"));
  EXPECT_EQ(walk->cost, dec("302"));  // 100 + 2 × 101
  EXPECT_EQ(walk->worst, dec("101"));

  const Result<BookWalk> whole = walk_book(asks, model::Side::kBuy, dec("10"), dec("103"));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->qty, dec("8"));
  EXPECT_EQ(whole->cost, dec("817"));  // 100 + 202 + 5 × 103
  EXPECT_EQ(whole->worst, dec("103"));
}

TEST(BookWalk, BuyLimitBelowTheBestAsk_FillsNothing) {
  const OrderBook asks = sample_book();
  const Result<BookWalk> walk = walk_book(asks, model::Side::kBuy, dec("1"), dec("99.99"));
  ASSERT_TRUE(walk);
  EXPECT_EQ(walk->qty, Decimal{});
  EXPECT_EQ(walk->cost, Decimal{});
  EXPECT_EQ(walk->worst, Decimal{});
}

TEST(BookWalk, SellWithinLimit_TakesBidsDownToTheLimit) {
  const OrderBook bids = sample_book();
  const Result<BookWalk> walk = walk_book(bids, model::Side::kSell, dec("2"), dec("98"));
  ASSERT_TRUE(walk);
  EXPECT_EQ(walk->qty, dec("2"));
  EXPECT_EQ(walk->cost, dec("197"));  // 99 + 98
  EXPECT_EQ(walk->worst, dec("98"));

  const Result<BookWalk> partial = walk_book(bids, model::Side::kSell, dec("10"), dec("98"));
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->qty, dec("3"));
  EXPECT_EQ(partial->cost, dec("295"));  // 99 + 2 × 98
  EXPECT_EQ(partial->worst, dec("98"));

  const Result<BookWalk> none = walk_book(bids, model::Side::kSell, dec("1"), dec("99.5"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->qty, Decimal{});
  EXPECT_EQ(none->worst, Decimal{});
}

TEST(BookWalk, FractionalQuantities_CostIsExact) {
  const OrderBook upbit = book(model::Venue::kUpbit, "KRW-BTC", {{"99950000", "0.01"}},
                               {{"100000000", "0.01"}, {"100050000", "0.02"}});
  const Result<BookWalk> walk = walk_book(upbit, model::Side::kBuy, dec("0.025"), dec("100100000"));
  ASSERT_TRUE(walk);
  // 0.01 × 100,000,000 + 0.015 × 100,050,000 = 1,000,000 + 1,500,750.
  EXPECT_EQ(walk->qty, dec("0.025"));
  EXPECT_EQ(walk->cost, dec("2500750"));
  EXPECT_EQ(walk->worst, dec("100050000"));
}

TEST(BookWalk, EmptySide_FillsNothing) {
  const OrderBook bids_only = book(model::Venue::kBybit, "BTCUSDT", {{"99", "1"}}, {});
  const Result<BookWalk> walk = walk_book(bids_only, model::Side::kBuy, dec("1"), dec("1000"));
  ASSERT_TRUE(walk);
  EXPECT_EQ(walk->qty, Decimal{});
  EXPECT_EQ(walk->cost, Decimal{});
}

TEST(SlippageLimit, WholeFigures_AreBestTimesOnePlusOrMinusThePercent) {
  EXPECT_EQ(slippage_limit(dec("100"), model::Side::kBuy, dec("0.1")).value(), dec("100.1"));
  EXPECT_EQ(slippage_limit(dec("100"), model::Side::kSell, dec("0.1")).value(), dec("99.9"));
  EXPECT_EQ(slippage_limit(dec("150389000"), model::Side::kBuy, dec("0.5")).value(), dec("151140945"));
  EXPECT_EQ(slippage_limit(dec("70000"), model::Side::kSell, dec("0")).value(), dec("70000"));
}

TEST(SlippageLimit, BuyLimitBeyondTheLastDigit_RoundsDownTowardTheBest) {
  // 12,345.67891234 × 1.001 = 12,358.024591252340: the buy limit rounds down.
  EXPECT_EQ(slippage_limit(dec("12345.67891234"), model::Side::kBuy, dec("0.1")).value(),
            dec("12358.02459125"));
  // 0.00000003 × 1.1 = 0.000000033: rounded toward the best, that is the best itself.
  EXPECT_EQ(slippage_limit(dec("0.00000003"), model::Side::kBuy, dec("10")).value(), dec("0.00000003"));
}

TEST(SlippageLimit, SellLimitBeyondTheLastDigit_RoundsUpTowardTheBest) {
  // 12,345.67891234 × 0.999 = 12,333.333233427660: toward the best (up) is 12,333.33323343.
  EXPECT_EQ(slippage_limit(dec("12345.67891234"), model::Side::kSell, dec("0.1")).value(),
            dec("12333.33323343"));
  // 0.00000003 × 0.9 = 0.000000027: toward the best is 0.00000003.
  EXPECT_EQ(slippage_limit(dec("0.00000003"), model::Side::kSell, dec("10")).value(), dec("0.00000003"));
}

TEST(SlippageLimit, Overflow_IsInvalidArgument) {
  const Result<Decimal> limit = slippage_limit(Decimal::from_units(std::numeric_limits<std::int64_t>::max()),
                                               model::Side::kBuy, dec("50"));
  ASSERT_FALSE(limit);
  EXPECT_EQ(limit.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::market
