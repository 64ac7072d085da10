// Tests of the emulator ledger's Upbit side: book walking, KRW fees, holds, resting orders, rejections.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/ledger/ledger.hpp"

namespace kimp::sim {
namespace {

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

const Timestamp kNow = Timestamp::from_ns(1'700'000'000'000'000'000);

OrderBook book(std::vector<BookLevel> bids, std::vector<BookLevel> asks) {
  return OrderBook{.bids = std::move(bids), .asks = std::move(asks), .ts_event = kNow, .update_id = 1};
}

UpbitBalance balance_of(const Ledger& ledger, const std::string& currency) {
  const std::vector<UpbitBalance> balances = ledger.upbit_balances("acc").value();
  for (const UpbitBalance& balance : balances) {
    if (balance.currency == currency) {
      return balance;
    }
  }
  return UpbitBalance{.currency = currency};
}

class UpbitLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.set_upbit_market(
        "KRW-BTC", UpbitMarketRules{.tick_bands = {{dec("0"), dec("1")}, {dec("1000000"), dec("1000")}},
                                    .min_total = dec("5000")});
    ASSERT_TRUE(ledger_.create_account("acc").has_value());
  }

  void fund(const char* currency, const char* amount) {
    ASSERT_TRUE(ledger_.fund_upbit("acc", currency, dec(amount)).has_value());
  }

  Result<UpbitOrder> place(const UpbitOrderRequest& request, const OrderBook& at) {
    return ledger_.place_upbit_order("acc", request, at, kNow);
  }

  Ledger ledger_;
};

UpbitOrderRequest limit_bid(const char* price, const char* volume) {
  return UpbitOrderRequest{.market = "KRW-BTC",
                           .side = UpbitSide::kBid,
                           .ord_type = UpbitOrdType::kLimit,
                           .price = dec(price),
                           .volume = dec(volume)};
}

TEST_F(UpbitLedgerTest, MarketSell_WalksThreeBidLevels_ExactAveragePriceAndFee) {
  fund("BTC", "0.1");
  const OrderBook bids_only = book(
      {{dec("100000000"), dec("0.01")}, {dec("99990000"), dec("0.02")}, {dec("99980000"), dec("0.05")}}, {});
  const auto order = place(UpbitOrderRequest{.market = "KRW-BTC",
                                             .side = UpbitSide::kAsk,
                                             .ord_type = UpbitOrdType::kMarket,
                                             .volume = dec("0.05")},
                           bids_only);
  ASSERT_TRUE(order.has_value()) << order.error();
  EXPECT_EQ(order->state, UpbitOrderState::kDone);
  EXPECT_EQ(order->executed_volume, dec("0.05"));
  EXPECT_EQ(order->remaining_volume, dec("0"));
  // 1,000,000 + 1,999,800 + 1,999,600 = 4,999,400 KRW for 0.05 BTC: average 99,988,000.
  EXPECT_EQ(order->executed_funds, dec("4999400"));
  EXPECT_EQ(order->executed_funds.div(order->executed_volume).value(), dec("99988000"));
  EXPECT_EQ(order->paid_fee, dec("2499.7"));
  EXPECT_EQ(order->trades_count, 3);

  const auto trades = ledger_.upbit_trades("acc", OrderRef{.venue_id = order->uuid}).value();
  ASSERT_EQ(trades.size(), 3U);
  EXPECT_EQ(trades[2].price, dec("99980000"));
  EXPECT_EQ(trades[2].volume, dec("0.02"));
  EXPECT_EQ(trades[2].funds, dec("1999600"));
  EXPECT_EQ(trades[2].fee, dec("999.8"));

  EXPECT_EQ(balance_of(ledger_, "KRW").balance, dec("4996900.3"));
  EXPECT_EQ(balance_of(ledger_, "BTC").balance, dec("0.05"));
  EXPECT_EQ(balance_of(ledger_, "BTC").locked, dec("0"));
}

TEST_F(UpbitLedgerTest, LimitBidIoc_CrossesPartOfBook_FillsTwoLevelsAndCancelsRest) {
  fund("KRW", "3000000");
  const OrderBook asks =
      book({}, {{dec("50000000"), dec("0.01")}, {dec("50001000"), dec("0.01")}, {dec("50002000"), dec("1")}});
  UpbitOrderRequest request = limit_bid("50001000", "0.05");
  request.time_in_force = UpbitTimeInForce::kIoc;
  const auto order = place(request, asks);
  ASSERT_TRUE(order.has_value()) << order.error();
  EXPECT_EQ(order->state, UpbitOrderState::kCancel);
  EXPECT_EQ(order->executed_volume, dec("0.02"));
  EXPECT_EQ(order->remaining_volume, dec("0.03"));
  EXPECT_EQ(order->executed_funds, dec("1000010"));
  EXPECT_EQ(order->reserved_fee, dec("1250.025"));
  EXPECT_EQ(order->paid_fee, dec("500.005"));
  EXPECT_EQ(order->remaining_fee, dec("0"));
  EXPECT_EQ(order->locked, dec("0"));

  const UpbitBalance krw = balance_of(ledger_, "KRW");
  EXPECT_EQ(krw.balance, dec("1999489.995"));
  EXPECT_EQ(krw.locked, dec("0"));
  const UpbitBalance btc = balance_of(ledger_, "BTC");
  EXPECT_EQ(btc.balance, dec("0.02"));
  EXPECT_EQ(btc.avg_buy_price, dec("50000500"));
  EXPECT_TRUE(ledger_.upbit_open_orders("acc", "").value().empty());
  EXPECT_EQ(ledger_.upbit_closed_orders("acc", "KRW-BTC").value().size(), 1U);
}

