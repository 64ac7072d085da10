// Tests of Upbit's KRW tick table and Bybit linear instruments parsed from recorded responses.
#include "sim/market/instruments.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

constexpr const char* kCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
constexpr const char* kFixture =
    KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/rest/GetLinearInverseSymbols.txt";

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

std::string tick_at(std::string_view price) {
  return upbit_krw_tick_size(dec(price)).to_string();
}

TEST(UpbitTickTable, BandEdges_TakeTheStepOfTheBandTheyOpen) {
  EXPECT_EQ(tick_at("150000000"), "1000");
  EXPECT_EQ(tick_at("2000000"), "1000");
  EXPECT_EQ(tick_at("1000000"), "1000");
  EXPECT_EQ(tick_at("999999"), "500");
  EXPECT_EQ(tick_at("500000"), "500");
  EXPECT_EQ(tick_at("499999"), "100");
  EXPECT_EQ(tick_at("100000"), "100");
  EXPECT_EQ(tick_at("99999"), "50");
  EXPECT_EQ(tick_at("50000"), "50");
  EXPECT_EQ(tick_at("49999"), "10");
  EXPECT_EQ(tick_at("10000"), "10");
  EXPECT_EQ(tick_at("9999"), "5");
  EXPECT_EQ(tick_at("5000"), "5");
  EXPECT_EQ(tick_at("4999"), "1");
  EXPECT_EQ(tick_at("100"), "1");
  EXPECT_EQ(tick_at("99.9"), "0.1");
  EXPECT_EQ(tick_at("10"), "0.1");
  EXPECT_EQ(tick_at("9.99"), "0.01");
  EXPECT_EQ(tick_at("1"), "0.01");
  EXPECT_EQ(tick_at("0.999"), "0.001");
  EXPECT_EQ(tick_at("0.1"), "0.001");
  EXPECT_EQ(tick_at("0.0999"), "0.0001");
  EXPECT_EQ(tick_at("0.01"), "0.0001");
  EXPECT_EQ(tick_at("0.001"), "0.00001");
  EXPECT_EQ(tick_at("0.0001"), "0.000001");
  EXPECT_EQ(tick_at("0.00001"), "0.0000001");
  EXPECT_EQ(tick_at("0.00000999"), "0.00000001");
}

TEST(UpbitTickTable, StablecoinMarkets_UseHalfWonStepsBetweenOneAndTenThousand) {
  EXPECT_EQ(upbit_tick_size("KRW-USDT", dec("1389.5")).to_string(), "0.5");
  EXPECT_EQ(upbit_tick_size("KRW-USDC", dec("1000")).to_string(), "0.5");
  EXPECT_EQ(upbit_tick_size("KRW-USDT", dec("999")).to_string(), "1");
  EXPECT_EQ(upbit_tick_size("KRW-USDT", dec("10000")).to_string(), "10");
  EXPECT_EQ(upbit_tick_size("KRW-XRP", dec("1389")).to_string(), "1");
}

TEST(UpbitRules, MinimumOrderIsFiveThousandWonAndVolumesHaveEightDecimals) {
  EXPECT_EQ(kUpbitMinOrderKrw.to_string(), "5000");
  EXPECT_EQ(kUpbitQtyStep.to_string(), "0.00000001");
}

TEST(BybitInstruments, CaptureResponse_HasRecordedRulesForDefaultCoins) {
  const auto table = BybitInstrumentTable::load_capture(kCapture);
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(table->size(), 800U);
  const BybitInstrument* btc = table->find("BTCUSDT");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->base_coin, "BTC");
  EXPECT_EQ(btc->quote_coin, "USDT");
  EXPECT_EQ(btc->price_scale, 2);
  EXPECT_EQ(btc->tick_size.to_string(), "0.1");
  EXPECT_EQ(btc->qty_step.to_string(), "0.001");
  EXPECT_EQ(btc->min_order_qty.to_string(), "0.001");
  EXPECT_EQ(btc->max_order_qty.to_string(), "1500");
  EXPECT_EQ(btc->max_mkt_order_qty.to_string(), "150");
  EXPECT_EQ(btc->min_notional_value.to_string(), "5");
  EXPECT_EQ(btc->max_leverage.to_string(), "100");
  EXPECT_EQ(btc->leverage_step.to_string(), "0.01");
  EXPECT_EQ(btc->funding_interval_minutes, 480);
  const BybitInstrument* doge = table->find("DOGEUSDT");
  ASSERT_NE(doge, nullptr);
  EXPECT_EQ(doge->tick_size.to_string(), "0.00001");
  EXPECT_EQ(doge->qty_step.to_string(), "1");
  EXPECT_EQ(doge->max_leverage.to_string(), "75");
  EXPECT_EQ(doge->upper_funding_rate.to_string(), "0.0058");
  EXPECT_EQ(table->find("NOSUCHUSDT"), nullptr);
}

TEST(BybitInstruments, Builtin_MatchesTheRecordingForEveryDefaultCoin) {
  const auto recorded = BybitInstrumentTable::load_capture(kCapture);
  ASSERT_TRUE(recorded);
  const BybitInstrumentTable builtin = BybitInstrumentTable::builtin();
  EXPECT_EQ(builtin.size(), 5U);
  for (const char* symbol : {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"}) {
    ASSERT_NE(builtin.find(symbol), nullptr) << symbol;
    ASSERT_NE(recorded->find(symbol), nullptr) << symbol;
    EXPECT_EQ(*builtin.find(symbol), *recorded->find(symbol)) << symbol;
  }
}

TEST(BybitInstruments, RestFixture_ParsesAfterItsThreeHeaderLines) {
  std::ifstream in(kFixture);
  ASSERT_TRUE(in);
  std::string line;
  for (int i = 0; i < 3; ++i) {
    std::getline(in, line);
  }
  std::stringstream body;
  body << in.rdbuf();
  const auto table = BybitInstrumentTable::parse(body.str());
  ASSERT_TRUE(table) << table.error().describe();
  const BybitInstrument* btc = table->find("BTCUSDT");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->tick_size.to_string(), "0.1");
  EXPECT_EQ(btc->max_price.to_string(), "199999.8");
  EXPECT_EQ(btc->max_order_qty.to_string(), "100");
  EXPECT_EQ(btc->upper_funding_rate.to_string(), "0.00375");
}

TEST(BybitInstruments, MalformedBodies_AreRejectedWithReasons) {
  const auto not_json = BybitInstrumentTable::parse("{");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidArgument);
  const auto failed = BybitInstrumentTable::parse(R"({"retCode":10001,"retMsg":"bad","result":{}})");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "instruments-info body has no retCode 0");
  const auto missing = BybitInstrumentTable::parse(
      R"({"retCode":0,"result":{"list":[{"symbol":"BTCUSDT","baseCoin":"BTC"}]}})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "instrument field quoteCoin missing or not a string");
  const auto unreadable = BybitInstrumentTable::load_capture("/nonexistent/capture.jsonl");
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace kimp::sim
