// PairTrader on a simulated clock: warm-up, entries, each exit rule, cooldown, funding, risk, series rows.
#include "runtime/pair_trader.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "../strategy/test_books.hpp"
#include "execution/sim_executor.hpp"

namespace kimp::runtime {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using strategy::testing::dec;

constexpr Timestamp kStart = Timestamp::from_ns(1'751'328'000'000'000'000);  // 2025-07-01T00:00:00Z
constexpr std::size_t kWindow = 10;

// The warm-up premiums: 1.9 % and 2.1 % in turn, mean 2 %, σ = 0.1054 %.
double warm_up_premium(std::size_t i) {
  return i % 2 == 0 ? 0.019 : 0.021;
}

class PairTraderTest : public ::testing::Test {
 protected:
  PairTraderTest() : clock_(kStart) {
    config_.strategy.window_bars = static_cast<std::int32_t>(kWindow);
    config_.strategy.premium_stop_pct = dec("1");
    config_.strategy.cooldown = seconds(600);
  }

  // Builds the trader from config_ (tests change config_ first) and adds BTC as coin 0.
  void start() {
    execution::SimExecutorOptions options;
    options.upbit_fee_pct = config_.strategy.upbit_fee_pct;
    options.bybit_fee_pct = config_.strategy.bybit_fee_pct;
    options.max_slippage_pct = config_.strategy.max_slippage_pct;
    options.upbit_krw = config_.simulation.upbit_krw;
    options.bybit_usdt = config_.simulation.bybit_usdt;
    executor_.emplace(clock_, std::move(options));
    risk_.emplace(config_.risk, clock_.now());
    TraderListeners listeners;
    listeners.on_series = [this](const SeriesRow& row) { series_.push_back(row); };
    listeners.on_opened = [this](const OpenPair& pair) { opened_.push_back(pair.id); };
    listeners.on_closed = [this](const ClosedPair& pair) { closed_.push_back(pair.open.id); };
    trader_.emplace(config_, strategy::GateLimits::from(config_), clock_, *executor_, *risk_,
                    io_.get_executor(), std::move(listeners));
    ASSERT_EQ(trader_->add_coin({"BTC", strategy::testing::upbit_rules(), strategy::testing::bybit_rules()}),
              0U);
  }

  void warm_up() {
    for (std::size_t i = 0; i < kWindow; ++i) {
      market::Bar bar;
      bar.coin = 0;
      bar.open_time = kStart - minutes(5) * static_cast<std::int64_t>(kWindow - i);
      bar.upbit_close = dec("99500000");
      bar.bybit_close = dec("70000");
      bar.usd_krw = dec("1400");
      bar.premium = warm_up_premium(i);
      bar.samples = 1;
      trader_->on_bar(bar);
    }
  }

  [[nodiscard]] CoinQuote quote(const char* upbit_bid, const char* upbit_ask, const char* bybit_bid,
                                const char* bybit_ask) const {
    CoinQuote result;
    result.upbit = {dec(upbit_bid), dec(upbit_ask), clock_.now(), true};
    result.bybit = {dec(bybit_bid), dec(bybit_ask), clock_.now(), true};
    return result;
  }
  // Upbit ask 99,470,000 against Bybit bid 70,000 at 1,400: entry premium 1.5 %, z ≈ −4.7.
  [[nodiscard]] CoinQuote low_premium() const { return quote("99460000", "99470000", "70000", "70001"); }
  // Upbit bid 100,060,000 against Bybit ask 70,001: exit premium 2.1 %, z ≈ +0.95.
  [[nodiscard]] CoinQuote reverted() const { return quote("100060000", "100070000", "70000", "70001"); }
  // Upbit bid 98,390,000: exit premium 0.40 %, 1.1 points below the entry premium.
  [[nodiscard]] CoinQuote collapsed() const { return quote("98390000", "98400000", "70000", "70001"); }

  static FxView fx() { return FxView{dec("1400"), seconds(30), false, dec("1400")}; }

  // One quote, then whatever executions it started run to completion.
  void on_quote(const CoinQuote& coin_quote) {
    trader_->on_quote(0, coin_quote, fx());
    io_.restart();
    io_.poll();
    EXPECT_EQ(trader_->in_flight(), 0U);
  }

  void advance(Duration delta) { ASSERT_TRUE(clock_.advance_by(delta)); }

  // Warm-up then an entry on the low premium; returns the time it opened.
  Timestamp open_pair() {
    warm_up();
    on_quote(low_premium());
    EXPECT_EQ(trader_->open_pairs().size(), 1U);
    return clock_.now();
  }

  [[nodiscard]] std::uint64_t rejected_at(strategy::GateStage stage) const {
    return trader_->gate().rejected()[static_cast<std::size_t>(stage)];
  }

