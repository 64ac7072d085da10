// Functional tests of the emulated Upbit REST API: signed orders against the ledger, lookups, cancels,
// auth and parameter errors, rate limits, and one round trip over a loopback socket.
#include "sim/server/upbit_api.hpp"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "upbit_test_venue.hpp"

namespace kimp::sim {
namespace {

using testing::body_of;
using testing::dec;
using testing::remaining_req;
using testing::UpbitTestVenue;

std::string text(const boost::json::value& value, std::string_view key) {
  return std::string(value.as_object().at(key).as_string());
}

const boost::json::object* balance_row(const boost::json::value& accounts, std::string_view currency) {
  for (const auto& row : accounts.as_array()) {
    if (row.as_object().at("currency").as_string() == currency) {
      return &row.as_object();
    }
  }
  return nullptr;
}

class UpbitApiTest : public ::testing::Test {
 protected:
  [[nodiscard]] const OrderBook& btc_book() {
    return *venue_.exchange().market().book(Venue::kUpbit, "KRW-BTC");
  }

  UpbitTestVenue venue_;
};

TEST_F(UpbitApiTest, LimitIocBid_PartiallyFilled_MovesBalancesAsTheLedgerSays) {
  const BookLevel best_ask = btc_book().asks.front();
  const Decimal extra = dec("0.01");
  const Decimal volume = best_ask.quantity.add(extra).value();
  const auto placed = venue_.post_order({{"market", "KRW-BTC"},
                                         {"side", "bid"},
                                         {"volume", volume.to_string()},
                                         {"price", best_ask.price.to_string()},
                                         {"ord_type", "limit"},
                                         {"time_in_force", "ioc"},
                                         {"identifier", "ioc-1"}});
  ASSERT_EQ(placed.status, 201U) << placed.body;
  EXPECT_EQ(remaining_req(placed), "group=order; min=480; sec=7");
  const auto order = body_of(placed);
  // Only the best level sits at the limit price: it fills, the rest of the IOC is cancelled.
  const Decimal funds = best_ask.price.mul(best_ask.quantity).value();
  // Upbit's 0.05 % fee on the executed funds, to the nearest 10^-8 KRW (halves to even).
  const Decimal fee = funds.mul(dec("0.0005")).value();
  EXPECT_EQ(text(order, "state"), "cancel");
  EXPECT_EQ(text(order, "executed_volume"), best_ask.quantity.to_string());
  EXPECT_EQ(text(order, "remaining_volume"), extra.to_string());
  EXPECT_EQ(text(order, "executed_funds"), funds.to_string());
  EXPECT_EQ(text(order, "paid_fee"), fee.to_string());
  EXPECT_EQ(text(order, "locked"), "0");
  EXPECT_EQ(text(order, "identifier"), "ioc-1");
  EXPECT_EQ(text(order, "time_in_force"), "ioc");
  EXPECT_EQ(order.as_object().at("trades_count").as_int64(), 1);
  EXPECT_EQ(text(order, "created_at"), "2025-07-04T14:02:00+09:00");

  const auto accounts = venue_.signed_get("/v1/accounts");
  ASSERT_EQ(accounts.status, 200U) << accounts.body;
  const auto rows = body_of(accounts);
  const auto* krw = balance_row(rows, "KRW");
  const auto* btc = balance_row(rows, "BTC");
  ASSERT_NE(krw, nullptr);
  ASSERT_NE(btc, nullptr);
  const Decimal krw_left = dec("1000000000").sub(funds).value().sub(fee).value();
  EXPECT_EQ(krw->at("balance").as_string(), krw_left.to_string());
  EXPECT_EQ(krw->at("locked").as_string(), "0");
  EXPECT_EQ(btc->at("balance").as_string(), best_ask.quantity.to_string());
  EXPECT_EQ(btc->at("unit_currency").as_string(), "KRW");
  const auto ledger_balances = venue_.exchange().ledger().upbit_balances("alice").value();
  for (const auto& balance : ledger_balances) {
    const auto* row = balance_row(rows, balance.currency);
    ASSERT_NE(row, nullptr) << balance.currency;
    EXPECT_EQ(row->at("balance").as_string(), balance.balance.to_string());
    EXPECT_EQ(row->at("locked").as_string(), balance.locked.to_string());
  }

  const auto by_identifier = venue_.signed_get("/v1/order", "identifier=ioc-1");
  ASSERT_EQ(by_identifier.status, 200U) << by_identifier.body;
  const auto detail = body_of(by_identifier);
  EXPECT_EQ(text(detail, "uuid"), text(order, "uuid"));
  const auto& trades = detail.as_object().at("trades").as_array();
  ASSERT_EQ(trades.size(), 1U);
  EXPECT_EQ(text(trades[0], "price"), best_ask.price.to_string());
  EXPECT_EQ(text(trades[0], "volume"), best_ask.quantity.to_string());
  EXPECT_EQ(text(trades[0], "funds"), funds.to_string());
  EXPECT_EQ(text(trades[0], "trend"), "up");
  EXPECT_EQ(text(trades[0], "created_at"), "2025-07-04T14:02:00.000+09:00");
}

TEST_F(UpbitApiTest, TradeTicks_ListOurFillsInThatMarketNewestFirst) {
  const auto empty = venue_.get("/v1/trades/ticks", "market=KRW-BTC&count=5");
  ASSERT_EQ(empty.status, 200U) << empty.body;
  EXPECT_TRUE(body_of(empty).as_array().empty());
  const BookLevel best_ask = btc_book().asks.front();
  const auto placed = venue_.post_order({{"market", "KRW-BTC"},
                                         {"side", "bid"},
                                         {"volume", best_ask.quantity.to_string()},
                                         {"price", best_ask.price.to_string()},
                                         {"ord_type", "limit"},
                                         {"time_in_force", "ioc"}});
  ASSERT_EQ(placed.status, 201U) << placed.body;
  const auto ticks = venue_.get("/v1/trades/ticks", "market=KRW-BTC&count=5");
  ASSERT_EQ(ticks.status, 200U) << ticks.body;
  const auto tape = body_of(ticks);
  const auto& list = tape.as_array();
  ASSERT_EQ(list.size(), 1U) << ticks.body;
  EXPECT_NE(ticks.body.find("\"trade_price\":" + best_ask.price.to_string() + ","), std::string::npos)
      << ticks.body;
  EXPECT_NE(ticks.body.find("\"trade_volume\":" + best_ask.quantity.to_string() + ","), std::string::npos)
      << ticks.body;
  EXPECT_EQ(text(list[0], "ask_bid"), "BID");
  const auto other = venue_.get("/v1/trades/ticks", "market=KRW-ETH&count=5");
  EXPECT_TRUE(body_of(other).as_array().empty());
}

TEST_F(UpbitApiTest, ReusedIdentifier_IsRejectedAndTheFirstOrderStands) {
  const std::string price = btc_book().bids.back().price.to_string();
  const std::vector<std::pair<std::string, std::string>> order{
      {"market", "KRW-BTC"}, {"side", "bid"}, {"volume", "0.001"}, {"price", price}, {"identifier", "dup"}};
  ASSERT_EQ(venue_.post_order(order).status, 201U);
  const auto again = venue_.post_order(order);
  EXPECT_EQ(again.status, 400U);
  EXPECT_EQ(body_of(again).at("error").at("name").as_string(), "validation_error");
  EXPECT_EQ(venue_.exchange().ledger().upbit_open_orders("alice", "KRW-BTC").value().size(), 1U);
}

TEST_F(UpbitApiTest, RestingOrder_IsListedOpenThenCancelledAndListedClosed) {
  const std::string price = btc_book().bids.back().price.to_string();
  const auto placed =
      venue_.post_order({{"market", "KRW-BTC"}, {"side", "bid"}, {"volume", "0.001"}, {"price", price}});
  ASSERT_EQ(placed.status, 201U) << placed.body;
  const std::string uuid = text(body_of(placed), "uuid");
  EXPECT_EQ(text(body_of(placed), "state"), "wait");

  const auto open = body_of(venue_.signed_get("/v1/orders/open", "market=KRW-BTC&states[]=wait"));
  ASSERT_EQ(open.as_array().size(), 1U);
  EXPECT_EQ(text(open.as_array()[0], "uuid"), uuid);

  const auto cancelled = venue_.signed_request(HttpMethod::kDelete, "/v1/order", "uuid=" + uuid);
  ASSERT_EQ(cancelled.status, 200U) << cancelled.body;
  EXPECT_EQ(text(body_of(cancelled), "state"), "cancel");
  const auto accounts = body_of(venue_.signed_get("/v1/accounts"));
  const auto* krw = balance_row(accounts, "KRW");
  ASSERT_NE(krw, nullptr);
  EXPECT_EQ(krw->at("balance").as_string(), "1000000000");
  EXPECT_EQ(krw->at("locked").as_string(), "0");

  EXPECT_TRUE(body_of(venue_.signed_get("/v1/orders/open", "market=KRW-BTC")).as_array().empty());
  const auto closed =
      body_of(venue_.signed_get("/v1/orders/closed", "market=KRW-BTC&states[]=cancel&limit=10"));
  ASSERT_EQ(closed.as_array().size(), 1U);
  EXPECT_EQ(text(closed.as_array()[0], "uuid"), uuid);
  EXPECT_TRUE(body_of(venue_.signed_get("/v1/orders/closed", "states[]=done")).as_array().empty());

  const auto twice = venue_.signed_request(HttpMethod::kDelete, "/v1/order", "uuid=" + uuid);
  EXPECT_EQ(twice.status, 400U);
  EXPECT_EQ(body_of(twice).at("error").at("name").as_string(), "validation_error");
}

TEST_F(UpbitApiTest, UnknownOrder_Is404OrderNotFound) {
  const auto missing = venue_.signed_get("/v1/order", "uuid=no-such-order");
  EXPECT_EQ(missing.status, 404U);
  EXPECT_EQ(body_of(missing).at("error").at("name").as_string(), "order_not_found");
}

TEST_F(UpbitApiTest, InsufficientFunds_Is400WithTheLedgersName) {
  // Alice's whole 1,000,000,000 KRW, within max_total, but the fee on top is more than she holds.
  const auto refused = venue_.post_order(
      {{"market", "KRW-BTC"}, {"side", "bid"}, {"price", "1000000000"}, {"ord_type", "price"}});
  EXPECT_EQ(refused.status, 400U);
  EXPECT_EQ(body_of(refused).at("error").at("name").as_string(), "insufficient_funds_bid");
  const auto ask =
      venue_.post_order({{"market", "KRW-BTC"}, {"side", "ask"}, {"volume", "1"}, {"ord_type", "market"}});
  EXPECT_EQ(ask.status, 400U);
  EXPECT_EQ(body_of(ask).at("error").at("name").as_string(), "insufficient_funds_ask");
}

TEST_F(UpbitApiTest, BadParameters_AreValidationErrors) {
  const auto side =
      venue_.post_order({{"market", "KRW-BTC"}, {"side", "buy"}, {"volume", "1"}, {"price", "1"}});
  EXPECT_EQ(side.status, 400U);
  EXPECT_EQ(body_of(side).at("error").at("message").as_string(), "\"side\" does not have a valid value");
  const auto market =
      venue_.post_order({{"market", "KRW-NOPE"}, {"side", "bid"}, {"volume", "1"}, {"price", "1"}});
  EXPECT_EQ(body_of(market).at("error").at("name").as_string(), "validation_error");
  const auto chance = venue_.signed_get("/v1/orders/chance");
  EXPECT_EQ(chance.status, 400U);
  const auto limit = venue_.signed_get("/v1/orders/open", "limit=101");
  EXPECT_EQ(limit.status, 400U);
}

TEST_F(UpbitApiTest, BadJwt_Is401AndMissingToken_IsNoAuthorizationToken) {
  HttpRequest request;
  request.path = "/v1/accounts";
  request.headers.emplace_back("Authorization", "Bearer " + venue_.token("", "not-the-secret"));
  const auto forged = venue_.api().handle(request);
  EXPECT_EQ(forged.status, 401U);
  EXPECT_EQ(body_of(forged).at("error").at("name").as_string(), "jwt_verification");
  EXPECT_EQ(remaining_req(forged), "");

  request.headers.clear();
  const auto anonymous = venue_.api().handle(request);
  EXPECT_EQ(anonymous.status, 401U);
  EXPECT_EQ(body_of(anonymous).at("error").at("name").as_string(), "no_authorization_token");
}

TEST_F(UpbitApiTest, QuotationGroup_CountsDownThen429_AndRefillsAfterOneSecond) {
  for (int expected = 9; expected >= 0; --expected) {
    const auto answer = venue_.get("/v1/ticker", "markets=KRW-BTC");
    ASSERT_EQ(answer.status, 200U) << answer.body;
    EXPECT_EQ(remaining_req(answer), fmt::format("group=ticker; min=600; sec={}", expected));
  }
  const auto refused = venue_.get("/v1/ticker", "markets=KRW-BTC");
  EXPECT_EQ(refused.status, 429U);
  EXPECT_EQ(refused.body, R"({"error":{"name":"too_many_requests","message":"Too many API requests."}})");
  EXPECT_EQ(remaining_req(refused), "group=ticker; min=600; sec=0");
  // Groups are separate: the orderbook group still has its tokens.
  EXPECT_EQ(remaining_req(venue_.get("/v1/orderbook", "markets=KRW-BTC")), "group=orderbook; min=600; sec=9");

  ASSERT_TRUE(venue_.clock().advance_by(std::chrono::seconds(1)).has_value());
  const auto later = venue_.get("/v1/ticker", "markets=KRW-BTC");
  EXPECT_EQ(later.status, 200U);
  EXPECT_EQ(remaining_req(later), "group=ticker; min=600; sec=9");
}

TEST_F(UpbitApiTest, ExchangeDefaultGroup_IsPerAccountWith30PerSecond) {
  for (int expected = 29; expected >= 0; --expected) {
    EXPECT_EQ(remaining_req(venue_.signed_get("/v1/accounts")),
              fmt::format("group=default; min=1800; sec={}", expected));
  }
  const auto refused = venue_.signed_get("/v1/accounts");
  EXPECT_EQ(refused.status, 429U);
  EXPECT_EQ(body_of(refused).at("error").at("name").as_string(), "too_many_requests");
}

TEST_F(UpbitApiTest, QuotationErrors_UseNumericNames) {
  const auto missing = venue_.get("/v1/ticker");
  EXPECT_EQ(missing.status, 400U);
  EXPECT_EQ(
      missing.body,
      R"({"error":{"name":400,"message":"Missing request parameter error. Check the required parameters!"}})");
  const auto unknown = venue_.get("/v1/orderbook", "markets=KRW-BTC,KRW-NOPE");
  EXPECT_EQ(unknown.status, 404U);
  EXPECT_EQ(unknown.body, R"({"error":{"name":404,"message":"Code not found"}})");
  const auto unit = venue_.get("/v1/candles/minutes/7", "market=KRW-BTC");
  EXPECT_EQ(unit.status, 400U);
  const auto count = venue_.get("/v1/candles/minutes/1", "market=KRW-BTC&count=201");
  EXPECT_EQ(count.status, 400U);
  EXPECT_EQ(venue_.get("/v1/nothing").status, 404U);
}

TEST_F(UpbitApiTest, Orderbook_ShowsTheModelsBookExactly) {
  const auto answer = venue_.get("/v1/orderbook", "markets=KRW-BTC&count=5");
  ASSERT_EQ(answer.status, 200U);
  const auto body = body_of(answer);
  const auto& entry = body.as_array().at(0).as_object();
  const auto& units = entry.at("orderbook_units").as_array();
  ASSERT_EQ(units.size(), 5U);
  const OrderBook& book = btc_book();
  Decimal total_ask;
  for (std::size_t i = 0; i < units.size(); ++i) {
    total_ask = total_ask.add(book.asks[i].quantity).value();
  }
  // Exact numbers in the text: the best ask's price and the summed ask size, digit for digit.
  EXPECT_NE(answer.body.find(R"("ask_price":)" + book.asks[0].price.to_string() + ","), std::string::npos);
  EXPECT_NE(answer.body.find(R"("total_ask_size":)" + total_ask.to_string() + ","), std::string::npos);
  EXPECT_EQ(entry.at("level").to_number<double>(), 0.0);
}

TEST_F(UpbitApiTest, MinuteCandles_AggregateTheModelsMinutesNewestFirst) {
  const auto answer = venue_.get("/v1/candles/minutes/1", "market=KRW-BTC&count=2");
  ASSERT_EQ(answer.status, 200U) << answer.body;
  const auto candles = body_of(answer).as_array();
  const auto model = venue_.exchange().market().candles(Venue::kUpbit, "KRW-BTC", 2).value();
  ASSERT_EQ(candles.size(), model.size());
  ASSERT_EQ(model.size(), 2U);
  // Two minutes after 05:00 UTC the newest candle is the 05:02 minute, in progress.
  EXPECT_EQ(text(candles[0], "candle_date_time_utc"), "2025-07-04T05:02:00");
  EXPECT_EQ(text(candles[1], "candle_date_time_kst"), "2025-07-04T14:01:00");
  EXPECT_EQ(candles[0].as_object().at("unit").as_int64(), 1);
  EXPECT_NE(answer.body.find(R"("trade_price":)" + model[1].close.to_string() + ","), std::string::npos);

  const auto five = venue_.get("/v1/candles/minutes/5", "market=KRW-BTC&count=200");
  const auto all = venue_.exchange().market().candles(Venue::kUpbit, "KRW-BTC", 1'000).value();
  const auto merged = body_of(five).as_array();
  ASSERT_EQ(merged.size(), 1U);
  EXPECT_EQ(text(merged[0], "candle_date_time_utc"), "2025-07-04T05:00:00");
  EXPECT_NE(five.body.find(R"("opening_price":)" + all.front().open.to_string() + ","), std::string::npos);
  EXPECT_NE(five.body.find(R"("trade_price":)" + all.back().close.to_string() + ","), std::string::npos);
  EXPECT_TRUE(body_of(venue_.get("/v1/candles/minutes/5", "market=KRW-BTC&to=2025-07-04T05:00:00Z"))
                  .as_array()
                  .empty());
}

TEST_F(UpbitApiTest, LoopbackSocket_ServesTickerWithRemainingReq) {
  boost::asio::io_context io;
  UpbitApi& api = venue_.api();
  auto server = HttpServer::start(io, "127.0.0.1", 0, [&api](const HttpRequest& r) { return api.handle(r); });
  ASSERT_TRUE(server.has_value()) << server.error();
  std::thread thread([&io] { io.run(); });

  boost::asio::io_context client_io;
  boost::asio::ip::tcp::socket socket(client_io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->port()});
  boost::asio::write(socket,
                     boost::asio::buffer(std::string(
                         "GET /v1/ticker?markets=KRW-BTC HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  std::string reply;
  boost::system::error_code error;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), error);
  boost::asio::post(io, [&server] { (*server)->stop(); });
  thread.join();

  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find("Remaining-Req: group=ticker; min=600; sec=9\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("market":"KRW-BTC")"), std::string::npos) << reply;
}

TEST_F(UpbitApiTest, QueryHashWithOrderInTheBody_Is401AndPlacesNothing) {
  const std::string price = btc_book().bids.back().price.to_string();
  const std::string body = boost::json::serialize(boost::json::object{
      {"market", "KRW-BTC"}, {"side", "bid"}, {"volume", "0.001"}, {"price", price}, {"ord_type", "limit"}});
  // The token hashes only the query; the order parameters ride in the body it does not cover.
  const auto refused = venue_.signed_request(HttpMethod::kPost, "/v1/orders", "foo=bar", body, "foo=bar");
  EXPECT_EQ(refused.status, 401U);
  EXPECT_EQ(body_of(refused).at("error").at("name").as_string(), "invalid_query_payload");
  EXPECT_TRUE(venue_.exchange().ledger().upbit_open_orders("alice", "").value().empty());
  EXPECT_TRUE(venue_.exchange().ledger().upbit_closed_orders("alice", "").value().empty());
}

TEST_F(UpbitApiTest, TotalsBeyondDecimalOrMaxTotal_Are400ValidationError) {
  const auto krw_before = venue_.exchange().ledger().upbit_balances("alice").value();
  const std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, std::string>> cases{
      {{{"market", "KRW-BTC"}, {"side", "ask"}, {"volume", "92233720368"}, {"ord_type", "market"}}, "volume"},
      {{{"market", "KRW-BTC"}, {"side", "bid"}, {"price", "92233720368"}, {"ord_type", "price"}}, "price"},
      // One won over orders/chance's max_total: refused as such, not as a lack of funds.
      {{{"market", "KRW-BTC"}, {"side", "bid"}, {"price", "1000000001"}, {"ord_type", "price"}}, "price"},
  };
  for (const auto& [members, field] : cases) {
    const auto refused = venue_.post_order(members);
    EXPECT_EQ(refused.status, 400U) << refused.body;
    EXPECT_EQ(
        refused.body,
        fmt::format(
            R"({{"error":{{"name":"validation_error","message":"\"{}\" does not have a valid value"}}}})",
            field));
  }
  const auto krw_after = venue_.exchange().ledger().upbit_balances("alice").value();
  ASSERT_EQ(krw_after.size(), krw_before.size());
  for (std::size_t i = 0; i < krw_after.size(); ++i) {
    EXPECT_EQ(krw_after[i].balance, krw_before[i].balance) << krw_after[i].currency;
    EXPECT_EQ(krw_after[i].locked, krw_before[i].locked) << krw_after[i].currency;
  }
}

