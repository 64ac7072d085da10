// Tests of the emulator ledger's Bybit linear side: fills, fees, isolated positions, PnL, funding,
// rejections.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/ledger/ledger.hpp"

namespace kimp::sim {
namespace {

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

constexpr Timestamp kNow = Timestamp::from_ns(1'700'000'000'000'000'000);

OrderBook book(std::vector<BookLevel> bids, std::vector<BookLevel> asks) {
  return OrderBook{.bids = std::move(bids), .asks = std::move(asks), .ts_event = kNow, .update_id = 1};
}

LinearOrderRequest market(LinearSide side, const char* qty) {
  return LinearOrderRequest{
      .symbol = "BTCUSDT", .side = side, .order_type = LinearOrderType::kMarket, .qty = dec(qty)};
}

LinearOrderRequest limit(LinearSide side, const char* qty, const char* price) {
  return LinearOrderRequest{.symbol = "BTCUSDT",
                            .side = side,
                            .order_type = LinearOrderType::kLimit,
                            .qty = dec(qty),
                            .price = dec(price)};
}

class LinearLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.set_linear_instrument("BTCUSDT", LinearInstrumentRules{.tick_size = dec("0.1"),
                                                                   .qty_step = dec("0.001"),
                                                                   .min_order_qty = dec("0.001"),
                                                                   .min_notional = dec("5"),
                                                                   .max_leverage = dec("100"),
                                                                   .maintenance_margin_rate = dec("0.005")});
    add_account("acc", "10000");
  }

  void add_account(const std::string& id, const char* usdt) {
    ASSERT_TRUE(ledger_.create_account(id).has_value());
    ASSERT_TRUE(ledger_.fund_usdt(id, dec(usdt)).has_value());
  }

  Result<LinearOrder> place(const LinearOrderRequest& request, const OrderBook& at,
                            const std::string& id = "acc") {
    return ledger_.place_linear_order(id, request, at, kNow);
  }

  LinearPosition position(const std::string& id = "acc") {
    const auto positions = ledger_.linear_positions(id).value();
    EXPECT_EQ(positions.size(), 1U);
    return positions.empty() ? LinearPosition{} : positions.front();
  }

  Ledger ledger_;
};

TEST_F(LinearLedgerTest, MarketSell_OpensShortWithTakerFee_ThenFundingPaysTheShort) {
  const OrderBook bids =
      book({{dec("60000"), dec("0.1")}, {dec("59999.5"), dec("0.2")}, {dec("59999"), dec("1")}},
           {{dec("60000.5"), dec("1")}});
  const auto order = place(market(LinearSide::kSell, "0.25"), bids);
  ASSERT_TRUE(order.has_value()) << order.error();
  EXPECT_EQ(order->status, LinearOrderStatus::kFilled);
  EXPECT_EQ(order->time_in_force, LinearTimeInForce::kIoc);
  // 0.1 × 60,000 + 0.15 × 59,999.5 = 14,999.925 for 0.25: average 59,999.7.
  EXPECT_EQ(order->cum_exec_value, dec("14999.925"));
  EXPECT_EQ(order->avg_price, dec("59999.7"));
  // 6,000 × 0.00055 + 8,999.925 × 0.00055.
  EXPECT_EQ(order->cum_exec_fee, dec("8.24995875"));

  const LinearPosition short_position = position();
  EXPECT_EQ(short_position.side, LinearSide::kSell);
  EXPECT_EQ(short_position.size, dec("0.25"));
  EXPECT_EQ(short_position.avg_price, dec("59999.7"));
  EXPECT_EQ(short_position.leverage, dec("10"));
  EXPECT_EQ(short_position.position_im, dec("1499.9925"));
  // 59,999.7 × (1 + 1/10 - 0.005) = 65,699.6715, rounded down to the 0.1 tick.
  EXPECT_EQ(short_position.liq_price, dec("65699.6"));
  EXPECT_EQ(short_position.cum_realised_pnl, dec("-8.24995875"));
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().wallet_balance, dec("9991.75004125"));

  add_account("long", "10000");
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.1"), bids, "long").has_value());

  const auto payments = ledger_.settle_funding("BTCUSDT", dec("0.0001"), dec("60100"), kNow);
  ASSERT_TRUE(payments.has_value()) << payments.error();
  ASSERT_EQ(payments->size(), 2U);
  // Short: 0.25 × 60,100 × 0.0001 = 1.5025 received. Long: 0.1 × 60,100 × 0.0001 = 0.601 paid.
  const auto short_payments = ledger_.snapshot().value().accounts[0].funding_payments;
  ASSERT_EQ(short_payments.size(), 1U);
  EXPECT_EQ(short_payments[0].amount, dec("1.5025"));
  EXPECT_EQ(short_payments[0].side, LinearSide::kSell);
  EXPECT_EQ(short_payments[0].mark_price, dec("60100"));
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().wallet_balance, dec("9993.25254125"));
  EXPECT_EQ(position().cum_realised_pnl, dec("-6.74745875"));
  const auto long_payments = ledger_.snapshot().value().accounts[1].funding_payments;
  ASSERT_EQ(long_payments.size(), 1U);
  EXPECT_EQ(long_payments[0].amount, dec("-0.601"));
}

