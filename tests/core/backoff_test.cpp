// Tests of Backoff: the reconnect defaults, growth and cap, jitter bounds, seed determinism, validation.
#include "core/backoff.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kimp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Duration> delays(Backoff& backoff, int count) {
  std::vector<Duration> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(backoff.next());
  }
  return out;
}

TEST(Backoff, Defaults_AreTheReconnectPolicy) {
  const BackoffConfig defaults;
  EXPECT_EQ(defaults.initial, seconds{1});
  EXPECT_EQ(defaults.factor, 2.0);
  EXPECT_EQ(defaults.cap, seconds{30});
  EXPECT_EQ(defaults.jitter, 0.2);
}

TEST(Backoff, WithoutJitter_DoublesFromOneSecondUpToThirtySeconds) {
  BackoffConfig config;
  config.jitter = 0.0;
  auto backoff = Backoff::create(config, 1).value();
  EXPECT_EQ(delays(backoff, 8), (std::vector<Duration>{seconds{1}, seconds{2}, seconds{4}, seconds{8},
                                                       seconds{16}, seconds{30}, seconds{30}, seconds{30}}));
  EXPECT_EQ(backoff.attempts(), 8U);
}

TEST(Backoff, FractionalFactor_GrowsByThatFactor) {
  auto backoff = Backoff::create({milliseconds{200}, 1.5, seconds{2}, 0.0}, 1).value();
  EXPECT_EQ(delays(backoff, 7),
            (std::vector<Duration>{milliseconds{200}, milliseconds{300}, milliseconds{450}, milliseconds{675},
                                   milliseconds{1012} + std::chrono::microseconds{500},
                                   std::chrono::microseconds{1'518'750}, seconds{2}}));
}

TEST(Backoff, DefaultJitter_StaysWithinZeroToTwentyPercentAndUnderCap) {
  const std::vector<Duration> bases = {seconds{1}, seconds{2},  seconds{4},
                                       seconds{8}, seconds{16}, seconds{30}};
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto backoff = Backoff::create({}, seed).value();
    for (std::size_t attempt = 0; attempt < 10; ++attempt) {
      const Duration base = bases[std::min(attempt, bases.size() - 1)];
      const Duration delay = backoff.next();
      ASSERT_GE(delay, base) << "seed " << seed << " attempt " << attempt;
      ASSERT_LE(delay, std::min<Duration>(seconds{30}, base + base / 5))
          << "seed " << seed << " attempt " << attempt;
    }
  }
}

TEST(Backoff, Jitter_ActuallySpreadsTheDelays) {
  std::vector<Duration> firsts;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    firsts.push_back(Backoff::create({}, seed).value().next());
  }
  const auto [low, high] = std::minmax_element(firsts.begin(), firsts.end());
  EXPECT_LT(*low, milliseconds{1050});
  EXPECT_GT(*high, milliseconds{1150});
}

TEST(Backoff, SameSeed_GivesTheSameSequence) {
  auto first = Backoff::create({}, 12345).value();
  auto second = Backoff::create({}, 12345).value();
  EXPECT_EQ(delays(first, 20), delays(second, 20));
}

TEST(Backoff, DifferentSeeds_GiveDifferentSequences) {
  auto first = Backoff::create({}, 1).value();
  auto second = Backoff::create({}, 2).value();
  EXPECT_NE(delays(first, 5), delays(second, 5));
}

TEST(Backoff, Reset_StartsAgainFromInitial) {
  BackoffConfig config;
  config.jitter = 0.0;
  auto backoff = Backoff::create(config, 7).value();
  delays(backoff, 4);
  EXPECT_EQ(backoff.attempts(), 4U);
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0U);
  EXPECT_EQ(backoff.next(), seconds{1});
  EXPECT_EQ(backoff.next(), seconds{2});
  EXPECT_EQ(backoff.attempts(), 2U);
}

TEST(Backoff, Create_InvalidConfig_IsInvalidArgument) {
  const std::vector<std::pair<BackoffConfig, std::string>> cases = {
      {{seconds{0}, 2.0, seconds{30}, 0.2}, "backoff initial delay must be positive, got 0 ns"},
      {{seconds{5}, 2.0, seconds{4}, 0.2},
       "backoff cap (4000000000 ns) is shorter than the initial delay (5000000000 ns)"},
      {{seconds{1}, 0.5, seconds{30}, 0.2}, "backoff factor must be at least 1, got 0.5"},
      {{seconds{1}, 2.0, seconds{30}, 1.5}, "backoff jitter must be within [0, 1], got 1.5"},
      {{seconds{1}, 2.0, seconds{30}, -0.1}, "backoff jitter must be within [0, 1], got -0.1"},
  };
  for (const auto& [config, message] : cases) {
    const auto result = Backoff::create(config, 1);
    ASSERT_FALSE(result.has_value()) << message;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message, message);
  }
}

}  // namespace
}  // namespace kimp
