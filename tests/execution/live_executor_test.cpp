// LiveExecutor against the `kimp venue-sim` process over loopback: one test per entry and exit outcome,
// each asserting the emulator's ledger (balances, positions, orders by client id), the PositionStore
// afterwards and the alerts raised. Faults come from the emulator's admin API.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "app/venue_sim_process.hpp"
#include "core/clock.hpp"
#include "execution/live_executor.hpp"
#include "execution/rest_legs.hpp"
#include "net/http_client.hpp"
#include "net/loopback_servers.hpp"
#include "net/rate_limiter.hpp"
#include "net/time_sync.hpp"
#include "venues/bybit/instrument_provider.hpp"
#include "venues/upbit/instrument_provider.hpp"

namespace kimp::execution {
namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::chrono::seconds kPatience{60};
constexpr std::string_view kGenerousLimits =
    "[rate_limits]\nupbit_order = 100000\nupbit_default = 100000\nupbit_quotation = 100000\n"
    "bybit_public = 100000\nbybit_private = 100000\n";

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

// A leg that records every order sent through it and can act (change the emulator's faults) first.
class WatchedLeg final : public VenueLeg {
 public:
  explicit WatchedLeg(VenueLeg& inner) : inner_(&inner) {}

  std::function<void(const LegOrder&)> before_place;
  std::vector<LegOrder> sent;

  [[nodiscard]] Leg leg() const override { return inner_->leg(); }
  boost::asio::awaitable<Result<model::OrderReport>> place(const model::Instrument& instrument,
                                                           const LegOrder& order) override {
    sent.push_back(order);
    if (before_place) {
      before_place(order);
    }
    co_return co_await inner_->place(instrument, order);
  }
  boost::asio::awaitable<Result<std::optional<model::OrderReport>>> find(const model::Instrument& instrument,
                                                                         std::string_view id) override {
    co_return co_await inner_->find(instrument, id);
  }
  boost::asio::awaitable<Status> cancel(const model::Instrument& instrument, std::string_view id) override {
    co_return co_await inner_->cancel(instrument, id);
  }
  boost::asio::awaitable<Result<LegHoldings>> holdings(const model::Instrument& instrument) override {
    co_return co_await inner_->holdings(instrument);
  }
  [[nodiscard]] Duration send_delay() const override { return inner_->send_delay(); }