TEST_F(LinearLedgerTest, IsolatedLong_UnrealisedAtMarkThenReduceOnlyClose_ExactRealisedPnlAndWallet) {
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000.5"), dec("1")}})).has_value());
  // Entry fee: 6,000.05 × 0.00055 = 3.3000275.
  ASSERT_TRUE(ledger_.set_mark_price("BTCUSDT", dec("60500")).has_value());
  const UsdtWallet open = ledger_.usdt_wallet("acc").value();
  EXPECT_EQ(open.wallet_balance, dec("9996.6999725"));
  EXPECT_EQ(open.unrealised_pnl, dec("49.95"));
  EXPECT_EQ(open.equity, dec("10046.6499725"));
  EXPECT_EQ(open.total_position_im, dec("600.005"));
  EXPECT_EQ(open.available_balance, dec("9396.6949725"));

  LinearOrderRequest close = market(LinearSide::kSell, "0.5");
  close.reduce_only = true;
  const auto closed = place(close, book({{dec("61000"), dec("1")}}, {}));
  ASSERT_TRUE(closed.has_value()) << closed.error();
  // reduceOnly is cut to the 0.1 held; exit fee 6,100 × 0.00055 = 3.355.
  EXPECT_EQ(closed->qty, dec("0.1"));
  EXPECT_EQ(closed->status, LinearOrderStatus::kFilled);
  EXPECT_EQ(closed->cum_exec_fee, dec("3.355"));

  const LinearPosition flat = position();
  EXPECT_FALSE(flat.side.has_value());
  EXPECT_EQ(flat.size, dec("0"));
  EXPECT_EQ(flat.position_im, dec("0"));
  // (61,000 - 60,000.5) × 0.1 = 99.95 realised, minus both fees.
  EXPECT_EQ(flat.cum_realised_pnl, dec("93.2949725"));
  const UsdtWallet after = ledger_.usdt_wallet("acc").value();
  EXPECT_EQ(after.wallet_balance, dec("10093.2949725"));
  EXPECT_EQ(after.available_balance, dec("10093.2949725"));

  const auto executions = ledger_.linear_executions("acc", "BTCUSDT").value();
  ASSERT_EQ(executions.size(), 2U);
  EXPECT_EQ(executions[0].order_id, closed->order_id);
  EXPECT_EQ(executions[0].closed_size, dec("0.1"));
  EXPECT_EQ(executions[0].exec_fee, dec("3.355"));
}

