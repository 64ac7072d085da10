// Tests of the Bybit request builders: the exact bytes of every query string and body, and their refusals.
#include "venues/bybit/request.hpp"

#include <gtest/gtest.h>

namespace kimp::venues::bybit {
namespace {

model::Symbol sym(std::string_view text) {
  return model::Symbol::create(text).value();
}

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

BybitOrderRequest market_sell() {
  BybitOrderRequest order;
  order.symbol = sym("BTCUSDT");
  order.side = model::Side::kSell;
  order.type = model::OrderType::kMarket;
  order.time_in_force = model::TimeInForce::kIoc;
  order.qty = dec("0.001");
  order.order_link_id = "BTC_1786000000000_1";
  return order;
}

TEST(BybitRequest, CreateMarketOrder_ExactBody) {
  EXPECT_EQ(create_order_body(market_sell()).value(),
            R"({"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.001",)"
            R"("timeInForce":"IOC","orderLinkId":"BTC_1786000000000_1","reduceOnly":false})");
}

TEST(BybitRequest, CreateLimitReduceOnlyOrder_ExactBodyWithPrice) {
  BybitOrderRequest order = market_sell();
  order.side = model::Side::kBuy;
  order.type = model::OrderType::kLimit;
  order.price = dec("62710.30");
  order.reduce_only = true;
  order.time_in_force = model::TimeInForce::kGtc;
  EXPECT_EQ(
      create_order_body(order).value(),
      R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001",)"
      R"("price":"62710.3","timeInForce":"GTC","orderLinkId":"BTC_1786000000000_1","reduceOnly":true})");
}

TEST(BybitRequest, CreateOrder_RefusesBadInputs) {
  BybitOrderRequest no_qty = market_sell();
  no_qty.qty = Decimal();
  EXPECT_EQ(create_order_body(no_qty).error().message, "Bybit order qty must be positive, got 0");
  BybitOrderRequest priced_market = market_sell();
  priced_market.price = dec("1");
  EXPECT_EQ(create_order_body(priced_market).error().code, ErrorCode::kInvalidArgument);
  BybitOrderRequest unpriced_limit = market_sell();
  unpriced_limit.type = model::OrderType::kLimit;
  EXPECT_EQ(create_order_body(unpriced_limit).error().code, ErrorCode::kInvalidArgument);
  BybitOrderRequest krw = market_sell();
  krw.type = model::OrderType::kMarketKrw;
  EXPECT_EQ(create_order_body(krw).error().code, ErrorCode::kInvalidArgument);
  BybitOrderRequest long_id = market_sell();
  long_id.order_link_id = std::string(37, 'a');
  EXPECT_EQ(create_order_body(long_id).error().code, ErrorCode::kInvalidArgument);
  BybitOrderRequest bad_id = market_sell();
  bad_id.order_link_id = "a\"b";
  EXPECT_EQ(create_order_body(bad_id).error().message,
            "Bybit orderLinkId must be 1-36 of [0-9A-Za-z_-]: \"a\\\"b\"");
  BybitOrderRequest no_id = market_sell();
  no_id.order_link_id.clear();
  EXPECT_EQ(create_order_body(no_id).error().code, ErrorCode::kInvalidArgument);
}

TEST(BybitRequest, CancelAndLookup_ByOrderLinkId) {
  EXPECT_EQ(cancel_order_body(sym("ETHUSDT"), "linear-004").value(),
            R"({"category":"linear","symbol":"ETHUSDT","orderLinkId":"linear-004"})");
  EXPECT_EQ(order_by_link_id_query(sym("ETHUSDT"), "linear-004").value(),
            "category=linear&symbol=ETHUSDT&orderLinkId=linear-004");
  EXPECT_EQ(order_by_link_id_query(std::nullopt, "linear-004").value(),
            "category=linear&orderLinkId=linear-004");
  EXPECT_EQ(cancel_order_body(sym("ETHUSDT"), "a b").error().code, ErrorCode::kInvalidArgument);
}

TEST(BybitRequest, OpenOrdersPositionsExecutions_ExactQueries) {
  EXPECT_EQ(open_orders_query(sym("BTCUSDT")), "category=linear&symbol=BTCUSDT");
  EXPECT_EQ(open_orders_query(std::nullopt), "category=linear&settleCoin=USDT");
  EXPECT_EQ(positions_query(std::nullopt).value(), "category=linear&settleCoin=USDT");
  EXPECT_EQ(positions_query(sym("BTCUSDT"), "page_args%3D1%26").value(),
            "category=linear&symbol=BTCUSDT&cursor=page_args%3D1%26");
  EXPECT_EQ(executions_query(sym("XRPUSDT"), "f6e324ff-99c2-4e89-9739-3086e47f9381").value(),
            "category=linear&symbol=XRPUSDT&orderId=f6e324ff-99c2-4e89-9739-3086e47f9381");
  EXPECT_EQ(executions_query(std::nullopt, "").value(), "category=linear");
  EXPECT_EQ(executions_query(std::nullopt, "", "a&b=c").error().code, ErrorCode::kInvalidArgument);
}

TEST(BybitRequest, LeverageAndMarginBodies_Exact) {
  EXPECT_EQ(set_leverage_body(sym("BTCUSDT"), dec("3")).value(),
            R"({"category":"linear","symbol":"BTCUSDT","buyLeverage":"3","sellLeverage":"3"})");
  EXPECT_EQ(
      switch_isolated_body(sym("ETHUSDT"), dec("2.5")).value(),
      R"({"category":"linear","symbol":"ETHUSDT","tradeMode":1,"buyLeverage":"2.5","sellLeverage":"2.5"})");
  EXPECT_EQ(set_leverage_body(sym("BTCUSDT"), Decimal()).error().message,
            "Bybit leverage must be positive, got 0");
  EXPECT_EQ(switch_isolated_body(sym("BTCUSDT"), dec("-1")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(isolated_margin_mode_body(), R"({"setMarginMode":"ISOLATED_MARGIN"})");
  EXPECT_EQ(one_way_position_mode_body(), R"({"category":"linear","coin":"USDT","mode":0})");
}

TEST(BybitRequest, AccountQueries_Exact) {
  EXPECT_EQ(wallet_balance_query().value(), "accountType=UNIFIED");
  EXPECT_EQ(wallet_balance_query("USDT").value(), "accountType=UNIFIED&coin=USDT");
  EXPECT_EQ(wallet_balance_query("usdt").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fee_rate_query(BybitCategory::kLinear, sym("ETHUSDT")), "category=linear&symbol=ETHUSDT");
  EXPECT_EQ(fee_rate_query(BybitCategory::kSpot, std::nullopt), "category=spot");
}

TEST(BybitRequest, MarketQueries_ExactPerCategory) {
  EXPECT_EQ(instruments_query(BybitCategory::kLinear, std::nullopt).value(), "category=linear&limit=1000");
  EXPECT_EQ(instruments_query(BybitCategory::kLinear, std::nullopt, "abc%3D").value(),
            "category=linear&limit=1000&cursor=abc%3D");
  EXPECT_EQ(instruments_query(BybitCategory::kSpot, sym("BTCUSDT")).value(), "category=spot&symbol=BTCUSDT");
  EXPECT_EQ(orderbook_query(BybitCategory::kSpot, sym("BTCUSDT"), 50).value(),
            "category=spot&symbol=BTCUSDT&limit=50");
  EXPECT_EQ(orderbook_query(BybitCategory::kLinear, sym("BTCUSDT"), 1000).value(),
            "category=linear&symbol=BTCUSDT&limit=1000");
  EXPECT_EQ(orderbook_query(BybitCategory::kLinear, sym("BTCUSDT"), 0).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(orderbook_query(BybitCategory::kLinear, sym("BTCUSDT"), 1001).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tickers_query(BybitCategory::kLinear, sym("BTCUSDT")), "category=linear&symbol=BTCUSDT");
  EXPECT_EQ(tickers_query(BybitCategory::kSpot, std::nullopt), "category=spot");
}

}  // namespace
}  // namespace kimp::venues::bybit
