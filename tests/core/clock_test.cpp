// Tests of SimClock (timer order, nesting, cancellation, determinism) and WallClock on a real io_context.
#include "core/clock.hpp"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace kimp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Timestamp at_ms(std::int64_t ms) {
  return Timestamp::from_ms(ms).value();
}

// Records "name@ms" with the clock's time when each callback runs.
class Trace {
 public:
  explicit Trace(const Clock& clock) : clock_(&clock) {}

  std::function<void()> record(std::string name) {
    return [this, name = std::move(name)] {
      entries_.push_back(fmt::format("{}@{}", name, clock_->now().ms()));
    };
  }
  [[nodiscard]] const std::vector<std::string>& entries() const { return entries_; }

 private:
  const Clock* clock_;
  std::vector<std::string> entries_;
};

TEST(SimClock, Advance_FiresInDeadlineOrderWithTiesInSchedulingOrder) {
  SimClock clock(at_ms(0));
  Trace trace(clock);
  clock.call_at(at_ms(30), trace.record("a"));
  clock.call_at(at_ms(10), trace.record("b"));
  clock.call_after(milliseconds{20}, trace.record("c"));
  clock.call_at(at_ms(10), trace.record("d"));
  EXPECT_TRUE(trace.entries().empty());
  EXPECT_EQ(clock.pending(), 4U);

  ASSERT_TRUE(clock.advance_to(at_ms(100)).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"b@10", "d@10", "c@20", "a@30"}));
  EXPECT_EQ(clock.now(), at_ms(100));
  EXPECT_EQ(clock.pending(), 0U);
}

TEST(SimClock, Advance_StopsAtTargetAndLeavesLaterTimersPending) {
  SimClock clock(at_ms(0));
  Trace trace(clock);
  clock.call_at(at_ms(10), trace.record("early"));
  clock.call_at(at_ms(20), trace.record("late"));
  ASSERT_TRUE(clock.advance_by(milliseconds{15}).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"early@10"}));
  EXPECT_EQ(clock.now(), at_ms(15));
  EXPECT_EQ(clock.pending(), 1U);
  ASSERT_TRUE(clock.advance_to(at_ms(20)).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"early@10", "late@20"}));
}

TEST(SimClock, TimersScheduledFromCallbacks_FireInOrderWhenDueBeforeTarget) {
  SimClock clock(at_ms(0));
  Trace trace(clock);
  clock.call_at(at_ms(10), [&] {
    trace.record("parent")();
    clock.call_after(milliseconds{5}, trace.record("child+5"));
    clock.call_at(at_ms(12), trace.record("child-at-12"));
    clock.call_at(at_ms(3), trace.record("child-past"));  // already past: runs at 10, after parent
    clock.call_after(milliseconds{100}, trace.record("child+100"));
  });
  clock.call_at(at_ms(10), trace.record("sibling"));
  clock.call_at(at_ms(14), trace.record("other"));

  ASSERT_TRUE(clock.advance_to(at_ms(50)).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"parent@10", "sibling@10", "child-past@10",
                                                       "child-at-12@12", "other@14", "child+5@15"}));
  EXPECT_EQ(clock.pending(), 1U);
  ASSERT_TRUE(clock.advance_to(at_ms(110)).has_value());
  EXPECT_EQ(trace.entries().back(), "child+100@110");
}

TEST(SimClock, ScheduledDeadlineAlreadyDue_RunsOnNextAdvanceNotInline) {
  SimClock clock(at_ms(100));
  Trace trace(clock);
  clock.call_at(at_ms(40), trace.record("past"));
  clock.call_after(milliseconds{-5}, trace.record("negative"));
  clock.call_after(nanoseconds{0}, trace.record("zero"));
  EXPECT_TRUE(trace.entries().empty());
  ASSERT_TRUE(clock.advance_by(nanoseconds{0}).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"past@100", "negative@100", "zero@100"}));
  EXPECT_EQ(clock.now(), at_ms(100));
}

