// Sizing from depth and lot rounding on both venues' rules, checked against hand-computed figures.
#include "strategy/sizing.hpp"

#include <gtest/gtest.h>

#include "test_books.hpp"

namespace kimp::strategy {
namespace {

using testing::book;
using testing::bybit_rules;
using testing::dec;
using testing::upbit_rules;

const SizingLimits kLimits{dec("0.1"), dec("1000")};

TEST(Sizing, DepthWithinSlippage_SizesToTheThinnerBookAndTheCap) {
  // Upbit asks within 100,000,000 × 1.001 = 100,100,000: 0.004 + 0.01 (the 100,200,000 level is beyond).
  const market::OrderBook upbit = book(model::Venue::kUpbit, "KRW-BTC", {{"99990000", "1"}},
                                       {{"100000000", "0.004"}, {"100050000", "0.01"}, {"100200000", "5"}});
  // Bybit bids within 70,000 × 0.999 = 69,930: 0.005 + 0.02. The 1,000 USDT cap is 0.01428571 BTC.
  const market::OrderBook bybit =
      book(model::Venue::kBybit, "BTCUSDT", {{"70000", "0.005"}, {"69990", "0.02"}}, {{"70001", "1"}});
  const SizedEntry sized = size_from_books(upbit, bybit, upbit_rules(), bybit_rules(), kLimits).value();
  // min(0.014, 0.025, 0.01428571) = 0.014, already on the 0.001 step.
  EXPECT_EQ(sized.qty, dec("0.014"));
  // 0.004 × 100,000,000 + 0.01 × 100,050,000 = 1,400,500 KRW; / 0.014 = 100,035,714.28571429.
  EXPECT_EQ(sized.upbit_cost_krw, dec("1400500"));
  EXPECT_EQ(sized.upbit_avg_krw, dec("100035714.28571429"));
  EXPECT_EQ(sized.upbit_worst_krw, dec("100050000"));
  // 0.005 × 70,000 + 0.009 × 69,990 = 979.91 USDT; / 0.014 = 69,993.57142857.
  EXPECT_EQ(sized.bybit_notional_usdt, dec("979.91"));
  EXPECT_EQ(sized.bybit_avg_usdt, dec("69993.57142857"));
  EXPECT_EQ(sized.bybit_worst_usdt, dec("69990"));
}

TEST(Sizing, CapBelowDepth_RoundsDownToTheBybitStep) {
  const market::OrderBook upbit =
      book(model::Venue::kUpbit, "KRW-BTC", {{"99990000", "1"}}, {{"100000000", "1"}});
  const market::OrderBook bybit = book(model::Venue::kBybit, "BTCUSDT", {{"70000", "1"}}, {{"70001", "1"}});
  // 1,000 / 70,000 = 0.01428571 → 0.014 on the 0.001 step.
  const SizedEntry sized = size_from_books(upbit, bybit, upbit_rules(), bybit_rules(), kLimits).value();
  EXPECT_EQ(sized.qty, dec("0.014"));
  EXPECT_EQ(sized.upbit_avg_krw, dec("100000000"));
  EXPECT_EQ(sized.bybit_avg_usdt, dec("70000"));
}

TEST(Sizing, DepthBelowBybitMinimum_IsRefusedNamingTheRule) {
  const market::OrderBook upbit =
      book(model::Venue::kUpbit, "KRW-BTC", {{"99990000", "1"}}, {{"100000000", "1"}});
  // 0.0009 within the limit rounds to 0 on the 0.001 step.
  const market::OrderBook bybit =
      book(model::Venue::kBybit, "BTCUSDT", {{"70000", "0.0009"}, {"60000", "5"}}, {{"70001", "1"}});
  const Result<SizedEntry> sized = size_from_books(upbit, bybit, upbit_rules(), bybit_rules(), kLimits);
  ASSERT_FALSE(sized.has_value());
  EXPECT_EQ(sized.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(sized.error().message.find("below the minimum quantity"), std::string::npos)
      << sized.error().message;
}

TEST(Sizing, RoundToBothVenues_HandComputed) {
  model::Instrument bybit = bybit_rules();
  bybit.qty_step = dec("0.01");
  bybit.min_qty = dec("0.01");
  // 1.23456789 → 1.23 on Bybit's 0.01 step, which is also a multiple of Upbit's 10^-8.
  EXPECT_EQ(round_to_both_venues(dec("1.23456789"), dec("20000"), dec("10"), upbit_rules(), bybit).value(),
            dec("1.23"));
  // Bybit's market-order maximum caps the size.
  bybit.max_qty = dec("0.5");
  EXPECT_EQ(round_to_both_venues(dec("1.23456789"), dec("20000"), dec("10"), upbit_rules(), bybit).value(),
            dec("0.5"));
}

TEST(Sizing, BybitNotionalBelowMinimum_IsRefused) {
  // 0.001 BTC at 4,000 USDT is 4 USDT, below minNotionalValue 5.
  const Result<Decimal> qty =
      round_to_both_venues(dec("0.0015"), dec("6000000"), dec("4000"), upbit_rules(), bybit_rules());
  ASSERT_FALSE(qty.has_value());
  EXPECT_NE(qty.error().message.find("below its minimum order value 5"), std::string::npos)
      << qty.error().message;
}

TEST(Sizing, UpbitTotalBelowFiveThousandKrw_IsRefused) {
  // 0.001 × 4,900,000 KRW = 4,900 KRW < 5,000 KRW (Bybit's 0.001 × 10,000 = 10 USDT passes).
  const Result<Decimal> qty =
      round_to_both_venues(dec("0.001"), dec("4900000"), dec("10000"), upbit_rules(), bybit_rules());
  ASSERT_FALSE(qty.has_value());
  EXPECT_NE(qty.error().message.find("4900 KRW on upbit, below its minimum order total 5000"),
            std::string::npos)
      << qty.error().message;
}

TEST(Sizing, FromNotional_SizesAtTheGivenPrices) {
  // 1,000 USDT / 65,432.1 = 0.01528301 → 0.015.
  const SizedEntry sized =
      size_from_notional(dec("90000000"), dec("65432.1"), upbit_rules(), bybit_rules(), dec("1000")).value();
  EXPECT_EQ(sized.qty, dec("0.015"));
  EXPECT_EQ(sized.upbit_cost_krw, dec("1350000"));
  EXPECT_EQ(sized.bybit_notional_usdt, dec("981.4815"));
}

TEST(Sizing, IncompatibleLotSteps_AreRefused) {
  model::Instrument upbit = upbit_rules();
  upbit.qty_step = dec("0.0015");
  const Result<Decimal> qty =
      round_to_both_venues(dec("1"), dec("6000000"), dec("4000"), upbit, bybit_rules());
  ASSERT_FALSE(qty.has_value());
  EXPECT_EQ(qty.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::strategy
