// UsdKrwPoller against the `kimp venue-sim` process's FX port: a good value with its age, then failures
// that keep it and mark it stale; UsdtKrwTracker on Upbit's KRW-USDT ticker.
#include "venues/fx/fx_poller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "app/venue_sim_process.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "net/loopback_servers.hpp"

namespace kimp::venues::fx {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds kPatience{30};

class UsdKrwPollerEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(venue_->started());
    net::HttpClientOptions options;
    options.request_timeout = 1s;
    http_ = net::HttpClient::create(io_.get_executor(), venue_->fx_url(), options).value();
  }

  void TearDown() override {
    if (venue_->started()) {
      EXPECT_EQ(venue_->terminate(), 0);
    }
  }

  std::unique_ptr<UsdKrwPoller> make_poller(UsdKrwPollerOptions options) {
    auto poller = UsdKrwPoller::create(io_.get_executor(), *http_, clock_, std::move(options));
    EXPECT_TRUE(poller.has_value()) << poller.error();
    return poller ? std::move(*poller) : nullptr;
  }

  void set_faults(const std::string& json) const {
    const auto answer = venue_->admin(boost::beast::http::verb::post, "/faults", json);
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }

  template <class Predicate>
  bool run_until(Predicate done) {
    return net::testing::run_until(io_, done, kPatience);
  }

  std::unique_ptr<e2e::VenueSimProcess> venue_;
  boost::asio::io_context io_;
  WallClock clock_{io_.get_executor()};
  std::unique_ptr<net::HttpClient> http_;
};

TEST_F(UsdKrwPollerEmulator, GoodAnswer_GivesAFreshRateWithItsAge_ThenAnOutageKeepsItStale) {
  UsdKrwPollerOptions options;
  options.interval = 200ms;
  auto poller = make_poller(options);
  ASSERT_NE(poller, nullptr);
  ASSERT_TRUE(poller->start().has_value());
  ASSERT_TRUE(run_until([&] { return poller->usd_krw().has_value(); }));
  const FxRate& rate = poller->usd_krw();
  EXPECT_FALSE(rate.stale());
  ASSERT_TRUE(rate.rate().has_value());
  EXPECT_TRUE(rate.rate()->is_positive());
  EXPECT_GE(rate.age(clock_.now()).value(), Duration::zero());
  EXPECT_EQ(poller->counters().failures, 0U);

  set_faults(R"({"http":[{"venue":"fx","endpoint":"/v1/forex/recent","server_error_rate":1}]})");
  ASSERT_TRUE(run_until([&] { return poller->counters().failures >= 2; }));
  const auto last_good = rate.rate();
  EXPECT_TRUE(rate.stale());
  EXPECT_EQ(rate.rate(), last_good) << "the last value is kept";
  ASSERT_TRUE(poller->counters().last_error.has_value());
  EXPECT_EQ(poller->counters().last_error->code, ErrorCode::kUnavailable);
  EXPECT_GE(venue_->injected("server_error", "/v1/forex/recent", "fx"), 2U);

  const auto answer = venue_->admin(boost::beast::http::verb::delete_, "/faults");
  ASSERT_EQ(answer.status, 200U) << answer.body;
  ASSERT_TRUE(run_until([&] { return !rate.stale(); })) << "the next good answer clears the stale flag";
  EXPECT_FALSE(poller->counters().last_error.has_value());
}

TEST_F(UsdKrwPollerEmulator, Timeout_IsCountedAndTheRateStaysUnknown) {
  set_faults(R"({"http":[{"venue":"fx","endpoint":"/v1/forex/recent","timeout_rate":1}]})");
  auto poller = make_poller({});
  ASSERT_NE(poller, nullptr);
  const auto polled = net::testing::run_awaitable(io_, poller->poll_once(), kPatience);
  ASSERT_TRUE(polled.has_value());
  ASSERT_FALSE(polled->has_value());
  EXPECT_EQ(polled->error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(poller->counters().failures, 1U);
  EXPECT_FALSE(poller->usd_krw().has_value()) << "never a value the source did not give";
  EXPECT_EQ(poller->usd_krw().last_failure().has_value(), true);
}

TEST_F(UsdKrwPollerEmulator, BodyWithoutTheUsdKrwQuote_IsAFailureNotAValue) {
  UsdKrwPollerOptions options;
  options.target = "/v1/forex/recent?codes=FRX.KRWJPY";  // answered with an empty array
  auto poller = make_poller(options);
  ASSERT_NE(poller, nullptr);
  const auto polled = net::testing::run_awaitable(io_, poller->poll_once(), kPatience);
  ASSERT_TRUE(polled.has_value());
  ASSERT_FALSE(polled->has_value());
  EXPECT_EQ(polled->error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(poller->counters().failures, 1U);
  EXPECT_FALSE(poller->usd_krw().has_value());
}

TEST(UsdtKrwTracker, TickerGivesTheRate_LostFeedMarksItStale_ForeignTickerIsRefused) {
  SimClock clock(Timestamp::from_ns(1'760'000'000'000'000'000));
  UsdtKrwTracker tracker(clock);
  model::Ticker ticker;
  ticker.venue = model::Venue::kUpbit;
  ticker.symbol = model::Symbol::create("KRW-USDT").value();
  ticker.ts_event = clock.now();
  ticker.last_price = Decimal::parse("1391.5").value();
  ASSERT_TRUE(tracker.on_ticker(ticker).has_value());
  EXPECT_EQ(tracker.usdt_krw().rate(), Decimal::parse("1391.5").value());
  EXPECT_EQ(tracker.usdt_krw().ts_recv(), clock.now()) << "a ticker without ts_recv is received now";

  tracker.on_feed_state(net::WsState::kDisconnected);
  EXPECT_TRUE(tracker.usdt_krw().stale());
  EXPECT_EQ(tracker.usdt_krw().rate(), Decimal::parse("1391.5").value());

  model::Ticker other = ticker;
  other.symbol = model::Symbol::create("KRW-BTC").value();
  EXPECT_FALSE(tracker.on_ticker(other).has_value());
  EXPECT_EQ(tracker.failures(), 1U);
  EXPECT_EQ(tracker.usdt_krw().rate(), Decimal::parse("1391.5").value());

  ASSERT_TRUE(clock.advance_by(1s).has_value());
  ticker.ts_event = clock.now();
  ticker.ts_recv = clock.now();
  ASSERT_TRUE(tracker.on_ticker(ticker).has_value());
  EXPECT_FALSE(tracker.usdt_krw().stale());
}

}  // namespace
}  // namespace kimp::venues::fx
