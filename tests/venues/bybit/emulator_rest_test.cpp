// The Bybit REST client against the `kimp venue-sim` process over loopback: market data, wallet, leverage
// and margin mode, orders placed, looked up and cancelled, positions — each checked against the
// emulator's ledger — and rate-limit budgets as the venue judges them.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "app/venue_sim_process.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "net/loopback_servers.hpp"
#include "net/rate_limiter.hpp"
#include "net/time_sync.hpp"
#include "venues/bybit/error.hpp"
#include "venues/bybit/instrument_provider.hpp"
#include "venues/bybit/rest_client.hpp"

namespace kimp::venues::bybit {
namespace {

namespace http = boost::beast::http;
using net::testing::run_awaitable;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

// One emulator process and a client signed with its demo account, all on the test thread's io_context.
class BybitRestAgainstEmulator : public ::testing::Test {
 protected:
  void SetUp() override { start(""); }

  void start(std::string_view extra_toml,
             std::vector<net::RateGroupConfig> groups = net::bybit_rate_groups()) {
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), extra_toml);
    ASSERT_TRUE(venue_->started());
    http_ = net::HttpClient::create(io_.get_executor(), venue_->bybit_url()).value();
    limiter_.emplace(net::RateLimiter::create(clock_, groups).value());
    time_ = std::make_unique<net::TimeSync>(clock_, net::TimeSyncOptions{});
    rest_ = std::make_unique<BybitRestClient>(
        *http_, *limiter_, *time_,
        BybitCredential::create(std::string(e2e::kDemoBybitApiKey),
                                config::SecretString(std::string(e2e::kDemoBybitApiSecret)))
            .value());
  }

  template <class T>
  T run(boost::asio::awaitable<T> operation) {
    auto result = run_awaitable(io_, std::move(operation), std::chrono::seconds{30});
    EXPECT_TRUE(result.has_value()) << "the call did not finish";
    return result.has_value() ? std::move(*result) : T(make_error(ErrorCode::kInternal, "did not finish"));
  }

  // The demo account's part of GET /ledger on the emulator.
  boost::json::object ledger_bybit() const {
    return boost::json::parse(venue_->admin(http::verb::get, "/ledger").body)
        .at("accounts")
        .at(0)
        .at("bybit")
        .as_object();
  }

  boost::asio::io_context io_;
  WallClock clock_{io_.get_executor()};
  std::unique_ptr<e2e::VenueSimProcess> venue_;
  std::unique_ptr<net::HttpClient> http_;
  std::optional<net::RateLimiter> limiter_;
  std::unique_ptr<net::TimeSync> time_;
  std::unique_ptr<BybitRestClient> rest_;
  const model::Symbol btc_ = model::Symbol::create("BTCUSDT").value();
};

TEST_F(BybitRestAgainstEmulator, ServerTimeInstrumentsBookTickers) {
  const auto server_time = run(rest_->server_time());
  ASSERT_TRUE(server_time.has_value()) << server_time.error();
  EXPECT_GT(server_time->ms(), 1'600'000'000'000);

  BybitInstrumentProvider provider(*rest_, clock_, BybitCategory::kLinear);
  const auto refreshed = run(provider.refresh());
  ASSERT_TRUE(refreshed.has_value()) << refreshed.error();
  const auto* btc = provider.find(btc_);
  ASSERT_NE(btc, nullptr);
  EXPECT_GT(btc->tick_size, Decimal{});
  EXPECT_GT(btc->qty_step, Decimal{});
  EXPECT_EQ(provider.find(model::Symbol::create("NOSUCHUSDT").value()), nullptr);

  const auto book = run(rest_->orderbook(BybitCategory::kLinear, btc_, 50));
  ASSERT_TRUE(book.has_value()) << book.error();
  ASSERT_FALSE(book->bids.empty());
  ASSERT_FALSE(book->asks.empty());
  EXPECT_LT(book->bids.front().price, book->asks.front().price);

  const auto tickers = run(rest_->tickers(BybitCategory::kLinear, btc_));
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  ASSERT_EQ(tickers->size(), 1U);
  EXPECT_TRUE(tickers->front().funding_rate.has_value());
  EXPECT_TRUE(tickers->front().next_funding_time.has_value());
}

