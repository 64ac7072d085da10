// Named token-bucket groups with rate-limit blocks and counters.
#include "net/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/text.hpp"

namespace kimp::net {
namespace {

using std::chrono::seconds;

RateGroupConfig per_second(std::string name, std::int64_t rate, std::int64_t burst) {
  return RateGroupConfig{std::move(name), TokenBucketConfig{rate, seconds{1}, burst}, BackoffConfig{}};
}

tl::unexpected<Error> unknown_group(std::string_view name) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown rate-limit group {}", quote_input(name)));
}

}  // namespace

Result<RateLimiter> RateLimiter::create(const Clock& clock, const std::vector<RateGroupConfig>& groups,
                                        std::uint64_t seed) {
  if (groups.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a rate limiter needs at least one group");
  }
  RateLimiter limiter(clock);
  for (const RateGroupConfig& config : groups) {
    if (config.name.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "a rate-limit group needs a name");
    }
    if (limiter.groups_.contains(config.name)) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("rate-limit group {} is defined twice", quote_input(config.name)));
    }
    auto bucket = TokenBucket::create(config.bucket, clock);
    if (!bucket) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("rate-limit group {}: {}", config.name, bucket.error().message));
    }
    auto backoff = Backoff::create(config.backoff, seed++);
    if (!backoff) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("rate-limit group {}: {}", config.name, backoff.error().message));
    }
    limiter.groups_.emplace(config.name, Group{*bucket, *backoff, Timestamp{}, {}});
  }
  return limiter;
}

Result<RateLimiter::Group*> RateLimiter::find(std::string_view name) {
  const auto found = groups_.find(name);
  if (found == groups_.end()) {
    return unknown_group(name);
  }
  return &found->second;
}

Result<const RateLimiter::Group*> RateLimiter::find(std::string_view name) const {
  const auto found = groups_.find(name);
  if (found == groups_.end()) {
    return unknown_group(name);
  }
  return &found->second;
}

Result<Duration> RateLimiter::reserve(std::string_view group_name) {
  KIMP_TRY_ASSIGN(Group * group, find(group_name));
  KIMP_TRY_ASSIGN(Duration wait, group->bucket.reserve());
  const Timestamp now = clock_->now();
  if (group->blocked_until > now) {
    // The bucket's own queue keeps its spacing behind the block: its tokens were taken now.
    wait += group->blocked_until - now;
  } else if (group->backoff.attempts() > 0 && now - group->blocked_until >= std::chrono::seconds{30}) {
    // Quiet long enough after the last block: the next rate-limit answer starts the backoff afresh.
    group->backoff.reset();
  }
  ++group->counters.requests;
  if (wait > Duration::zero()) {
    ++group->counters.waits;
    group->counters.total_wait += wait;
  }
  return wait;
}

boost::asio::awaitable<Status> RateLimiter::acquire(std::string_view group) {
  const Result<Duration> wait = reserve(group);
  if (!wait) {
    co_return tl::unexpected<Error>(wait.error());
  }
  if (*wait <= Duration::zero()) {
    co_return ok();
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                  std::chrono::duration_cast<boost::asio::steady_timer::duration>(*wait));
  const auto [error] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (error) {
    co_return make_error(ErrorCode::kUnavailable, "rate-limit wait cancelled");
  }
  co_return ok();
}

Status RateLimiter::on_rate_limited(std::string_view group_name, Duration retry_after) {
  KIMP_TRY_ASSIGN(Group * group, find(group_name));
  ++group->counters.rejections;
  const Duration block = retry_after > Duration::zero() ? retry_after : group->backoff.next();
  group->blocked_until = std::max(group->blocked_until, clock_->now() + block);
  return ok();
}

Status RateLimiter::hold(std::string_view group_name, Duration wait) {
  KIMP_TRY_ASSIGN(Group * group, find(group_name));
  if (wait > Duration::zero()) {
    group->blocked_until = std::max(group->blocked_until, clock_->now() + wait);
  }
  return ok();
}

Result<Timestamp> RateLimiter::blocked_until(std::string_view group_name) const {
  KIMP_TRY_ASSIGN(const Group* group, find(group_name));
  return group->blocked_until;
}

Result<Duration> RateLimiter::wait_for(std::string_view group_name) const {
  KIMP_TRY_ASSIGN(const Group* group, find(group_name));
  const Duration queue = group->bucket.wait_for();
  const Timestamp now = clock_->now();
  return group->blocked_until > now ? std::max(queue, group->blocked_until - now) : queue;
}

Result<RateGroupCounters> RateLimiter::counters(std::string_view group_name) const {
  KIMP_TRY_ASSIGN(const Group* group, find(group_name));
  return group->counters;
}

std::vector<std::string> RateLimiter::group_names() const {
  std::vector<std::string> names;
  names.reserve(groups_.size());
  for (const auto& [name, group] : groups_) {
    names.push_back(name);
  }
  return names;
}

Result<Duration> parse_retry_after(std::string_view value) {
  std::string_view digits = value;
  while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t')) {
    digits.remove_prefix(1);
  }
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) {
    digits.remove_suffix(1);
  }
  std::int64_t secs = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), secs);
  // One day is far beyond any venue's block; larger values would only overflow the nanosecond count.
  constexpr std::int64_t kMaxSeconds = 86'400;
  if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || secs < 0 ||
      secs > kMaxSeconds) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("Retry-After {} is not a number of seconds within 0..{}",
                                  quote_input(value), kMaxSeconds));
  }
  return Duration{seconds{secs}};
}

std::vector<RateGroupConfig> bybit_rate_groups() {
  return {per_second("public", 100, 50), per_second("private", 8, 1)};
}

std::vector<RateGroupConfig> upbit_rate_groups() {
  return {per_second("order", 6, 1), per_second("default", 24, 4), per_second("quotation", 8, 1),
          per_second("ws_connect", 4, 1)};
}

}  // namespace kimp::net
