// The entry gate: a context that passes all nine stages, then one test per stage that breaks only it.
#include "strategy/entry_gate.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "test_books.hpp"

namespace kimp::strategy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::book;
using testing::dec;

const Timestamp kNow = Timestamp::from_ns(1'754'000'000'000'000'000);

// A window of 60 premiums alternating 1.9 % / 2.1 %: mean 2 %, σ just over 0.1 %.
RollingWindow full_window() {
  RollingWindow window(60);
  for (int i = 0; i < 60; ++i) {
    window.push(i % 2 == 0 ? 0.019 : 0.021);
  }
  return window;
}

class EntryGateTest : public ::testing::Test {
 protected:
  EntryGateTest()
      : window_(full_window()),
        // Upbit ask 99,470,000 against Bybit bid 70,000 at 1,400 KRW/USD: entry premium 1.5 %, z ≈ −5.
        upbit_(book(model::Venue::kUpbit, "KRW-BTC", {{"99460000", "1"}}, {{"99470000", "1"}})),
        bybit_(book(model::Venue::kBybit, "BTCUSDT", {{"70000", "1"}}, {{"70001", "1"}})),
        upbit_rules_(testing::upbit_rules()),
        bybit_rules_(testing::bybit_rules()) {
    config::Config config;
    limits_ = GateLimits::from(config);
    context_.now = kNow;
    context_.upbit = {dec("99460000"), dec("99470000"), kNow - milliseconds(100), true};
    context_.bybit = {dec("70000"), dec("70001"), kNow - milliseconds(50), true};
    context_.upbit_book = &upbit_;
    context_.bybit_book = &bybit_;
    context_.usd_krw = dec("1400");
    context_.usd_krw_age = seconds(30);
    context_.window = &window_;
    context_.open_pairs = 2;
    context_.upbit_rules = &upbit_rules_;
    context_.bybit_rules = &bybit_rules_;
    context_.upbit_krw_available = dec("10000000");
    context_.bybit_usdt_available = dec("10000");
    context_.cooldown_until = kNow - seconds(1);
    context_.funding_rate = dec("0.0001");
    context_.next_funding_time = kNow + seconds(60);
  }

  // Evaluates and checks that exactly `stage` rejected: every earlier stage passed once, no later one ran.
  GateDecision expect_rejected_by(GateStage stage) {
    EntryGate gate(limits_);
    GateDecision decision = gate.evaluate(context_);
    EXPECT_EQ(decision.rejected, stage) << decision.describe();
    const auto at = static_cast<std::size_t>(stage);
    for (std::size_t i = 0; i < kGateStages; ++i) {
      EXPECT_EQ(gate.reached()[i], i <= at ? 1U : 0U) << to_string(static_cast<GateStage>(i));
      EXPECT_EQ(gate.rejected()[i], i == at ? 1U : 0U) << to_string(static_cast<GateStage>(i));
    }
    EXPECT_EQ(gate.passed(), 0U);
    EXPECT_TRUE(decision.describe().starts_with(std::string(to_string(stage)) + ":")) << decision.describe();
    return decision;
  }

  RollingWindow window_;
  market::OrderBook upbit_;
  market::OrderBook bybit_;
  model::Instrument upbit_rules_;
  model::Instrument bybit_rules_;
  GateLimits limits_;
  EntryContext context_;
};

TEST_F(EntryGateTest, EveryStageSatisfied_PassesWithTheSizedEntry) {
  EntryGate gate(limits_);
  const GateDecision decision = gate.evaluate(context_);
  ASSERT_TRUE(decision.passed()) << decision.describe();
  EXPECT_EQ(gate.passed(), 1U);
  for (std::size_t i = 0; i < kGateStages; ++i) {
    EXPECT_EQ(gate.reached()[i], 1U);
    EXPECT_EQ(gate.rejected()[i], 0U);
  }
  EXPECT_NEAR(decision.premium.entry, 0.015, 1e-12);
  EXPECT_LT(decision.z, -4.9);
  // 1,000 USDT / 70,000 = 0.01428571 → 0.014 on Bybit's step.
  EXPECT_EQ(decision.sized.qty, dec("0.014"));
  EXPECT_EQ(decision.sized.upbit_cost_krw, dec("1392580"));
}

TEST_F(EntryGateTest, Stage1_KillSwitch_RejectsWithItsReason) {
  context_.risk_block = "kill switch: daily loss";
  const GateDecision decision = expect_rejected_by(GateStage::kRisk);
  EXPECT_EQ(decision.detail, "kill switch: daily loss");
}

TEST_F(EntryGateTest, Stage2_StaleBybitBook_Rejects) {
  context_.bybit.updated = kNow - seconds(3);  // max_book_age is 2 s
  const GateDecision decision = expect_rejected_by(GateStage::kDataFresh);
  EXPECT_EQ(decision.detail, "bybit book age s");
  EXPECT_DOUBLE_EQ(decision.value, 3.0);
}