TEST_F(UpbitLedgerTest, LimitBidFok_BookTooThin_FillsNothingAndFreesHold) {
  fund("KRW", "3000000");
  UpbitOrderRequest request = limit_bid("50001000", "0.05");
  request.time_in_force = UpbitTimeInForce::kFok;
  const auto order =
      place(request, book({}, {{dec("50000000"), dec("0.01")}, {dec("50001000"), dec("0.01")}}));
  ASSERT_TRUE(order.has_value()) << order.error();
  EXPECT_EQ(order->state, UpbitOrderState::kCancel);
  EXPECT_EQ(order->executed_volume, dec("0"));
  EXPECT_EQ(order->trades_count, 0);
  EXPECT_EQ(balance_of(ledger_, "KRW").balance, dec("3000000"));
  EXPECT_EQ(balance_of(ledger_, "KRW").locked, dec("0"));
}

TEST_F(UpbitLedgerTest, PriceOrder_SpendsKrwAmount_VolumeFlooredToEightDecimalsAndFeeOnTop) {
  fund("KRW", "200000");
  const OrderBook asks = book({}, {{dec("30000000"), dec("0.002")}, {dec("30001000"), dec("1")}});
  const auto order = place(UpbitOrderRequest{.market = "KRW-BTC",
                                             .side = UpbitSide::kBid,
                                             .ord_type = UpbitOrdType::kPrice,
                                             .price = dec("100000")},
                           asks);
  ASSERT_TRUE(order.has_value()) << order.error();
  // 0.002 BTC for 60,000 KRW, then 40,000 / 30,001,000 = 0.0013332888... floored to 0.00133328.
  EXPECT_EQ(order->executed_volume, dec("0.00333328"));
  EXPECT_EQ(order->executed_funds, dec("99999.73328"));
  EXPECT_EQ(order->reserved_fee, dec("50"));
  EXPECT_EQ(order->paid_fee, dec("49.99986664"));
  // The 0.26672 KRW that buys less than 10^-8 BTC is never spent, so Upbit reports the order cancelled.
  EXPECT_EQ(order->state, UpbitOrderState::kCancel);
  EXPECT_EQ(order->locked, dec("0"));
  const UpbitBalance krw = balance_of(ledger_, "KRW");
  EXPECT_EQ(krw.balance, dec("99950.26685336"));
  EXPECT_EQ(krw.locked, dec("0"));
  const UpbitBalance btc = balance_of(ledger_, "BTC");
  EXPECT_EQ(btc.balance, dec("0.00333328"));
  EXPECT_EQ(btc.avg_buy_price, dec("30000399.99039985"));
}

TEST_F(UpbitLedgerTest, RestingBid_FillsAtOwnPriceWhenBookMovesThroughIt) {
  fund("KRW", "1000000");
  const auto placed = place(limit_bid("49000000", "0.01"), book({}, {{dec("50000000"), dec("1")}}));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(placed->state, UpbitOrderState::kWait);
  EXPECT_EQ(placed->locked, dec("490245"));
  EXPECT_EQ(balance_of(ledger_, "KRW").balance, dec("509755"));
  EXPECT_EQ(balance_of(ledger_, "KRW").locked, dec("490245"));

  // Only 0.004 crosses: a partial maker fill, the rest keeps waiting with a smaller hold.
  ASSERT_TRUE(
      ledger_.on_upbit_book("KRW-BTC", book({}, {{dec("48900000"), dec("0.004")}}), kNow).has_value());
  auto order = ledger_.upbit_order("acc", OrderRef{.venue_id = placed->uuid}).value();
  EXPECT_EQ(order.state, UpbitOrderState::kWait);
  EXPECT_EQ(order.executed_volume, dec("0.004"));
  EXPECT_EQ(order.executed_funds, dec("196000"));
  EXPECT_EQ(order.paid_fee, dec("98"));
  EXPECT_EQ(order.locked, dec("294147"));
  EXPECT_EQ(balance_of(ledger_, "KRW").locked, dec("294147"));

  ASSERT_TRUE(ledger_.on_upbit_book("KRW-BTC", book({}, {{dec("49000000"), dec("5")}}), kNow).has_value());
  order = ledger_.upbit_order("acc", OrderRef{.venue_id = placed->uuid}).value();
  EXPECT_EQ(order.state, UpbitOrderState::kDone);
  EXPECT_EQ(order.executed_volume, dec("0.01"));
  EXPECT_EQ(order.paid_fee, dec("245"));
  EXPECT_EQ(balance_of(ledger_, "KRW").balance, dec("509755"));
  EXPECT_EQ(balance_of(ledger_, "KRW").locked, dec("0"));
  EXPECT_EQ(balance_of(ledger_, "BTC").balance, dec("0.01"));
  const auto trades = ledger_.upbit_trades("acc", OrderRef{.venue_id = placed->uuid}).value();
  ASSERT_EQ(trades.size(), 2U);
  EXPECT_TRUE(trades[0].maker);
  EXPECT_EQ(trades[0].price, dec("49000000"));
}