  config::Config config_;
  SimClock clock_;
  boost::asio::io_context io_;
  std::optional<execution::SimExecutor> executor_;
  std::optional<risk::RiskManager> risk_;
  std::optional<PairTrader> trader_;
  std::vector<SeriesRow> series_;
  std::vector<std::uint64_t> opened_;
  std::vector<std::uint64_t> closed_;
};

// The entry fills at the gate's prices for 1,000 USDT at 70,000: 0.014 BTC.
strategy::PairLegs entry_legs() {
  return {.upbit = {dec("0.014"), dec("99470000"), dec("696.29"), kStart},  // 1,392,580 KRW × 0.05 %
          .bybit = {dec("0.014"), dec("70000"), dec("0.539"), kStart},      // 980 USDT × 0.055 %
          .usdt_krw = dec("1400")};
}

TEST_F(PairTraderTest, LowZAfterWarmUp_OpensAPairWithTheFills) {
  start();
  // Before the window is full the same quote is refused at the warm-up stage.
  on_quote(low_premium());
  EXPECT_TRUE(trader_->open_pairs().empty());
  EXPECT_EQ(rejected_at(strategy::GateStage::kWarmUp), 1U);

  warm_up();
  on_quote(low_premium());
  const std::vector<OpenPair> open = trader_->open_pairs();
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(open[0].id, 1U);
  EXPECT_EQ(open[0].coin, 0U);
  EXPECT_EQ(open[0].entry, entry_legs());
  EXPECT_EQ(open[0].upbit_order_id, "sim-1");
  EXPECT_EQ(open[0].bybit_order_id, "sim-2");
  EXPECT_EQ(open[0].opened_at, kStart);
  EXPECT_NEAR(open[0].entry_premium, 0.015, 1e-12);
  EXPECT_NEAR(open[0].fill_premium, 0.015, 1e-12);
  EXPECT_NEAR(open[0].entry_z, (0.015 - 0.02) / std::sqrt(10 * 1e-6 / 9), 1e-6);
  EXPECT_EQ(open[0].funding_usdt, Decimal{});
  EXPECT_EQ(trader_->counters().entries, 1U);
  EXPECT_EQ(trader_->gate().passed(), 1U);
  EXPECT_EQ(opened_, (std::vector<std::uint64_t>{1}));
  // Upbit paid 1,392,580 + 696.29 KRW; Bybit holds 980 USDT of margin and paid 0.539.
  EXPECT_EQ(executor_->upbit_krw(), dec("48606723.71"));
  EXPECT_EQ(executor_->upbit_coins("BTC"), dec("0.014"));
  EXPECT_EQ(executor_->bybit_wallet_usdt(), dec("49999.461"));
  EXPECT_EQ(executor_->bybit_margin_usdt(), dec("980"));

  // While it is open the same quote neither exits nor opens a second pair.
  advance(minutes(5));
  on_quote(low_premium());
  EXPECT_EQ(trader_->open_pairs().size(), 1U);
  EXPECT_TRUE(trader_->closed_pairs().empty());
  EXPECT_EQ(rejected_at(strategy::GateStage::kPositionLimits), 1U);
}

TEST_F(PairTraderTest, PremiumReverts_ClosesOnSignalWithRealisedPnl) {
  start();
  const Timestamp opened = open_pair();
  advance(minutes(30));
  on_quote(reverted());
  EXPECT_TRUE(trader_->open_pairs().empty());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const ClosedPair& pair = trader_->closed_pairs()[0];
  EXPECT_EQ(pair.reason, strategy::ExitReason::kSignal);
  EXPECT_EQ(pair.open.opened_at, opened);
  EXPECT_EQ(pair.closed_at, opened + minutes(30));
  EXPECT_GE(pair.exit_z, 0.0);
  EXPECT_NEAR(pair.exit_premium, 100060000.0 / (70001.0 * 1400.0) - 1.0, 1e-12);
  const Timestamp now = clock_.now();
  EXPECT_EQ(pair.exit.upbit, (strategy::LegFill{dec("0.014"), dec("100060000"), dec("700.42"), now}));
  EXPECT_EQ(pair.exit.bybit, (strategy::LegFill{dec("0.014"), dec("70001"), dec("0.5390077"), now}));
  EXPECT_EQ(pair.upbit_order_id, "sim-3");
  EXPECT_EQ(pair.bybit_order_id, "sim-4");
  const Result<strategy::PairPnl> expected = strategy::realised_pnl(pair.open.entry, pair.exit, Decimal{});
  ASSERT_TRUE(expected);
  EXPECT_EQ(pair.pnl, *expected);
  // Upbit: 1,400,139.58 / 1,400 − 1,393,276.29 / 1,400 = 4.90235; Bybit: −0.014 − 1.0780077 of fees.
  EXPECT_EQ(pair.pnl.net_usdt, dec("3.8103423"));
  EXPECT_EQ(trader_->counters().exits, 1U);
  EXPECT_EQ(closed_, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(risk_->figures().session_realised_usdt, dec("3.8103423"));
  EXPECT_EQ(executor_->upbit_coins("BTC"), Decimal{});
  EXPECT_EQ(executor_->bybit_margin_usdt(), Decimal{});
}

TEST_F(PairTraderTest, PairOlderThanTtl_ClosesWithReasonTtl) {
  config_.strategy.position_ttl = seconds(3600);
  start();
  const Timestamp opened = open_pair();
  advance(seconds(3599));
  on_quote(low_premium());
  EXPECT_EQ(trader_->open_pairs().size(), 1U);
  advance(seconds(1));
  on_quote(low_premium());
  EXPECT_TRUE(trader_->open_pairs().empty());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const ClosedPair& pair = trader_->closed_pairs()[0];
  EXPECT_EQ(pair.reason, strategy::ExitReason::kTtl);
  EXPECT_EQ(pair.closed_at - opened, seconds(3600));
  EXPECT_LT(pair.exit_z, 0.0);  // the premium had not reverted
}

TEST_F(PairTraderTest, PremiumFallsByTheStop_ClosesWithReasonPremiumStop) {
  start();
  open_pair();
  advance(minutes(5));
  on_quote(collapsed());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const ClosedPair& pair = trader_->closed_pairs()[0];
  EXPECT_EQ(pair.reason, strategy::ExitReason::kPremiumStop);
  EXPECT_GE(pair.open.entry_premium - pair.exit_premium, 0.01);
  EXPECT_EQ(pair.exit.upbit.avg_price, dec("98390000"));
  // Upbit: 1,376,771.27 / 1,400 − 995.19735 = −11.7893; Bybit −1.0920077.
  EXPECT_EQ(pair.pnl.net_usdt, dec("-12.8813077"));
  // A loss under max_single_loss_usdt (100) leaves entries allowed.
  EXPECT_FALSE(risk_->killed());
}

TEST_F(PairTraderTest, Cooldown_BlocksReEntryUntilItPasses) {
  start();
  open_pair();
  advance(minutes(5));
  on_quote(reverted());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const Timestamp closed_at = clock_.now();
  advance(seconds(599));
  on_quote(low_premium());
  EXPECT_TRUE(trader_->open_pairs().empty());
  EXPECT_EQ(rejected_at(strategy::GateStage::kCooldownFunding), 1U);
  advance(seconds(1));
  on_quote(low_premium());
  const std::vector<OpenPair> open = trader_->open_pairs();
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(open[0].id, 2U);
  EXPECT_EQ(open[0].opened_at, closed_at + seconds(600));
  EXPECT_EQ(rejected_at(strategy::GateStage::kCooldownFunding), 1U);
  EXPECT_EQ(trader_->counters().entries, 2U);
}

TEST_F(PairTraderTest, FundingTimePassesWithAPairOpen_SettlesOnceIntoTheClosedPair) {
  start();
  const Timestamp opened = open_pair();
  trader_->on_funding(0, dec("0.0001"), opened + hours(1), dec("70000"));
  advance(hours(1) - seconds(1));
  on_quote(low_premium());
  EXPECT_EQ(trader_->counters().funding_payments, 0U);
  advance(seconds(1));
  on_quote(low_premium());
  EXPECT_EQ(trader_->counters().funding_payments, 1U);
  // 0.014 × 70,000 × 0.0001, received by the short.
  ASSERT_EQ(trader_->open_pairs().size(), 1U);
  EXPECT_EQ(trader_->open_pairs()[0].funding_usdt, dec("0.098"));
  advance(minutes(1));
  on_quote(low_premium());
  EXPECT_EQ(trader_->counters().funding_payments, 1U);
  on_quote(reverted());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const ClosedPair& pair = trader_->closed_pairs()[0];
  EXPECT_EQ(pair.reason, strategy::ExitReason::kSignal);
  EXPECT_EQ(pair.open.funding_usdt, dec("0.098"));
  EXPECT_EQ(pair.pnl.funding_usdt, dec("0.098"));
  const Result<strategy::PairPnl> expected = strategy::realised_pnl(pair.open.entry, pair.exit, dec("0.098"));
  ASSERT_TRUE(expected);
  EXPECT_EQ(pair.pnl, *expected);
  EXPECT_EQ(pair.pnl.net_usdt, dec("3.9083423"));
}

TEST_F(PairTraderTest, FundingWithNoPairOpen_PaysNothing) {
  start();
  warm_up();
  trader_->on_funding(0, dec("0.0001"), kStart + hours(1), dec("70000"));
  advance(hours(2));
  on_quote(quote("99500000", "100000000", "70000", "70001"));  // no entry: z of 2.04 % is positive
  EXPECT_TRUE(trader_->open_pairs().empty());
  EXPECT_EQ(trader_->counters().funding_payments, 0U);
}

TEST_F(PairTraderTest, LossBeyondMaxSingleLoss_TripsKillSwitchAndBlocksEntries) {
  config_.risk.max_single_loss_usdt = dec("5");
  start();
  open_pair();
  advance(minutes(5));
  on_quote(collapsed());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  EXPECT_EQ(trader_->closed_pairs()[0].pnl.net_usdt, dec("-12.8813077"));
  EXPECT_TRUE(risk_->killed());
  EXPECT_EQ(risk_->kill_reason(), "kill switch: single trade lost 12.8813077 USDT (limit 5)");
  const std::uint64_t risk_rejections = rejected_at(strategy::GateStage::kRisk);
  advance(hours(1));
  on_quote(low_premium());
  EXPECT_TRUE(trader_->open_pairs().empty());
  EXPECT_EQ(rejected_at(strategy::GateStage::kRisk), risk_rejections + 1);
  EXPECT_EQ(trader_->counters().entries, 1U);
}

TEST_F(PairTraderTest, CloseAll_ClosesTheOpenPairWithReasonShutdown) {
  start();
  open_pair();
  advance(minutes(1));
  trader_->close_all({}, fx(), strategy::ExitReason::kShutdown);  // no quote: the pair stays open
  EXPECT_EQ(trader_->in_flight(), 0U);
  EXPECT_EQ(trader_->open_pairs().size(), 1U);
  trader_->close_all({low_premium()}, fx(), strategy::ExitReason::kShutdown);
  io_.restart();
  io_.poll();
  EXPECT_TRUE(trader_->open_pairs().empty());
  ASSERT_EQ(trader_->closed_pairs().size(), 1U);
  const ClosedPair& pair = trader_->closed_pairs()[0];
  EXPECT_EQ(pair.reason, strategy::ExitReason::kShutdown);
  EXPECT_EQ(pair.exit.upbit.avg_price, dec("99460000"));
  EXPECT_EQ(pair.exit.bybit.avg_price, dec("70001"));
  EXPECT_EQ(executor_->upbit_coins("BTC"), Decimal{});
  EXPECT_EQ(executor_->bybit_margin_usdt(), Decimal{});
}

TEST_F(PairTraderTest, OnBar_ReportsSeriesRowsWithTheStatisticsBeforeTheBarJoined) {
  start();
  warm_up();
  ASSERT_EQ(series_.size(), kWindow);
  EXPECT_EQ(trader_->counters().bars, kWindow);
  EXPECT_EQ(series_[0].window, 0U);
  EXPECT_EQ(series_[0].mean, 0.0);
  EXPECT_EQ(series_[0].stddev, 0.0);
  EXPECT_FALSE(series_[0].z);
  EXPECT_EQ(series_[0].bar.premium, 0.019);
  EXPECT_EQ(series_[1].window, 1U);
  EXPECT_NEAR(series_[1].mean, 0.019, 1e-15);
  EXPECT_FALSE(series_[1].z);
  // Two values, 1.9 % and 2.1 %: mean 2 %, σ = 0.1414 %; the third bar (1.9 %) is at z = −0.7071.
  EXPECT_EQ(series_[2].window, 2U);
  EXPECT_NEAR(series_[2].mean, 0.02, 1e-15);
  EXPECT_NEAR(series_[2].stddev, std::sqrt(2e-6), 1e-12);
  ASSERT_TRUE(series_[2].z);
  EXPECT_NEAR(*series_[2].z, -std::sqrt(0.5), 1e-9);
  // Nine values (five 1.9 %, four 2.1 %) before the last bar.
  EXPECT_EQ(series_[9].window, 9U);
  EXPECT_NEAR(series_[9].mean, (5 * 0.019 + 4 * 0.021) / 9, 1e-15);
  EXPECT_EQ(series_[9].bar.premium, 0.021);
  EXPECT_EQ(trader_->window(0).size(), kWindow);
  EXPECT_NEAR(trader_->window(0).mean(), 0.02, 1e-15);

  // A bar without a premium is reported but does not join the window.
  market::Bar empty;
  empty.coin = 0;
  empty.premium = std::numeric_limits<double>::quiet_NaN();
  trader_->on_bar(empty);
  ASSERT_EQ(series_.size(), kWindow + 1);
  EXPECT_EQ(series_.back().window, kWindow);
  EXPECT_EQ(trader_->window(0).size(), kWindow);
  EXPECT_NEAR(trader_->window(0).mean(), 0.02, 1e-15);
}

}  // namespace
}  // namespace kimp::runtime