TEST_F(EntryGateTest, Stage2_BookWithAGapOrOldFx_Rejects) {
  context_.upbit.whole = false;
  EXPECT_EQ(expect_rejected_by(GateStage::kDataFresh).detail, "upbit book not whole");
  context_.upbit.whole = true;
  context_.usd_krw_age = seconds(1801);  // fx_stale_after is 30 min
  EXPECT_EQ(expect_rejected_by(GateStage::kDataFresh).detail, "USD/KRW age s");
}

TEST_F(EntryGateTest, Stage3_WindowNotFull_Rejects) {
  RollingWindow filling(60);
  for (int i = 0; i < 59; ++i) {
    filling.push(i % 2 == 0 ? 0.019 : 0.021);
  }
  context_.window = &filling;
  const GateDecision decision = expect_rejected_by(GateStage::kWarmUp);
  EXPECT_DOUBLE_EQ(decision.value, 59);
  EXPECT_DOUBLE_EQ(decision.limit, 60);
}

TEST_F(EntryGateTest, Stage4_PremiumAtItsMean_Rejects) {
  // Upbit ask 99,960,000: entry premium exactly 2 %, z ≈ 0.
  context_.upbit = {dec("99950000"), dec("99960000"), kNow, true};
  const GateDecision decision = expect_rejected_by(GateStage::kSignal);
  EXPECT_NEAR(decision.z, 0.0, 1e-9);
}

TEST_F(EntryGateTest, Stage5_EdgeBelowMinProfit_Rejects) {
  limits_.min_profit = 0.01;  // the edge is about 0.28 %
  const GateDecision decision = expect_rejected_by(GateStage::kEdge);
  EXPECT_NEAR(decision.value, 0.02 - 0.015 - 0.0021 - (decision.premium.mid - decision.premium.exit), 1e-12);
}

TEST_F(EntryGateTest, Stage6_PairOpenOnTheCoinOrTooManyPairs_Rejects) {
  context_.coin_busy = true;
  EXPECT_EQ(expect_rejected_by(GateStage::kPositionLimits).detail, "a pair is already open on the coin");
  context_.coin_busy = false;
  context_.open_pairs = 10;  // max_concurrent_positions
  EXPECT_EQ(expect_rejected_by(GateStage::kPositionLimits).detail, "open pairs");
}

TEST_F(EntryGateTest, Stage7_DepthBelowBybitMinimum_Rejects) {
  const market::OrderBook thin =
      book(model::Venue::kUpbit, "KRW-BTC", {{"99460000", "1"}}, {{"99470000", "0.0005"}});
  context_.upbit_book = &thin;
  const GateDecision decision = expect_rejected_by(GateStage::kSizing);
  EXPECT_NE(decision.sizing_error.find("below the minimum quantity"), std::string::npos)
      << decision.sizing_error;
}

TEST_F(EntryGateTest, Stage8_UpbitKrwShort_Rejects) {
  // 1,392,580 KRW + 0.05 % fee + 2 % buffer = 1,421,119.60... needed.
  context_.upbit_krw_available = dec("1421000");
  const GateDecision decision = expect_rejected_by(GateStage::kBalance);
  EXPECT_EQ(decision.detail, "upbit KRW needed");
  EXPECT_NEAR(decision.value, 1392580 * 1.0005 * 1.02, 0.01);
}

TEST_F(EntryGateTest, Stage8_BybitMarginShort_Rejects) {
  context_.bybit_usdt_available = dec("999");  // 980 USDT notional + 2 % = 999.6
  EXPECT_EQ(expect_rejected_by(GateStage::kBalance).detail, "bybit USDT margin needed");
}

TEST_F(EntryGateTest, Stage9_CooldownNotOver_Rejects) {
  context_.cooldown_until = kNow + seconds(10);
  const GateDecision decision = expect_rejected_by(GateStage::kCooldownFunding);
  EXPECT_EQ(decision.detail, "cooldown left s");
  EXPECT_DOUBLE_EQ(decision.value, 10);
}

TEST_F(EntryGateTest, Stage9_AdverseFundingImminent_Rejects) {
  context_.funding_rate = dec("-0.0001");            // shorts pay
  context_.next_funding_time = kNow + seconds(300);  // inside the 600 s blackout
  EXPECT_EQ(expect_rejected_by(GateStage::kCooldownFunding).detail, "adverse funding in s");
}

TEST_F(EntryGateTest, AdverseFundingBeyondBlackout_Passes) {
  context_.funding_rate = dec("-0.0001");
  context_.next_funding_time = kNow + seconds(3600);
  EntryGate gate(limits_);
  EXPECT_TRUE(gate.evaluate(context_).passed());
}

}  // namespace
}  // namespace kimp::strategy
