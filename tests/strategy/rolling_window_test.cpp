// RollingWindow against a naive two-pass recomputation over a million values.
#include "strategy/rolling_window.hpp"

#include <cmath>
#include <cstddef>
#include <deque>
#include <random>

#include <gtest/gtest.h>

namespace kimp::strategy {
namespace {

struct Naive {
  double mean = 0.0;
  double stddev = 0.0;
};

Naive naive(const std::deque<double>& values) {
  double sum = 0.0;
  for (const double value : values) {
    sum += value;
  }
  Naive result;
  result.mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double value : values) {
    squares += (value - result.mean) * (value - result.mean);
  }
  result.stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return result;
}

double relative(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}
// A z-score near zero has no meaningful relative error (its digits are those of the mean's last ulps), so
// below |z| = 1 the difference itself is compared.
double z_error(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), 1.0);
}

// A premium-like series: mean-reverting around 2 % with noise of 0.1 % and occasional jumps.
class PremiumSeries {
 public:
  double next() {
    premium_ += 0.01 * (0.02 - premium_) + noise_(random_);
    if (jump_(random_) < 0.001) {
      premium_ += 0.01;
    }
    return premium_;
  }

 private:
  std::mt19937_64 random_{20261207};
  std::normal_distribution<double> noise_{0.0, 0.001};
  std::uniform_real_distribution<double> jump_{0.0, 1.0};
  double premium_ = 0.02;
};

void expect_matches_naive(std::size_t capacity, std::size_t values, std::size_t check_every) {
  RollingWindow window(capacity);
  std::deque<double> held;
  PremiumSeries series;
  double worst_mean = 0.0;
  double worst_std = 0.0;
  double worst_z = 0.0;
  for (std::size_t i = 0; i < values; ++i) {
    const double value = series.next();
    window.push(value);
    held.push_back(value);
    if (held.size() > capacity) {
      held.pop_front();
    }
    if (held.size() >= 2 && i % check_every == 0) {
      const Naive want = naive(held);
      const double probe = value - 0.003;
      worst_mean = std::max(worst_mean, relative(window.mean(), want.mean));
      worst_std = std::max(worst_std, relative(window.stddev(), want.stddev));
      worst_z = std::max(worst_z, z_error(*window.z_score(probe), (probe - want.mean) / want.stddev));
    }
  }
  EXPECT_EQ(window.size(), capacity);
  EXPECT_LE(worst_mean, 1e-9);
  EXPECT_LE(worst_std, 1e-9);
  EXPECT_LE(worst_z, 1e-9);
}

TEST(RollingWindow, MillionValuesWindow60_MatchesNaiveRecomputationAtEveryValue) {
  expect_matches_naive(60, 1'000'000, 1);
}

TEST(RollingWindow, MillionValuesWindow1440_MatchesNaiveRecomputation) {
  expect_matches_naive(1440, 1'000'000, 997);
}

TEST(RollingWindow, WhileFilling_ReportsSizeMeanAndSampleStddev) {
  RollingWindow window(4);
  EXPECT_FALSE(window.z_score(1.0).has_value());
  window.push(1.0);
  EXPECT_FALSE(window.z_score(1.0).has_value());
  window.push(3.0);
  window.push(5.0);
  EXPECT_EQ(window.size(), 3U);
  EXPECT_FALSE(window.full());
  EXPECT_DOUBLE_EQ(window.mean(), 3.0);
  EXPECT_DOUBLE_EQ(window.stddev(), 2.0);
  EXPECT_DOUBLE_EQ(*window.z_score(7.0), 2.0);
}

TEST(RollingWindow, Full_ForgetsTheOldestValue) {
  RollingWindow window(2);
  window.push(100.0);
  window.push(1.0);
  window.push(3.0);
  EXPECT_TRUE(window.full());
  EXPECT_DOUBLE_EQ(window.mean(), 2.0);
  EXPECT_NEAR(window.stddev(), std::sqrt(2.0), 1e-15);
}

TEST(RollingWindow, AllValuesEqual_HasNoZScore) {
  RollingWindow window(3);
  for (int i = 0; i < 5; ++i) {
    window.push(0.02);
  }
  EXPECT_FALSE(window.z_score(0.01).has_value());
}

TEST(RollingWindow, Clear_StartsOver) {
  RollingWindow window(3);
  window.push(5.0);
  window.push(7.0);
  window.clear();
  EXPECT_EQ(window.size(), 0U);
  window.push(1.0);
  window.push(2.0);
  EXPECT_DOUBLE_EQ(window.mean(), 1.5);
}

}  // namespace
}  // namespace kimp::strategy
