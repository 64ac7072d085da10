// Rate limiter: published budgets never exceeded on a SimClock, rate-limit blocks, backoff, counters.
#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <boost/asio/io_context.hpp>

#include "core/clock.hpp"
#include "net/loopback_servers.hpp"

namespace kimp::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Timestamp kStart = Timestamp::from_ns(1'760'000'000'000'000'000);

RateGroupConfig group(std::string name, std::int64_t tokens, Duration period, std::int64_t burst) {
  RateGroupConfig config{std::move(name), TokenBucketConfig{tokens, period, burst}, BackoffConfig{}};
  config.backoff.jitter = 0.0;  // exact blocks in the assertions
  return config;
}

// Most grants within any window of `window` starting at a grant.
std::size_t max_in_window(std::vector<Timestamp> grants, Duration window) {
  std::sort(grants.begin(), grants.end());
  std::size_t most = 0;
  for (std::size_t first = 0, last = 0; first < grants.size(); ++first) {
    while (last < grants.size() && grants[last] < grants[first] + window) {
      ++last;
    }
    most = std::max(most, last - first);
  }
  return most;
}

struct PublishedLimit {
  std::string group;
  std::size_t max;
  Duration window;
};

void expect_budget_kept(const std::vector<RateGroupConfig>& groups,
                        const std::vector<PublishedLimit>& limits) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, groups);
  ASSERT_TRUE(limiter) << limiter.error();
  std::mt19937_64 rng(7);
  std::map<std::string, std::vector<Timestamp>> grants;
  // A minute of bursty demand far above every budget: up to 40 requests per group at random instants.
  while (clock.now() < kStart + seconds{60}) {
    ASSERT_TRUE(clock.advance_by(milliseconds{std::uniform_int_distribution<int>(0, 300)(rng)}));
    for (const PublishedLimit& limit : limits) {
      const int burst = std::uniform_int_distribution<int>(0, 40)(rng);
      for (int i = 0; i < burst; ++i) {
        const auto wait = limiter->reserve(limit.group);
        ASSERT_TRUE(wait) << wait.error();
        grants[limit.group].push_back(clock.now() + *wait);
      }
    }
  }
  for (const PublishedLimit& limit : limits) {
    EXPECT_GT(grants[limit.group].size(), 100U) << limit.group;
    EXPECT_LE(max_in_window(grants[limit.group], limit.window), limit.max) << limit.group;
  }
}

TEST(RateLimiter, BybitDefaults_NeverExceedPublishedLimits) {
  expect_budget_kept(bybit_rate_groups(), {{"public", 600, seconds{5}}, {"private", 10, seconds{1}}});
}

TEST(RateLimiter, UpbitDefaults_NeverExceedPublishedLimits) {
  expect_budget_kept(upbit_rate_groups(), {{"order", 8, seconds{1}},
                                           {"default", 30, seconds{1}},
                                           {"quotation", 10, seconds{1}},
                                           {"ws_connect", 5, seconds{1}}});
}

TEST(RateLimiter, Defaults_StayBelowPublishedLimitsWithMargin) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, upbit_rate_groups());
  ASSERT_TRUE(limiter);
  EXPECT_EQ(limiter->group_names(),
            (std::vector<std::string>{"default", "order", "quotation", "ws_connect"}));
  for (const RateGroupConfig& config : bybit_rate_groups()) {
    EXPECT_EQ(config.bucket.period, seconds{1});
  }
  EXPECT_EQ(bybit_rate_groups()[1].bucket.tokens, 8);
  EXPECT_EQ(upbit_rate_groups()[0].bucket.tokens, 6);
}

TEST(RateLimiter, RateLimitedWithRetryAfter_BlocksGroupUntilThenResumes) {
  SimClock clock(kStart);
  auto limiter =
      RateLimiter::create(clock, {group("private", 8, seconds{1}, 1), group("public", 100, seconds{1}, 50)});
  ASSERT_TRUE(limiter);
  ASSERT_EQ(limiter->reserve("private"), Duration::zero());
  ASSERT_TRUE(limiter->on_rate_limited("private", seconds{3}));
  EXPECT_EQ(limiter->blocked_until("private"), kStart + seconds{3});

  // The bucket refilled within 125 ms; the block is what holds the request back.
  ASSERT_TRUE(clock.advance_by(seconds{1}));
  EXPECT_EQ(limiter->reserve("private"), Duration{seconds{2}});
  // Other groups are not affected.
  EXPECT_EQ(limiter->reserve("public"), Duration::zero());

  ASSERT_TRUE(clock.advance_by(seconds{3}));
  EXPECT_EQ(limiter->reserve("private"), Duration::zero());

  const auto counters = limiter->counters("private");
  ASSERT_TRUE(counters);
  EXPECT_EQ(counters->requests, 3U);
  EXPECT_EQ(counters->waits, 1U);
  EXPECT_EQ(counters->rejections, 1U);
  EXPECT_EQ(counters->total_wait, Duration{seconds{2}});
  EXPECT_EQ(counters->average_wait(), Duration{seconds{2}});
}

