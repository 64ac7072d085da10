// The Bybit stream feeds against the `kimp venue-sim` process over loopback: books, trades and tickers;
// reconnection and resubscription after a drop; stall detection; update-id gaps answered by a resync and
// never delivered; the private stream's login and account events.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>

#include "app/venue_sim_process.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "net/loopback_servers.hpp"
#include "net/rate_limiter.hpp"
#include "net/time_sync.hpp"
#include "venues/bybit/rest_client.hpp"
#include "venues/bybit/ws_feed.hpp"

namespace kimp::venues::bybit {
namespace {

namespace http = boost::beast::http;
using net::WsState;
using net::testing::run_until;

constexpr auto kLong = std::chrono::seconds{30};

BybitCredential demo_credential(std::string secret = std::string(e2e::kDemoBybitApiSecret)) {
  return BybitCredential::create(std::string(e2e::kDemoBybitApiKey), config::SecretString(std::move(secret)))
      .value();
}

// What the feed handed out, and whether any delivered book skipped an update id without a snapshot.
struct Observed {
  std::vector<WsState> states;
  std::map<std::string, std::uint64_t> last_update_id;
  std::map<std::string, std::uint64_t> last_snapshots;
  std::uint64_t books = 0;
  std::uint64_t trades = 0;
  std::optional<model::Ticker> ticker;
  int broken_chains = 0;
  int invalid_at_stale = 0;

  [[nodiscard]] int count(WsState state) const {
    return static_cast<int>(std::count(states.begin(), states.end(), state));
  }
};

class BybitFeedAgainstEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(venue_->started());
  }

  std::string public_url() const {
    return fmt::format("ws://127.0.0.1:{}/v5/public/linear", venue_->bybit_port());
  }

  std::unique_ptr<BybitPublicFeed> public_feed(net::WsClientOptions ws = net::bybit_ws_options()) {
    BybitPublicFeedOptions options;
    options.symbols = {btc_, eth_};
    options.ws = std::move(ws);
    BybitPublicFeedCallbacks callbacks;
    callbacks.on_book = [this](const market::OrderBook& book) {
      ++seen_.books;
      const std::string symbol(book.symbol().view());
      const auto snapshots = book.counters().snapshots;
      if (seen_.last_update_id.contains(symbol) && book.update_id() != seen_.last_update_id[symbol] + 1 &&
          snapshots == seen_.last_snapshots[symbol]) {
        ++seen_.broken_chains;
      }
      seen_.last_update_id[symbol] = book.update_id();
      seen_.last_snapshots[symbol] = snapshots;
      EXPECT_TRUE(book.valid());
      EXPECT_FALSE(book.crossed());
    };
    callbacks.on_trade = [this](const model::Trade&) { ++seen_.trades; };
    callbacks.on_ticker = [this](const model::Ticker& ticker) { seen_.ticker = ticker; };
    auto feed = BybitPublicFeed::create(io_.get_executor(), clock_, public_url(), std::move(options),
                                        std::move(callbacks));
    EXPECT_TRUE(feed.has_value()) << feed.error();
    auto* raw = feed->get();
    state_ = raw->subscribe_state([this, raw](WsState state, std::string_view) {
      seen_.states.push_back(state);
      if (state == WsState::kStale && (raw->book(btc_)->valid() || raw->book(eth_)->valid())) {
        ++seen_.invalid_at_stale;
      }
    });
    EXPECT_TRUE(raw->start().has_value());
    return std::move(*feed);
  }

  bool books_valid(const BybitPublicFeed& feed) const {
    return feed.book(btc_)->valid() && feed.book(eth_)->valid();
  }

  void set_faults(const std::string& json) {
    const auto answer = venue_->admin(http::verb::post, "/faults", json);
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }

  boost::asio::io_context io_;
  WallClock clock_{io_.get_executor()};
  std::unique_ptr<e2e::VenueSimProcess> venue_;
  Observed seen_;
  net::WsStateSubscription state_;
  const model::Symbol btc_ = model::Symbol::create("BTCUSDT").value();
  const model::Symbol eth_ = model::Symbol::create("ETHUSDT").value();
};