 private:
  VenueLeg* inner_;
};

class LiveExecutorAgainstEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), kGenerousLimits);
    ASSERT_TRUE(venue_->started()) << "kimp venue-sim did not report its ports";
    directory_ = std::filesystem::temp_directory_path() /
                 fmt::format("live_executor_{}_{}",
                             ::testing::UnitTest::GetInstance()->current_test_info()->name(), ::getpid());
    std::filesystem::remove_all(directory_);
    options_.poll_intervals = {50ms, 100ms, 200ms};
    options_.fill_timeout = 3s;
    options_.cancel_settle_timeout = 3s;
    options_.emergency_backoff = {50ms, 100ms, 200ms};
    options_.emergency_give_up = 1s;
    options_.max_slippage_pct = dec("0.5");
    options_.upbit_fee_pct = dec("0.05");
    options_.bybit_fee_pct = dec("0.055");
    build();
    ASSERT_FALSE(HasFatalFailure());
  }

  void TearDown() override {
    executor_.reset();
    store_.reset();
    std::filesystem::remove_all(directory_);
    if (venue_->started()) {
      EXPECT_EQ(venue_->terminate(), 0);
    }
  }

  // (Re)builds the clients, legs, store and executor with `options_` and `bybit_http_`.
  void build() {
    executor_.reset();
    store_.reset();
    upbit_http_ = net::HttpClient::create(io_.get_executor(), venue_->upbit_url()).value();
    bybit_http_client_ =
        net::HttpClient::create(io_.get_executor(), venue_->bybit_url(), bybit_http_).value();
    upbit_limiter_ = std::make_unique<net::RateLimiter>(
        net::RateLimiter::create(clock_, net::upbit_rate_groups()).value());
    bybit_limiter_ = std::make_unique<net::RateLimiter>(
        net::RateLimiter::create(clock_, net::bybit_rate_groups()).value());
    time_ = std::make_unique<net::TimeSync>(clock_, net::TimeSyncOptions{});
    upbit_rest_ = std::make_unique<venues::upbit::UpbitRestClient>(
        *upbit_http_, *upbit_limiter_,
        venues::upbit::UpbitCredential(std::string(e2e::kDemoUpbitAccessKey),
                                       std::string(e2e::kDemoUpbitSecretKey)));
    bybit_rest_ = std::make_unique<venues::bybit::BybitRestClient>(
        *bybit_http_client_, *bybit_limiter_, *time_,
        venues::bybit::BybitCredential::create(std::string(e2e::kDemoBybitApiKey),
                                               config::SecretString(std::string(e2e::kDemoBybitApiSecret)))
            .value());
    upbit_rest_leg_ = std::make_unique<UpbitRestLeg>(*upbit_rest_, *upbit_limiter_);
    bybit_rest_leg_ = std::make_unique<BybitRestLeg>(*bybit_rest_, *bybit_limiter_);
    upbit_leg_ = std::make_unique<WatchedLeg>(*upbit_rest_leg_);
    bybit_leg_ = std::make_unique<WatchedLeg>(*bybit_rest_leg_);
    auto store = PositionStore::open(directory_);
    ASSERT_TRUE(store.has_value()) << store.error();
    store_ = std::move(*store);
    ids_ = std::make_unique<ClientOrderIdGenerator>(clock_.now(), 7);
    LiveExecutorHooks hooks{
        .alert = [this](alerts::AlertEvent event) { alerts_.push_back(std::move(event)); },
        .trip_kill_switch = [this](std::string reason) { kill_reasons_.push_back(std::move(reason)); }};
    executor_ =
        std::make_unique<LiveExecutor>(*upbit_leg_, *bybit_leg_, *store_, *ids_, clock_, options_, hooks);

    venues::upbit::UpbitInstrumentProvider upbit_instruments(*upbit_rest_, clock_);
    const std::array markets{krw_btc_};
    const Status upbit_loaded = run(upbit_instruments.refresh(markets));
    ASSERT_TRUE(upbit_loaded.has_value()) << upbit_loaded.error();
    upbit_ = *upbit_instruments.find(krw_btc_);
    venues::bybit::BybitInstrumentProvider bybit_instruments(*bybit_rest_, clock_,
                                                             venues::bybit::BybitCategory::kLinear);
    const Status bybit_loaded = run(bybit_instruments.refresh());
    ASSERT_TRUE(bybit_loaded.has_value()) << bybit_loaded.error();
    bybit_ = *bybit_instruments.find(btcusdt_);
    const Status refreshed = run(executor_->refresh_balances(upbit_, bybit_));
    ASSERT_TRUE(refreshed.has_value()) << refreshed.error();
  }

  template <class T>
  T run(boost::asio::awaitable<T> operation) {
    auto result = net::testing::run_awaitable(io_, std::move(operation), kPatience);
    if (!result) {
      throw std::runtime_error("the call did not finish in time");
    }
    return std::move(*result);
  }

  // An entry of `qty` BTC at the venues' current best prices.
  EntryRequest entry(Decimal qty) {
    const std::array markets{krw_btc_};
    const auto upbit_books = run(upbit_rest_->orderbook(markets));
    const auto bybit_book = run(bybit_rest_->orderbook(venues::bybit::BybitCategory::kLinear, btcusdt_, 5));
    EXPECT_TRUE(upbit_books.has_value() && bybit_book.has_value());
    return EntryRequest{.coin = "BTC",
                        .upbit = upbit_,
                        .bybit = bybit_,
                        .qty = qty,
                        .upbit_krw_price = upbit_books->books.front().asks.front().price,
                        .bybit_usdt_price = bybit_book->bids.front().price,
                        .usd_krw = dec("1380"),
                        .usdt_krw = dec("1390")};
  }

  ExitRequest exit_of(std::uint64_t position_id) {
    return ExitRequest{
        .position_id = position_id, .coin = "BTC", .upbit = upbit_, .bybit = bybit_, .usdt_krw = dec("1390")};
  }

  void set_faults(const std::string& orders_json) const {
    const auto answer =
        venue_->admin(http::verb::post, "/faults", fmt::format(R"({{"orders":{}}})", orders_json));
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }
  void clear_faults() const { ASSERT_EQ(venue_->admin(http::verb::delete_, "/faults").status, 200U); }

  [[nodiscard]] json::object account() const {
    return json::parse(venue_->admin(http::verb::get, "/ledger").body).at("accounts").at(0).as_object();
  }
  // The demo account's BTC on Upbit (free and locked).
  [[nodiscard]] Decimal upbit_btc() const {
    const json::object ledger = account();
    for (const auto& balance : ledger.at("upbit").at("balances").as_array()) {
      if (balance.at("currency").as_string() == "BTC") {
        return dec(balance.at("balance").as_string()).add(dec(balance.at("locked").as_string())).value();
      }
    }
    return Decimal{};
  }
  // The demo account's BTCUSDT position size (short or long) on Bybit.
  [[nodiscard]] Decimal bybit_btc_position() const {
    const json::object ledger = account();
    for (const auto& position : ledger.at("bybit").at("positions").as_array()) {
      if (position.at("symbol").as_string() == "BTCUSDT") {
        return dec(position.at("size").as_string());
      }
    }
    return Decimal{};
  }
  // Orders on both venues carrying `client_order_id`.
  [[nodiscard]] std::size_t orders_with_id(std::string_view client_order_id) const {
    const json::object ledger = account();
    std::size_t found = 0;
    for (const auto& order : ledger.at("upbit").at("orders").as_array()) {
      found += order.at("identifier").as_string() == client_order_id ? 1 : 0;
    }
    for (const auto& order : ledger.at("bybit").at("orders").as_array()) {
      found += order.at("order_link_id").as_string() == client_order_id ? 1 : 0;
    }
    return found;
  }
  [[nodiscard]] std::size_t venue_orders() const {
    const json::object ledger = account();
    return ledger.at("upbit").at("orders").as_array().size() +
           ledger.at("bybit").at("orders").as_array().size();
  }
  // No order the executor sent exists twice on its venue (one the venue refused does not exist at all).
  void expect_none_sent_twice() const {
    for (const WatchedLeg* leg : {upbit_leg_.get(), bybit_leg_.get()}) {
      for (const LegOrder& order : leg->sent) {
        EXPECT_LE(orders_with_id(order.client_order_id), 1U) << order.client_order_id;
      }
    }
  }
  template <class Event>
  [[nodiscard]] std::vector<Event> alerts_of() const {
    std::vector<Event> found;
    for (const auto& event : alerts_) {
      if (const auto* typed = std::get_if<Event>(&event)) {
        found.push_back(*typed);
      }
    }
    return found;
  }
  // The store as a fresh process would read it.
  [[nodiscard]] std::map<std::uint64_t, StoredPosition> stored_on_disk() const {
    auto reopened = PositionStore::open(directory_);
    EXPECT_TRUE(reopened.has_value());
    return reopened ? (*reopened)->positions() : std::map<std::uint64_t, StoredPosition>{};
  }

  boost::asio::io_context io_;
  WallClock clock_{io_.get_executor()};
  std::unique_ptr<e2e::VenueSimProcess> venue_;
  std::filesystem::path directory_;
  LiveExecutorOptions options_;
  net::HttpClientOptions bybit_http_;
  std::unique_ptr<net::HttpClient> upbit_http_;
  std::unique_ptr<net::HttpClient> bybit_http_client_;
  std::unique_ptr<net::RateLimiter> upbit_limiter_;
  std::unique_ptr<net::RateLimiter> bybit_limiter_;
  std::unique_ptr<net::TimeSync> time_;
  std::unique_ptr<venues::upbit::UpbitRestClient> upbit_rest_;
  std::unique_ptr<venues::bybit::BybitRestClient> bybit_rest_;
  std::unique_ptr<UpbitRestLeg> upbit_rest_leg_;
  std::unique_ptr<BybitRestLeg> bybit_rest_leg_;
  std::unique_ptr<WatchedLeg> upbit_leg_;
  std::unique_ptr<WatchedLeg> bybit_leg_;
  std::unique_ptr<PositionStore> store_;
  std::unique_ptr<ClientOrderIdGenerator> ids_;
  std::unique_ptr<LiveExecutor> executor_;
  std::vector<alerts::AlertEvent> alerts_;
  std::vector<std::string> kill_reasons_;
  const model::Symbol krw_btc_ = model::Symbol::create("KRW-BTC").value();
  const model::Symbol btcusdt_ = model::Symbol::create("BTCUSDT").value();
  model::Instrument upbit_{};
  model::Instrument bybit_{};
};