TEST(RateLimiter, WaitFor_IsTheQueueOrTheBlockAndChangesNothing) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("order", 8, seconds{1}, 2)});
  ASSERT_TRUE(limiter);
  EXPECT_EQ(limiter->wait_for("order"), Duration::zero());
  ASSERT_EQ(limiter->reserve("order"), Duration::zero());
  ASSERT_EQ(limiter->reserve("order"), Duration::zero());
  EXPECT_EQ(limiter->wait_for("order"), Duration{milliseconds{125}});
  EXPECT_EQ(limiter->wait_for("order"), Duration{milliseconds{125}}) << "asking takes nothing";
  ASSERT_TRUE(limiter->on_rate_limited("order", seconds{3}));
  EXPECT_EQ(limiter->wait_for("order"), Duration{seconds{3}});
  ASSERT_TRUE(clock.advance_by(seconds{3}));
  EXPECT_EQ(limiter->wait_for("order"), Duration::zero());
  EXPECT_EQ(limiter->reserve("order"), Duration::zero());
  EXPECT_FALSE(limiter->wait_for("nope").has_value());
}

TEST(RateLimiter, RequestsQueuedDuringBlock_LeaveAtBucketPaceAfterIt) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("order", 2, seconds{1}, 1)});
  ASSERT_TRUE(limiter);
  ASSERT_TRUE(limiter->on_rate_limited("order", seconds{5}));
  EXPECT_EQ(limiter->reserve("order"), Duration{seconds{5}});
  EXPECT_EQ(limiter->reserve("order"), Duration{milliseconds{5500}});
  EXPECT_EQ(limiter->reserve("order"), Duration{seconds{6}});
}

TEST(RateLimiter, RateLimitedWithoutRetryTime_BackoffGrowsThenResetsAfterQuiet) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("default", 24, seconds{1}, 4)});
  ASSERT_TRUE(limiter);
  ASSERT_TRUE(limiter->on_rate_limited("default"));
  EXPECT_EQ(limiter->blocked_until("default"), kStart + seconds{1});
  ASSERT_TRUE(clock.advance_by(seconds{1}));
  ASSERT_TRUE(limiter->on_rate_limited("default"));
  EXPECT_EQ(limiter->blocked_until("default"), kStart + seconds{3});
  ASSERT_TRUE(clock.advance_by(seconds{2}));
  ASSERT_TRUE(limiter->on_rate_limited("default"));
  EXPECT_EQ(limiter->blocked_until("default"), kStart + seconds{7});

  // 30 s without a block: the next answer starts from 1 s again.
  ASSERT_TRUE(clock.advance_to(kStart + seconds{40}));
  ASSERT_TRUE(limiter->reserve("default"));
  ASSERT_TRUE(limiter->on_rate_limited("default"));
  EXPECT_EQ(limiter->blocked_until("default"), kStart + seconds{41});
  EXPECT_EQ(limiter->counters("default")->rejections, 4U);
}

TEST(RateLimiter, ShorterLaterBlock_DoesNotShortenEarlierOne) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("public", 100, seconds{1}, 50)});
  ASSERT_TRUE(limiter);
  ASSERT_TRUE(limiter->on_rate_limited("public", seconds{5}));
  ASSERT_TRUE(limiter->on_rate_limited("public", seconds{1}));
  EXPECT_EQ(limiter->blocked_until("public"), kStart + seconds{5});
}

