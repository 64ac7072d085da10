// Pair PnL on hand-computed two-leg trades: fees on both legs, funding, USDT/KRW at each fill.
#include "strategy/pnl.hpp"

#include <gtest/gtest.h>

namespace kimp::strategy {
namespace {

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

// Buy 0.01 BTC on Upbit at 100,000,000 KRW (fee 500 KRW) and short 0.01 on Bybit at 70,000 (fee 0.385)
// with USDT/KRW 1,400; sell at 101,000,000 (fee 505) and buy back at 70,200 (fee 0.3861) at 1,410.
PairLegs entry_legs() {
  return {{dec("0.01"), dec("100000000"), dec("500"), {}},
          {dec("0.01"), dec("70000"), dec("0.385"), {}},
          dec("1400")};
}
PairLegs exit_legs() {
  return {{dec("0.01"), dec("101000000"), dec("505"), {}},
          {dec("0.01"), dec("70200"), dec("0.3861"), {}},
          dec("1410")};
}

TEST(PairPnl, ClosedPair_HandComputedWithFeesAndFunding) {
  const PairPnl pnl = realised_pnl(entry_legs(), exit_legs(), dec("0.07")).value();
  // Upbit: 1,009,495 KRW / 1,410 − 1,000,500 KRW / 1,400 = 715.95390071 − 714.64285714.
  EXPECT_EQ(pnl.upbit_usdt, dec("1.31104357"));
  // Bybit: 700 − 702 − 0.385 − 0.3861.
  EXPECT_EQ(pnl.bybit_usdt, dec("-2.7711"));
  EXPECT_EQ(pnl.funding_usdt, dec("0.07"));
  // 500 / 1,400 + 505 / 1,410 + 0.385 + 0.3861 = 0.35714286 + 0.35815603 + 0.7711.
  EXPECT_EQ(pnl.fees_usdt, dec("1.48639889"));
  EXPECT_EQ(pnl.net_usdt, dec("-1.39005643"));
  EXPECT_EQ(pnl.gross_usdt, dec("0.02634246"));
}

TEST(PairPnl, PremiumRiseWithFlatPrices_IsAGain) {
  // Bybit flat at 70,000; Upbit rises 1 % with the rate flat: the premium reverted up, the pair gains.
  PairLegs entry{
      {dec("0.1"), dec("100000000"), Decimal{}, {}}, {dec("0.1"), dec("70000"), Decimal{}, {}}, dec("1400")};
  PairLegs exit{
      {dec("0.1"), dec("101000000"), Decimal{}, {}}, {dec("0.1"), dec("70000"), Decimal{}, {}}, dec("1400")};
  const PairPnl pnl = realised_pnl(entry, exit, Decimal{}).value();
  // 0.1 × 1,000,000 KRW / 1,400 = 71.42857143 USDT.
  EXPECT_EQ(pnl.net_usdt, dec("71.42857143"));
  EXPECT_EQ(pnl.gross_usdt, pnl.net_usdt);
  EXPECT_EQ(pnl.fees_usdt, Decimal{});
}

TEST(PairPnl, FundingPaid_LowersNet) {
  const PairPnl received = realised_pnl(entry_legs(), exit_legs(), dec("0.07")).value();
  const PairPnl paid = realised_pnl(entry_legs(), exit_legs(), dec("-0.07")).value();
  EXPECT_EQ(received.net_usdt.sub(paid.net_usdt).value(), dec("0.14"));
  EXPECT_EQ(received.gross_usdt, paid.gross_usdt);
}

TEST(PairPnl, Unrealised_PricesTheExitAtConfiguredFees) {
  // Same exit as ClosedPair_HandComputed, fees from the rates: 0.05 % of 1,010,000 = 505, 0.055 % of 702 =
  // 0.3861.
  const PairPnl pnl = unrealised_pnl(entry_legs(), dec("101000000"), dec("70200"), dec("1410"), dec("0.05"),
                                     dec("0.055"), dec("0.07"))
                          .value();
  EXPECT_EQ(pnl, realised_pnl(entry_legs(), exit_legs(), dec("0.07")).value());
}

TEST(PairPnl, NonPositiveRate_IsAnError) {
  PairLegs exit = exit_legs();
  exit.usdt_krw = Decimal{};
  const Result<PairPnl> pnl = realised_pnl(entry_legs(), exit, Decimal{});
  ASSERT_FALSE(pnl.has_value());
  EXPECT_EQ(pnl.error().code, ErrorCode::kInvalidArgument);
}

TEST(PairPnl, FeeOf_IsQtyTimesPriceTimesPercent) {
  EXPECT_EQ(fee_of(dec("0.01"), dec("100000000"), dec("0.05")).value(), dec("500"));
  EXPECT_EQ(fee_of(dec("0.01"), dec("70200"), dec("0.055")).value(), dec("0.3861"));
}

}  // namespace
}  // namespace kimp::strategy