TEST(SimClock, Cancel_CancelledTimersNeverFire) {
  SimClock clock(at_ms(0));
  Trace trace(clock);
  const TimerId first = clock.call_at(at_ms(10), trace.record("first"));
  const TimerId second = clock.call_at(at_ms(20), trace.record("second"));
  const TimerId third = clock.call_at(at_ms(20), trace.record("third"));
  clock.call_at(at_ms(15), [&] { EXPECT_TRUE(clock.cancel(third)); });  // cancelled from a callback

  EXPECT_TRUE(clock.cancel(second));
  EXPECT_FALSE(clock.cancel(second));
  EXPECT_FALSE(clock.cancel(TimerId{}));
  EXPECT_EQ(clock.pending(), 3U);

  ASSERT_TRUE(clock.advance_to(at_ms(30)).has_value());
  EXPECT_EQ(trace.entries(), (std::vector<std::string>{"first@10"}));
  EXPECT_FALSE(clock.cancel(first));  // already fired
  EXPECT_EQ(clock.pending(), 0U);
}

TEST(SimClock, Cancel_OwnTimerWhileRunning_ReturnsFalse) {
  SimClock clock(at_ms(0));
  TimerId self;
  bool cancelled = true;
  self = clock.call_at(at_ms(5), [&] { cancelled = clock.cancel(self); });
  ASSERT_TRUE(clock.advance_to(at_ms(5)).has_value());
  EXPECT_FALSE(cancelled);
}