TEST(RateLimiter, BeyondBurst_WaitsAreCountedAndAveraged) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("order", 2, seconds{1}, 2)});
  ASSERT_TRUE(limiter);
  EXPECT_EQ(limiter->reserve("order"), Duration::zero());
  EXPECT_EQ(limiter->reserve("order"), Duration::zero());
  EXPECT_EQ(limiter->reserve("order"), Duration{milliseconds{500}});
  EXPECT_EQ(limiter->reserve("order"), Duration{milliseconds{1000}});
  const auto counters = limiter->counters("order");
  ASSERT_TRUE(counters);
  EXPECT_EQ(*counters, (RateGroupCounters{4, 2, 0, milliseconds{1500}}));
  EXPECT_EQ(counters->average_wait(), Duration{milliseconds{750}});
}

TEST(RateLimiter, UnknownGroup_IsInvalidArgumentEverywhere) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, bybit_rate_groups());
  ASSERT_TRUE(limiter);
  EXPECT_EQ(limiter->reserve("orders").error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(limiter->reserve("orders").error().message.find("\"orders\""), std::string::npos);
  EXPECT_EQ(limiter->on_rate_limited("orders").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(limiter->counters("orders").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(limiter->blocked_until("orders").error().code, ErrorCode::kInvalidArgument);
}

TEST(RateLimiter, Hold_BlocksWithoutCountingARefusalOrGrowingTheBackoff) {
  SimClock clock(kStart);
  auto limiter = RateLimiter::create(clock, {group("private", 10, seconds{1}, 10)}).value();
  ASSERT_TRUE(limiter.hold("private", milliseconds{700}));
  EXPECT_EQ(limiter.blocked_until("private").value(), kStart + milliseconds{700});
  EXPECT_EQ(limiter.reserve("private").value(), milliseconds{700});
  ASSERT_TRUE(limiter.hold("private", milliseconds{100}));
  EXPECT_EQ(limiter.blocked_until("private").value(), kStart + milliseconds{700}) << "only ever extended";
  ASSERT_TRUE(limiter.hold("private", Duration::zero()));
  EXPECT_EQ(limiter.counters("private")->rejections, 0U);
  // The first refusal after holds still starts the backoff at its first step (1 s).
  ASSERT_TRUE(limiter.on_rate_limited("private"));
  EXPECT_EQ(limiter.blocked_until("private").value(), kStart + seconds{1});
  EXPECT_FALSE(limiter.hold("nope", seconds{1}));
}

TEST(RateLimiter, BadConfigurations_AreRefused) {
  SimClock clock(kStart);
  EXPECT_EQ(RateLimiter::create(clock, {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      RateLimiter::create(clock, {group("a", 1, seconds{1}, 1), group("a", 2, seconds{1}, 1)}).error().code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::create(clock, {group("", 1, seconds{1}, 1)}).error().code,
            ErrorCode::kInvalidArgument);
  const auto zero_rate = RateLimiter::create(clock, {group("order", 0, seconds{1}, 1)});
  ASSERT_FALSE(zero_rate);
  EXPECT_NE(zero_rate.error().message.find("order"), std::string::npos);
  auto bad_backoff = group("order", 1, seconds{1}, 1);
  bad_backoff.backoff.initial = Duration::zero();
  EXPECT_EQ(RateLimiter::create(clock, {bad_backoff}).error().code, ErrorCode::kInvalidArgument);
}

TEST(RateLimiter, ParseRetryAfter_AcceptsDeltaSecondsOnly) {
  EXPECT_EQ(parse_retry_after("3"), Duration{seconds{3}});
  EXPECT_EQ(parse_retry_after(" 10 "), Duration{seconds{10}});
  EXPECT_EQ(parse_retry_after("0"), Duration::zero());
  for (const char* bad : {"", "-1", "1.5", "3s", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999"}) {
    const auto parsed = parse_retry_after(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(RateLimiter, Acquire_WaitsOnTimerAndCountsWaits) {
  boost::asio::io_context io;
  WallClock clock(io.get_executor());
  auto limiter = RateLimiter::create(clock, {group("order", 1, milliseconds{20}, 1)});
  ASSERT_TRUE(limiter);
  for (int i = 0; i < 3; ++i) {
    const auto acquired = testing::run_awaitable(io, limiter->acquire("order"));
    ASSERT_TRUE(acquired.has_value());
    EXPECT_TRUE(*acquired) << acquired->error();
  }
  const auto unknown = testing::run_awaitable(io, limiter->acquire("nope"));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(limiter->counters("order")->requests, 3U);
  EXPECT_GE(limiter->counters("order")->waits, 1U);
}

}  // namespace
}  // namespace kimp::net
