// Exit rules: stop before TTL before signal, each at its threshold.
#include "strategy/exit_rules.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace kimp::strategy {
namespace {

using std::chrono::hours;

const Timestamp kOpened = Timestamp::from_ns(1'754'000'000'000'000'000);
const ExitLimits kLimits{0.0, hours(24), 0.03};

TEST(ExitRules, ZBackAtExitZ_ExitsOnSignal) {
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(1), 0.02, 0.0), ExitReason::kSignal);
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(1), 0.02, -0.01), std::nullopt);
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(1), 0.02, std::nullopt), std::nullopt);
}

TEST(ExitRules, OpenForTheTtl_ExitsOnTtl) {
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(24), 0.01, -1.0), ExitReason::kTtl);
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(23), 0.01, -1.0), std::nullopt);
}

TEST(ExitRules, PremiumFellByTheStop_ExitsOnStopFirst) {
  // Entered at 1 %, the exit premium is now −2 %: 3 points against us. TTL and signal also hold.
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(30), -0.02, 5.0), ExitReason::kPremiumStop);
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(1), -0.0199, -3.0), std::nullopt);
}

TEST(ExitRules, NanPremium_TriggersNoStop) {
  EXPECT_EQ(exit_due(kLimits, kOpened, 0.01, kOpened + hours(1), __builtin_nan(""), std::nullopt),
            std::nullopt);
}

}  // namespace
}  // namespace kimp::strategy