TEST_F(LiveExecutorAgainstEmulator, BothFilled_OpensThenExitFlattensBothVenues) {
  const Decimal qty = dec("0.002");
  const auto opened = run(executor_->execute_entry(entry(qty)));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(opened->effective_qty, qty);
  EXPECT_EQ(opened->upbit.fill.qty, qty);
  EXPECT_EQ(opened->bybit.fill.qty, qty);
  EXPECT_GT(opened->upbit.fill.avg_price, Decimal{});
  EXPECT_EQ(upbit_btc(), qty);
  EXPECT_EQ(bybit_btc_position(), qty);
  const auto on_disk = stored_on_disk();
  ASSERT_EQ(on_disk.size(), 1U);
  const StoredPosition& position = on_disk.at(opened->position_id);
  EXPECT_EQ(position.state, PositionState::kOpen);
  EXPECT_EQ(position.upbit_qty, qty);
  EXPECT_EQ(position.bybit_qty, qty);
  ASSERT_EQ(position.orders.size(), 2U);
  EXPECT_TRUE(position.orders[0].done && position.orders[1].done);

  const auto closed = run(executor_->execute_exit(exit_of(opened->position_id)));
  ASSERT_TRUE(closed.has_value()) << closed.error().describe();
  EXPECT_EQ(closed->upbit.fill.qty, qty);
  EXPECT_EQ(closed->bybit.fill.qty, qty);
  EXPECT_EQ(upbit_btc(), Decimal{});
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  EXPECT_TRUE(stored_on_disk().empty());
  EXPECT_EQ(upbit_leg_->sent.size() + bybit_leg_->sent.size(), 4U);
  EXPECT_EQ(venue_orders(), 4U);
  expect_none_sent_twice();
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(LiveExecutorAgainstEmulator, BybitRefused_UpbitFillClosedAgainWithLegFailureAlert) {
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"}])");
  const auto result = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kSingleLegFilled);
  EXPECT_EQ(result.error().leg, Leg::kUpbit);
  EXPECT_TRUE(result.error().emergency_closed);
  EXPECT_LT(result.error().realised_usdt, Decimal{}) << "a round trip through the spread and fees costs";
  EXPECT_EQ(upbit_btc(), Decimal{});
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  ASSERT_EQ(upbit_leg_->sent.size(), 2U);
  EXPECT_EQ(upbit_leg_->sent[1].side, model::Side::kSell);
  expect_none_sent_twice();
  const auto failures = alerts_of<alerts::LegFailure>();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].succeeded_leg, "upbit");
  EXPECT_EQ(failures[0].failed_leg, "bybit");
  EXPECT_TRUE(stored_on_disk().empty());
  EXPECT_TRUE(kill_reasons_.empty());
}

