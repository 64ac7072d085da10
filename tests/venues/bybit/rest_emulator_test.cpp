// The emulator's Bybit API (in-process, no socket) accepting what the adapter builds and signs, and the
// adapter's parsers reading what it answers.
#include <gtest/gtest.h>

#include "sim/bybit_api_harness.hpp"
#include "venues/bybit/credential.hpp"
#include "venues/bybit/error.hpp"
#include "venues/bybit/parse_rest.hpp"
#include "venues/bybit/request.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr std::int64_t kRecvWindowMs = 5'000;

class BybitRestEmulator : public sim::testing::BybitApiHarness {
 protected:
  void SetUp() override {
    BybitApiHarness::SetUp();
    credential_ = BybitCredential::create(std::string(sim::testing::kApiKey),
                                          config::SecretString(std::string(sim::testing::kApiSecret)))
                      .value();
  }

  sim::HttpResponse send(sim::HttpMethod method, std::string_view path, const std::string& payload,
                         const BybitCredential* signer) {
    sim::HttpRequest request;
    request.method = method;
    request.path = std::string(path);
    (method == sim::HttpMethod::kGet ? request.query : request.body) = payload;
    if (signer != nullptr) {
      for (auto& header : signer->rest_headers(exchange_->now().ms(), kRecvWindowMs, payload)) {
        request.headers.emplace_back(std::string(header.name), std::move(header.value));
      }
    }
    return api_->handle(request);
  }
  sim::HttpResponse get(std::string_view path, const std::string& query) {
    return send(sim::HttpMethod::kGet, path, query, &*credential_);
  }
  sim::HttpResponse post(std::string_view path, const std::string& body) {
    return send(sim::HttpMethod::kPost, path, body, &*credential_);
  }

  std::optional<BybitCredential> credential_;
  const model::Symbol btc_ = model::Symbol::create("BTCUSDT").value();
};

TEST_F(BybitRestEmulator, ServerTime_IsTheEmulatorsClock) {
  const auto answer = send(sim::HttpMethod::kGet, kServerTimePath, "", nullptr);
  EXPECT_EQ(parse_server_time(answer.status, answer.body).value(), exchange_->now());
}

TEST_F(BybitRestEmulator, InstrumentsOrderbookTickers_ParseFromEmulator) {
  const auto instruments = send(sim::HttpMethod::kGet, kInstrumentsInfoPath,
                                instruments_query(BybitCategory::kLinear, std::nullopt).value(), nullptr);
  const auto page = parse_instruments(instruments.status, instruments.body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->instruments.size(), 5U);
  EXPECT_TRUE(std::any_of(page->instruments.begin(), page->instruments.end(),
                          [&](const model::Instrument& instrument) { return instrument.symbol == btc_; }));

  const auto book_answer = send(sim::HttpMethod::kGet, kOrderbookPath,
                                orderbook_query(BybitCategory::kLinear, btc_, 50).value(), nullptr);
  const auto snapshot = parse_orderbook(book_answer.status, book_answer.body);
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error();
  ASSERT_FALSE(snapshot->bids.empty());
  EXPECT_EQ(snapshot->bids.front().price, book("BTCUSDT").bids.front().price);
  EXPECT_EQ(snapshot->asks.front().qty, book("BTCUSDT").asks.front().quantity);

  const auto ticker_answer =
      send(sim::HttpMethod::kGet, kTickersPath, tickers_query(BybitCategory::kLinear, btc_), nullptr);
  const auto tickers = parse_tickers(ticker_answer.status, ticker_answer.body);
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  ASSERT_EQ(tickers->size(), 1U);
  EXPECT_TRUE(tickers->at(0).funding_rate.has_value());
  EXPECT_TRUE(tickers->at(0).next_funding_time.has_value());
}

