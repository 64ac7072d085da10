// SimExecutor: IOC-like entries walked on both books, market exits, fees and the balances they move.
#include "execution/sim_executor.hpp"

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "../strategy/test_books.hpp"

namespace kimp::execution {
namespace {

using strategy::testing::book;
using strategy::testing::dec;

constexpr Timestamp kNow = Timestamp::from_ns(1'754'000'000'000'000'000);

// Upbit: asks 100,000,000 × 0.01 and 100,050,000 × 0.02 within 0.1 % of the best, 100,200,000 × 1
// beyond; bids 99,950,000 × 0.01 then 99,800,000 × 0.05 (0.15 % below the best).
market::OrderBook upbit_book() {
  return book(model::Venue::kUpbit, "KRW-BTC", {{"99950000", "0.01"}, {"99800000", "0.05"}},
              {{"100000000", "0.01"}, {"100050000", "0.02"}, {"100200000", "1"}});
}

// Bybit: bids 70,000 × 0.005 and 69,990 × 0.02 within 0.1 %, 69,900 × 1 beyond; asks 70,010 × 0.01 then
// 70,100 × 0.05 (0.13 % above the best).
market::OrderBook bybit_book() {
  return book(model::Venue::kBybit, "BTCUSDT", {{"70000", "0.005"}, {"69990", "0.02"}, {"69900", "1"}},
              {{"70010", "0.01"}, {"70100", "0.05"}});
}

EntryRequest entry_request(const char* qty) {
  EntryRequest request;
  request.coin = "BTC";
  request.upbit = strategy::testing::upbit_rules();
  request.bybit = strategy::testing::bybit_rules();
  request.qty = dec(qty);
  request.upbit_krw_price = dec("100000000");
  request.bybit_usdt_price = dec("70000");
  request.usd_krw = dec("1400");
  request.usdt_krw = dec("1410");
  return request;
}

ExitRequest exit_request(const char* qty) {
  ExitRequest request;
  request.coin = "BTC";
  request.upbit = strategy::testing::upbit_rules();
  request.bybit = strategy::testing::bybit_rules();
  request.upbit_qty = dec(qty);
  request.bybit_qty = dec(qty);
  request.upbit_krw_price = dec("99950000");
  request.bybit_usdt_price = dec("70010");
  request.usdt_krw = dec("1405");
  return request;
}

SimExecutorOptions options(const char* upbit_krw, const char* bybit_usdt) {
  SimExecutorOptions result;
  result.upbit_fee_pct = dec("0.05");
  result.bybit_fee_pct = dec("0.055");
  result.max_slippage_pct = dec("0.1");
  result.upbit_krw = dec(upbit_krw);
  result.bybit_usdt = dec(bybit_usdt);
  return result;
}

struct Balances {
  Decimal upbit_krw;
  Decimal coins;
  Decimal wallet;
  Decimal margin;
  bool operator==(const Balances&) const = default;
};

Balances balances_of(const SimExecutor& executor) {
  return {executor.upbit_krw(), executor.upbit_coins("BTC"), executor.bybit_wallet_usdt(),
          executor.bybit_margin_usdt()};
}

std::ostream& operator<<(std::ostream& out, const Balances& b) {
  return out << "krw " << b.upbit_krw << ", coins " << b.coins << ", wallet " << b.wallet << ", margin "
             << b.margin;
}

// An executor filling against books the test can swap.
class SimExecutorBooks : public ::testing::Test {
 protected:
  explicit SimExecutorBooks(const char* upbit_krw = "10000000", const char* bybit_usdt = "5000")
      : clock_(kNow), upbit_(upbit_book()), bybit_(bybit_book()) {
    SimExecutorOptions with_books = options(upbit_krw, bybit_usdt);
    with_books.books = [this](const std::string& coin) {
      if (coin != "BTC") {
        return CoinBooks{};
      }
      return CoinBooks{upbit_ ? &*upbit_ : nullptr, bybit_ ? &*bybit_ : nullptr};
    };
    executor_.emplace(clock_, std::move(with_books));
  }