TEST_F(UpbitLedgerTest, CancelRestingAsk_ReturnsCoinsAndRejectsSecondCancel) {
  fund("BTC", "0.5");
  UpbitOrderRequest request{.market = "KRW-BTC",
                            .side = UpbitSide::kAsk,
                            .ord_type = UpbitOrdType::kLimit,
                            .price = dec("60000000"),
                            .volume = dec("0.2"),
                            .identifier = "sell-1"};
  const auto placed = place(request, book({{dec("59000000"), dec("1")}}, {}));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(balance_of(ledger_, "BTC").locked, dec("0.2"));

  const auto cancelled = ledger_.cancel_upbit_order("acc", OrderRef{.client_id = "sell-1"});
  ASSERT_TRUE(cancelled.has_value()) << cancelled.error();
  EXPECT_EQ(cancelled->state, UpbitOrderState::kCancel);
  EXPECT_EQ(balance_of(ledger_, "BTC").balance, dec("0.5"));
  EXPECT_EQ(balance_of(ledger_, "BTC").locked, dec("0"));

  const auto again = ledger_.cancel_upbit_order("acc", OrderRef{.venue_id = placed->uuid});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().venue_code, "validation_error");
  EXPECT_EQ(ledger_.cancel_upbit_order("acc", OrderRef{.venue_id = "nope"}).error().venue_code,
            "order_not_found");
}

TEST_F(UpbitLedgerTest, ReusedIdentifier_RejectedAndNothingChanges) {
  fund("KRW", "1000000");
  UpbitOrderRequest request = limit_bid("40000000", "0.001");
  request.identifier = "buy-1";
  const OrderBook far = book({}, {{dec("50000000"), dec("1")}});
  ASSERT_TRUE(place(request, far).has_value());
  const LedgerSnapshot before = ledger_.snapshot().value();

  const auto reused = place(request, far);
  ASSERT_FALSE(reused.has_value());
  EXPECT_EQ(reused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(reused.error().venue_code, "validation_error");
  EXPECT_EQ(ledger_.snapshot().value(), before);
}

TEST_F(UpbitLedgerTest, InsufficientFunds_RejectedPerSideAndNothingChanges) {
  fund("KRW", "10000");
  fund("BTC", "0.001");
  const LedgerSnapshot before = ledger_.snapshot().value();
  const OrderBook any = book({{dec("49000000"), dec("1")}}, {{dec("50000000"), dec("1")}});

  const auto bid = place(limit_bid("50000000", "0.001"), any);
  ASSERT_FALSE(bid.has_value());
  EXPECT_EQ(bid.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bid.error().venue_code, "insufficient_funds_bid");

  const auto ask = place(UpbitOrderRequest{.market = "KRW-BTC",
                                           .side = UpbitSide::kAsk,
                                           .ord_type = UpbitOrdType::kMarket,
                                           .volume = dec("0.002")},
                         any);
  ASSERT_FALSE(ask.has_value());
  EXPECT_EQ(ask.error().venue_code, "insufficient_funds_ask");
  EXPECT_EQ(ledger_.snapshot().value(), before);
}

TEST_F(UpbitLedgerTest, OffTickPriceAndSmallTotal_RejectedWithUpbitNames) {
  fund("KRW", "1000000");
  const OrderBook any = book({}, {{dec("50000000"), dec("1")}});
  EXPECT_EQ(place(limit_bid("40000500", "0.001"), any).error().venue_code, "invalid_price_bid");
  EXPECT_EQ(place(limit_bid("40000000", "0.0001"), any).error().venue_code, "under_min_total_bid");
  EXPECT_EQ(place(UpbitOrderRequest{.market = "KRW-BTC",
                                    .side = UpbitSide::kAsk,
                                    .ord_type = UpbitOrdType::kPrice,
                                    .price = dec("10000")},
                  any)
                .error()
                .venue_code,
            "create_ask_error");
  EXPECT_TRUE(ledger_.upbit_closed_orders("acc", "").value().empty());
}

}  // namespace
}  // namespace kimp::sim
