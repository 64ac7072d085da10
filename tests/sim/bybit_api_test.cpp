// Functional tests of the emulated Bybit v5 REST API: orders against the ledger, auth, errors, rate limits.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bybit_api_harness.hpp"
#include "sim/server/http_server.hpp"

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;

using BybitApiTest = BybitApiHarness;

std::string text(const json::value& value) {
  return std::string(value.as_string());
}

Decimal dec(const json::value& value) {
  return *Decimal::parse(value.as_string());
}

std::string header(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

TEST_F(BybitApiTest, MarketSell_OpensShortWithLedgerFeeAndAvgPrice_VisibleInPositionsAndWallet) {
  const auto& top = book("BTCUSDT").bids.front();
  const Decimal qty = Decimal::from_units(100'000);  // 0.001 BTC, the minimum: filled at the best bid alone
  ASSERT_GE(top.quantity, qty);
  const Decimal value = *top.price.mul(qty);
  const Decimal fee = *value.mul(Decimal::from_units(55'000));  // 0.055 % taker

  const auto placed = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.001","orderLinkId":"k-1"})"));
  ASSERT_EQ(placed.at("retCode").as_int64(), 0) << last_.body;
  EXPECT_EQ(text(placed.at("result").at("orderLinkId")), "k-1");
  const std::string order_id = text(placed.at("result").at("orderId"));

  const auto history = call(signed_get("/v5/order/history", "category=linear&orderLinkId=k-1"));
  const auto& order = history.at("result").at("list").at(0);
  EXPECT_EQ(text(order.at("orderId")), order_id);
  EXPECT_EQ(text(order.at("orderStatus")), "Filled");
  EXPECT_EQ(dec(order.at("avgPrice")), top.price);
  EXPECT_EQ(dec(order.at("cumExecQty")), qty);
  EXPECT_EQ(dec(order.at("cumExecFee")), fee);

  const auto fills = call(signed_get("/v5/execution/list", "category=linear&symbol=BTCUSDT"));
  const auto& fill = fills.at("result").at("list").at(0);
  EXPECT_EQ(text(fill.at("orderId")), order_id);
  EXPECT_EQ(dec(fill.at("execPrice")), top.price);
  EXPECT_EQ(dec(fill.at("execFee")), fee);
  EXPECT_EQ(text(fill.at("side")), "Sell");

  const auto positions = call(signed_get("/v5/position/list", "category=linear&symbol=BTCUSDT"));
  const auto& position = positions.at("result").at("list").at(0);
  EXPECT_EQ(text(position.at("side")), "Sell");
  EXPECT_EQ(dec(position.at("size")), qty);
  EXPECT_EQ(dec(position.at("avgPrice")), top.price);
  EXPECT_EQ(dec(position.at("positionValue")), value);

  const auto wallet = call(signed_get("/v5/account/wallet-balance", "accountType=UNIFIED"));
  const auto& coin = wallet.at("result").at("list").at(0).at("coin").at(0);
  EXPECT_EQ(text(coin.at("coin")), "USDT");
  EXPECT_EQ(dec(coin.at("walletBalance")), *Decimal::from_units(10'000 * Decimal::kUnitsPerOne).sub(fee));
  EXPECT_EQ(text(coin.at("availableToWithdraw")), "");
  const auto ledger_wallet = exchange_->ledger().usdt_wallet(std::string(kAccount));
  ASSERT_TRUE(ledger_wallet.has_value());
  EXPECT_EQ(dec(coin.at("equity")), ledger_wallet->equity);
  EXPECT_EQ(dec(coin.at("totalPositionIM")), ledger_wallet->total_position_im);
}

TEST_F(BybitApiTest, FundingHistory_ListsEachSettlementNewestFirstWithItsRateAndHour) {
  const auto before = call(unsigned_get("/v5/market/funding/history", "category=linear&symbol=BTCUSDT"));
  EXPECT_TRUE(before.at("result").at("list").as_array().empty());
  const auto announced = exchange_->market().funding("BTCUSDT").value();
  ASSERT_TRUE(clock_.advance_by(std::chrono::minutes(54)).has_value());
  const auto after =
      call(unsigned_get("/v5/market/funding/history", "category=linear&symbol=BTCUSDT&limit=5"));
  const auto& list = after.at("result").at("list").as_array();
  ASSERT_EQ(list.size(), 1U) << last_.body;
  EXPECT_EQ(list[0].at("symbol").as_string(), "BTCUSDT");
  EXPECT_EQ(list[0].at("fundingRate").as_string(), announced.funding_rate.to_string());
  EXPECT_EQ(list[0].at("fundingRateTimestamp").as_string(), std::to_string(announced.next_funding_time.ms()));
  const auto unknown = call(unsigned_get("/v5/market/funding/history", "category=linear&symbol=NOPEUSDT"));
  EXPECT_EQ(unknown.at("retCode").as_int64(), 10001);
}

TEST_F(BybitApiTest, DuplicateOrderLinkId_Refused110072) {
  const std::string body =
      R"({"category":"linear","symbol":"ETHUSDT","side":"Buy","orderType":"Market","qty":"0.01","orderLinkId":"dup"})";
  ASSERT_EQ(call(signed_post("/v5/order/create", body)).at("retCode").as_int64(), 0) << last_.body;
  const auto second = call(signed_post("/v5/order/create", body));
  EXPECT_EQ(second.at("retCode").as_int64(), 110072);
  EXPECT_EQ(text(second.at("retMsg")), "OrderLinkedID is duplicate");
}

TEST_F(BybitApiTest, OrderBeyondBalance_Refused110007AndWalletUnchanged) {
  const auto answer = call(
      signed_post("/v5/order/create",
                  R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"5"})"));
  EXPECT_EQ(answer.at("retCode").as_int64(), 110007) << last_.body;
  const auto wallet = exchange_->ledger().usdt_wallet(std::string(kAccount));
  ASSERT_TRUE(wallet.has_value());
  EXPECT_EQ(wallet->wallet_balance, Decimal::from_units(10'000 * Decimal::kUnitsPerOne));
}

TEST_F(BybitApiTest, RestingLimitOrder_ListedThenCancelled) {
  const Decimal price = book("BTCUSDT").bids.back().price;
  const auto placed = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":")" +
          price.to_string() + R"(","timeInForce":"GTC","orderLinkId":"rest-1"})"));
  ASSERT_EQ(placed.at("retCode").as_int64(), 0) << last_.body;
  const auto open = call(signed_get("/v5/order/realtime", "category=linear&symbol=BTCUSDT"));
  const auto& listed = open.at("result").at("list").at(0);
  EXPECT_EQ(text(listed.at("orderLinkId")), "rest-1");
  EXPECT_EQ(text(listed.at("orderStatus")), "New");
  EXPECT_EQ(dec(listed.at("price")), price);

  const auto cancelled = call(
      signed_post("/v5/order/cancel", R"({"category":"linear","symbol":"BTCUSDT","orderLinkId":"rest-1"})"));
  EXPECT_EQ(cancelled.at("retCode").as_int64(), 0) << last_.body;
  EXPECT_EQ(text(cancelled.at("result").at("orderLinkId")), "rest-1");
  EXPECT_TRUE(
      call(signed_get("/v5/order/realtime", "category=linear")).at("result").at("list").as_array().empty());
  const auto again = call(
      signed_post("/v5/order/cancel", R"({"category":"linear","symbol":"BTCUSDT","orderLinkId":"rest-1"})"));
  EXPECT_EQ(again.at("retCode").as_int64(), 110001);
}

TEST_F(BybitApiTest, StaleTimestamp_Refused10002) {
  auto request = unsigned_get("/v5/account/wallet-balance", "accountType=UNIFIED");
  const std::string stale = std::to_string(exchange_->now().ms() - 10'000);
  add_auth(request, stale, sign(stale, request.query));
  const auto answer = call(request);
  EXPECT_EQ(answer.at("retCode").as_int64(), 10002);
}

TEST_F(BybitApiTest, BadSign_Refused10004) {
  auto request = unsigned_get("/v5/account/wallet-balance", "accountType=UNIFIED");
  add_auth(request, now_ms(), sign(now_ms(), request.query, "another-secret"));
  const auto answer = call(request);
  EXPECT_EQ(answer.at("retCode").as_int64(), 10004);
  EXPECT_EQ(text(answer.at("retMsg")).rfind("error sign!", 0), 0U) << last_.body;
}

TEST_F(BybitApiTest, MissingAuthHeaders_Http401) {
  const auto answer = call(unsigned_get("/v5/position/list", "category=linear&symbol=BTCUSDT"), 401);
  EXPECT_NE(answer.at("retCode").as_int64(), 0);
}

TEST_F(BybitApiTest, PrivateBudgetSpent_Refused10006WithLimitHeaders_ThenRefilledAfterOneSecond) {
  const std::int32_t limit = exchange_->config().rate_limits.bybit_private;
  for (std::int32_t i = 0; i < limit; ++i) {
    ASSERT_EQ(call(signed_get("/v5/account/fee-rate", "category=linear")).at("retCode").as_int64(), 0);
    EXPECT_EQ(header(last_, "X-Bapi-Limit"), std::to_string(limit));
    EXPECT_EQ(header(last_, "X-Bapi-Limit-Status"), std::to_string(limit - i - 1));
  }
  const auto refused = call(signed_get("/v5/account/fee-rate", "category=linear"));
  EXPECT_EQ(refused.at("retCode").as_int64(), 10006);
  EXPECT_EQ(text(refused.at("retMsg")), "Too many visits!");
  EXPECT_EQ(header(last_, "X-Bapi-Limit-Status"), "0");
  EXPECT_EQ(header(last_, "X-Bapi-Limit-Reset-Timestamp"), std::to_string(exchange_->now().ms() + 1'000));
  // Another endpoint has its own budget.
  EXPECT_EQ(call(signed_get("/v5/position/list", "category=linear&settleCoin=USDT")).at("retCode").as_int64(),
            0);

  ASSERT_TRUE(clock_.advance_by(std::chrono::seconds(1)).has_value());
  EXPECT_EQ(call(signed_get("/v5/account/fee-rate", "category=linear")).at("retCode").as_int64(), 0);
  EXPECT_EQ(header(last_, "X-Bapi-Limit-Status"), std::to_string(limit - 1));
}

TEST_F(BybitApiTest, BadParameters_Refused10001WithBybitText) {
  const auto spot = call(unsigned_get("/v5/market/orderbook", "category=spot&symbol=BTCUSDT"));
  EXPECT_EQ(spot.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(spot.at("retMsg")), "Illegal category");
  const auto limit = call(unsigned_get("/v5/market/orderbook", "category=linear&symbol=BTCUSDT&limit=501"));
  EXPECT_EQ(limit.at("retCode").as_int64(), 10001);
  const auto side = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"BTCUSDT","side":"Long","orderType":"Market","qty":"0.001"})"));
  EXPECT_EQ(side.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(side.at("retMsg")), "params error: side invalid");
}

TEST_F(BybitApiTest, UnknownPath_Http404Route) {
  const auto answer = call(unsigned_get("/v5/market/nothing", ""), 404);
  EXPECT_EQ(answer.at("retCode").as_int64(), 10017);
  EXPECT_EQ(text(answer.at("retMsg")), "Route not found.");
}

TEST_F(BybitApiTest, Orderbook_TopLevelsOfTheModelsBook) {
  const auto answer = call(unsigned_get("/v5/market/orderbook", "category=linear&symbol=ETHUSDT&limit=5"));
  const auto& result = answer.at("result");
  const auto& expected = book("ETHUSDT");
  ASSERT_EQ(result.at("a").as_array().size(), 5U);
  ASSERT_EQ(result.at("b").as_array().size(), 5U);
  EXPECT_EQ(dec(result.at("a").at(0).at(0)), expected.asks.front().price);
  EXPECT_EQ(dec(result.at("b").at(4).at(1)), expected.bids[4].quantity);
  EXPECT_EQ(result.at("u").to_number<std::uint64_t>(), expected.update_id);
}

TEST_F(BybitApiTest, Tickers_ReportTheModelsTickerFundingAndTopOfBook) {
  ASSERT_TRUE(clock_.advance_by(std::chrono::minutes(5)).has_value());
  const auto answer = call(unsigned_get("/v5/market/tickers", "category=linear&symbol=SOLUSDT"));
  const auto& ticker = answer.at("result").at("list").at(0);
  const auto stats = exchange_->market().ticker(Venue::kBybit, "SOLUSDT");
  const auto funding = exchange_->market().funding("SOLUSDT");
  ASSERT_TRUE(stats.has_value() && funding.has_value());
  EXPECT_EQ(dec(ticker.at("lastPrice")), stats->last_price);
  EXPECT_EQ(dec(ticker.at("highPrice24h")), stats->high_24h);
  EXPECT_EQ(dec(ticker.at("markPrice")), funding->mark_price);
  EXPECT_EQ(dec(ticker.at("fundingRate")), funding->funding_rate);
  EXPECT_EQ(text(ticker.at("nextFundingTime")), std::to_string(funding->next_funding_time.ms()));
  EXPECT_EQ(text(ticker.at("fundingIntervalHour")), std::to_string(funding->interval_minutes / 60));
  EXPECT_EQ(dec(ticker.at("bid1Price")), book("SOLUSDT").bids.front().price);
  EXPECT_EQ(dec(ticker.at("ask1Size")), book("SOLUSDT").asks.front().quantity);
}

TEST_F(BybitApiTest, PublicBudgetSpent_Refused10006) {
  const std::int32_t limit = exchange_->config().rate_limits.bybit_public;
  for (std::int32_t i = 0; i < limit; ++i) {
    ASSERT_EQ(call(unsigned_get("/v5/market/time", "")).at("retCode").as_int64(), 0);
  }
  const auto refused = call(unsigned_get("/v5/market/time", ""));
  EXPECT_EQ(refused.at("retCode").as_int64(), 10006);
  EXPECT_EQ(text(refused.at("retMsg")), "Too many visits!");
}

TEST_F(BybitApiTest, HedgeModeAndCrossMargin_RefusedOneWayIsolatedAccepted) {
  EXPECT_EQ(call(signed_post("/v5/position/switch-mode", R"({"category":"linear","coin":"USDT","mode":0})"))
                .at("retCode")
                .as_int64(),
            0);
  EXPECT_EQ(call(signed_post("/v5/position/switch-mode", R"({"category":"linear","coin":"USDT","mode":3})"))
                .at("retCode")
                .as_int64(),
            110029);
  const auto isolated =
      call(signed_post("/v5/account/set-margin-mode", R"({"setMarginMode":"ISOLATED_MARGIN"})"));
  EXPECT_EQ(isolated.at("retCode").as_int64(), 0);
  EXPECT_TRUE(isolated.at("result").at("reasons").as_array().empty());
  const auto regular =
      call(signed_post("/v5/account/set-margin-mode", R"({"setMarginMode":"REGULAR_MARGIN"})"));
  EXPECT_EQ(regular.at("retCode").as_int64(), 3400045);
}

TEST_F(BybitApiTest, SetLeverage_AppliesToTheNextPosition_UnchangedIs110043) {
  const std::string body = R"({"category":"linear","symbol":"SOLUSDT","buyLeverage":"5","sellLeverage":"5"})";
  EXPECT_EQ(call(signed_post("/v5/position/set-leverage", body)).at("retCode").as_int64(), 0) << last_.body;
  EXPECT_EQ(call(signed_post("/v5/position/set-leverage", body)).at("retCode").as_int64(), 110043);
  ASSERT_EQ(
      call(signed_post(
               "/v5/order/create",
               R"({"category":"linear","symbol":"SOLUSDT","side":"Buy","orderType":"Market","qty":"1"})"))
          .at("retCode")
          .as_int64(),
      0)
      << last_.body;
  const auto positions = call(signed_get("/v5/position/list", "category=linear&symbol=SOLUSDT"));
  EXPECT_EQ(dec(positions.at("result").at("list").at(0).at("leverage")),
            Decimal::from_units(5 * Decimal::kUnitsPerOne));
}

TEST_F(BybitApiTest, LoopbackSocket_ServesMarketTime) {
  boost::asio::io_context io;
  auto server = HttpServer::start(io, "127.0.0.1", 0,
                                  [this](const HttpRequest& request) { return api_->handle(request); });
  ASSERT_TRUE(server.has_value()) << server.error();
  std::thread thread([&io] { io.run(); });
  std::string reply;
  {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->port()});
    const std::string raw = "GET /v5/market/time HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(raw));
    boost::system::error_code error;
    boost::asio::read(socket, boost::asio::dynamic_buffer(reply), error);
  }
  boost::asio::post(io, [&server] { (*server)->stop(); });
  thread.join();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << reply;
  const auto body = json::parse(reply.substr(reply.find("\r\n\r\n") + 4));
  EXPECT_EQ(text(body.at("result").at("timeSecond")), std::to_string(exchange_->now().seconds()));
  EXPECT_EQ(text(body.at("result").at("timeNano")), std::to_string(exchange_->now().ns()));
}

TEST_F(BybitApiTest, OrderHistoryByOrderId_ListsOnlyThatOrder_NotOthersPlacedWithoutLinkId) {
  const std::string body =
      R"({"category":"linear","symbol":"ETHUSDT","side":"Buy","orderType":"Market","qty":"0.01"})";
  const auto first = call(signed_post("/v5/order/create", body));
  ASSERT_EQ(first.at("retCode").as_int64(), 0) << last_.body;
  ASSERT_EQ(call(signed_post("/v5/order/create", body)).at("retCode").as_int64(), 0) << last_.body;
  const std::string order_id = text(first.at("result").at("orderId"));

  const auto history = call(signed_get("/v5/order/history", "category=linear&orderId=" + order_id));
  const auto& list = history.at("result").at("list").as_array();
  ASSERT_EQ(list.size(), 1U) << last_.body;
  EXPECT_EQ(text(list[0].at("orderId")), order_id);
  EXPECT_EQ(text(list[0].at("orderLinkId")), "");
}

TEST_F(BybitApiTest, PrivateBudget_SharedByEverySpellingOfTheRoute) {
  const std::int32_t limit = exchange_->config().rate_limits.bybit_private;
  for (std::int32_t i = 0; i < limit; ++i) {
    ASSERT_EQ(call(signed_get("/v5/account/fee-rate", "category=linear")).at("retCode").as_int64(), 0);
  }
  for (const char* path : {"//v5/account/fee-rate", "/v5//account/fee-rate/"}) {
    SCOPED_TRACE(path);
    const auto refused = call(signed_get(path, "category=linear"));
    EXPECT_EQ(refused.at("retCode").as_int64(), 10006) << last_.body;
    EXPECT_EQ(header(last_, "X-Bapi-Limit-Status"), "0");
  }
}

TEST_F(BybitApiTest, CancelUnderAnotherSymbol_Refused110001AndOrderStaysOpen) {
  const Decimal price = book("BTCUSDT").bids.back().price;
  ASSERT_EQ(
      call(
          signed_post(
              "/v5/order/create",
              R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":")" +
                  price.to_string() + R"(","orderLinkId":"keep-1"})"))
          .at("retCode")
          .as_int64(),
      0)
      << last_.body;
  const auto wallet_before = exchange_->ledger().usdt_wallet(std::string(kAccount));
  ASSERT_TRUE(wallet_before.has_value());

  const auto refused = call(
      signed_post("/v5/order/cancel", R"({"category":"linear","symbol":"ETHUSDT","orderLinkId":"keep-1"})"));
  EXPECT_EQ(refused.at("retCode").as_int64(), 110001) << last_.body;
  EXPECT_EQ(text(refused.at("retMsg")), "order not exists or too late to cancel");

  const auto order = exchange_->ledger().linear_order(std::string(kAccount), OrderRef{{}, "keep-1"});
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->status, LinearOrderStatus::kNew);
  EXPECT_EQ(exchange_->ledger().usdt_wallet(std::string(kAccount)).value(), *wallet_before);
  const auto open = call(signed_get("/v5/order/realtime", "category=linear&symbol=BTCUSDT"));
  ASSERT_EQ(open.at("result").at("list").as_array().size(), 1U);
  EXPECT_EQ(text(open.at("result").at("list").at(0).at("orderLinkId")), "keep-1");
}

