// Time sync: best-of-window RTT midpoint offsets, drift health and the periodic refresh loop.
#include "net/time_sync.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"

namespace kimp::net {

struct TimeSync::State {
  State(const Clock& state_clock, TimeSyncOptions state_options, Fetch state_fetch)
      : clock(&state_clock), options(state_options), fetch(std::move(state_fetch)) {}

  Status add(const TimeSample& sample);

  const Clock* clock;
  TimeSyncOptions options;
  Fetch fetch;
  std::deque<TimeSample> samples;
  TimeSample best{};
  TimeSyncHealth health = TimeSyncHealth::kUnknown;
  std::uint64_t taken = 0;
  bool started = false;
  bool stopped = false;
  std::unique_ptr<boost::asio::steady_timer> timer;
  log::Logger logger{"net.time_sync"};
};

std::string_view to_string(TimeSyncHealth health) {
  switch (health) {
    case TimeSyncHealth::kUnknown: return "unknown";
    case TimeSyncHealth::kOk: return "ok";
    case TimeSyncHealth::kDrifted: return "drifted";
  }
  return "invalid";
}

Duration TimeSample::offset() const {
  // Halving the round trip before adding keeps the sum far from int64 overflow.
  const Timestamp midpoint = t_send + (t_recv - t_send) / 2;
  return server_time - midpoint;
}

Status TimeSync::State::add(const TimeSample& sample) {
  if (sample.t_recv < sample.t_send) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("time sample received at {} before it was sent at {}",
                                  sample.t_recv.to_iso8601(), sample.t_send.to_iso8601()));
  }
  samples.push_back(sample);
  while (samples.size() > std::max<std::size_t>(options.window, 1)) {
    samples.pop_front();
  }
  // The shortest round trip bounds the asymmetry error most tightly; ties go to the newest.
  best = *std::min_element(samples.rbegin(), samples.rend(),
                           [](const TimeSample& a, const TimeSample& b) { return a.rtt() < b.rtt(); });
  ++taken;
  const Duration offset = best.offset();
  const bool drifted = offset > options.max_drift || offset < -Duration{options.max_drift};
  const TimeSyncHealth next = drifted ? TimeSyncHealth::kDrifted : TimeSyncHealth::kOk;
  if (next != health) {
    const auto offset_ms = std::chrono::duration_cast<std::chrono::milliseconds>(offset).count();
    const auto rtt_ms = std::chrono::duration_cast<std::chrono::milliseconds>(best.rtt()).count();
    const auto max_ms = options.max_drift.count();
    if (drifted) {
      logger.warn("server clock drifted", {{"offset_ms", offset_ms}, {"rtt_ms", rtt_ms}, {"max_ms", max_ms}});
    } else {
      logger.info("server clock in sync", {{"offset_ms", offset_ms}, {"rtt_ms", rtt_ms}, {"max_ms", max_ms}});
    }
    health = next;
  }
  return ok();
}

namespace {

// Takes one timed query; `fetch` is a copy owned by the caller's frame, so it outlives the query
// even when stop() releases the State's.
boost::asio::awaitable<Result<TimeSample>> take_sample(const Clock& clock, const TimeSync::Fetch& fetch) {
  TimeSample sample;
  sample.t_send = clock.now();
  Result<Timestamp> server = co_await fetch();
  sample.t_recv = clock.now();
  if (!server) {
    co_return tl::unexpected<Error>(server.error());
  }
  sample.server_time = *server;
  co_return sample;
}

boost::asio::awaitable<void> refresh_loop(std::shared_ptr<TimeSync::State> state) {
  const TimeSync::Fetch fetch = state->fetch;
  while (!state->stopped) {
    const Result<TimeSample> sample = co_await take_sample(*state->clock, fetch);
    if (state->stopped) {
      break;
    }
    if (!sample) {
      state->logger.warn("server time query failed", {{"error", sample.error().describe()}});
    } else if (const Status added = state->add(*sample); !added) {
      state->logger.warn("server time sample refused", {{"error", added.error().describe()}});
    }
    state->timer->expires_after(state->options.refresh_interval);
    co_await state->timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace

TimeSync::TimeSync(const Clock& clock, TimeSyncOptions options, Fetch fetch)
    : state_(std::make_shared<State>(clock, options, std::move(fetch))) {}

TimeSync::~TimeSync() {
  try {
    stop();
  } catch (
      ...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the loop sees `stopped` anyway
  }
}

Status TimeSync::add_sample(const TimeSample& sample) {
  return state_->add(sample);
}

boost::asio::awaitable<Status> TimeSync::sync_once() {
  const std::shared_ptr<State> state = state_;
  if (!state->fetch || state->stopped) {
    co_return make_error(ErrorCode::kFailedPrecondition, "time sync has no server-time query or is stopped");
  }
  const Fetch fetch = state->fetch;
  const Result<TimeSample> sample = co_await take_sample(*state->clock, fetch);
  if (!sample) {
    co_return tl::unexpected<Error>(sample.error());
  }
  co_return state->add(*sample);
}

Status TimeSync::start(const boost::asio::any_io_executor& executor) {
  if (state_->started || state_->stopped || !state_->fetch) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "time sync already started, stopped, or without a server-time query");
  }
  state_->started = true;
  state_->timer = std::make_unique<boost::asio::steady_timer>(executor);
  boost::asio::co_spawn(executor, refresh_loop(state_), boost::asio::detached);
  return ok();
}

void TimeSync::stop() {
  state_->stopped = true;
  if (state_->timer) {
    state_->timer->cancel();
  }
}

Duration TimeSync::offset() const {
  return state_->taken == 0 ? Duration::zero() : state_->best.offset();
}

Duration TimeSync::rtt() const {
  return state_->taken == 0 ? Duration::zero() : state_->best.rtt();
}

Timestamp TimeSync::server_now() const {
  return state_->clock->now() + offset();
}

TimeSyncHealth TimeSync::health() const {
  return state_->health;
}

std::uint64_t TimeSync::samples_taken() const {
  return state_->taken;
}

}  // namespace kimp::net