TEST_F(BybitRestEmulator, SignedWallet_TenThousandUsdtAvailable) {
  const auto answer = get(kWalletBalancePath, wallet_balance_query().value());
  const auto wallet = parse_wallet_balance(answer.status, answer.body);
  ASSERT_TRUE(wallet.has_value()) << wallet.error();
  ASSERT_EQ(wallet->coins.size(), 1U);
  const Decimal ten_thousand = Decimal::from_integer(10'000).value();
  EXPECT_EQ(wallet->coins[0].currency, "USDT");
  EXPECT_EQ(wallet->coins[0].total, ten_thousand);
  EXPECT_EQ(wallet->coins[0].available, ten_thousand);
  EXPECT_EQ(wallet->coins[0].locked, Decimal());
}

TEST_F(BybitRestEmulator, LeverageTwice_SecondIsNotModified) {
  const std::string body = set_leverage_body(btc_, Decimal::from_integer(3).value()).value();
  const auto first = post(kSetLeveragePath, body);
  EXPECT_TRUE(parse_ack(first.status, first.body).has_value()) << first.body;
  const auto second = post(kSetLeveragePath, body);
  const auto status = parse_ack(second.status, second.body);
  ASSERT_FALSE(status.has_value());
  EXPECT_TRUE(is_not_modified(status.error())) << status.error();
  const auto isolated =
      post(kSwitchIsolatedPath, switch_isolated_body(btc_, Decimal::from_integer(2).value()).value());
  EXPECT_TRUE(parse_ack(isolated.status, isolated.body).has_value()) << isolated.body;
}

TEST_F(BybitRestEmulator, MarketShort_AckOrderFillAndPositionAgree) {
  BybitOrderRequest order;
  order.symbol = btc_;
  order.side = model::Side::kSell;
  order.type = model::OrderType::kMarket;
  order.time_in_force = model::TimeInForce::kIoc;
  order.qty = Decimal::parse("0.001").value();
  order.order_link_id = "BTC_1786000000000_1";
  const Decimal best_bid = book("BTCUSDT").bids.front().price;

  const auto placed = post(kOrderCreatePath, create_order_body(order).value());
  const auto ack = parse_order_ack(placed.status, placed.body);
  ASSERT_TRUE(ack.has_value()) << ack.error();
  EXPECT_EQ(ack->order_link_id, "BTC_1786000000000_1");

  const auto lookup = get(kOrderHistoryPath, order_by_link_id_query(btc_, order.order_link_id).value());
  const auto orders = parse_orders(lookup.status, lookup.body);
  ASSERT_TRUE(orders.has_value()) << orders.error();
  ASSERT_EQ(orders->orders.size(), 1U);
  const model::OrderReport& report = orders->orders[0];
  EXPECT_EQ(report.venue_order_id, ack->order_id);
  EXPECT_EQ(report.status, model::OrderStatus::kFilled);
  EXPECT_EQ(report.filled_qty, order.qty);
  EXPECT_EQ(report.avg_fill_price, best_bid);
  EXPECT_TRUE(report.fee_paid.is_positive());

  const auto fills_answer = get(kExecutionListPath, executions_query(btc_, ack->order_id).value());
  const auto fills = parse_executions(fills_answer.status, fills_answer.body);
  ASSERT_TRUE(fills.has_value()) << fills.error();
  ASSERT_EQ(fills->executions.size(), 1U);
  EXPECT_EQ(fills->executions[0].client_order_id, order.order_link_id);
  EXPECT_EQ(fills->executions[0].qty, order.qty);
  EXPECT_EQ(fills->executions[0].fee, report.fee_paid);

  const auto positions_answer = get(kPositionListPath, positions_query(btc_).value());
  const auto positions = parse_positions(positions_answer.status, positions_answer.body);
  ASSERT_TRUE(positions.has_value()) << positions.error();
  ASSERT_EQ(positions->positions.size(), 1U);
  EXPECT_EQ(positions->positions[0].side, model::Side::kSell);
  EXPECT_EQ(positions->positions[0].size, order.qty);
  EXPECT_EQ(positions->positions[0].avg_entry_price, best_bid);
  EXPECT_TRUE(positions->positions[0].isolated_margin);

  const auto again = post(kOrderCreatePath, create_order_body(order).value());
  const auto duplicate = parse_order_ack(again.status, again.body);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_TRUE(is_duplicate_order_link_id(duplicate.error())) << duplicate.error();
}

TEST_F(BybitRestEmulator, RateLimitHeadersOfPrivateAnswer_Parse) {
  const auto answer = get(kFeeRatePath, fee_rate_query(BybitCategory::kLinear, btc_));
  const auto header = [&](std::string_view name) {
    for (const auto& [key, value] : answer.headers) {
      if (key == name) {
        return std::string_view(value);
      }
    }
    return std::string_view();
  };
  const auto status = parse_rate_limit_headers(header("X-Bapi-Limit"), header("X-Bapi-Limit-Status"),
                                               header("X-Bapi-Limit-Reset-Timestamp"));
  ASSERT_TRUE(status.has_value()) << status.error();
  ASSERT_TRUE(status->has_value());
  EXPECT_GT((*status)->limit, 0);
  EXPECT_LT((*status)->remaining, (*status)->limit);
  const auto rates = parse_fee_rates(answer.status, answer.body);
  ASSERT_TRUE(rates.has_value()) << rates.error();
  EXPECT_EQ(rates->at(0).symbol, btc_);
}

TEST_F(BybitRestEmulator, WrongSecret_UnauthenticatedNotRetryable) {
  const auto wrong =
      BybitCredential::create(std::string(sim::testing::kApiKey), config::SecretString("nope")).value();
  const auto answer = send(sim::HttpMethod::kGet, kWalletBalancePath, wallet_balance_query().value(), &wrong);
  const auto wallet = parse_wallet_balance(answer.status, answer.body);
  ASSERT_FALSE(wallet.has_value());
  EXPECT_EQ(wallet.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wallet.error().venue_code, "10004");
  EXPECT_FALSE(wallet.error().retryable());
}

}  // namespace
}  // namespace kimp::venues::bybit
