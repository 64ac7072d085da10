// Tests of Upbit request builders: the exact query strings and JSON bodies sent and signed.
#include "venues/upbit/requests.hpp"

#include <gtest/gtest.h>

namespace kimp::venues::upbit {
namespace {

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();
const model::Symbol krw_eth = model::Symbol::create("KRW-ETH").value();

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

TEST(UpbitRequests, Accounts_SignedGetWithoutParameters) {
  EXPECT_EQ(accounts_request(), (UpbitRequest{UpbitMethod::kGet, "/v1/accounts", "", "", "", true}));
}

TEST(UpbitRequests, OrderChance_QueryIsWhatIsSigned) {
  EXPECT_EQ(
      order_chance_request(krw_btc).value(),
      (UpbitRequest{UpbitMethod::kGet, "/v1/orders/chance", "market=KRW-BTC", "", "market=KRW-BTC", true}));
}

TEST(UpbitRequests, LimitIoc_BodyAndSignedQueryInOneOrder) {
  const auto request = limit_order_request(krw_btc, model::Side::kSell, dec("150389000"), dec("0.01"),
                                           model::TimeInForce::kIoc, "BTC_1700000000123_7")
                           .value();
  EXPECT_EQ(request.method, UpbitMethod::kPost);
  EXPECT_EQ(request.path, "/v1/orders");
  EXPECT_EQ(request.query, "");
  EXPECT_EQ(request.body,
            R"({"market":"KRW-BTC","side":"ask","volume":"0.01","price":"150389000","ord_type":"limit",)"
            R"("time_in_force":"ioc","identifier":"BTC_1700000000123_7"})");
  EXPECT_EQ(request.signed_text,
            "market=KRW-BTC&side=ask&volume=0.01&price=150389000&ord_type=limit&time_in_force=ioc&"
            "identifier=BTC_1700000000123_7");
}

TEST(UpbitRequests, LimitGtcAndFok_TimeInForceAsGiven) {
  EXPECT_EQ(limit_order_request(krw_btc, model::Side::kBuy, dec("1"), dec("2"), model::TimeInForce::kGtc, "a")
                .value()
                .signed_text,
            "market=KRW-BTC&side=bid&volume=2&price=1&ord_type=limit&identifier=a");
  EXPECT_EQ(limit_order_request(krw_btc, model::Side::kBuy, dec("1"), dec("2"), model::TimeInForce::kFok, "a")
                .value()
                .signed_text,
            "market=KRW-BTC&side=bid&volume=2&price=1&ord_type=limit&time_in_force=fok&identifier=a");
}

TEST(UpbitRequests, MarketBuyByKrwAmount_PriceOrder) {
  const auto request = market_buy_request(krw_eth, dec("10000.5"), "ETH_1_1").value();
  EXPECT_EQ(
      request.body,
      R"({"market":"KRW-ETH","side":"bid","price":"10000.5","ord_type":"price","identifier":"ETH_1_1"})");
  EXPECT_EQ(request.signed_text, "market=KRW-ETH&side=bid&price=10000.5&ord_type=price&identifier=ETH_1_1");
}

TEST(UpbitRequests, MarketSellByVolume_MarketOrder) {
  const auto request = market_sell_request(krw_eth, dec("0.00000001"), "ETH_1_2").value();
  EXPECT_EQ(
      request.body,
      R"({"market":"KRW-ETH","side":"ask","volume":"0.00000001","ord_type":"market","identifier":"ETH_1_2"})");
}

TEST(UpbitRequests, GetAndCancel_ByUuidPreferredElseIdentifier) {
  EXPECT_EQ(get_order_request({"abc-1", "id-1"}).value(),
            (UpbitRequest{UpbitMethod::kGet, "/v1/order", "uuid=abc-1", "", "uuid=abc-1", true}));
  EXPECT_EQ(
      cancel_order_request({"", "id-1"}).value(),
      (UpbitRequest{UpbitMethod::kDelete, "/v1/order", "identifier=id-1", "", "identifier=id-1", true}));
  EXPECT_EQ(get_order_request({}).error().code, ErrorCode::kInvalidArgument);
}

TEST(UpbitRequests, OrderbookAndTicker_PublicWithCommaSeparatedMarkets) {
  const model::Symbol markets[] = {krw_btc, krw_eth};
  EXPECT_EQ(orderbook_request(markets).value(),
            (UpbitRequest{UpbitMethod::kGet, "/v1/orderbook", "markets=KRW-BTC,KRW-ETH", "", "", false}));
  EXPECT_EQ(ticker_request(markets).value(),
            (UpbitRequest{UpbitMethod::kGet, "/v1/ticker", "markets=KRW-BTC,KRW-ETH", "", "", false}));
  EXPECT_EQ(ticker_request({}).error().code, ErrorCode::kInvalidArgument);
}

TEST(UpbitRequests, MarketAll_AsksForDetails) {
  EXPECT_EQ(market_all_request(),
            (UpbitRequest{UpbitMethod::kGet, "/v1/market/all", "is_details=true", "", "", false}));
}

TEST(UpbitRequests, NonPositiveAmounts_Refused) {
  EXPECT_EQ(
      limit_order_request(krw_btc, model::Side::kBuy, Decimal(), dec("1"), model::TimeInForce::kIoc, "a")
          .error()
          .code,
      ErrorCode::kInvalidArgument);
  EXPECT_FALSE(
      limit_order_request(krw_btc, model::Side::kBuy, dec("1"), dec("-1"), model::TimeInForce::kIoc, "a")
          .has_value());
  EXPECT_FALSE(market_buy_request(krw_btc, Decimal(), "a").has_value());
  EXPECT_FALSE(market_sell_request(krw_btc, dec("-0.1"), "a").has_value());
}

TEST(UpbitRequests, IdentifierNeedingEncoding_RefusedQuotingIt) {
  const auto request = market_buy_request(krw_btc, dec("5000"), "a b&c");
  ASSERT_FALSE(request.has_value());
  EXPECT_EQ(request.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(request.error().message.find(R"("a b&c")"), std::string::npos) << request.error().message;
  EXPECT_FALSE(market_buy_request(krw_btc, dec("5000"), "").has_value());
}

TEST(UpbitParams, ListParameter_BracketsInQueryArrayInJson) {
  UpbitParams params;
  ASSERT_TRUE(params.add("market", "KRW-BTC").has_value());
  const std::string states[] = {"wait", "watch"};
  ASSERT_TRUE(params.add_list("states[]", states).has_value());
  EXPECT_EQ(params.query_string(), "market=KRW-BTC&states[]=wait&states[]=watch");
  EXPECT_EQ(params.json_body(), R"({"market":"KRW-BTC","states":["wait","watch"]})");
}

TEST(UpbitParams, BadKeysAndEmptyLists_Refused) {
  UpbitParams params;
  EXPECT_FALSE(params.add("", "x").has_value());
  EXPECT_FALSE(params.add("a=b", "x").has_value());
  EXPECT_FALSE(params.add_list("uuids", {}).has_value());
  const std::string bad[] = {"ok", "no\"quote"};
  EXPECT_FALSE(params.add_list("uuids", bad).has_value());
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(params.json_body(), "{}");
}

}  // namespace
}  // namespace kimp::venues::upbit