TEST_F(BybitRestAgainstEmulator, WalletFeesLeverageAndMarginMode) {
  const auto wallet = run(rest_->wallet_balance("USDT"));
  ASSERT_TRUE(wallet.has_value()) << wallet.error();
  ASSERT_EQ(wallet->coins.size(), 1U);
  EXPECT_EQ(wallet->coins.front().total, dec("100000"));
  EXPECT_EQ(wallet->coins.front().available, dec("100000"));

  const auto fees = run(rest_->fee_rates(BybitCategory::kLinear, btc_));
  ASSERT_TRUE(fees.has_value()) << fees.error();
  ASSERT_EQ(fees->size(), 1U);
  EXPECT_EQ(fees->front().taker, dec("0.00055"));

  EXPECT_TRUE(run(rest_->set_isolated_margin_mode()).has_value());
  EXPECT_TRUE(run(rest_->set_isolated_margin_mode()).has_value()) << "already isolated counts as done";
  EXPECT_TRUE(run(rest_->set_one_way_mode()).has_value());
  const auto isolated = run(rest_->switch_isolated(btc_, dec("3")));
  EXPECT_TRUE(isolated.has_value()) << isolated.error();
  const auto leverage = run(rest_->set_leverage(btc_, dec("2")));
  ASSERT_TRUE(leverage.has_value()) << leverage.error();
  const auto again = run(rest_->set_leverage(btc_, dec("2")));
  EXPECT_TRUE(again.has_value()) << "not modified counts as done: " << again.error();

  const auto bad = run(rest_->set_leverage(btc_, dec("1000")));
  ASSERT_FALSE(bad.has_value());
  EXPECT_FALSE(bad.error().retryable());
}

TEST_F(BybitRestAgainstEmulator, MarketShortFillsAndShowsAsPositionInTheLedger) {
  ASSERT_TRUE(run(rest_->set_leverage(btc_, dec("2"))).has_value());
  BybitOrderRequest order;
  order.symbol = btc_;
  order.side = model::Side::kSell;
  order.type = model::OrderType::kMarket;
  order.qty = dec("0.01");
  order.order_link_id = "kimp-short-1";
  const auto ack = run(rest_->create_order(order));
  ASSERT_TRUE(ack.has_value()) << ack.error();
  EXPECT_EQ(ack->order_link_id, "kimp-short-1");

  const auto report = run(rest_->order(btc_, "kimp-short-1"));
  ASSERT_TRUE(report.has_value()) << report.error();
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->status, model::OrderStatus::kFilled);
  EXPECT_EQ((*report)->filled_qty, dec("0.01"));
  EXPECT_EQ((*report)->venue_order_id, ack->order_id);

  const auto fills = run(rest_->executions(btc_, ack->order_id));
  ASSERT_TRUE(fills.has_value()) << fills.error();
  ASSERT_FALSE(fills->empty());
  Decimal filled;
  for (const auto& fill : *fills) {
    filled = filled.add(fill.qty).value();
  }
  EXPECT_EQ(filled, dec("0.01"));

  const auto positions = run(rest_->positions(btc_));
  ASSERT_TRUE(positions.has_value()) << positions.error();
  ASSERT_EQ(positions->size(), 1U);
  EXPECT_EQ(positions->front().side, model::Side::kSell);
  EXPECT_EQ(positions->front().size, dec("0.01"));

  const auto ledger = ledger_bybit();
  const auto& ledger_positions = ledger.at("positions").as_array();
  const auto in_ledger =
      std::find_if(ledger_positions.begin(), ledger_positions.end(),
                   [](const auto& entry) { return entry.at("symbol").as_string() == "BTCUSDT"; });
  ASSERT_NE(in_ledger, ledger_positions.end());
  EXPECT_EQ(dec(in_ledger->at("size").as_string()), positions->front().size);
  EXPECT_EQ(dec(in_ledger->at("avg_price").as_string()), positions->front().avg_entry_price);

  const auto again = run(rest_->create_order(order));
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(is_duplicate_order_link_id(again.error())) << again.error();
  const auto cancel_filled = run(rest_->cancel_order(btc_, "kimp-short-1"));
  ASSERT_FALSE(cancel_filled.has_value());
  EXPECT_TRUE(is_order_not_found(cancel_filled.error())) << cancel_filled.error();
}

