// The adapter's pure parts against the in-process Upbit emulator: built requests, signed with
// UpbitCredential, answered by the emulator and read back with the REST parsers.
#include <algorithm>

#include <gtest/gtest.h>

#include "sim/upbit_test_venue.hpp"
#include "venues/upbit/credential.hpp"
#include "venues/upbit/error.hpp"
#include "venues/upbit/parse_rest.hpp"
#include "venues/upbit/requests.hpp"

namespace kimp::venues::upbit {
namespace {

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();

class UpbitEmulatorRoundTrip : public ::testing::Test {
 protected:
  // `request` sent as a client would: the JWT over its signed text, the body as JSON.
  sim::HttpResponse send(const UpbitRequest& request) {
    sim::HttpRequest http;
    switch (request.method) {
      case UpbitMethod::kGet: http.method = sim::HttpMethod::kGet; break;
      case UpbitMethod::kPost: http.method = sim::HttpMethod::kPost; break;
      case UpbitMethod::kDelete: http.method = sim::HttpMethod::kDelete; break;
    }
    http.path = request.path;
    http.query = request.query;
    http.body = request.body;
    if (request.requires_auth) {
      http.headers.emplace_back("Authorization", credential_.authorization(request.signed_text).value());
    }
    if (!request.body.empty()) {
      http.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    }
    return venue_.api().handle(http);
  }

  static std::string remaining_req(const sim::HttpResponse& response) {
    return sim::testing::remaining_req(response);
  }

  // The emulator's best ask of KRW-BTC, as price and quantity.
  std::pair<Decimal, Decimal> best_ask() {
    const auto& level = venue_.exchange().market().book(sim::Venue::kUpbit, "KRW-BTC")->asks.front();
    return {level.price, level.quantity};
  }