  SimClock clock_;
  std::optional<market::OrderBook> upbit_;
  std::optional<market::OrderBook> bybit_;
  std::optional<SimExecutor> executor_;
};

TEST_F(SimExecutorBooks, EntryWalksBothBooks_FillsWhatBothCanWithinSlippageAndChargesFees) {
  // Upbit can fill 0.03 within 100,100,000, Bybit 0.025 within 69,930: both fill 0.025.
  const ExecutionResult<ExecutedEntry> entry = executor_->fill_entry(entry_request("0.05"));
  ASSERT_TRUE(entry) << entry.error().describe();
  EXPECT_EQ(entry->effective_qty, dec("0.025"));
  EXPECT_EQ(entry->usdt_krw, dec("1410"));
  // Upbit: 0.01 × 100,000,000 + 0.015 × 100,050,000 = 2,500,750 KRW, avg 100,030,000; fee 0.05 %.
  EXPECT_EQ(entry->upbit.order_id, "sim-1");
  EXPECT_EQ(entry->upbit.fill, (strategy::LegFill{dec("0.025"), dec("100030000"), dec("1250.375"), kNow}));
  // Bybit: 0.005 × 70,000 + 0.02 × 69,990 = 1,749.8 USDT, avg 69,992; fee 0.055 % = 0.96239.
  EXPECT_EQ(entry->bybit.order_id, "sim-2");
  EXPECT_EQ(entry->bybit.fill, (strategy::LegFill{dec("0.025"), dec("69992"), dec("0.96239"), kNow}));
  // Upbit pays cost + fee and holds the coins; Bybit's wallet pays the fee and the notional is margin.
  EXPECT_EQ(balances_of(*executor_),
            (Balances{dec("7497999.625"), dec("0.025"), dec("4999.03761"), dec("1749.8")}));
  const AvailableBalances available = executor_->balances();
  EXPECT_EQ(available.upbit_krw, dec("7497999.625"));
  EXPECT_EQ(available.bybit_usdt, dec("3249.23761"));
}

TEST_F(SimExecutorBooks, EntryWithinTheBestLevels_FillsTheWholeQuantityAtTheBest) {
  const ExecutionResult<ExecutedEntry> entry = executor_->fill_entry(entry_request("0.005"));
  ASSERT_TRUE(entry) << entry.error().describe();
  EXPECT_EQ(entry->effective_qty, dec("0.005"));
  EXPECT_EQ(entry->upbit.fill.avg_price, dec("100000000"));
  EXPECT_EQ(entry->bybit.fill.avg_price, dec("70000"));
  // 500,000 KRW + 250 fee; 350 USDT margin, 0.1925 fee.
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("9499750"), dec("0.005"), dec("4999.8075"), dec("350")}));
}

TEST_F(SimExecutorBooks, ExitWalksWithoutALimit_SettlesBothLegsAndReleasesTheMargin) {
  ASSERT_TRUE(executor_->fill_entry(entry_request("0.05")));
  ASSERT_TRUE(clock_.advance_by(std::chrono::minutes(10)));
  const ExecutionResult<ExecutedExit> exit = executor_->fill_exit(exit_request("0.025"));
  ASSERT_TRUE(exit) << exit.error().describe();
  const Timestamp later = kNow + std::chrono::minutes(10);
  // Upbit sells 0.01 × 99,950,000 + 0.015 × 99,800,000 = 2,496,500 KRW (avg 99,860,000), fee 1,248.25.
  EXPECT_EQ(exit->upbit.order_id, "sim-3");
  EXPECT_EQ(exit->upbit.fill, (strategy::LegFill{dec("0.025"), dec("99860000"), dec("1248.25"), later}));
  // Bybit buys back 0.01 × 70,010 + 0.015 × 70,100 = 1,751.6 USDT (avg 70,064), fee 0.96338.
  EXPECT_EQ(exit->bybit.order_id, "sim-4");
  EXPECT_EQ(exit->bybit.fill, (strategy::LegFill{dec("0.025"), dec("70064"), dec("0.96338"), later}));
  EXPECT_EQ(exit->usdt_krw, dec("1405"));
  // KRW: 7,497,999.625 + 2,496,500 − 1,248.25. Wallet: 4,999.03761 + (1,749.8 − 1,751.6) − 0.96338.
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("9993251.375"), dec("0"), dec("4996.27423"), dec("0")}));
  EXPECT_EQ(executor_->balances().bybit_usdt, dec("4996.27423"));
}

