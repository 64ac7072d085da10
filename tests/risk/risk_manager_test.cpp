// RiskManager: each limit trips the kill switch (or blocks entries when the switch is disabled), the
// switch latches once with its callback, a restored switch stays latched, connection blocks, UTC reset.
#include "risk/risk_manager.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kimp::risk {
namespace {

using namespace std::chrono_literals;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

// 2026-12-08 10:00 UTC.
constexpr Timestamp kMorning = Timestamp::from_ns(1796724000'000'000'000);

config::RiskConfig limits() {
  config::RiskConfig config;
  config.max_daily_loss_usdt = dec("100");
  config.max_drawdown_usdt = dec("60");
  config.max_single_loss_usdt = dec("40");
  return config;
}

class RiskManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    risk_.set_on_kill([this](const std::string& reason) { kills_.push_back(reason); });
  }
  RiskManager risk_{limits(), kMorning};
  std::vector<std::string> kills_;
};

TEST_F(RiskManagerTest, SingleTradeLoss_TripsTheSwitchOnceAndBlocksEveryEntry) {
  risk_.record_closed(dec("-39.99"), kMorning);
  EXPECT_FALSE(risk_.killed());
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), std::nullopt);
  risk_.record_closed(dec("-40"), kMorning + 1min);
  ASSERT_TRUE(risk_.killed());
  ASSERT_EQ(kills_.size(), 1U);
  EXPECT_EQ(kills_[0], "kill switch: single trade lost 40 USDT (limit 40)");
  EXPECT_EQ(risk_.entry_block("ETH", kMorning + 2min), kills_[0]);
  risk_.trip_kill_switch("again");
  EXPECT_EQ(kills_.size(), 1U) << "a latched switch is not tripped twice";
  EXPECT_EQ(risk_.kill_reason(), kills_[0]);
}

TEST(RiskManager, DailyLoss_TripsAfterSeveralSmallLosses) {
  config::RiskConfig config = limits();
  config.max_drawdown_usdt = dec("1000");
  RiskManager risk(config, kMorning);
  for (int i = 0; i < 3; ++i) {
    risk.record_closed(dec("-30"), kMorning + std::chrono::minutes{i});
  }
  EXPECT_FALSE(risk.killed()) << "90 of 100";
  risk.record_closed(dec("35"), kMorning + 5min);
  risk.record_closed(dec("-35"), kMorning + 6min);
  risk.record_closed(dec("-15"), kMorning + 7min);
  ASSERT_TRUE(risk.killed());
  EXPECT_NE(risk.kill_reason().find("daily realised loss"), std::string::npos) << risk.kill_reason();
}

TEST_F(RiskManagerTest, Drawdown_FromTheDaysPeakTrips) {
  risk_.record_closed(dec("50"), kMorning);
  risk_.record_closed(dec("-30"), kMorning + 1min);
  risk_.record_closed(dec("-30"), kMorning + 2min);
  ASSERT_TRUE(risk_.killed());
  EXPECT_EQ(risk_.figures().peak_realised_usdt, dec("50"));
  EXPECT_EQ(risk_.figures().drawdown_usdt, dec("60"));
  EXPECT_NE(risk_.kill_reason().find("drawdown 60"), std::string::npos) << risk_.kill_reason();
}

TEST(RiskManager, UtcMidnight_ResetsTheDailyLoss) {
  config::RiskConfig config = limits();
  config.max_drawdown_usdt = dec("1000");
  RiskManager risk(config, kMorning);
  risk.record_closed(dec("-35"), kMorning);
  risk.record_closed(dec("-35"), kMorning + 1h);
  const Timestamp next_day = Timestamp::parse_iso8601("2026-12-09T00:00:01Z").value();
  EXPECT_EQ(risk.entry_block("BTC", next_day), std::nullopt);
  EXPECT_EQ(risk.figures().daily_realised_usdt, Decimal{});
  risk.record_closed(dec("-35"), next_day);
  EXPECT_FALSE(risk.killed()) << "yesterday's losses do not count today";
  EXPECT_EQ(risk.figures().session_realised_usdt, dec("-105"));
}

TEST(RiskManager, SwitchDisabled_ABreachBlocksEntriesInstead) {
  config::RiskConfig config = limits();
  config.kill_switch_enabled = false;
  RiskManager risk(config, kMorning);
  risk.record_closed(dec("-50"), kMorning);
  EXPECT_FALSE(risk.killed());
  const auto block = risk.entry_block("BTC", kMorning);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(*block, "single trade lost 50 USDT (limit 40)");
}

TEST_F(RiskManagerTest, RestoredSwitch_StaysLatchedWithoutTheCallback) {
  risk_.restore_kill_switch("kill switch: drawdown 70 USDT from the day's peak (limit 60)");
  EXPECT_TRUE(risk_.killed());
  EXPECT_TRUE(kills_.empty());
  EXPECT_EQ(risk_.entry_block("BTC", kMorning),
            "kill switch: drawdown 70 USDT from the day's peak (limit 60)");
}

TEST_F(RiskManagerTest, ConnectionDown_BlocksEntriesUntilEveryVenueIsBack) {
  risk_.set_connection("bybit", false, "private stream stale for 30 s");
  risk_.set_connection("upbit", false, "feed reconnecting");
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), "bybit connection down: private stream stale for 30 s");
  risk_.set_connection("bybit", true);
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), "upbit connection down: feed reconnecting");
  risk_.set_connection("upbit", true);
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), std::nullopt);
  EXPECT_FALSE(risk_.killed());
}

TEST_F(RiskManagerTest, CoinAndGlobalBlocks_CarryTheirReasons) {
  risk_.block_coin("XRP", "reconciliation mismatch");
  EXPECT_EQ(risk_.entry_block("XRP", kMorning), "reconciliation mismatch");
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), std::nullopt);
  risk_.block_entries("startup reconciliation pending");
  EXPECT_EQ(risk_.entry_block("BTC", kMorning), "startup reconciliation pending");
  risk_.unblock_entries();
  risk_.unblock_coin("XRP");
  EXPECT_EQ(risk_.entry_block("XRP", kMorning), std::nullopt);
}

}  // namespace
}  // namespace kimp::risk
