// Token-bucket refill, grants and reservations.
#include "core/token_bucket.hpp"

#include <limits>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/int128.hpp"

namespace kimp {

Result<TokenBucket> TokenBucket::create(const TokenBucketConfig& config, const Clock& clock) {
  if (config.tokens <= 0 || config.period <= Duration::zero() || config.burst <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("token bucket needs positive tokens, period and burst, got {} per {} ns "
                                  "with burst {}",
                                  config.tokens, config.period.count(), config.burst));
  }
  std::int64_t capacity = 0;
  if (__builtin_mul_overflow(config.burst, config.period.count(), &capacity)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("token bucket burst {} times period {} ns does not fit in 64 bits",
                                  config.burst, config.period.count()));
  }
  return TokenBucket(config, clock, capacity);
}

TokenBucket::TokenBucket(const TokenBucketConfig& config, const Clock& clock, std::int64_t capacity)
    : config_(config), clock_(&clock), level_(capacity), capacity_(capacity), last_refill_(clock.now()) {}

std::int64_t TokenBucket::level_at(Timestamp now) const {
  if (now <= last_refill_) {
    return level_;
  }
  const Int128 refilled = Int128{level_} + Int128{(now - last_refill_).count()} * config_.tokens;
  return refilled >= capacity_ ? capacity_ : static_cast<std::int64_t>(refilled);
}

void TokenBucket::refill() {
  const Timestamp now = clock_->now();
  level_ = level_at(now);
  // Also taken when the clock went back (a system clock step), so refills resume from there at once
  // instead of stalling until the clock catches up.
  last_refill_ = now;
}

std::int64_t TokenBucket::available() const {
  const std::int64_t level = level_at(clock_->now());
  return level <= 0 ? 0 : level / config_.period.count();
}

Duration TokenBucket::repayment(std::int64_t level) const {
  // The debt is repaid at `tokens` per ns; rounding up never hands tokens out early.
  return Duration{
      level < 0 ? static_cast<std::int64_t>((-Int128{level} + config_.tokens - 1) / config_.tokens) : 0};
}

Duration TokenBucket::wait_for(std::int64_t n) const {
  const Int128 after = Int128{level_at(clock_->now())} - Int128{n} * config_.period.count();
  return after <= std::numeric_limits<std::int64_t>::min() ? Duration::max()
                                                           : repayment(static_cast<std::int64_t>(after));
}

bool TokenBucket::try_acquire(std::int64_t n) {
  refill();
  if (n < 1 || n > config_.burst || level_ < n * config_.period.count()) {
    ++counters_.rejected;
    return false;
  }
  level_ -= n * config_.period.count();
  ++counters_.acquired;
  return true;
}

Result<Duration> TokenBucket::reserve(std::int64_t n) {
  if (n < 1 || n > config_.burst) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("cannot reserve {} tokens from a bucket with burst {}", n, config_.burst));
  }
  refill();
  const Int128 after = Int128{level_} - Int128{n} * config_.period.count();
  // Strictly above the minimum, so that -after (the debt) is itself a valid int64.
  if (after <= std::numeric_limits<std::int64_t>::min()) {
    return make_error(
        ErrorCode::kResourceExhausted,
        fmt::format("token bucket reservations already reach too far ahead to queue {} more", n));
  }
  level_ = static_cast<std::int64_t>(after);
  const Duration wait = repayment(level_);
  ++counters_.acquired;
  if (wait > Duration::zero()) {
    ++counters_.waited;
    counters_.total_wait += wait;
  }
  return wait;
}

}  // namespace kimp