TEST_F(LinearLedgerTest, RestingGtcBuy_FillsAsMakerWhenAsksDropThroughIt) {
  const auto placed = place(limit(LinearSide::kBuy, "0.01", "59000"), book({}, {{dec("60000"), dec("1")}}));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(placed->status, LinearOrderStatus::kNew);
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().total_order_im, dec("59"));
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().available_balance, dec("9941"));
  EXPECT_EQ(ledger_.linear_open_orders("acc", "BTCUSDT").value().size(), 1U);

  ASSERT_TRUE(
      ledger_
          .on_linear_book("BTCUSDT", book({}, {{dec("58990"), dec("0.004")}, {dec("59000"), dec("1")}}), kNow)
          .has_value());
  const LinearOrder filled = ledger_.linear_order("acc", OrderRef{.venue_id = placed->order_id}).value();
  EXPECT_EQ(filled.status, LinearOrderStatus::kFilled);
  EXPECT_EQ(filled.avg_price, dec("59000"));
  // Maker fee 590 × 0.0002.
  EXPECT_EQ(filled.cum_exec_fee, dec("0.118"));
  EXPECT_TRUE(ledger_.linear_open_orders("acc", "").value().empty());
  EXPECT_EQ(position().size, dec("0.01"));
  EXPECT_EQ(position().avg_price, dec("59000"));
  const UsdtWallet wallet = ledger_.usdt_wallet("acc").value();
  EXPECT_EQ(wallet.wallet_balance, dec("9999.882"));
  EXPECT_EQ(wallet.total_order_im, dec("0"));
  EXPECT_EQ(wallet.total_position_im, dec("59"));
  EXPECT_TRUE(ledger_.linear_executions("acc", "").value().front().is_maker);
}

TEST_F(LinearLedgerTest, IncreaseLong_RecomputesAverageEntry) {
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000"), dec("1")}})).has_value());
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.3"), book({}, {{dec("61000"), dec("1")}})).has_value());
  // (6,000 + 18,300) / 0.4.
  EXPECT_EQ(position().avg_price, dec("60750"));
  EXPECT_EQ(position().size, dec("0.4"));
}

TEST_F(LinearLedgerTest, DuplicateOrderLinkId_Rejected110072AndNothingChanges) {
  LinearOrderRequest request = limit(LinearSide::kBuy, "0.01", "50000");
  request.order_link_id = "link-1";
  const OrderBook far = book({}, {{dec("60000"), dec("1")}});
  ASSERT_TRUE(place(request, far).has_value());
  const LedgerSnapshot before = ledger_.snapshot().value();

  const auto duplicate = place(request, far);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().venue_code, "110072");
  EXPECT_EQ(ledger_.snapshot().value(), before);
  EXPECT_EQ(ledger_.linear_order("acc", OrderRef{.client_id = "link-1"}).value().price, dec("50000"));
}

TEST_F(LinearLedgerTest, MarginAboveAvailable_Rejected110007AndNothingChanges) {
  add_account("small", "100");
  const LedgerSnapshot before = ledger_.snapshot().value();
  // 0.1 × 60,000.5 / 10 = 600.005 of margin against 100 USDT.
  const auto order = place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000.5"), dec("1")}}), "small");
  ASSERT_FALSE(order.has_value());
  EXPECT_EQ(order.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(order.error().venue_code, "110007");
  EXPECT_EQ(ledger_.snapshot().value(), before);
}

TEST_F(LinearLedgerTest, InvalidRequests_RejectedWithBybitRetCodes) {
  const OrderBook any = book({{dec("59999.5"), dec("1")}}, {{dec("60000"), dec("1")}});
  EXPECT_EQ(place(market(LinearSide::kBuy, "0.0005"), any).error().venue_code, "10001");
  EXPECT_EQ(place(market(LinearSide::kBuy, "0.0015"), any).error().venue_code, "10001");
  EXPECT_EQ(place(limit(LinearSide::kBuy, "0.001", "60000.05"), any).error().venue_code, "10001");
  EXPECT_EQ(place(limit(LinearSide::kBuy, "0.001", "4000"), any).error().venue_code, "110094");
  LinearOrderRequest reduce = market(LinearSide::kSell, "0.01");
  reduce.reduce_only = true;
  EXPECT_EQ(place(reduce, any).error().venue_code, "110017");
  EXPECT_EQ(ledger_.cancel_linear_order("acc", OrderRef{.client_id = "missing"}, kNow).error().venue_code,
            "110001");
  EXPECT_TRUE(ledger_.linear_order_history("acc", "").value().empty());
}

TEST_F(LinearLedgerTest, FokNotFullyFillable_CancelledWithoutFills) {
  LinearOrderRequest request = limit(LinearSide::kBuy, "0.5", "60000");
  request.time_in_force = LinearTimeInForce::kFok;
  const auto order = place(request, book({}, {{dec("60000"), dec("0.2")}, {dec("60000.5"), dec("1")}}));
  ASSERT_TRUE(order.has_value()) << order.error();
  EXPECT_EQ(order->status, LinearOrderStatus::kCancelled);
  EXPECT_EQ(order->cum_exec_qty, dec("0"));
  EXPECT_TRUE(ledger_.linear_executions("acc", "").value().empty());
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().wallet_balance, dec("10000"));
}