TEST_F(LiveExecutorAgainstEmulator, UpbitRefused_BybitShortBoughtBackReduceOnly) {
  set_faults(
      R"([{"venue":"upbit","symbol":"*","outcome":"reject","rate":1,"reject_code":"insufficient_funds_bid"}])");
  const auto result = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kSingleLegFilled);
  EXPECT_EQ(result.error().leg, Leg::kBybit);
  EXPECT_TRUE(result.error().emergency_closed);
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  EXPECT_EQ(upbit_btc(), Decimal{});
  ASSERT_EQ(bybit_leg_->sent.size(), 2U);
  EXPECT_TRUE(bybit_leg_->sent[1].reduce_only);
  EXPECT_EQ(bybit_leg_->sent[1].side, model::Side::kBuy);
  expect_none_sent_twice();
  EXPECT_EQ(alerts_of<alerts::LegFailure>().size(), 1U);
  EXPECT_TRUE(stored_on_disk().empty());
}

TEST_F(LiveExecutorAgainstEmulator, BothRefused_NothingHeldNothingStored) {
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"},
                 {"venue":"upbit","symbol":"*","outcome":"reject","rate":1,"reject_code":"insufficient_funds_bid"}])");
  const auto result = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kBothUnfilled);
  EXPECT_EQ(venue_orders(), 0U);
  EXPECT_EQ(upbit_btc(), Decimal{});
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  EXPECT_TRUE(stored_on_disk().empty());
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(LiveExecutorAgainstEmulator, BybitPartialFill_UpbitExcessSoldAndHedgeIsTheCommonQty) {
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"partial_fill","rate":1,"fill_ratio":0.5}])");
  const auto opened = run(executor_->execute_entry(entry(dec("0.004"))));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(opened->effective_qty, dec("0.002"));
  EXPECT_EQ(opened->upbit.fill.qty, dec("0.002"));
  EXPECT_EQ(opened->bybit.fill.qty, dec("0.002"));
  EXPECT_LT(opened->adjustment_usdt, Decimal{});
  EXPECT_EQ(upbit_btc(), dec("0.002"));
  EXPECT_EQ(bybit_btc_position(), dec("0.002"));
  ASSERT_EQ(upbit_leg_->sent.size(), 2U);
  EXPECT_EQ(upbit_leg_->sent[1].qty, dec("0.002"));
  const auto on_disk = stored_on_disk();
  ASSERT_EQ(on_disk.size(), 1U);
  EXPECT_EQ(on_disk.begin()->second.state, PositionState::kOpen);
  EXPECT_EQ(on_disk.begin()->second.upbit_qty, dec("0.002"));
  expect_none_sent_twice();
}