TEST_F(UpbitApiTest, NullTimeInForceAndPrice_AreTreatedAsAbsent) {
  const std::string price = btc_book().bids.back().price.to_string();
  const std::string body = R"({"market":"KRW-BTC","side":"bid","volume":"0.001","price":")" + price +
                           R"(","ord_type":"limit","time_in_force":null})";
  const auto placed = venue_.signed_request(
      HttpMethod::kPost, "/v1/orders", "", body,
      "market=KRW-BTC&side=bid&volume=0.001&price=" + price + "&ord_type=limit&time_in_force=null");
  ASSERT_EQ(placed.status, 201U) << placed.body;
  const auto order = body_of(placed);
  EXPECT_EQ(text(order, "state"), "wait");
  EXPECT_FALSE(order.as_object().contains("time_in_force"));

  const std::string market_body = R"({"market":"KRW-BTC","side":"ask","volume":"0.001","price":null,)"
                                  R"("ord_type":"market"})";
  const auto ask = venue_.signed_request(HttpMethod::kPost, "/v1/orders", "", market_body,
                                         "market=KRW-BTC&side=ask&volume=0.001&price=null&ord_type=market");
  // Accepted as a market ask (price absent); alice holds no BTC, so the ledger refuses it for funds.
  EXPECT_EQ(ask.status, 400U);
  EXPECT_EQ(body_of(ask).at("error").at("name").as_string(), "insufficient_funds_ask");
}

}  // namespace
}  // namespace kimp::sim