TEST_F(BybitFeedAgainstEmulator, BooksTradesAndMergedTickersArrive) {
  auto feed = public_feed();
  ASSERT_TRUE(run_until(
      io_,
      [&] {
        return books_valid(*feed) && seen_.books >= 40 && seen_.ticker.has_value() &&
               seen_.ticker->funding_rate.has_value() && seen_.ticker->mark_price.has_value();
      },
      kLong));
  EXPECT_EQ(seen_.count(WsState::kConnected), 1);
  EXPECT_EQ(seen_.broken_chains, 0);
  EXPECT_EQ(feed->stats().gaps, 0U);
  EXPECT_EQ(feed->malformed().total(), 0U);
  EXPECT_GT(feed->book(btc_)->bid_count(), 10U);
  EXPECT_LT(feed->book(btc_)->best_bid()->price, feed->book(btc_)->best_ask()->price);
}

TEST_F(BybitFeedAgainstEmulator, DroppedConnectionReconnectsAndResubscribes) {
  auto feed = public_feed();
  ASSERT_TRUE(run_until(
      io_, [&] { return books_valid(*feed) && seen_.books >= 10; }, kLong));
  const auto snapshots_before = feed->book(btc_)->counters().snapshots;
  const auto answer =
      venue_->admin(http::verb::post, "/faults/disconnect", R"({"venue":"bybit","stream":"public.linear"})");
  ASSERT_EQ(answer.status, 200U) << answer.body;
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_.count(WsState::kResynced) == 1; }, kLong));
  EXPECT_EQ(seen_.count(WsState::kDisconnected), 1);
  const auto books_at_resync = seen_.books;
  ASSERT_TRUE(run_until(
      io_, [&] { return books_valid(*feed) && seen_.books >= books_at_resync + 10; }, kLong));
  EXPECT_GT(feed->book(btc_)->counters().snapshots, snapshots_before)
      << "a fresh snapshot after resubscribing";
  EXPECT_EQ(seen_.broken_chains, 0);
  EXPECT_EQ(feed->connection_stats().connects, 2U);
  EXPECT_EQ(venue_->injected("ws_disconnect", "public.linear"), 1U);
}

TEST_F(BybitFeedAgainstEmulator, SilentConnectionIsDetectedAsStaleAndRebuilt) {
  // Sessions go silent from their 3rd to 5th second; the feed gives up after 1 s of silence.
  set_faults(R"({"websocket":[{"venue":"bybit","stream":"public.linear","stall_every_ms":3000,)"
             R"("stall_for_ms":2000}]})");
  auto ws = net::bybit_ws_options();
  ws.stale_after = std::chrono::seconds{1};
  ws.stale_check_interval = std::chrono::milliseconds{250};
  auto feed = public_feed(ws);
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_.count(WsState::kStale) >= 1; }, kLong));
  EXPECT_EQ(seen_.invalid_at_stale, 0) << "books are dropped before anyone hears of the stall";
  ASSERT_TRUE(venue_->admin(http::verb::delete_, "/faults").status == 200U);
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_.count(WsState::kResynced) >= 1 && books_valid(*feed); }, kLong));
  EXPECT_GE(feed->connection_stats().stale, 1U);
  EXPECT_GE(venue_->injected("ws_stall", "public.linear"), 1U);
}