  sim::testing::UpbitTestVenue venue_;
  UpbitCredential credential_{std::string(sim::testing::kAccessKey), std::string(sim::testing::kSecretKey),
                              3};
};

TEST_F(UpbitEmulatorRoundTrip, Accounts_GiveTheFundedKrwBalance) {
  const auto response = send(accounts_request());
  const auto balances = parse_accounts(response.status, response.body);
  ASSERT_TRUE(balances.has_value()) << balances.error() << " " << response.body;
  ASSERT_EQ(balances->size(), 1U) << response.body;
  EXPECT_EQ((*balances)[0].currency, "KRW");
  EXPECT_EQ((*balances)[0].available, Decimal::parse("1000000000").value());
  EXPECT_EQ((*balances)[0].total, Decimal::parse("1000000000").value());
  EXPECT_EQ(parse_remaining_req(remaining_req(response)).value().group, "default");
}

TEST_F(UpbitEmulatorRoundTrip, OrderChance_GivesFeesAndMinimums) {
  const auto response = send(order_chance_request(krw_btc).value());
  const auto chance = parse_order_chance(response.status, response.body);
  ASSERT_TRUE(chance.has_value()) << chance.error() << " " << response.body;
  EXPECT_EQ(chance->market, krw_btc);
  EXPECT_EQ(chance->bid_fee, Decimal::parse("0.0005").value());
  EXPECT_EQ(chance->bid_min_total, Decimal::parse("5000").value());
  EXPECT_EQ(chance->bid_account.currency, "KRW");
  EXPECT_EQ(chance->ask_account.currency, "BTC");
}

TEST_F(UpbitEmulatorRoundTrip, LimitIocBuy_FillsTheBestAskAndIsFoundByIdentifier) {
  const auto [price, quantity] = best_ask();
  const Decimal volume = quantity.add(Decimal::parse("0.01").value()).value();
  const auto placed =
      send(limit_order_request(krw_btc, model::Side::kBuy, price, volume, model::TimeInForce::kIoc, "BTC_1_1")
               .value());
  const auto report = parse_order(placed.status, placed.body);
  ASSERT_TRUE(report.has_value()) << report.error() << " " << placed.body;
  EXPECT_EQ(report->client_order_id, "BTC_1_1");
  EXPECT_EQ(report->type, model::OrderType::kLimit);
  EXPECT_EQ(report->time_in_force, model::TimeInForce::kIoc);
  EXPECT_EQ(report->status, model::OrderStatus::kCancelled);  // the unfilled rest of the IOC expired
  EXPECT_EQ(report->price, price);
  EXPECT_EQ(report->qty, volume);
  EXPECT_EQ(report->filled_qty, quantity);
  EXPECT_EQ(report->avg_fill_price, price);
  const Decimal fee = price.mul(quantity).value().mul(Decimal::parse("0.0005").value()).value();
  EXPECT_EQ(report->fee_paid, fee);
  EXPECT_EQ(parse_remaining_req(remaining_req(placed)).value(), (UpbitRemainingReq{"order", 7}));

  const auto looked_up = send(get_order_request({"", "BTC_1_1"}).value());
  const auto found = parse_order(looked_up.status, looked_up.body);
  ASSERT_TRUE(found.has_value()) << found.error() << " " << looked_up.body;
  EXPECT_EQ(found->venue_order_id, report->venue_order_id);
  EXPECT_EQ(found->filled_qty, quantity);
  EXPECT_EQ(found->avg_fill_price, price);
}

TEST_F(UpbitEmulatorRoundTrip, RestingLimitCancelledByUuid) {
  const auto [price, quantity] = best_ask();
  const Decimal low = price.div(Decimal::from_integer(2).value())
                          .value()
                          .round_to_step(Decimal::from_integer(1000).value(), RoundingMode::kDown)
                          .value();
  const auto placed =
      send(limit_order_request(krw_btc, model::Side::kBuy, low, Decimal::parse("0.001").value(),
                               model::TimeInForce::kGtc, "BTC_1_2")
               .value());
  const auto resting = parse_order(placed.status, placed.body);
  ASSERT_TRUE(resting.has_value()) << resting.error() << " " << placed.body;
  EXPECT_EQ(resting->status, model::OrderStatus::kNew);

  const auto cancelled = send(cancel_order_request({resting->venue_order_id, ""}).value());
  const auto answer = parse_order(cancelled.status, cancelled.body);
  ASSERT_TRUE(answer.has_value()) << answer.error() << " " << cancelled.body;
  EXPECT_EQ(answer->venue_order_id, resting->venue_order_id);
  EXPECT_EQ(answer->filled_qty, Decimal());
}

TEST_F(UpbitEmulatorRoundTrip, KrwAmountMarketBuy_SpendsAtMostTheAmount) {
  const Decimal amount = Decimal::parse("100000").value();
  const auto placed = send(market_buy_request(krw_btc, amount, "BTC_1_3").value());
  const auto report = parse_order(placed.status, placed.body);
  ASSERT_TRUE(report.has_value()) << report.error() << " " << placed.body;
  EXPECT_EQ(report->type, model::OrderType::kMarketKrw);
  EXPECT_EQ(report->quote_amount, amount);
  EXPECT_TRUE(report->filled_qty.is_positive());
  EXPECT_TRUE(model::is_terminal(report->status));
}

TEST_F(UpbitEmulatorRoundTrip, MarketSellWithoutCoins_RefusedAsInsufficientFunds) {
  const auto placed = send(market_sell_request(krw_btc, Decimal::parse("1").value(), "BTC_1_4").value());
  const auto report = parse_order(placed.status, placed.body);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kFailedPrecondition) << report.error();
  EXPECT_EQ(report.error().venue_code, "insufficient_funds_ask");
}

TEST_F(UpbitEmulatorRoundTrip, UnknownOrder_RefusedAsOrderNotFound) {
  const auto looked_up = send(get_order_request({"", "never-placed"}).value());
  const auto report = parse_order(looked_up.status, looked_up.body);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(report.error().venue_code, "order_not_found");
}

TEST_F(UpbitEmulatorRoundTrip, OrderbookAndMarketList_Parse) {
  const model::Symbol markets[] = {krw_btc, model::Symbol::create("KRW-USDT").value()};
  const auto books = send(orderbook_request(markets).value());
  const auto snapshots = parse_orderbook(books.status, books.body);
  ASSERT_TRUE(snapshots.has_value()) << snapshots.error() << " " << books.body.substr(0, 300);
  ASSERT_EQ(snapshots->books.size(), 2U);
  const auto [price, quantity] = best_ask();
  ASSERT_FALSE(snapshots->books[0].asks.empty());
  EXPECT_EQ(snapshots->books[0].asks[0], (model::BookLevel{price, quantity}));

  const auto all = send(market_all_request());
  const auto listed = parse_markets(all.status, all.body);
  ASSERT_TRUE(listed.has_value()) << listed.error() << " " << all.body.substr(0, 300);
  EXPECT_TRUE(std::any_of(listed->begin(), listed->end(),
                          [](const UpbitMarket& market) { return market.market == krw_btc; }));
}

}  // namespace
}  // namespace kimp::venues::upbit