TEST_F(LiveExecutorAgainstEmulator, EmergencyCloseFailing_TripsKillSwitchAndLeavesPartialPositionStored) {
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"}])");
  upbit_leg_->before_place = [this](const LegOrder& order) {
    if (order.side == model::Side::kSell) {
      set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"},
                     {"venue":"upbit","symbol":"*","outcome":"reject","rate":1,"reject_code":"insufficient_funds_ask"}])");
    }
  };
  const auto result = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kEmergencyCloseFailed);
  EXPECT_EQ(result.error().leg, Leg::kUpbit);
  EXPECT_EQ(upbit_btc(), dec("0.002")) << "the naked leg is still held";
  EXPECT_GE(upbit_leg_->sent.size(), 3U) << "the close was retried";
  ASSERT_EQ(kill_reasons_.size(), 1U);
  const auto failures = alerts_of<alerts::EmergencyCloseFailure>();
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].naked_exposure, dec("0.002"));
  EXPECT_GE(failures[0].retry_count, 2);
  const auto on_disk = stored_on_disk();
  ASSERT_EQ(on_disk.size(), 1U);
  EXPECT_EQ(on_disk.begin()->second.state, PositionState::kPartiallyClosedOneLeg);
  EXPECT_EQ(on_disk.begin()->second.upbit_qty, dec("0.002"));
  EXPECT_EQ(on_disk.begin()->second.bybit_qty, Decimal{});
}

TEST_F(LiveExecutorAgainstEmulator, InvisibleOrder_FoundByClientIdNeverSentTwice) {
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"invisible","rate":1,"invisible_ms":1500}])");
  const auto opened = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(bybit_btc_position(), dec("0.002"));
  EXPECT_EQ(bybit_leg_->sent.size(), 1U);
  expect_none_sent_twice();
}

TEST_F(LiveExecutorAgainstEmulator, PlacementTimedOut_OrderFilledLaterIsLookedUpAndCounts) {
  bybit_http_.request_timeout = 500ms;
  options_.fill_timeout = 1s;  // the fill arrives after the cancel: the re-read finds it filled
  build();
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"late_fill","rate":1,"late_ms":2000}])");
  const auto opened = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  EXPECT_EQ(opened->bybit.fill.qty, dec("0.002"));
  EXPECT_EQ(bybit_btc_position(), dec("0.002"));
  EXPECT_EQ(upbit_btc(), dec("0.002"));
  EXPECT_EQ(bybit_leg_->sent.size(), 1U);
  expect_none_sent_twice();
}