TEST_F(SimExecutorBooks, PartialExit_ReleasesItsShareOfTheMargin) {
  ASSERT_TRUE(executor_->fill_entry(entry_request("0.05")));
  const ExecutionResult<ExecutedExit> exit = executor_->fill_exit(exit_request("0.01"));
  ASSERT_TRUE(exit) << exit.error().describe();
  EXPECT_EQ(exit->upbit.fill.avg_price, dec("99950000"));
  EXPECT_EQ(exit->bybit.fill.avg_price, dec("70010"));
  // Released 1,749.8 × 0.01 / 0.025 = 699.92 of margin; short PnL 699.92 − 700.1; fee 0.385055.
  // KRW: 7,497,999.625 + 999,500 − 499.75.
  EXPECT_EQ(balances_of(*executor_),
            (Balances{dec("8496999.875"), dec("0.015"), dec("4998.472555"), dec("1049.88")}));
}

TEST_F(SimExecutorBooks, ExitOnBooksTooThin_RefusesAndLeavesBalancesUnchanged) {
  ASSERT_TRUE(executor_->fill_entry(entry_request("0.05")));
  const Balances before = balances_of(*executor_);
  upbit_ = book(model::Venue::kUpbit, "KRW-BTC", {{"99950000", "0.01"}}, {{"100000000", "1"}});
  const ExecutionResult<ExecutedExit> exit = executor_->fill_exit(exit_request("0.025"));
  ASSERT_FALSE(exit);
  EXPECT_EQ(exit.error().kind, ExecutionErrorKind::kExchangeError);
  EXPECT_EQ(exit.error().error.code, ErrorCode::kUnavailable);
  EXPECT_EQ(exit.error().error.message,
            "the books of BTC are too thin to close 0.025 (upbit 0.01, bybit 0.025)");
  EXPECT_EQ(balances_of(*executor_), before);
  // The Bybit side too thin on its own is refused the same way.
  upbit_ = upbit_book();
  bybit_ = book(model::Venue::kBybit, "BTCUSDT", {{"70000", "1"}}, {{"70010", "0.02"}});
  const ExecutionResult<ExecutedExit> again = executor_->fill_exit(exit_request("0.025"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().error.message,
            "the books of BTC are too thin to close 0.025 (upbit 0.025, bybit 0.02)");
  EXPECT_EQ(balances_of(*executor_), before);
}

TEST_F(SimExecutorBooks, EntryWithoutBooks_IsAnExchangeErrorAndMovesNothing) {
  bybit_.reset();
  const ExecutionResult<ExecutedEntry> entry = executor_->fill_entry(entry_request("0.01"));
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().kind, ExecutionErrorKind::kExchangeError);
  EXPECT_EQ(entry.error().error.message, "no valid books for BTC");
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("10000000"), dec("0"), dec("5000"), dec("0")}));
}

TEST_F(SimExecutorBooks, ExitWithNothingHeld_IsBothUnfilled) {
  const ExecutionResult<ExecutedExit> exit = executor_->fill_exit(exit_request("0.01"));
  ASSERT_FALSE(exit);
  EXPECT_EQ(exit.error().kind, ExecutionErrorKind::kBothUnfilled);
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("10000000"), dec("0"), dec("5000"), dec("0")}));
}

class SimExecutorPoorUpbit : public SimExecutorBooks {
 protected:
  SimExecutorPoorUpbit() : SimExecutorBooks("2000000", "5000") {}
};

TEST_F(SimExecutorPoorUpbit, EntryCostingMoreThanTheKrwHeld_IsInsufficientBalanceOnUpbit) {
  const ExecutionResult<ExecutedEntry> entry = executor_->fill_entry(entry_request("0.05"));
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().kind, ExecutionErrorKind::kInsufficientBalance);
  EXPECT_EQ(entry.error().leg, Leg::kUpbit);
  EXPECT_EQ(entry.error().available, dec("2000000"));
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("2000000"), dec("0"), dec("5000"), dec("0")}));
}

class SimExecutorPoorBybit : public SimExecutorBooks {
 protected:
  SimExecutorPoorBybit() : SimExecutorBooks("10000000", "1750") {}
};

