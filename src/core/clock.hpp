// Clocks: one interface for the current time and timers, simulated for tests and replays, real for live runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp {

// Names one scheduled timer for cancel(). A default-constructed id names no timer.
struct TimerId {
  std::uint64_t value = 0;

  friend constexpr auto operator<=>(TimerId, TimerId) = default;
};

// The engine's only source of time. Code that asks the Clock instead of the operating system runs
// unchanged on recorded data, where the time is whatever the recording says.
//
// Timer rules shared by every clock:
//   - a callback never runs inside call_at / call_after, even when its deadline has already passed;
//   - callbacks run one at a time, never early (WallClock measures delays on the steady clock, see there);
//   - a timer cancelled before its callback starts never runs.
// Not copyable: a copy would run every pending callback twice.
class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  [[nodiscard]] virtual Timestamp now() const = 0;
  // Runs `callback` once at `deadline`, or as soon as possible when that has already passed.
  virtual TimerId call_at(Timestamp deadline, std::function<void()> callback) = 0;
  // Runs `callback` once after `delay` (zero or negative: as soon as possible).
  virtual TimerId call_after(Duration delay, std::function<void()> callback) = 0;
  // True when the timer was pending and now never runs; false when it has already started or run,
  // was cancelled before, or never existed.
  virtual bool cancel(TimerId id) = 0;
};

// Time that moves only when told to, for tests and replays: the same inputs give the same timer
// firings every run. Timers fire in deadline order, ties in the order they were scheduled, with now()
// equal to the deadline while the callback runs. A deadline already past when scheduled counts as now().
// Single-threaded.
class SimClock final : public Clock {
 public:
  explicit SimClock(Timestamp start = Timestamp{}) : now_(start) {}

  [[nodiscard]] Timestamp now() const override { return now_; }
  TimerId call_at(Timestamp deadline, std::function<void()> callback) override;
  TimerId call_after(Duration delay, std::function<void()> callback) override;
  bool cancel(TimerId id) override;

  // Moves time forward to `target`, first firing every timer due by then, including timers that
  // callbacks schedule on the way; afterwards now() == target. Moving to now() fires the timers due now.
  // Errors (nothing changes): kInvalidArgument when `target` is before now(), since time never goes
  // back; kFailedPrecondition when called from inside a timer callback.
  Status advance_to(Timestamp target);
  // advance_to(now() + delta); a negative `delta` is kInvalidArgument.
  Status advance_by(Duration delta);

  // Timers scheduled that have neither fired nor been cancelled.
  [[nodiscard]] std::size_t pending() const { return timers_.size(); }

 private:
  // Ids grow with every call_at, so ordering by (deadline, id) breaks ties in scheduling order.
  using TimerKey = std::pair<Timestamp, std::uint64_t>;

  Timestamp now_;
  std::uint64_t last_id_ = 0;
  bool advancing_ = false;
  std::map<TimerKey, std::function<void()>> timers_;
  std::unordered_map<std::uint64_t, Timestamp> deadlines_;  // id -> deadline, to find a timer to cancel
};

// Real time: now() reads the system clock; timers are Asio steady timers on the executor given at
// construction and their callbacks run there. call_after measures its delay on the steady clock, so
// adjustments of the system clock do not stretch or shorten it; call_at converts its deadline to a
// delay when scheduled. Pending timers are cancelled when the clock is destroyed.
// Not thread-safe: use it from the thread that runs the executor (or before that thread starts).
class WallClock final : public Clock {
 public:
  explicit WallClock(boost::asio::any_io_executor executor);

  [[nodiscard]] Timestamp now() const override;
  TimerId call_at(Timestamp deadline, std::function<void()> callback) override;
  TimerId call_after(Duration delay, std::function<void()> callback) override;
  bool cancel(TimerId id) override;

 private:
  struct Timers;

  boost::asio::any_io_executor executor_;
  // Shared only so that a timer handler already queued when the clock is destroyed can tell, through a
  // weak reference, that the clock is gone.
  std::shared_ptr<Timers> timers_;
};

}  // namespace kimp
