// SimClock's ordered timer queue and WallClock's Asio steady timers.
#include "core/clock.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>

namespace kimp {

TimerId SimClock::call_at(Timestamp deadline, std::function<void()> callback) {
  const TimerId id{++last_id_};
  const Timestamp due = std::max(deadline, now_);
  timers_.emplace(TimerKey{due, id.value}, std::move(callback));
  deadlines_.emplace(id.value, due);
  return id;
}

TimerId SimClock::call_after(Duration delay, std::function<void()> callback) {
  return call_at(now_ + delay, std::move(callback));
}

bool SimClock::cancel(TimerId id) {
  const auto found = deadlines_.find(id.value);
  if (found == deadlines_.end()) {
    return false;
  }
  timers_.erase(TimerKey{found->second, id.value});
  deadlines_.erase(found);
  return true;
}

Status SimClock::advance_to(Timestamp target) {
  if (advancing_) {
    return make_error(ErrorCode::kFailedPrecondition, "SimClock cannot advance from inside a timer callback");
  }
  if (target < now_) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("SimClock cannot go back from {} to {}",
                                                               now_.to_iso8601(), target.to_iso8601()));
  }
  advancing_ = true;
  // Re-reading the head each round picks up timers that callbacks schedule before `target`.
  while (!timers_.empty() && timers_.begin()->first.first <= target) {
    auto node = timers_.extract(timers_.begin());
    deadlines_.erase(node.key().second);
    now_ = node.key().first;
    node.mapped()();
  }
  advancing_ = false;
  now_ = target;
  return ok();
}

Status SimClock::advance_by(Duration delta) {
  if (delta < Duration::zero()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("SimClock cannot advance by a negative duration ({} ns)", delta.count()));
  }
  return advance_to(now_ + delta);
}

struct WallClock::Timers {
  struct Entry {
    Entry(const boost::asio::any_io_executor& executor, Duration delay, std::function<void()> on_expiry)
        : timer(executor, delay), callback(std::move(on_expiry)) {}

    boost::asio::steady_timer timer;
    std::function<void()> callback;
  };

  std::uint64_t last_id = 0;
  // Entries live on the heap so that a timer with a wait in flight never moves when the map rehashes.
  std::unordered_map<std::uint64_t, std::unique_ptr<Entry>> pending;
};

WallClock::WallClock(boost::asio::any_io_executor executor)
    : executor_(std::move(executor)), timers_(std::make_shared<Timers>()) {}

Timestamp WallClock::now() const {
  return Timestamp::from_ns(
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count());
}

TimerId WallClock::call_at(Timestamp deadline, std::function<void()> callback) {
  return call_after(deadline - now(), std::move(callback));
}

TimerId WallClock::call_after(Duration delay, std::function<void()> callback) {
  const TimerId id{++timers_->last_id};
  auto entry = std::make_unique<Timers::Entry>(executor_, delay, std::move(callback));
  // The error code is not consulted: a timer cancelled after it expired still completes without one,
  // so whether the timer is still listed is what decides.
  entry->timer.async_wait(
      [weak_timers = std::weak_ptr<Timers>(timers_), id](const boost::system::error_code&) {
        const auto timers = weak_timers.lock();
        if (!timers) {
          return;  // the clock has been destroyed
        }
        const auto found = timers->pending.find(id.value);
        if (found == timers->pending.end()) {
          return;  // cancelled
        }
        const std::function<void()> run = std::move(found->second->callback);
        timers->pending.erase(found);
        run();
      });
  timers_->pending.emplace(id.value, std::move(entry));
  return id;
}

bool WallClock::cancel(TimerId id) {
  // Destroying the steady_timer aborts its wait; the handler then finds the id gone.
  return timers_->pending.erase(id.value) > 0;
}

}  // namespace kimp