TEST_F(LinearLedgerTest, CancelGtc_FreesOrderMargin) {
  const auto placed = place(limit(LinearSide::kSell, "0.02", "61000"), book({{dec("60000"), dec("1")}}, {}));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().total_order_im, dec("122"));
  const auto cancelled = ledger_.cancel_linear_order("acc", OrderRef{.venue_id = placed->order_id}, kNow);
  ASSERT_TRUE(cancelled.has_value()) << cancelled.error();
  EXPECT_EQ(cancelled->status, LinearOrderStatus::kCancelled);
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().available_balance, dec("10000"));
}

// ---- change feed ----

TEST_F(LinearLedgerTest, ChangeFeed_MarketOrder_OneOrderItsFillsPositionAndWalletOnce) {
  const std::uint64_t before = ledger_.revision("acc").value();
  const auto order = place(market(LinearSide::kBuy, "0.3"),
                           book({}, {{dec("60000"), dec("0.1")}, {dec("60001"), dec("1")}}));
  ASSERT_TRUE(order.has_value()) << order.error();
  const std::uint64_t after = ledger_.revision("acc").value();
  EXPECT_GT(after, before);

  const LinearChanges changes = ledger_.linear_changes("acc", before).value();
  EXPECT_EQ(changes.revision, after);
  ASSERT_EQ(changes.orders.size(), 1U);
  EXPECT_EQ(changes.orders[0], *order);
  ASSERT_EQ(changes.executions.size(), 2U);
  EXPECT_EQ(changes.executions[0].exec_qty, dec("0.1"));
  EXPECT_EQ(changes.executions[0].leaves_qty, dec("0.2"));
  EXPECT_EQ(changes.executions[1].exec_qty, dec("0.2"));
  EXPECT_EQ(changes.executions[1].leaves_qty, dec("0"));
  ASSERT_EQ(changes.positions.size(), 1U);
  EXPECT_EQ(changes.positions[0], position());
  ASSERT_TRUE(changes.wallet.has_value());
  EXPECT_EQ(*changes.wallet, ledger_.usdt_wallet("acc").value());

  const LinearChanges none = ledger_.linear_changes("acc", after).value();
  EXPECT_EQ(none, LinearChanges{.revision = after});
}

TEST_F(LinearLedgerTest, ChangeFeed_RestingOrderFilledLater_ReportedOnceAsItIsNow) {
  const std::uint64_t start = ledger_.revision("acc").value();
  const auto placed = place(limit(LinearSide::kBuy, "0.01", "59000"), book({}, {{dec("60000"), dec("1")}}));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  const std::uint64_t resting = ledger_.revision("acc").value();
  const LinearChanges placed_changes = ledger_.linear_changes("acc", start).value();
  ASSERT_EQ(placed_changes.orders.size(), 1U);
  EXPECT_EQ(placed_changes.orders[0].status, LinearOrderStatus::kNew);
  EXPECT_TRUE(placed_changes.executions.empty());
  ASSERT_TRUE(placed_changes.wallet.has_value());
  EXPECT_EQ(placed_changes.wallet->total_order_im, dec("59"));

  ASSERT_TRUE(ledger_.on_linear_book("BTCUSDT", book({}, {{dec("58990"), dec("1")}}), kNow).has_value());
  const LinearChanges fill = ledger_.linear_changes("acc", resting).value();
  ASSERT_EQ(fill.orders.size(), 1U);
  EXPECT_EQ(fill.orders[0].status, LinearOrderStatus::kFilled);
  ASSERT_EQ(fill.executions.size(), 1U);
  EXPECT_TRUE(fill.executions[0].is_maker);
  EXPECT_EQ(fill.positions.size(), 1U);
  ASSERT_TRUE(fill.wallet.has_value());
  EXPECT_EQ(fill.wallet->total_order_im, dec("0"));
  // From before the placement the order appears once, in its latest state.
  const LinearChanges both = ledger_.linear_changes("acc", start).value();
  ASSERT_EQ(both.orders.size(), 1U);
  EXPECT_EQ(both.orders[0].status, LinearOrderStatus::kFilled);
  EXPECT_EQ(both.executions.size(), 1U);
}

