// Tests of TokenBucket: exact exchange rates, reservations, counters, determinism, and the rate bound.
#include "core/token_bucket.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace kimp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const Timestamp kStart = Timestamp::from_ns(1'767'225'600'000'000'000);  // 2026-01-01T00:00:00Z

TokenBucket make_bucket(const TokenBucketConfig& config, const Clock& clock) {
  auto bucket = TokenBucket::create(config, clock);
  EXPECT_TRUE(bucket.has_value()) << bucket.error();
  return std::move(bucket).value();
}

void move_on(SimClock& clock, Duration delta) {
  ASSERT_TRUE(clock.advance_by(delta).has_value());
}

int drain(TokenBucket& bucket) {
  int granted = 0;
  while (bucket.try_acquire()) {
    ++granted;
  }
  return granted;
}

TEST(TokenBucket, EightPerSecond_StartsFullThenRefillsOneEvery125Ms) {
  SimClock clock(kStart);
  auto bucket = make_bucket({8, seconds{1}, 8}, clock);
  EXPECT_EQ(drain(bucket), 8);
  move_on(clock, milliseconds{125} - nanoseconds{1});
  EXPECT_FALSE(bucket.try_acquire());
  move_on(clock, nanoseconds{1});
  EXPECT_TRUE(bucket.try_acquire());
  EXPECT_FALSE(bucket.try_acquire());
  move_on(clock, hours{1});
  EXPECT_EQ(drain(bucket), 8);  // never holds more than the burst
}

TEST(TokenBucket, ThirtyPerSecond_NoRoundingAndNoDrift) {
  SimClock clock(kStart);
  auto bucket = make_bucket({30, seconds{1}, 30}, clock);
  EXPECT_EQ(drain(bucket), 30);
  // 1/30 s is not a whole number of ns: the first token is back after 33'333'334 ns, not before.
  move_on(clock, nanoseconds{33'333'333});
  EXPECT_FALSE(bucket.try_acquire());
  move_on(clock, nanoseconds{1});
  EXPECT_TRUE(bucket.try_acquire());
  // Taking every token as soon as it exists for an hour yields exactly 30 per second.
  int granted = 1;
  for (int step = 0; step < 3600 * 1000; ++step) {
    move_on(clock, milliseconds{1});
    granted += drain(bucket);
  }
  EXPECT_EQ(clock.now() - kStart, hours{1} + nanoseconds{33'333'334});
  EXPECT_EQ(granted, 3600 * 30 + 1);  // the token at 1 h + 33'333'334 ns is included
}

TEST(TokenBucket, BybitSixHundredPerFiveSeconds_RefillsProportionally) {
  SimClock clock(kStart);
  auto bucket = make_bucket({600, seconds{5}, 600}, clock);
  EXPECT_EQ(drain(bucket), 600);
  move_on(clock, seconds{1});
  EXPECT_EQ(drain(bucket), 120);
  move_on(clock, seconds{5});
  EXPECT_EQ(drain(bucket), 600);
}

TEST(TokenBucket, UpbitHalfPerSecond_IsOneEveryTwoSeconds) {
  SimClock clock(kStart);
  auto bucket = make_bucket({1, seconds{2}, 1}, clock);
  EXPECT_TRUE(bucket.try_acquire());
  move_on(clock, seconds{1});
  EXPECT_FALSE(bucket.try_acquire());
  move_on(clock, seconds{1});
  EXPECT_TRUE(bucket.try_acquire());
}

