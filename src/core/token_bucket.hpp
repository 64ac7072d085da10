// Token-bucket rate limiter on an injected Clock, in exact integer arithmetic.
#pragma once

#include <cstdint>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp {

class Clock;  // core/clock.hpp; declared only, so users of the bucket do not pull in Asio

// `tokens` are added every `period`, at most `burst` are held. Rates stay exact as a count per period:
// 8 per second {8, 1s, 8}; Bybit's 600 per 5 s {600, 5s, 600}; Upbit's 0.5 per second {1, 2s, 1}.
struct TokenBucketConfig {
  std::int64_t tokens = 0;
  Duration period{};
  std::int64_t burst = 0;
};

struct TokenBucketCounters {
  std::uint64_t acquired = 0;  // requests granted, by try_acquire or reserve
  std::uint64_t waited = 0;    // reservations that had to wait
  std::uint64_t rejected = 0;  // try_acquire calls refused
  Duration total_wait{};       // sum of the waits reserve() returned

  bool operator==(const TokenBucketCounters&) const = default;
};

// Starts full. Time is read from the Clock at every call, so on a SimClock the bucket is exactly as
// deterministic as the clock. The guarantee: tokens granted in any window [t, t + W) never exceed
// burst + tokens * W / period, with each grant counted at the time its tokens become the caller's.
// Refills are counted in nanoseconds with no rounding, so no drift accumulates however long it runs.
class TokenBucket {
 public:
  // `clock` must outlive the bucket.
  // Errors: kInvalidArgument when tokens, period or burst is not positive, or burst * period (in ns)
  // does not fit in 64 bits.
  static Result<TokenBucket> create(const TokenBucketConfig& config, const Clock& clock);

  // Takes `n` tokens if they are available now. Refused (and counted as rejected) when they are not,
  // or when n is not within [1, burst] and so could never be granted.
  bool try_acquire(std::int64_t n = 1);

  // Takes `n` tokens now that become the caller's after the returned wait (zero when available now);
  // later requests queue behind it. The caller must not act before the wait is over.
  // Errors: kInvalidArgument when n is not within [1, burst]; kResourceExhausted when reservations
  // already reach so far ahead that the wait would not fit in a Duration.
  Result<Duration> reserve(std::int64_t n = 1);

  // Whole tokens a try_acquire could take now (zero while reservations wait); changes nothing.
  // Rate-limit headers such as Upbit's Remaining-Req report it.
  [[nodiscard]] std::int64_t available() const;

  // How long a reserve(n) now would wait; changes nothing. Duration::max() when it would not fit.
  [[nodiscard]] Duration wait_for(std::int64_t n = 1) const;

  [[nodiscard]] TokenBucketCounters counters() const { return counters_; }

 private:
  TokenBucket(const TokenBucketConfig& config, const Clock& clock, std::int64_t capacity);
  void refill();
  // How long a level of `level` units takes to climb back to zero.
  [[nodiscard]] Duration repayment(std::int64_t level) const;
  // The level refill() would set at `now`.
  [[nodiscard]] std::int64_t level_at(Timestamp now) const;

  TokenBucketConfig config_;
  const Clock* clock_;
  // Tokens scaled by `period` (in ns): one token is `period` units and every elapsed ns adds `tokens`
  // units, so no rate needs a fraction. Negative while reservations wait for their tokens.
  std::int64_t level_;
  std::int64_t capacity_;  // `burst` tokens in the same units
  Timestamp last_refill_;
  TokenBucketCounters counters_;
};

}  // namespace kimp
