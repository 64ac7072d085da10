// Time sync: RTT-midpoint offset, best-of-window choice, drift health and its log, the refresh loop.
#include "net/time_sync.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include <boost/asio/io_context.hpp>

#include "core/clock.hpp"
#include "net/loopback_servers.hpp"

namespace kimp::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Timestamp kStart = Timestamp::from_ns(1'760'000'000'000'000'000);

TimeSample sample(std::int64_t send_ms, std::int64_t server_ms, std::int64_t recv_ms) {
  return TimeSample{kStart + milliseconds{send_ms}, kStart + milliseconds{server_ms},
                    kStart + milliseconds{recv_ms}};
}

class TimeSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::init(log::Format::kHuman, spdlog::level::info,
              std::make_shared<spdlog::sinks::ostream_sink_mt>(log_, true));
  }
  void TearDown() override { log::init(log::Format::kHuman, spdlog::level::info); }

  [[nodiscard]] int log_count(const std::string& text) const {
    const std::string all = log_.str();
    int count = 0;
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) {
      ++count;
    }
    return count;
  }

  std::ostringstream log_;
  SimClock clock_{kStart};
};

TEST_F(TimeSyncTest, Offset_IsServerTimeMinusRoundTripMidpoint) {
  EXPECT_EQ(sample(1000, 1300, 1100).offset(), Duration{milliseconds{250}});
  EXPECT_EQ(sample(1000, 1300, 1100).rtt(), Duration{milliseconds{100}});
  EXPECT_EQ(sample(0, -500, 40).offset(), Duration{milliseconds{-520}});
  // An odd round trip in nanoseconds rounds the midpoint down, not the offset off by a whole unit.
  const TimeSample odd{kStart, kStart + Duration{10}, kStart + Duration{3}};
  EXPECT_EQ(odd.offset(), Duration{9});
}

TEST_F(TimeSyncTest, SamplesInWindow_SmallestRoundTripWins) {
  TimeSync sync(clock_, TimeSyncOptions{milliseconds{1000}, seconds{5}, 2});
  EXPECT_EQ(sync.health(), TimeSyncHealth::kUnknown);
  EXPECT_EQ(sync.offset(), Duration::zero());
  ASSERT_TRUE(sync.add_sample(sample(0, 300, 100)));       // rtt 100, offset 250
  ASSERT_TRUE(sync.add_sample(sample(1000, 1250, 1020)));  // rtt 20, offset 240
  EXPECT_EQ(sync.offset(), Duration{milliseconds{240}});
  EXPECT_EQ(sync.rtt(), Duration{milliseconds{20}});
  ASSERT_TRUE(sync.add_sample(sample(2000, 2500, 2300)));  // rtt 300, offset 350: the rtt-20 one still counts
  EXPECT_EQ(sync.offset(), Duration{milliseconds{240}});
  ASSERT_TRUE(sync.add_sample(sample(3000, 3460, 3200)));  // rtt 200, offset 360: rtt 20 left the window
  EXPECT_EQ(sync.offset(), Duration{milliseconds{360}});
  EXPECT_EQ(sync.samples_taken(), 4U);
  EXPECT_EQ(sync.server_now(), kStart + milliseconds{360});
}