TEST(TokenBucket, Available_CountsWholeTokensWithoutTakingAny) {
  SimClock clock(Timestamp::from_ns(0));
  auto bucket = TokenBucket::create({8, std::chrono::seconds(1), 8}, clock).value();
  EXPECT_EQ(bucket.available(), 8);
  ASSERT_TRUE(bucket.try_acquire(8));
  EXPECT_EQ(bucket.available(), 0);
  ASSERT_TRUE(clock.advance_by(std::chrono::milliseconds(249)).has_value());
  EXPECT_EQ(bucket.available(), 1);  // one token per 125 ms: 1.992 tokens so far
  ASSERT_TRUE(clock.advance_by(std::chrono::milliseconds(1)).has_value());
  EXPECT_EQ(bucket.available(), 2);
  EXPECT_EQ(bucket.available(), 2);  // asking takes nothing
  EXPECT_EQ(bucket.counters().acquired, 1);
  ASSERT_TRUE(bucket.reserve(5).has_value());  // 3 tokens short: a reservation waits for them
  EXPECT_EQ(bucket.available(), 0);
}

TEST(TokenBucket, TryAcquire_SeveralTokensAtOnceAndImpossibleCounts) {
  SimClock clock(kStart);
  auto bucket = make_bucket({10, seconds{1}, 10}, clock);
  EXPECT_TRUE(bucket.try_acquire(7));
  EXPECT_FALSE(bucket.try_acquire(4));
  EXPECT_TRUE(bucket.try_acquire(3));
  EXPECT_FALSE(bucket.try_acquire(11));  // more than the burst: never possible
  EXPECT_FALSE(bucket.try_acquire(0));
  EXPECT_FALSE(bucket.try_acquire(-1));
  EXPECT_EQ(bucket.counters(), (TokenBucketCounters{2, 0, 4, nanoseconds{0}}));
}

TEST(TokenBucket, Reserve_QueuesBehindEarlierReservationsAndCountsWaits) {
  SimClock clock(kStart);
  auto bucket = make_bucket({10, seconds{1}, 10}, clock);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(bucket.reserve().value(), nanoseconds{0});
  }
  EXPECT_EQ(bucket.reserve().value(), milliseconds{100});
  EXPECT_EQ(bucket.reserve(2).value(), milliseconds{300});
  EXPECT_FALSE(bucket.try_acquire());  // the reserved tokens are spoken for
  move_on(clock, milliseconds{300});
  EXPECT_FALSE(bucket.try_acquire());
  EXPECT_EQ(bucket.reserve().value(), milliseconds{100});
  move_on(clock, milliseconds{150});
  EXPECT_FALSE(bucket.try_acquire());
  move_on(clock, milliseconds{50});
  EXPECT_TRUE(bucket.try_acquire());
  EXPECT_EQ(bucket.counters(), (TokenBucketCounters{14, 3, 3, milliseconds{500}}));
}

TEST(TokenBucket, Reserve_RoundsTheWaitUp) {
  SimClock clock(kStart);
  auto bucket = make_bucket({30, seconds{1}, 30}, clock);
  EXPECT_EQ(drain(bucket), 30);
  EXPECT_EQ(bucket.reserve().value(), nanoseconds{33'333'334});
  EXPECT_EQ(bucket.reserve().value(), nanoseconds{66'666'667});
}

TEST(TokenBucket, Reserve_ImpossibleAmount_IsInvalidArgument) {
  SimClock clock(kStart);
  auto bucket = make_bucket({10, seconds{1}, 10}, clock);
  const auto too_many = bucket.reserve(11);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_many.error().message, "cannot reserve 11 tokens from a bucket with burst 10");
  EXPECT_EQ(bucket.reserve(0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bucket.counters(), TokenBucketCounters{});
}