TEST_F(BybitRestAgainstEmulator, RestingLimitOrderIsCancelledAndUnknownOrdersAreNone) {
  const auto book = run(rest_->orderbook(BybitCategory::kLinear, btc_, 1));
  ASSERT_TRUE(book.has_value()) << book.error();
  BybitOrderRequest order;
  order.symbol = btc_;
  order.side = model::Side::kBuy;
  order.type = model::OrderType::kLimit;
  order.time_in_force = model::TimeInForce::kGtc;
  order.qty = dec("0.01");
  // Far below the market, rounded to a whole dollar (a multiple of the tick): it rests.
  order.price = Decimal::from_units(book->bids.front().price.units() / 2 / Decimal::kUnitsPerOne *
                                    Decimal::kUnitsPerOne);
  order.order_link_id = "kimp-rest-1";
  const auto ack = run(rest_->create_order(order));
  ASSERT_TRUE(ack.has_value()) << ack.error();
  const auto open = run(rest_->order(btc_, "kimp-rest-1"));
  ASSERT_TRUE(open.has_value() && open->has_value());
  EXPECT_EQ((*open)->status, model::OrderStatus::kNew);

  const auto cancelled = run(rest_->cancel_order(btc_, "kimp-rest-1"));
  ASSERT_TRUE(cancelled.has_value()) << cancelled.error();
  const auto ended = run(rest_->order(btc_, "kimp-rest-1"));
  ASSERT_TRUE(ended.has_value() && ended->has_value());
  EXPECT_EQ((*ended)->status, model::OrderStatus::kCancelled);
  bool in_ledger = false;
  const auto ledger = ledger_bybit();
  for (const auto& entry : ledger.at("orders").as_array()) {
    if (entry.at("order_link_id").as_string() == "kimp-rest-1") {
      in_ledger = true;
      EXPECT_EQ(entry.at("status").as_string(), "Cancelled");
    }
  }
  EXPECT_TRUE(in_ledger);

  const auto unknown = run(rest_->order(btc_, "kimp-never-sent"));
  ASSERT_TRUE(unknown.has_value()) << unknown.error();
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(BybitRestAgainstEmulator, SignedCallsNeedTheRightCredential) {
  BybitRestClient anonymous(*http_, *limiter_, *time_, std::nullopt);
  const auto unsigned_call = run(anonymous.wallet_balance());
  ASSERT_FALSE(unsigned_call.has_value());
  EXPECT_EQ(unsigned_call.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(run(anonymous.server_time()).has_value()) << "public calls need no key";

  BybitRestClient wrong(*http_, *limiter_, *time_,
                        BybitCredential::create(std::string(e2e::kDemoBybitApiKey),
                                                config::SecretString(std::string("not-the-secret")))
                            .value());
  const auto refused = run(wrong.wallet_balance());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated) << refused.error();
}

// A query left unanswered may simply be asked again; an order left unanswered may have been accepted (here
// it is, 100 ms later, while its answer is lost), so it is reported as an unknown outcome and found
// afterwards by its orderLinkId.
TEST_F(BybitRestAgainstEmulator, UnansweredQueryIsRepeatableUnansweredOrderIsLookedUp) {
  venue_.reset();
  start("");
  net::HttpClientOptions options;
  options.request_timeout = std::chrono::milliseconds{500};
  http_ = net::HttpClient::create(io_.get_executor(), venue_->bybit_url(), options).value();
  rest_ = std::make_unique<BybitRestClient>(
      *http_, *limiter_, *time_,
      BybitCredential::create(std::string(e2e::kDemoBybitApiKey),
                              config::SecretString(std::string(e2e::kDemoBybitApiSecret)))
          .value());
  ASSERT_EQ(venue_
                ->admin(http::verb::post, "/faults",
                        R"({"http":[{"venue":"bybit","endpoint":"/v5/market/tickers","timeout_rate":1}],)"
                        R"("orders":[{"venue":"bybit","symbol":"BTCUSDT","outcome":"late_fill","rate":1,)"
                        R"("late_ms":100}]})")
                .status,
            200U);
  const auto tickers = run(rest_->tickers(BybitCategory::kLinear, btc_));
  ASSERT_FALSE(tickers.has_value());
  EXPECT_EQ(tickers.error().code, ErrorCode::kUnavailable) << tickers.error();
  EXPECT_TRUE(tickers.error().retryable());

  BybitOrderRequest order;
  order.symbol = btc_;
  order.side = model::Side::kSell;
  order.qty = dec("0.01");
  order.order_link_id = "kimp-unanswered-1";
  const auto ack = run(rest_->create_order(order));
  ASSERT_FALSE(ack.has_value());
  EXPECT_EQ(ack.error().code, ErrorCode::kDeadlineExceeded) << ack.error();
  EXPECT_FALSE(ack.error().retryable());
  EXPECT_EQ(venue_->injected("order_late_fill", "BTCUSDT"), 1U);
  const auto found = run(rest_->order(btc_, "kimp-unanswered-1"));
  ASSERT_TRUE(found.has_value()) << found.error();
  ASSERT_TRUE(found->has_value()) << "the venue took the order although its answer never came";
  EXPECT_EQ((*found)->filled_qty, dec("0.01"));
}

// The emulator allows one private request a second per endpoint here and reports its window in the
// X-Bapi-Limit headers; the client, with a budget of 8 a second, must read them and wait instead of being
// refused.
TEST_F(BybitRestAgainstEmulator, LimitStatusHeadersHoldTheClientBelowTheVenuesWindow) {
  venue_.reset();
  start("[rate_limits]\nbybit_private = 1\n");
  for (int i = 0; i < 4; ++i) {
    const auto wallet = run(rest_->wallet_balance("USDT"));
    ASSERT_TRUE(wallet.has_value()) << "call " << i << ": " << wallet.error();
  }
  EXPECT_EQ(limiter_->counters(kBybitPrivateGroup)->rejections, 0U);
}

// A storm of injected 10006 answers: the group backs off (1, 2, 4 s ...) instead of retrying, and no
// request goes above the budget — the emulator's own window (10 a second per endpoint, as Bybit's) never
// refuses one of the 40 calls sent at once.
TEST_F(BybitRestAgainstEmulator, RateLimitStormBacksOffAndStaysWithinTheBudget) {
  ASSERT_EQ(
      venue_
          ->admin(
              http::verb::post, "/faults",
              R"({"http":[{"venue":"bybit","endpoint":"/v5/account/wallet-balance","rate_limit_rate":1}]})")
          .status,
      200U);
  constexpr int kCalls = 40;
  int done = 0;
  int refused = 0;
  int succeeded = 0;
  for (int i = 0; i < kCalls; ++i) {
    boost::asio::co_spawn(
        io_,
        [&]() -> boost::asio::awaitable<void> {
          const auto wallet = co_await rest_->wallet_balance("USDT");
          ++done;
          if (wallet) {
            ++succeeded;
          } else if (wallet.error().code == ErrorCode::kResourceExhausted) {
            ++refused;
          } else {
            ADD_FAILURE() << wallet.error();
          }
        },
        boost::asio::detached);
  }
  // Three refusals block the group for 1 + 2 + 4 s; then the venue recovers.
  ASSERT_TRUE(net::testing::run_until(
      io_, [&] { return refused >= 3; }, std::chrono::seconds{30}));
  EXPECT_GT(limiter_->blocked_until(kBybitPrivateGroup).value(), clock_.now()) << "the group is blocked";
  ASSERT_EQ(venue_->admin(http::verb::delete_, "/faults").status, 200U);
  ASSERT_TRUE(net::testing::run_until(
      io_, [&] { return done == kCalls; }, std::chrono::seconds{60}));

  EXPECT_EQ(static_cast<std::uint64_t>(refused),
            venue_->injected("rate_limit", "/v5/account/wallet-balance"));
  EXPECT_LE(refused, 5) << "a refusal blocks the group: no storm of retries";
  EXPECT_EQ(succeeded + refused, kCalls)
      << "every other call succeeded: the venue's window never refused one";
  const auto counters = limiter_->counters(kBybitPrivateGroup).value();
  EXPECT_EQ(counters.rejections, static_cast<std::uint64_t>(refused));
  EXPECT_EQ(counters.requests, static_cast<std::uint64_t>(kCalls));
}

}  // namespace
}  // namespace kimp::venues::bybit