TEST_F(LiveExecutorAgainstEmulator, FillsOutsideProfitableBand_PairClosedAgain) {
  EntryRequest request = entry(dec("0.002"));
  request.max_fill_premium = -0.99;
  const auto result = run(executor_->execute_entry(request));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kPnlGateClosed);
  EXPECT_LT(result.error().realised_usdt, Decimal{});
  EXPECT_EQ(upbit_btc(), Decimal{});
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  EXPECT_EQ(venue_orders(), 4U);
  expect_none_sent_twice();
  EXPECT_TRUE(stored_on_disk().empty());
}

TEST_F(LiveExecutorAgainstEmulator, Preflight_RefusesWithoutSendingAnything) {
  const auto too_big = run(executor_->execute_entry(entry(dec("5"))));
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().kind, ExecutionErrorKind::kInsufficientBalance);
  EXPECT_EQ(too_big.error().leg, Leg::kUpbit);

  const auto too_small = run(executor_->execute_entry(entry(dec("0.0001"))));
  ASSERT_FALSE(too_small.has_value());
  EXPECT_EQ(too_small.error().kind, ExecutionErrorKind::kExchangeError);
  EXPECT_EQ(too_small.error().error.code, ErrorCode::kInvalidArgument);

  const EntryRequest request = entry(dec("0.002"));
  while (upbit_limiter_->wait_for(venues::upbit::kUpbitOrderGroup).value() <= 2 * options_.max_send_delay) {
    ASSERT_TRUE(upbit_limiter_->reserve(venues::upbit::kUpbitOrderGroup).has_value());
  }
  const auto no_budget = run(executor_->execute_entry(request));
  ASSERT_FALSE(no_budget.has_value());
  EXPECT_EQ(no_budget.error().error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(no_budget.error().leg, Leg::kUpbit);

  EXPECT_EQ(venue_orders(), 0U);
  EXPECT_TRUE(stored_on_disk().empty());
}

TEST_F(LiveExecutorAgainstEmulator, StoreUnwritable_NothingIsSent) {
  std::filesystem::remove_all(directory_);
  std::ofstream(directory_) << "not a directory";
  const auto result = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ExecutionErrorKind::kExchangeError);
  EXPECT_EQ(venue_orders(), 0U);
  std::filesystem::remove(directory_);
}

TEST_F(LiveExecutorAgainstEmulator, ExitWithBybitRefusedOnce_RemainderRetriedUntilFlat) {
  const auto opened = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"}])");
  bybit_leg_->before_place = [this](const LegOrder& /*order*/) {
    if (bybit_leg_->sent.size() == 3) {
      clear_faults();  // the exit's first buy-back was refused; the retry goes through
    }
  };
  const auto closed = run(executor_->execute_exit(exit_of(opened->position_id)));
  ASSERT_TRUE(closed.has_value()) << closed.error().describe();
  EXPECT_EQ(closed->bybit.fill.qty, dec("0.002"));
  EXPECT_EQ(upbit_btc(), Decimal{});
  EXPECT_EQ(bybit_btc_position(), Decimal{});
  EXPECT_EQ(bybit_leg_->sent.size(), 3U);
  expect_none_sent_twice();
  EXPECT_TRUE(stored_on_disk().empty());
}

TEST_F(LiveExecutorAgainstEmulator, ExitBothRefused_PositionStaysOpen) {
  const auto opened = run(executor_->execute_entry(entry(dec("0.002"))));
  ASSERT_TRUE(opened.has_value()) << opened.error().describe();
  set_faults(R"([{"venue":"bybit","symbol":"*","outcome":"reject","rate":1,"reject_code":"110007"},
                 {"venue":"upbit","symbol":"*","outcome":"reject","rate":1,"reject_code":"insufficient_funds_ask"}])");
  const auto closed = run(executor_->execute_exit(exit_of(opened->position_id)));
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().kind, ExecutionErrorKind::kBothUnfilled);
  EXPECT_EQ(upbit_btc(), dec("0.002"));
  EXPECT_EQ(bybit_btc_position(), dec("0.002"));
  const auto on_disk = stored_on_disk();
  ASSERT_EQ(on_disk.size(), 1U);
  EXPECT_EQ(on_disk.begin()->second.state, PositionState::kOpen);
}

}  // namespace
}  // namespace kimp::execution