TEST_F(LinearLedgerTest, ChangeFeed_OnlyTheOrdersChangedSinceAreListed_OldestChangeFirst) {
  const OrderBook far = book({}, {{dec("60000"), dec("1")}});
  const auto first = place(limit(LinearSide::kBuy, "0.01", "50000"), far);
  const auto second = place(limit(LinearSide::kBuy, "0.01", "51000"), far);
  ASSERT_TRUE(first.has_value() && second.has_value());
  const std::uint64_t placed = ledger_.revision("acc").value();
  ASSERT_TRUE(ledger_.cancel_linear_order("acc", OrderRef{.venue_id = first->order_id}, kNow).has_value());
  const auto third = place(limit(LinearSide::kBuy, "0.01", "52000"), far);
  ASSERT_TRUE(third.has_value());

  const LinearChanges changes = ledger_.linear_changes("acc", placed).value();
  ASSERT_EQ(changes.orders.size(), 2U);
  EXPECT_EQ(changes.orders[0].order_id, first->order_id);
  EXPECT_EQ(changes.orders[0].status, LinearOrderStatus::kCancelled);
  EXPECT_EQ(changes.orders[1].order_id, third->order_id);
  EXPECT_TRUE(changes.executions.empty());
  ASSERT_TRUE(changes.wallet.has_value());
  EXPECT_EQ(changes.wallet->total_order_im, dec("103"));
}

