// Tests of the FX rate holder: updates, keep-last-value on failure, staleness and ages; USDT/KRW source.
#include "venues/fx/fx_rate.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace kimp::venues::fx {
namespace {

using std::chrono::seconds;

constexpr Timestamp kT0 = Timestamp::from_ns(1'700'000'000'000'000'000);

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

TEST(FxRate, BeforeAnyUpdate_HasNoValueAgeOrStaleness) {
  FxRate rate;
  EXPECT_FALSE(rate.has_value());
  EXPECT_EQ(rate.rate(), std::nullopt);
  EXPECT_EQ(rate.age(kT0), std::nullopt);
  EXPECT_FALSE(rate.stale());
}

TEST(FxRate, Update_HoldsValueAndTimes) {
  FxRate rate;
  ASSERT_TRUE(rate.update({dec("1387.35"), kT0}, kT0 + seconds(2)).has_value());
  EXPECT_EQ(rate.rate(), dec("1387.35"));
  EXPECT_EQ(rate.ts_event(), kT0);
  EXPECT_EQ(rate.ts_recv(), kT0 + seconds(2));
  EXPECT_EQ(rate.age(kT0 + seconds(62)), std::optional<Duration>(seconds(60)));
  EXPECT_EQ(rate.quote_age(kT0 + seconds(62)), std::optional<Duration>(seconds(62)));
  EXPECT_FALSE(rate.stale());
}

TEST(FxRate, FailedRefresh_KeepsLastValueAndMarksStale) {
  FxRate rate;
  ASSERT_TRUE(rate.update({dec("1387.35"), kT0}, kT0).has_value());
  rate.mark_failed(kT0 + seconds(30));
  EXPECT_TRUE(rate.stale());
  EXPECT_EQ(rate.rate(), dec("1387.35"));
  EXPECT_EQ(rate.last_failure(), kT0 + seconds(30));
  EXPECT_EQ(rate.age(kT0 + seconds(40)), std::optional<Duration>(seconds(40)));
}

TEST(FxRate, SuccessAfterFailure_ClearsStale) {
  FxRate rate;
  ASSERT_TRUE(rate.update({dec("1387.35"), kT0}, kT0).has_value());
  rate.mark_failed(kT0 + seconds(30));
  ASSERT_TRUE(rate.update({dec("1388"), kT0 + seconds(60)}, kT0 + seconds(61)).has_value());
  EXPECT_FALSE(rate.stale());
  EXPECT_EQ(rate.rate(), dec("1388"));
  EXPECT_EQ(rate.age(kT0 + seconds(61)), std::optional<Duration>(seconds(0)));
}

TEST(FxRate, FailureBeforeAnyValue_IsNotStaleButHasNoValue) {
  FxRate rate;
  rate.mark_failed(kT0);
  EXPECT_FALSE(rate.has_value());
  EXPECT_FALSE(rate.stale());
  EXPECT_EQ(rate.last_failure(), kT0);
}

TEST(FxRate, OlderQuote_RefusedAndValueKept) {
  FxRate rate;
  ASSERT_TRUE(rate.update({dec("1390"), kT0 + seconds(10)}, kT0 + seconds(10)).has_value());
  const Status late = rate.update({dec("1380"), kT0}, kT0 + seconds(11));
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rate.rate(), dec("1390"));
  EXPECT_EQ(rate.ts_recv(), kT0 + seconds(10));
}

TEST(FxRate, NonPositiveRate_Refused) {
  FxRate rate;
  EXPECT_FALSE(rate.update({Decimal(), kT0}, kT0).has_value());
  EXPECT_FALSE(rate.update({dec("-1"), kT0}, kT0).has_value());
  EXPECT_FALSE(rate.has_value());
}

TEST(UsdtKrwFromTicker, KrwUsdtTicker_GivesLastPriceAtItsTimestamp) {
  model::Ticker ticker;
  ticker.venue = model::Venue::kUpbit;
  ticker.symbol = model::Symbol::create("KRW-USDT").value();
  ticker.ts_event = kT0;
  ticker.last_price = dec("1402");
  const auto observation = usdt_krw_from_ticker(ticker);
  ASSERT_TRUE(observation.has_value()) << observation.error();
  EXPECT_EQ(*observation, (FxObservation{dec("1402"), kT0}));
}

TEST(UsdtKrwFromTicker, OtherSymbolOrNoPrice_Refused) {
  model::Ticker ticker;
  ticker.venue = model::Venue::kUpbit;
  ticker.symbol = model::Symbol::create("KRW-BTC").value();
  ticker.last_price = dec("150000000");
  EXPECT_EQ(usdt_krw_from_ticker(ticker).error().code, ErrorCode::kInvalidArgument);
  ticker.symbol = model::Symbol::create("KRW-USDT").value();
  ticker.last_price.reset();
  EXPECT_EQ(usdt_krw_from_ticker(ticker).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::venues::fx