TEST_F(SimExecutorPoorBybit, EntryNeedingMoreMarginThanFree_IsInsufficientBalanceOnBybit) {
  // 1,749.8 of notional plus 0.96239 of fee exceed the 1,750 USDT free.
  const ExecutionResult<ExecutedEntry> entry = executor_->fill_entry(entry_request("0.05"));
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().kind, ExecutionErrorKind::kInsufficientBalance);
  EXPECT_EQ(entry.error().leg, Leg::kBybit);
  EXPECT_EQ(entry.error().available, dec("1750"));
  EXPECT_EQ(balances_of(*executor_), (Balances{dec("10000000"), dec("0"), dec("1750"), dec("0")}));
  // A smaller entry fits; the margin it locks is no longer available to the next one.
  ASSERT_TRUE(executor_->fill_entry(entry_request("0.02")));
  const ExecutionResult<ExecutedEntry> second = executor_->fill_entry(entry_request("0.02"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().leg, Leg::kBybit);
  // 1,750 − 0.7699175 fee − 1,399.85 margin (0.005 × 70,000 + 0.015 × 69,990).
  EXPECT_EQ(second.error().available, executor_->balances().bybit_usdt);
  EXPECT_EQ(executor_->balances().bybit_usdt, dec("349.3800825"));
}

TEST(SimExecutor, ReferencePriceMode_FillsAtTheRequestedPrices) {
  SimClock clock(kNow);
  SimExecutor executor(clock, options("10000000", "5000"));
  EntryRequest request = entry_request("0.01");
  const ExecutionResult<ExecutedEntry> entry = executor.fill_entry(request);
  ASSERT_TRUE(entry) << entry.error().describe();
  EXPECT_EQ(entry->effective_qty, dec("0.01"));
  // 1,000,000 KRW, fee 500; 700 USDT, fee 0.385.
  EXPECT_EQ(entry->upbit.fill, (strategy::LegFill{dec("0.01"), dec("100000000"), dec("500"), kNow}));
  EXPECT_EQ(entry->bybit.fill, (strategy::LegFill{dec("0.01"), dec("70000"), dec("0.385"), kNow}));
  EXPECT_EQ(balances_of(executor), (Balances{dec("8999500"), dec("0.01"), dec("4999.615"), dec("700")}));

  ExitRequest exit = exit_request("0.01");
  exit.upbit_krw_price = dec("101000000");
  exit.bybit_usdt_price = dec("69000");
  const ExecutionResult<ExecutedExit> closed = executor.fill_exit(exit);
  ASSERT_TRUE(closed) << closed.error().describe();
  EXPECT_EQ(closed->upbit.fill, (strategy::LegFill{dec("0.01"), dec("101000000"), dec("505"), kNow}));
  EXPECT_EQ(closed->bybit.fill, (strategy::LegFill{dec("0.01"), dec("69000"), dec("0.3795"), kNow}));
  // KRW: 8,999,500 + 1,010,000 − 505. Wallet: 4,999.615 + (700 − 690) − 0.3795.
  EXPECT_EQ(balances_of(executor), (Balances{dec("10008995"), dec("0"), dec("5009.2355"), dec("0")}));
}

TEST(SimExecutor, ExitForMoreThanHeld_ClosesOnlyWhatIsHeld) {
  SimClock clock(kNow);
  SimExecutor executor(clock, options("10000000", "5000"));
  ASSERT_TRUE(executor.fill_entry(entry_request("0.01")));
  const ExecutionResult<ExecutedExit> closed = executor.fill_exit(exit_request("0.05"));
  ASSERT_TRUE(closed) << closed.error().describe();
  EXPECT_EQ(closed->upbit.fill.qty, dec("0.01"));
  EXPECT_EQ(closed->bybit.fill.qty, dec("0.01"));
  EXPECT_EQ(executor.upbit_coins("BTC"), Decimal{});
  EXPECT_EQ(executor.bybit_margin_usdt(), Decimal{});
}

TEST(SimExecutor, EntryOfNothing_IsBothUnfilled) {
  SimClock clock(kNow);
  SimExecutor executor(clock, options("10000000", "5000"));
  const ExecutionResult<ExecutedEntry> entry = executor.fill_entry(entry_request("0"));
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().kind, ExecutionErrorKind::kBothUnfilled);
  EXPECT_EQ(balances_of(executor), (Balances{dec("10000000"), dec("0"), dec("5000"), dec("0")}));
}

}  // namespace
}  // namespace kimp::execution