TEST_F(BybitApiTest, NumbersInTheBody_ReachTheLedgerDigitForDigit) {
  const auto placed = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"ETHUSDT","side":"Buy","orderType":"Market","qty":0.1,"orderLinkId":"num-1"})"));
  ASSERT_EQ(placed.at("retCode").as_int64(), 0) << last_.body;
  const auto order = exchange_->ledger().linear_order(std::string(kAccount), OrderRef{{}, "num-1"});
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->qty, Decimal::from_units(Decimal::kUnitsPerOne / 10));
  EXPECT_EQ(order->qty.to_string(), "0.1");

  // Eighteen significant digits, one more than a double holds; off BTCUSDT's tick grid, so the ledger
  // refuses the order and its message quotes the price it was given.
  const auto off_tick = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":0.001,"price":1234567890.12345678})"));
  EXPECT_EQ(off_tick.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(off_tick.at("retMsg")).rfind("price 1234567890.12345678 is not a multiple of tickSize", 0),
            0U)
      << last_.body;
}

TEST_F(BybitApiTest, BodyThatIsNotAFlatObject_Refused10001) {
  const auto nested = call(signed_post(
      "/v5/order/create",
      R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":{"v":1}})"));
  EXPECT_EQ(nested.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(nested.at("retMsg")), "params error: qty invalid");
  const auto array = call(signed_post("/v5/order/create", R"(["category","linear"])"));
  EXPECT_EQ(array.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(array.at("retMsg")), "Request parameter error.");
  const auto trailing = call(signed_post("/v5/order/create", R"({"category":"linear"} {})"));
  EXPECT_EQ(trailing.at("retCode").as_int64(), 10001);
  EXPECT_EQ(text(trailing.at("retMsg")), "Request parameter error.");
}

