// Backoff delays: growth, cap and seeded jitter.
#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <boost/random/uniform_int_distribution.hpp>

namespace kimp {

Result<Backoff> Backoff::create(const BackoffConfig& config, std::uint64_t seed) {
  if (config.initial <= Duration::zero()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("backoff initial delay must be positive, got {} ns", config.initial.count()));
  }
  if (config.cap < config.initial) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("backoff cap ({} ns) is shorter than the initial delay ({} ns)",
                                  config.cap.count(), config.initial.count()));
  }
  if (!std::isfinite(config.factor) || config.factor < 1.0) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("backoff factor must be at least 1, got {}", config.factor));
  }
  if (!(config.jitter >= 0.0 && config.jitter <= 1.0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("backoff jitter must be within [0, 1], got {}", config.jitter));
  }
  return Backoff(config, seed);
}

Duration Backoff::next() {
  const Duration spread = std::chrono::round<Duration>(base_ * config_.jitter);
  // Boost's distribution, unlike std's, maps engine output the same way in every standard library.
  boost::random::uniform_int_distribution<Duration::rep> draw(0, spread.count());
  const Duration delay = std::min(config_.cap, base_ + Duration{draw(rng_)});

  const auto grown = base_ * config_.factor;
  base_ = grown >= config_.cap ? config_.cap : std::chrono::round<Duration>(grown);
  ++attempts_;
  return delay;
}

void Backoff::reset() {
  base_ = config_.initial;
  attempts_ = 0;
}

}  // namespace kimp