TEST_F(TimeSyncTest, DriftBeyondLimit_TurnsHealthDriftedAndWarnsOncePerTransition) {
  TimeSync sync(clock_, TimeSyncOptions{milliseconds{1000}, seconds{5}, 1});
  ASSERT_TRUE(sync.add_sample(sample(0, 1010, 20)));
  EXPECT_EQ(sync.health(), TimeSyncHealth::kOk);
  ASSERT_TRUE(sync.add_sample(sample(0, 5010, 20)));  // exactly 5 s: still within the limit
  EXPECT_EQ(sync.health(), TimeSyncHealth::kOk);
  ASSERT_TRUE(sync.add_sample(sample(0, 6010, 20)));
  EXPECT_EQ(sync.health(), TimeSyncHealth::kDrifted);
  ASSERT_TRUE(sync.add_sample(sample(0, -7000, 20)));
  EXPECT_EQ(sync.health(), TimeSyncHealth::kDrifted);
  EXPECT_EQ(log_count("server clock drifted"), 1) << log_.str();
  EXPECT_NE(log_.str().find("warn"), std::string::npos);
  ASSERT_TRUE(sync.add_sample(sample(0, 10, 20)));
  EXPECT_EQ(sync.health(), TimeSyncHealth::kOk);
  EXPECT_EQ(log_count("server clock in sync"), 2) << log_.str();
  EXPECT_EQ(to_string(TimeSyncHealth::kDrifted), "drifted");
}

TEST_F(TimeSyncTest, SampleReceivedBeforeSent_IsRefusedAndChangesNothing) {
  TimeSync sync(clock_, TimeSyncOptions{});
  const Status added = sync.add_sample(sample(100, 500, 50));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sync.samples_taken(), 0U);
  EXPECT_EQ(sync.health(), TimeSyncHealth::kUnknown);
}

// A server 2 s ahead of the SimClock, answering after 40 ms of simulated time.
TimeSync::Fetch fake_server(SimClock& clock, int& calls, bool& fail) {
  return [&clock, &calls, &fail]() -> boost::asio::awaitable<Result<Timestamp>> {
    ++calls;
    EXPECT_TRUE(clock.advance_by(milliseconds{20}));
    const Timestamp server = clock.now() + seconds{2};
    EXPECT_TRUE(clock.advance_by(milliseconds{20}));
    if (fail) {
      co_return make_error(ErrorCode::kUnavailable, "server down");
    }
    co_return server;
  };
}

TEST_F(TimeSyncTest, SyncOnce_TimesTheQueryOnTheClock) {
  boost::asio::io_context io;
  int calls = 0;
  bool fail = false;
  TimeSync sync(clock_, TimeSyncOptions{}, fake_server(clock_, calls, fail));
  const auto synced = testing::run_awaitable(io, sync.sync_once());
  ASSERT_TRUE(synced.has_value());
  ASSERT_TRUE(*synced) << synced->error();
  EXPECT_EQ(sync.offset(), Duration{seconds{2}});
  EXPECT_EQ(sync.rtt(), Duration{milliseconds{40}});
  EXPECT_EQ(sync.server_now(), clock_.now() + seconds{2});

  fail = true;
  const auto failed = testing::run_awaitable(io, sync.sync_once());
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(sync.offset(), Duration{seconds{2}});
  EXPECT_EQ(sync.samples_taken(), 1U);
}

TEST_F(TimeSyncTest, SyncOnceWithoutFetch_IsFailedPrecondition) {
  boost::asio::io_context io;
  TimeSync sync(clock_, TimeSyncOptions{});
  const auto synced = testing::run_awaitable(io, sync.sync_once());
  ASSERT_TRUE(synced.has_value());
  EXPECT_EQ(synced->error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(sync.start(io.get_executor()).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(TimeSyncTest, Start_RefreshesPeriodicallyUntilStopped) {
  boost::asio::io_context io;
  int calls = 0;
  bool fail = false;
  TimeSync sync(clock_, TimeSyncOptions{milliseconds{5}, seconds{5}, 5}, fake_server(clock_, calls, fail));
  ASSERT_TRUE(sync.start(io.get_executor()));
  EXPECT_EQ(sync.start(io.get_executor()).error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(testing::run_until(io, [&] { return calls >= 3; }));
  EXPECT_GE(sync.samples_taken(), 3U);
  EXPECT_EQ(sync.health(), TimeSyncHealth::kOk);
  sync.stop();
  const int calls_at_stop = calls;
  io.restart();
  io.run_for(milliseconds{50});
  EXPECT_EQ(calls, calls_at_stop);
}

}  // namespace
}  // namespace kimp::net