TEST(SimClock, AdvanceBackwards_IsRefusedAndChangesNothing) {
  SimClock clock(at_ms(1000));
  Trace trace(clock);
  clock.call_at(at_ms(500), trace.record("due"));

  const auto back = clock.advance_to(at_ms(999));
  ASSERT_FALSE(back.has_value());
  EXPECT_EQ(back.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(back.error().message,
            "SimClock cannot go back from 1970-01-01T00:00:01.000Z to 1970-01-01T00:00:00.999Z");

  const auto negative = clock.advance_by(nanoseconds{-1});
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(negative.error().message, "SimClock cannot advance by a negative duration (-1 ns)");

  EXPECT_EQ(clock.now(), at_ms(1000));
  EXPECT_TRUE(trace.entries().empty());
  EXPECT_EQ(clock.pending(), 1U);
}

TEST(SimClock, AdvanceFromInsideCallback_IsFailedPrecondition) {
  SimClock clock(at_ms(0));
  std::vector<ErrorCode> errors;
  clock.call_at(at_ms(10), [&] {
    const auto nested = clock.advance_to(at_ms(20));
    ASSERT_FALSE(nested.has_value());
    errors.push_back(nested.error().code);
    EXPECT_EQ(clock.now(), at_ms(10));
  });
  ASSERT_TRUE(clock.advance_to(at_ms(15)).has_value());
  EXPECT_EQ(errors, std::vector<ErrorCode>{ErrorCode::kFailedPrecondition});
  EXPECT_EQ(clock.now(), at_ms(15));
  ASSERT_TRUE(clock.advance_to(at_ms(20)).has_value());  // usable again afterwards
}

// A random workload driven by `seed`: timers that reschedule children and cancel each other, advanced
// in random steps. Returns every firing as "id@ns".
std::vector<std::string> random_run(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  SimClock clock(Timestamp::from_ns(1'700'000'000'000'000'000));
  std::vector<std::string> trace;
  std::vector<TimerId> ids;
  std::function<void(int)> schedule = [&](int depth) {
    const nanoseconds delay{static_cast<std::int64_t>(rng() % 1'000'000)};
    const auto label = ids.size();
    ids.push_back(clock.call_after(delay, [&, label, depth] {
      trace.push_back(fmt::format("{}@{}", label, clock.now().ns()));
      if (depth < 3 && rng() % 2 == 0) {
        schedule(depth + 1);
      }
      if (rng() % 5 == 0) {
        clock.cancel(ids[rng() % ids.size()]);
      }
    }));
  };
  for (int i = 0; i < 2'000; ++i) {
    schedule(0);
  }
  while (clock.pending() > 0) {
    EXPECT_TRUE(clock.advance_by(nanoseconds{static_cast<std::int64_t>(rng() % 50'000)}).has_value());
  }
  return trace;
}

TEST(SimClock, IdenticalRuns_GiveIdenticalTraces) {
  const auto first = random_run(42);
  const auto second = random_run(42);
  EXPECT_GT(first.size(), 2'000U);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, random_run(43));
}

TEST(WallClock, Now_ReadsTheSystemClock) {
  boost::asio::io_context io;
  const WallClock clock(io.get_executor());
  const auto before = std::chrono::system_clock::now();
  const Timestamp now = clock.now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_GE(now.ns(), std::chrono::duration_cast<nanoseconds>(before.time_since_epoch()).count());
  EXPECT_LE(now.ns(), std::chrono::duration_cast<nanoseconds>(after.time_since_epoch()).count());
}

TEST(WallClock, Timers_RunOnTheExecutorInDeadlineOrder) {
  boost::asio::io_context io;
  WallClock clock(io.get_executor());
  std::vector<std::string> trace;
  const Timestamp base = clock.now();
  clock.call_at(base + milliseconds{60}, [&] { trace.push_back("c"); });
  clock.call_at(base + milliseconds{20}, [&] { trace.push_back("a"); });
  clock.call_at(base + milliseconds{40}, [&] { trace.push_back("b"); });
  clock.call_at(base - hours{1}, [&] { trace.push_back("past"); });
  EXPECT_TRUE(trace.empty());  // nothing runs until the executor does

  io.run();
  EXPECT_EQ(trace, (std::vector<std::string>{"past", "a", "b", "c"}));
}

TEST(WallClock, Cancel_CancelledTimersNeverRun) {
  boost::asio::io_context io;
  WallClock clock(io.get_executor());
  std::vector<std::string> trace;
  clock.call_after(milliseconds{10}, [&] { trace.push_back("kept"); });
  const TimerId dropped = clock.call_after(milliseconds{20}, [&] { trace.push_back("dropped"); });
  const TimerId later = clock.call_after(hours{1}, [&] { trace.push_back("later"); });
  clock.call_after(milliseconds{30}, [&] {
    trace.push_back("canceller");
    EXPECT_TRUE(clock.cancel(later));  // without this io.run() would wait an hour
  });

  EXPECT_TRUE(clock.cancel(dropped));
  EXPECT_FALSE(clock.cancel(dropped));
  EXPECT_FALSE(clock.cancel(TimerId{}));
  io.run();
  EXPECT_EQ(trace, (std::vector<std::string>{"kept", "canceller"}));
}

TEST(WallClock, Cancel_AfterExpiryBeforeHandlerRuns_StillPreventsTheCallback) {
  // Both timers are due at once, so both handlers are queued before either runs; whichever runs first
  // cancels the other, whose handler then runs but must not call its callback.
  boost::asio::io_context io;
  WallClock clock(io.get_executor());
  std::vector<std::string> trace;
  TimerId first;
  TimerId second;
  first = clock.call_after(nanoseconds{0}, [&] {
    trace.push_back("first");
    EXPECT_TRUE(clock.cancel(second));
  });
  second = clock.call_after(nanoseconds{0}, [&] {
    trace.push_back("second");
    EXPECT_TRUE(clock.cancel(first));
  });
  io.run();
  EXPECT_EQ(trace.size(), 1U);
}

TEST(WallClock, Destroyed_PendingAndQueuedCallbacksNeverRun) {
  boost::asio::io_context io;
  auto clock = std::make_unique<WallClock>(io.get_executor());
  std::vector<std::string> trace;
  // Whichever due timer runs first destroys the clock while the other's handler is already queued.
  clock->call_after(nanoseconds{0}, [&] {
    trace.push_back("one");
    clock.reset();
  });
  clock->call_after(nanoseconds{0}, [&] {
    trace.push_back("two");
    clock.reset();
  });
  clock->call_after(hours{1}, [&] { trace.push_back("pending"); });
  io.run();
  EXPECT_EQ(trace.size(), 1U);
  EXPECT_EQ(clock, nullptr);
}

}  // namespace
}  // namespace kimp
