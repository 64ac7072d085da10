// Per-venue request budgets: named token-bucket groups that also back off after a rate-limit answer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/backoff.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "core/token_bucket.hpp"

namespace kimp {
class Clock;
}

namespace kimp::net {

struct RateGroupConfig {
  std::string name;
  TokenBucketConfig bucket;
  // The block after a rate-limit answer that says nothing about when to retry; consecutive answers
  // without a retry time lengthen it (1, 2, 4 ... 30 s by default).
  BackoffConfig backoff;
};

struct RateGroupCounters {
  std::uint64_t requests = 0;    // reservations granted
  std::uint64_t waits = 0;       // of those, the ones that had to wait
  std::uint64_t rejections = 0;  // rate-limit answers from the venue (429, Bybit 10006, Upbit 418)
  Duration total_wait{};         // sum of the waits handed out

  [[nodiscard]] Duration average_wait() const {
    return waits == 0 ? Duration::zero() : total_wait / static_cast<std::int64_t>(waits);
  }
  bool operator==(const RateGroupCounters&) const = default;
};

// Not thread-safe: used from the event loop. Reservations are decisions on the Clock alone, so a
// SimClock run is deterministic; acquire() adds the real wait on an Asio timer.
class RateLimiter {
 public:
  // `clock` must outlive the limiter.
  // Errors: kInvalidArgument when there is no group, a name is empty or repeated, or a bucket or backoff
  // configuration is invalid (the message names the group).
  static Result<RateLimiter> create(const Clock& clock, const std::vector<RateGroupConfig>& groups,
                                    std::uint64_t seed = 1);

  // Takes one request from `group` and returns how long the caller must wait before sending it: the
  // bucket's queue, and at least until the end of a block set by on_rate_limited. Requests queued
  // during a block leave at its end no faster than the bucket's burst and rate allow.
  // Errors: kInvalidArgument for an unknown group; kResourceExhausted when the queue reaches so far
  // ahead that the wait does not fit in a Duration.
  Result<Duration> reserve(std::string_view group);

  // reserve(), then waits on a timer of the coroutine's executor. The limiter must outlive the wait.
  // Errors: those of reserve(); kUnavailable when the wait is cancelled.
  boost::asio::awaitable<Status> acquire(std::string_view group);

  // The venue answered `group` with a rate limit: no request leaves it until `retry_after` from now
  // (the Retry-After header, or Bybit's reset timestamp minus now), or, when the answer gave no time
  // (`retry_after` <= 0), the group's backoff. An earlier block is only ever extended.
  // Errors: kInvalidArgument for an unknown group.
  Status on_rate_limited(std::string_view group, Duration retry_after = Duration::zero());

  // The venue reports the group's budget used up for `wait` (Bybit's X-Bapi-Limit-Status 0 until the
  // reset time): no request leaves before then. Unlike on_rate_limited this is no refusal — it is not
  // counted and does not lengthen the backoff. A wait <= 0 changes nothing; a block is only ever extended.
  // Errors: kInvalidArgument for an unknown group.
  Status hold(std::string_view group, Duration wait);

  // When the group's current block ends (a past instant when it is not blocked).
  // Errors: kInvalidArgument for an unknown group.
  [[nodiscard]] Result<Timestamp> blocked_until(std::string_view group) const;

  // How long a request reserved from `group` now would wait: its bucket's queue, and at least until the
  // end of a block. Changes nothing (an order's pre-flight asks it before committing to send).
  // Errors: kInvalidArgument for an unknown group.
  [[nodiscard]] Result<Duration> wait_for(std::string_view group) const;

  // Errors: kInvalidArgument for an unknown group.
  [[nodiscard]] Result<RateGroupCounters> counters(std::string_view group) const;

  [[nodiscard]] std::vector<std::string> group_names() const;

 private:
  struct Group {
    TokenBucket bucket;
    Backoff backoff;
    Timestamp blocked_until;
    RateGroupCounters counters;
  };

  explicit RateLimiter(const Clock& clock) : clock_(&clock) {}
  Result<Group*> find(std::string_view name);
  [[nodiscard]] Result<const Group*> find(std::string_view name) const;

  const Clock* clock_;
  std::map<std::string, Group, std::less<>> groups_;
};

// The value of a Retry-After header in delta-seconds form ("3").
// Errors: kInvalidArgument, quoting the value, for anything else (HTTP dates included: the caller
// falls back to the group's backoff).
Result<Duration> parse_retry_after(std::string_view value);

// Bybit: "public" (market data, 600 requests per 5 s per IP published: 100/s with a burst of 50, at most
// 550 in any 5 s) and "private" (orders and account, 10/s per UID: 8/s, burst 1, at most 9 in any second).
std::vector<RateGroupConfig> bybit_rate_groups();
// Upbit, at most rate + burst in any second against the published per-second limits: "order" (8/s:
// 6/s, burst 1), "default" (30/s: 24/s, burst 4), "quotation" (10/s: 8/s, burst 1) and "ws_connect"
// (WebSocket connections, 5/s: 4/s, burst 1).
std::vector<RateGroupConfig> upbit_rate_groups();

}  // namespace kimp::net
