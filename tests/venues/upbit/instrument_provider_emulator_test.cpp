// UpbitInstrumentProvider against the `kimp venue-sim` process, and the tick table against the emulator's.
#include "venues/upbit/instrument_provider.hpp"

#include <gtest/gtest.h>

#include <array>

#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "sim/market/instruments.hpp"
#include "venues/upbit/emulator_process.hpp"
#include "venues/upbit/rest_client.hpp"
#include "venues/upbit/tick_size.hpp"

namespace kimp::venues::upbit {
namespace {

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

class UpbitInstrumentProviderEmulator : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    http_ = net::HttpClient::create(io_.get_executor(), venue_->upbit_url()).value();
    limiter_ = std::make_unique<net::RateLimiter>(
        net::RateLimiter::create(clock_, net::upbit_rate_groups()).value());
    client_ = std::make_unique<UpbitRestClient>(
        *http_, *limiter_,
        UpbitCredential(std::string(e2e::kDemoUpbitAccessKey), std::string(e2e::kDemoUpbitSecretKey)));
  }

  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<net::RateLimiter> limiter_;
  std::unique_ptr<UpbitRestClient> client_;
};

TEST_F(UpbitInstrumentProviderEmulator, Refresh_LoadsEveryKrwMarketWithOrderRulesForTheTradedOnes) {
  UpbitInstrumentProvider provider(*client_, clock_);
  EXPECT_EQ(provider.find(krw_btc), nullptr);
  const std::array traded{krw_btc};
  const auto refreshed = run(provider.refresh(traded));
  ASSERT_TRUE(refreshed.has_value()) << refreshed.error();
  const auto listed = run(client_->markets());
  ASSERT_TRUE(listed.has_value()) << listed.error();
  EXPECT_EQ(provider.table().size(), listed->size());
  EXPECT_GT(provider.table().loaded_at(), Timestamp{});
  const model::Instrument* btc = provider.find(krw_btc);
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->venue, model::Venue::kUpbit);
  EXPECT_EQ(btc->base, "BTC");
  EXPECT_EQ(btc->quote, "KRW");
  EXPECT_EQ(btc->tick_size, Decimal()) << "Upbit's tick depends on the price";
  EXPECT_EQ(btc->qty_step, dec("0.00000001"));
  EXPECT_EQ(btc->min_notional, dec("5000"));
  EXPECT_EQ(provider.find(model::Symbol::create("KRW-NOPE").value()), nullptr);
}

TEST_F(UpbitInstrumentProviderEmulator, Refresh_RulesForAnUnlistedMarket_FailsAndKeepsTheHeldInstruments) {
  UpbitInstrumentProvider provider(*client_, clock_);
  ASSERT_TRUE(run(provider.refresh()).has_value());
  const std::size_t held = provider.table().size();
  const std::array unknown{model::Symbol::create("KRW-NOPE").value()};
  const auto refreshed = run(provider.refresh(unknown));
  ASSERT_FALSE(refreshed.has_value());
  EXPECT_EQ(refreshed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(provider.table().size(), held);
}

// The emulator keeps its own copy of Upbit's table; the two must agree at every band edge and between.
TEST(UpbitTickSize, AgreesWithTheEmulatorsTableAcrossEveryBand) {
  for (const std::string_view market : {"KRW-BTC", "KRW-USDT"}) {
    const auto symbol = model::Symbol::create(market).value();
    for (const auto& band : sim::upbit_tick_bands(market)) {
      for (const Decimal price : {band.min_price, Decimal::from_units(band.min_price.units() + 1),
                                  Decimal::from_units(band.min_price.units() * 3 / 2 + 1)}) {
        EXPECT_EQ(upbit_tick_size(symbol, price), sim::upbit_tick_size(market, price))
            << market << " " << price;
      }
    }
  }
}

TEST(UpbitTickSize, RoundsOntoTheBandOfTheResult) {
  EXPECT_EQ(round_to_upbit_tick(krw_btc, dec("150000123"), RoundingMode::kDown).value(), dec("150000000"));
  EXPECT_EQ(round_to_upbit_tick(krw_btc, dec("150000123"), RoundingMode::kUp).value(), dec("150001000"));
  EXPECT_EQ(round_to_upbit_tick(krw_btc, dec("999999.5"), RoundingMode::kUp).value(), dec("1000000"));
  EXPECT_EQ(round_to_upbit_tick(krw_btc, dec("4999.5"), RoundingMode::kUp).value(), dec("5000"));
  const auto usdt = model::Symbol::create("KRW-USDT").value();
  EXPECT_EQ(round_to_upbit_tick(usdt, dec("1391.3"), RoundingMode::kDown).value(), dec("1391"));
  EXPECT_EQ(round_to_upbit_tick(usdt, dec("1391.3"), RoundingMode::kUp).value(), dec("1391.5"));
  EXPECT_FALSE(round_to_upbit_tick(krw_btc, Decimal(), RoundingMode::kDown).has_value());
}

}  // namespace
}  // namespace kimp::venues::upbit