TEST(TokenBucket, Reserve_QueueBeyondRepresentableWait_IsResourceExhausted) {
  SimClock clock(kStart);
  // Two periods of debt no longer fit in 64 bits of nanoseconds.
  const Duration period{(std::int64_t{1} << 62) + 1};
  auto bucket = make_bucket({1, period, 1}, clock);
  EXPECT_EQ(bucket.reserve().value(), nanoseconds{0});
  EXPECT_EQ(bucket.reserve().value(), period);
  const auto overflow = bucket.reserve();
  ASSERT_FALSE(overflow.has_value());
  EXPECT_EQ(overflow.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(overflow.error().message,
            "token bucket reservations already reach too far ahead to queue 1 more");
  EXPECT_EQ(bucket.counters(), (TokenBucketCounters{2, 1, 0, period}));
}

TEST(TokenBucket, Create_InvalidConfig_IsInvalidArgument) {
  SimClock clock(kStart);
  const std::vector<std::pair<TokenBucketConfig, std::string>> cases = {
      {{0, seconds{1}, 10},
       "token bucket needs positive tokens, period and burst, got 0 per 1000000000 ns with burst 10"},
      {{10, nanoseconds{0}, 10},
       "token bucket needs positive tokens, period and burst, got 10 per 0 ns with burst 10"},
      {{10, seconds{1}, 0},
       "token bucket needs positive tokens, period and burst, got 10 per 1000000000 ns with burst 0"},
      {{10, seconds{1}, std::int64_t{10'000'000'000}},
       "token bucket burst 10000000000 times period 1000000000 ns does not fit in 64 bits"},
  };
  for (const auto& [config, message] : cases) {
    const auto result = TokenBucket::create(config, clock);
    ASSERT_FALSE(result.has_value()) << message;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message, message);
  }
}

// A clock whose time the test sets freely, including backwards, as a system clock may step.
class SteppedClock final : public Clock {
 public:
  [[nodiscard]] Timestamp now() const override { return now_; }
  // The bucket only reads the time; it never schedules timers.
  TimerId call_at(Timestamp, std::function<void()>) override { return TimerId{}; }
  TimerId call_after(Duration, std::function<void()>) override { return TimerId{}; }
  bool cancel(TimerId) override { return false; }

  void set(Timestamp at) { now_ = at; }

 private:
  Timestamp now_ = kStart;
};

TEST(TokenBucket, ClockSteppedBack_RefillResumesFromTheNewTimeAtOnce) {
  SteppedClock clock;
  auto bucket = make_bucket({10, seconds{1}, 10}, clock);
  EXPECT_EQ(drain(bucket), 10);
  clock.set(kStart - hours{1});
  EXPECT_FALSE(bucket.try_acquire());  // no refill for going back
  clock.set(kStart - hours{1} + milliseconds{100});
  EXPECT_TRUE(bucket.try_acquire());  // not stalled until the clock is back at kStart
  EXPECT_FALSE(bucket.try_acquire());
}

struct Grant {
  Timestamp at;
  std::int64_t tokens = 0;
  bool operator==(const Grant&) const = default;
};

// Drives a bucket with `arrivals` requests at seeded random times, about three times faster than it
// refills, a quarter of them reservations, with a rare idle gap of up to two periods that refills it
// to the burst. Returns every grant, reservations at the time their wait ends.
std::vector<Grant> random_grants(const TokenBucketConfig& config, std::uint64_t seed, int arrivals,
                                 TokenBucketCounters* counters) {
  SimClock clock(kStart);
  auto bucket = make_bucket(config, clock);
  std::mt19937_64 rng(seed);
  const std::int64_t token_interval = config.period.count() / config.tokens;
  const std::int64_t max_tokens = std::min<std::int64_t>(config.burst, 3);
  std::vector<Grant> grants;
  for (int i = 0; i < arrivals; ++i) {
    const bool idle = rng() % 10'000 == 0;
    const auto gap = static_cast<std::int64_t>(
        rng() % static_cast<std::uint64_t>(idle ? 2 * config.period.count() : token_interval * 6 / 5));
    EXPECT_TRUE(clock.advance_by(nanoseconds{gap}).has_value());
    const auto n = static_cast<std::int64_t>(1 + rng() % static_cast<std::uint64_t>(max_tokens));
    if (rng() % 4 == 0) {
      const auto wait = bucket.reserve(n);
      EXPECT_TRUE(wait.has_value());
      grants.push_back({clock.now() + wait.value_or(Duration{}), n});
    } else if (bucket.try_acquire(n)) {
      grants.push_back({clock.now(), n});
    }
  }
  *counters = bucket.counters();
  return grants;
}

// For every grant, the tokens granted in [grant, grant + window) stay within burst + rate * window,
// compared exactly as tokens * period <= burst * period + rate_tokens * window.
void expect_within_rate(const TokenBucketConfig& config, const std::vector<Grant>& grants, Duration window) {
  std::size_t end = 0;
  std::int64_t in_window = 0;
  const std::int64_t limit = config.burst * config.period.count() + config.tokens * window.count();
  for (std::size_t begin = 0; begin < grants.size(); ++begin) {
    while (end < grants.size() && grants[end].at < grants[begin].at + window) {
      in_window += grants[end].tokens;
      ++end;
    }
    ASSERT_LE(in_window * config.period.count(), limit)
        << "window " << window.count() << " ns from " << grants[begin].at << " holds " << in_window
        << " tokens";
    in_window -= grants[begin].tokens;
  }
}

void expect_never_exceeds_rate(const TokenBucketConfig& config, std::uint64_t seed,
                               std::int64_t min_percent) {
  constexpr int kArrivals = 1'000'000;
  TokenBucketCounters counters;
  const auto grants = random_grants(config, seed, kArrivals, &counters);
  EXPECT_EQ(counters.acquired + counters.rejected, static_cast<std::uint64_t>(kArrivals));
  EXPECT_EQ(counters.acquired, grants.size());
  EXPECT_GT(counters.waited, 0U);
  EXPECT_GT(counters.rejected, 0U);
  for (std::size_t i = 1; i < grants.size(); ++i) {
    ASSERT_LE(grants[i - 1].at, grants[i].at) << "grant " << i;
  }
  const Duration period = config.period;
  const Duration token_interval = period / config.tokens;
  for (const Duration window : {nanoseconds{1}, token_interval - nanoseconds{1}, token_interval, period / 2,
                                period - nanoseconds{1}, period, period + nanoseconds{1}, 7 * period}) {
    expect_within_rate(config, grants, window);
  }
  // The bound holds while the bucket is kept busy, not because callers are starved: it hands out at
  // least `min_percent` of its rate over the run.
  std::int64_t granted = 0;
  for (const Grant& grant : grants) {
    granted += grant.tokens;
  }
  const std::int64_t span = (grants.back().at - kStart).count();
  EXPECT_GE(granted * config.period.count() * 100, config.tokens * span * min_percent);
}

TEST(TokenBucket, MillionRandomAcquisitions_NeverExceedRate_TenPerSecondBurstTen) {
  expect_never_exceeds_rate({10, seconds{1}, 10}, 1, 95);
}

TEST(TokenBucket, MillionRandomAcquisitions_NeverExceedRate_ThirtyPerSecond) {
  expect_never_exceeds_rate({30, seconds{1}, 30}, 2, 95);
}

TEST(TokenBucket, MillionRandomAcquisitions_NeverExceedRate_SixHundredPerFiveSeconds) {
  expect_never_exceeds_rate({600, seconds{5}, 600}, 3, 95);
}

TEST(TokenBucket, MillionRandomAcquisitions_NeverExceedRate_OnePerTwoSecondsBurstOne) {
  // A burst of one holds no token while waiting for the next request, so less of the rate is used.
  expect_never_exceeds_rate({1, seconds{2}, 1}, 4, 75);
}

TEST(TokenBucket, SameSeed_GivesTheSameGrants) {
  const TokenBucketConfig config{8, seconds{1}, 8};
  TokenBucketCounters first_counters;
  TokenBucketCounters second_counters;
  const auto first = random_grants(config, 99, 100'000, &first_counters);
  const auto second = random_grants(config, 99, 100'000, &second_counters);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first_counters, second_counters);
  TokenBucketCounters other_counters;
  EXPECT_NE(first, random_grants(config, 100, 100'000, &other_counters));
}

}  // namespace
}  // namespace kimp
