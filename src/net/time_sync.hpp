// Offset between a venue's clock and ours from server-time queries (RTT midpoint), with drift health.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/logging.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp {
class Clock;
}

namespace kimp::net {

enum class TimeSyncHealth : std::uint8_t {
  kUnknown,  // no sample yet
  kOk,       // |offset| within max_drift
  kDrifted,  // |offset| beyond max_drift: signed requests may be refused, our clock needs attention
};

std::string_view to_string(TimeSyncHealth health);

struct TimeSyncOptions {
  std::chrono::milliseconds refresh_interval{std::chrono::seconds{60}};
  std::chrono::milliseconds max_drift{std::chrono::seconds{5}};
  std::size_t window = 5;  // the best (smallest round trip) of this many latest samples is used
};

// One server-time query: when we sent it and received the answer by our Clock, and what the server said.
struct TimeSample {
  Timestamp t_send;
  Timestamp server_time;
  Timestamp t_recv;

  // server_time - (t_send + t_recv) / 2: the server's time minus ours, assuming a symmetric path.
  [[nodiscard]] Duration offset() const;
  [[nodiscard]] Duration rtt() const { return t_recv - t_send; }
};

// Not thread-safe: used from the event loop. Health transitions are logged (a warning on entering
// kDrifted), once per transition.
class TimeSync {
 public:
  using Fetch = std::function<boost::asio::awaitable<Result<Timestamp>>()>;

  // `clock` must outlive every use of the TimeSync, including a refresh loop still winding down.
  // `fetch` asks the venue for its time (Bybit GET /v5/market/time); it is needed only by
  // sync_once() and start().
  TimeSync(const Clock& clock, TimeSyncOptions options, Fetch fetch = {});
  TimeSync(const TimeSync&) = delete;
  TimeSync& operator=(const TimeSync&) = delete;
  ~TimeSync();

  // Records a sample and re-evaluates offset and health.
  // Errors: kInvalidArgument when t_recv is before t_send (the sample was not taken on one clock).
  Status add_sample(const TimeSample& sample);

  // One query through `fetch`, timed on the Clock, recorded with add_sample.
  // Errors: kFailedPrecondition when there is no fetch function or the TimeSync is stopped; those of
  // `fetch` (the offset is left as it was).
  boost::asio::awaitable<Status> sync_once();

  // Queries at once and then every refresh_interval on `executor` until stop() or destruction. A
  // failed query is logged and retried at the next interval. Errors: kFailedPrecondition when already
  // started or stopped, or there is no fetch function.
  Status start(const boost::asio::any_io_executor& executor);
  // Ends the refresh loop; a query in flight is discarded when it returns. Idempotent.
  void stop();

  // Zero until the first sample.
  [[nodiscard]] Duration offset() const;
  // Round trip of the sample the offset comes from (zero until the first sample).
  [[nodiscard]] Duration rtt() const;
  // Our Clock's now() moved by the offset: what the server's clock reads now.
  [[nodiscard]] Timestamp server_now() const;
  [[nodiscard]] TimeSyncHealth health() const;
  [[nodiscard]] std::uint64_t samples_taken() const;

  struct State;  // defined with the refresh loop

 private:
  // Shared with the refresh loop, which may outlive this object until its query returns.
  std::shared_ptr<State> state_;
};

}  // namespace kimp::net
