// FX sources kept fresh: USD/KRW polled from a Dunamu-format URL, USDT/KRW from Upbit's KRW-USDT ticker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/market_events.hpp"
#include "net/ws_client.hpp"
#include "venues/fx/dunamu.hpp"
#include "venues/fx/fx_rate.hpp"

namespace kimp {
class Clock;
}

namespace kimp::net {
class HttpClient;
}

namespace kimp::venues::fx {

struct UsdKrwPollerOptions {
  // Appended to the HttpClient's base URL (Dunamu's quotation host, or the emulator's FX port).
  std::string target = "/v1/forex/recent?codes=FRX.KRWUSD";
  Duration interval = std::chrono::seconds{60};
};

struct FxPollCounters {
  std::uint64_t polls = 0;     // polls finished, good or not
  std::uint64_t failures = 0;  // of those, the ones that left the rate stale
  std::optional<Error> last_error;
  bool operator==(const FxPollCounters&) const = default;
};

// Polls USD/KRW every `interval`, the first time at start(). A poll that fails — no answer (kUnavailable,
// kDeadlineExceeded from the HttpClient), a non-2xx status, a body parse_dunamu_quote refuses, or a quote
// older than the one held — keeps the last value, marks it stale and counts the failure; the next poll
// may clear it. Nothing throws, and there is never a value the source did not give.
// Runs on the executor given at creation; not thread-safe. The HttpClient and the clock must outlive the
// poller (a poll in flight at destruction finishes without touching the poller).
class UsdKrwPoller {
 public:
  // Errors: kInvalidArgument for a non-positive interval or an empty target.
  static Result<std::unique_ptr<UsdKrwPoller>> create(const boost::asio::any_io_executor& executor,
                                                      net::HttpClient& http, const Clock& clock,
                                                      UsdKrwPollerOptions options = {});
  UsdKrwPoller(const UsdKrwPoller&) = delete;
  UsdKrwPoller& operator=(const UsdKrwPoller&) = delete;
  ~UsdKrwPoller();

  // Starts polling. Errors: kFailedPrecondition when already started or stopped (a poller runs once).
  Status start();
  // Ends polling; a poll in flight finishes without updating anything. Idempotent.
  void stop();

  // One poll now, outside the schedule. Errors: the failure it counted (see the class comment).
  boost::asio::awaitable<Status> poll_once();

  // The rate with its age (FxRate::age) and stale flag.
  [[nodiscard]] const FxRate& usd_krw() const;
  [[nodiscard]] const FxPollCounters& counters() const;

  struct State;

 private:
  explicit UsdKrwPoller(std::shared_ptr<State> state) : state_(std::move(state)) {}
  // Shared with the polling loop, which may outlive the poller by the poll in flight.
  std::shared_ptr<State> state_;
};

// USDT/KRW from Upbit's KRW-USDT ticker: feed on_ticker and the feed's state events here. A lost or stale
// stream marks the rate stale (its value kept) until the next ticker.
class UsdtKrwTracker {
 public:
  // `clock` must outlive the tracker.
  explicit UsdtKrwTracker(const Clock& clock) : clock_(&clock) {}

  // Takes the ticker's last price, received at its ts_recv (the clock's now when the feed left it zero).
  // Errors: those of usdt_krw_from_ticker and FxRate::update (the held value unchanged, counted as a
  // failure and marking the rate stale).
  Status on_ticker(const model::Ticker& ticker);
  // kStale and kDisconnected mark the rate stale; other states change nothing.
  void on_feed_state(net::WsState state);

  [[nodiscard]] const FxRate& usdt_krw() const { return rate_; }
  [[nodiscard]] std::uint64_t failures() const { return failures_; }

 private:
  const Clock* clock_;
  FxRate rate_;
  std::uint64_t failures_ = 0;
};

}  // namespace kimp::venues::fx