TEST_F(BybitFeedAgainstEmulator, UpdateIdGapDropsTheBookAndResyncsWithoutDeliveringIt) {
  auto feed = public_feed();
  ASSERT_TRUE(run_until(
      io_, [&] { return books_valid(*feed); }, kLong));
  set_faults(R"({"websocket":[{"venue":"bybit","stream":"public.linear","drop_rate":0.2}]})");
  ASSERT_TRUE(run_until(
      io_, [&] { return feed->stats().resyncs_requested >= 2; }, kLong));
  ASSERT_EQ(venue_->admin(http::verb::delete_, "/faults").status, 200U);
  const auto books_after_faults = seen_.books;
  ASSERT_TRUE(run_until(
      io_, [&] { return books_valid(*feed) && seen_.books >= books_after_faults + 20; }, kLong));
  EXPECT_GE(feed->stats().gaps, 2U);
  EXPECT_GE(seen_.count(WsState::kResynced), 2);
  EXPECT_EQ(seen_.broken_chains, 0) << "no book with a gap was ever handed out";
  EXPECT_GT(venue_->injected("ws_drop", "public.linear"), 0U);
}

TEST_F(BybitFeedAgainstEmulator, PrivateStreamLogsInAndReportsTheOrdersFills) {
  auto http_client = net::HttpClient::create(io_.get_executor(), venue_->bybit_url()).value();
  auto limiter = net::RateLimiter::create(clock_, net::bybit_rate_groups()).value();
  net::TimeSync time(clock_, net::TimeSyncOptions{});
  BybitRestClient rest(*http_client, limiter, time, demo_credential());

  std::vector<model::OrderReport> orders;
  std::vector<model::Execution> executions;
  std::vector<model::PositionReport> positions;
  int wallets = 0;
  BybitPrivateFeedCallbacks callbacks;
  callbacks.on_order = [&](const model::OrderReport& order) { orders.push_back(order); };
  callbacks.on_execution = [&](const model::Execution& execution) { executions.push_back(execution); };
  callbacks.on_position = [&](const model::PositionReport& position) { positions.push_back(position); };
  callbacks.on_wallet = [&](const BybitWalletBalance&) { ++wallets; };
  auto feed = BybitPrivateFeed::create(io_.get_executor(), clock_, time,
                                       fmt::format("ws://127.0.0.1:{}/v5/private", venue_->bybit_port()),
                                       demo_credential(), std::move(callbacks))
                  .value();
  ASSERT_TRUE(feed->start().has_value());
  ASSERT_TRUE(run_until(
      io_, [&] { return feed->authenticated(); }, kLong));

  BybitOrderRequest order;
  order.symbol = btc_;
  order.side = model::Side::kSell;
  order.qty = Decimal::parse("0.01").value();
  order.order_link_id = "kimp-stream-1";
  const auto ack = net::testing::run_awaitable(io_, rest.create_order(order), kLong);
  ASSERT_TRUE(ack.has_value() && ack->has_value());
  ASSERT_TRUE(run_until(
      io_,
      [&] {
        return std::any_of(orders.begin(), orders.end(),
                           [](const auto& report) {
                             return report.client_order_id == "kimp-stream-1" &&
                                    report.status == model::OrderStatus::kFilled;
                           }) &&
               !executions.empty() && !positions.empty() && wallets > 0;
      },
      kLong));
  EXPECT_EQ(executions.back().client_order_id, "kimp-stream-1");
  EXPECT_EQ(positions.back().size, Decimal::parse("0.01").value());
  EXPECT_EQ(positions.back().side, model::Side::kSell);
  EXPECT_EQ(feed->stats().login_failures, 0U);
  EXPECT_EQ(feed->malformed().total(), 0U);
}

TEST_F(BybitFeedAgainstEmulator, PrivateStreamWithAWrongSecretIsRefusedAndSaysSo) {
  net::TimeSync time(clock_, net::TimeSyncOptions{});
  auto feed = BybitPrivateFeed::create(io_.get_executor(), clock_, time,
                                       fmt::format("ws://127.0.0.1:{}/v5/private", venue_->bybit_port()),
                                       demo_credential("not-the-secret"), {})
                  .value();
  ASSERT_TRUE(feed->start().has_value());
  ASSERT_TRUE(run_until(
      io_, [&] { return feed->stats().login_failures >= 1; }, kLong));
  EXPECT_FALSE(feed->authenticated());
}

}  // namespace
}  // namespace kimp::venues::bybit