TEST_F(LinearLedgerTest, ChangeFeed_RefusedOperationsAndMarks_TakeNoRevision) {
  add_account("small", "100");
  ASSERT_TRUE(
      place(limit(LinearSide::kBuy, "0.01", "50000"), book({}, {{dec("60000"), dec("1")}})).has_value());
  const std::uint64_t acc = ledger_.revision("acc").value();
  const std::uint64_t small = ledger_.revision("small").value();

  EXPECT_FALSE(
      place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000"), dec("1")}}), "small").has_value());
  EXPECT_FALSE(ledger_.set_leverage("acc", "BTCUSDT", dec("10"), kNow).has_value());
  EXPECT_FALSE(ledger_.cancel_linear_order("acc", OrderRef{.client_id = "missing"}, kNow).has_value());
  EXPECT_FALSE(ledger_.fund_usdt("acc", dec("-1")).has_value());
  ASSERT_TRUE(ledger_.set_mark_price("BTCUSDT", dec("61000")).has_value());

  EXPECT_EQ(ledger_.revision("acc").value(), acc);
  EXPECT_EQ(ledger_.revision("small").value(), small);
  EXPECT_EQ(ledger_.linear_changes("acc", acc).value(), LinearChanges{.revision = acc});
  EXPECT_FALSE(ledger_.revision("nobody").has_value());
  EXPECT_FALSE(ledger_.linear_changes("nobody", 0).has_value());
}

TEST_F(LinearLedgerTest, ChangeFeed_AnotherAccountsActivity_LeavesThisOneUnchanged) {
  add_account("other", "10000");
  const std::uint64_t acc = ledger_.revision("acc").value();
  ASSERT_TRUE(
      place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000"), dec("1")}}), "other").has_value());
  EXPECT_EQ(ledger_.revision("acc").value(), acc);
  EXPECT_GT(ledger_.revision("other").value(), acc);
}

TEST_F(LinearLedgerTest, ChangeFeed_FundingAndLeverage_PositionAndWalletWithoutOrders) {
  ASSERT_TRUE(place(market(LinearSide::kSell, "0.1"), book({{dec("60000"), dec("1")}}, {})).has_value());
  const std::uint64_t opened = ledger_.revision("acc").value();
  ASSERT_TRUE(ledger_.settle_funding("BTCUSDT", dec("0.0001"), dec("60000"), kNow).has_value());
  const LinearChanges funding = ledger_.linear_changes("acc", opened).value();
  EXPECT_TRUE(funding.orders.empty());
  EXPECT_TRUE(funding.executions.empty());
  ASSERT_EQ(funding.positions.size(), 1U);
  ASSERT_TRUE(funding.wallet.has_value());
  // 10,000 - 3.3 of taker fee + 0.1 × 60,000 × 0.0001 received by the short.
  EXPECT_EQ(funding.wallet->wallet_balance, dec("9997.3"));
  EXPECT_EQ(funding.positions[0].cum_realised_pnl, position().cum_realised_pnl);

  const std::uint64_t settled = ledger_.revision("acc").value();
  ASSERT_TRUE(ledger_.set_leverage("acc", "BTCUSDT", dec("5"), kNow).has_value());
  const LinearChanges leverage = ledger_.linear_changes("acc", settled).value();
  ASSERT_EQ(leverage.positions.size(), 1U);
  EXPECT_EQ(leverage.positions[0].leverage, dec("5"));
  ASSERT_TRUE(leverage.wallet.has_value());
  EXPECT_EQ(leverage.wallet->total_position_im, dec("1200"));
}

TEST_F(LinearLedgerTest, ChangeFeed_UpbitActivity_NewRevisionButNoLinearChanges) {
  const std::uint64_t before = ledger_.revision("acc").value();
  ASSERT_TRUE(ledger_.fund_upbit("acc", "KRW", dec("1000000")).has_value());
  const std::uint64_t after = ledger_.revision("acc").value();
  EXPECT_GT(after, before);
  EXPECT_EQ(ledger_.linear_changes("acc", before).value(), LinearChanges{.revision = after});
}

TEST_F(LinearLedgerTest, ChangeFeed_AfterReset_RevisionsKeepGrowingSoOldReadersSeeTheNewAccount) {
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000"), dec("1")}})).has_value());
  const std::uint64_t seen = ledger_.revision("acc").value();
  ledger_.reset();
  add_account("acc", "500");
  EXPECT_GT(ledger_.revision("acc").value(), seen);
  const LinearChanges changes = ledger_.linear_changes("acc", seen).value();
  EXPECT_TRUE(changes.orders.empty());
  EXPECT_TRUE(changes.executions.empty());
  ASSERT_TRUE(changes.wallet.has_value());
  EXPECT_EQ(changes.wallet->wallet_balance, dec("500"));
}

TEST_F(LinearLedgerTest, ClosingFill_RecordsRealisedPnlOnExecutionAndOrder) {
  ASSERT_TRUE(place(market(LinearSide::kBuy, "0.1"), book({}, {{dec("60000"), dec("1")}})).has_value());
  const auto closed = place(market(LinearSide::kSell, "0.1"), book({{dec("60500"), dec("1")}}, {}));
  ASSERT_TRUE(closed.has_value()) << closed.error();
  // (60,500 - 60,000) × 0.1, fees excluded.
  EXPECT_EQ(closed->realised_pnl, dec("50"));
  const auto executions = ledger_.linear_executions("acc", "").value();
  EXPECT_EQ(executions.front().realised_pnl, dec("50"));
  EXPECT_EQ(executions.back().realised_pnl, dec("0"));
  // Every position's realised PnL (fees and funding included) reaches the wallet.
  EXPECT_EQ(ledger_.usdt_wallet("acc").value().cum_realised_pnl, position().cum_realised_pnl);
}

}  // namespace
}  // namespace kimp::sim