TEST_F(BybitApiTest, Tickers_OpenInterestSumsThePositionsOfEveryAccount) {
  Ledger& ledger = exchange_->ledger();
  ASSERT_TRUE(ledger.create_account("bob").has_value());
  ASSERT_TRUE(ledger.fund_usdt("bob", Decimal::from_units(10'000 * Decimal::kUnitsPerOne)).has_value());
  LinearOrderRequest short_sol{.symbol = "SOLUSDT", .side = LinearSide::kSell, .qty = *Decimal::parse("2")};
  ASSERT_TRUE(ledger.place_linear_order("bob", short_sol, book("SOLUSDT"), exchange_->now()).has_value());
  ASSERT_EQ(
      call(signed_post(
               "/v5/order/create",
               R"({"category":"linear","symbol":"SOLUSDT","side":"Buy","orderType":"Market","qty":"3"})"))
          .at("retCode")
          .as_int64(),
      0)
      << last_.body;

  EXPECT_EQ(ledger.linear_open_interest("SOLUSDT").value(), *Decimal::parse("5"));
  EXPECT_EQ(ledger.linear_open_interest("XRPUSDT").value(), Decimal());
  const auto answer = call(unsigned_get("/v5/market/tickers", "category=linear&symbol=SOLUSDT"));
  const auto& ticker = answer.at("result").at("list").at(0);
  EXPECT_EQ(text(ticker.at("openInterest")), "5");
  EXPECT_EQ(dec(ticker.at("openInterestValue")), *Decimal::parse("5")->mul(dec(ticker.at("markPrice"))));
}

TEST(RollingWindowLimiter, FullWindow_RefusesUntilOldestRequestLeaves) {
  RollingWindowLimiter limiter(2);
  const Timestamp start = Timestamp::from_ns(5'000'000'000);
  EXPECT_EQ(limiter.admit("a", start).remaining, 1);
  const auto second = limiter.admit("a", start + std::chrono::milliseconds(400));
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.remaining, 0);
  EXPECT_EQ(second.reset_at, start + std::chrono::seconds(1));
  EXPECT_FALSE(limiter.admit("a", start + std::chrono::milliseconds(999)).allowed);
  EXPECT_TRUE(limiter.admit("b", start + std::chrono::milliseconds(999)).allowed);
  const auto later = limiter.admit("a", start + std::chrono::seconds(1));
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 0);
  EXPECT_EQ(later.reset_at, start + std::chrono::milliseconds(1'400));
}

}  // namespace
}  // namespace kimp::sim::testing
