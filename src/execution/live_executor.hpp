// LiveExecutor: pair trades on real venues (live mode, or paper mode with a virtual Upbit leg) — pre-flight,
// both legs at once under client order ids recorded ahead in the PositionStore, fills polled to the end,
// and every two-leg outcome settled so that no leg is left naked without the kill switch knowing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_event.hpp"
#include "config/config.hpp"
#include "core/client_order_id.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "execution/order_executor.hpp"
#include "execution/position_store.hpp"
#include "execution/venue_leg.hpp"

namespace kimp::execution {

struct LiveExecutorOptions {
  // The strategy section's order settings and fees, with the escalation timings below.
  static LiveExecutorOptions from(const config::Config& config);

  Decimal max_slippage_pct{};            // the Upbit IOC limit is the sized price × (1 + this %)
  bool upbit_buy_by_krw_amount = false;  // a `price` market buy for qty × price × (1 + fee) instead
  Decimal upbit_fee_pct{};               // for the KRW amount and the pre-flight
  Decimal bybit_fee_pct{};
  // Waits between lookups of a sent order; the last repeats until fill_timeout from the send.
  std::vector<Duration> poll_intervals{std::chrono::milliseconds{200}, std::chrono::milliseconds{500},
                                       std::chrono::seconds{1}, std::chrono::seconds{2}};
  Duration fill_timeout = std::chrono::seconds{5};
  // Pre-flight: an entry whose orders the rate budgets would hold longer than this is not sent.
  Duration max_send_delay = std::chrono::milliseconds{250};
  // Lookups after a cancel, until the order shows its final state.
  Duration cancel_settle_timeout = std::chrono::seconds{5};
  // Waits between attempts to close a leg left open; the last repeats until emergency_give_up.
  std::vector<Duration> emergency_backoff{std::chrono::seconds{1},  std::chrono::seconds{2},
                                          std::chrono::seconds{4},  std::chrono::seconds{8},
                                          std::chrono::seconds{16}, std::chrono::seconds{30}};
  Duration emergency_give_up = std::chrono::minutes{5};
};

// What the executor tells the engine beyond its results.
struct LiveExecutorHooks {
  std::function<void(alerts::AlertEvent)> alert;             // LegFailure, EmergencyCloseFailure, Error
  std::function<void(std::string reason)> trip_kill_switch;  // a naked leg outlived the escalation
};

// Entry: pre-flight (cached balances cover both legs, minimums hold after rounding, both order budgets
// can send within max_send_delay), then the Opening record with both client order ids is fsynced, then both
// orders leave at once: an Upbit IOC limit buy (or KRW-amount market buy) and a Bybit market sell. Each order
// is polled until it ends; one not ended by fill_timeout is cancelled and read again. An order whose
// placement answer was lost is looked up by its id and never sent twice. Then:
//   both filled      hedged qty = min of the fills on Bybit's step; the excess of either leg is closed at
//                    once (its cost in adjustment_usdt); fills outside max_fill_premium → closed again
//                    (kPnlGateClosed); otherwise the position is Open;
//   one leg filled   LegFailure alert; the filled leg is closed (kSingleLegFilled, emergency_closed);
//   neither filled   kBothUnfilled, the position is Closed.
// A close that fails is retried with emergency_backoff; past emergency_give_up the kill switch trips, an
// EmergencyCloseFailure alert names the naked exposure, the position stays PartiallyClosedOneLeg
// (kEmergencyCloseFailed). Exits mirror entries: Upbit market sell and Bybit reduce-only market buy of
// what the position holds, the Closing record first, the remainder of either leg retried the same way.
// Every order is recorded in the store before it is sent, and its outcome after.
//
// Runs on one executor (the event loop); the legs, store, ids and clock must outlive it.
class LiveExecutor final : public OrderExecutor {
 public:
  LiveExecutor(VenueLeg& upbit, VenueLeg& bybit, PositionStore& store, ClientOrderIdGenerator& ids,
               const Clock& clock, LiveExecutorOptions options, LiveExecutorHooks hooks = {});

  boost::asio::awaitable<ExecutionResult<ExecutedEntry>> execute_entry(EntryRequest request) override;
  boost::asio::awaitable<ExecutionResult<ExecutedExit>> execute_exit(ExitRequest request) override;
  // The balances of the last refresh (each execution refreshes them afterwards).
  [[nodiscard]] AvailableBalances balances() const override { return balances_; }

  // Reads both accounts' free quote balances. Errors: the venues'.
  boost::asio::awaitable<Status> refresh_balances(const model::Instrument& upbit,
                                                  const model::Instrument& bybit);

  // Closes whatever `position` still holds on either leg, as an exit that cannot be refused for price:
  // the kill switch's and the reconciliation's way to flatten a position.
  boost::asio::awaitable<ExecutionResult<ExecutedExit>> flatten(std::uint64_t position_id,
                                                                const model::Instrument& upbit,
                                                                const model::Instrument& bybit,
                                                                Decimal usdt_krw);

 private:
  struct LegOutcome;
  struct CloseOutcome;

  // refresh_balances(), logging a failure: the cached figures then stay as they were.
  boost::asio::awaitable<void> refresh_after(const model::Instrument& upbit, const model::Instrument& bybit);
  // Pre-flight of an entry: why it must not be sent, or nullopt.
  std::optional<OrderExecutionError> preflight(const EntryRequest& request, const LegOrder& upbit,
                                               const LegOrder& bybit) const;
  // The Upbit and Bybit entry orders of `request`, ids still empty. Errors: rounding failures.
  Result<std::pair<LegOrder, LegOrder>> entry_orders(const EntryRequest& request) const;
  // Sends `order` and follows it to its end (see the class comment); an order without a client order id
  // is a leg with nothing to send and ends at once.
  boost::asio::awaitable<LegOutcome> send_and_settle(VenueLeg& leg, const model::Instrument& instrument,
                                                     LegOrder order);
  // Cancels a live order and reads it until it shows its end, or the settle timeout passes.
  boost::asio::awaitable<std::optional<model::OrderReport>> cancel_and_read(
      VenueLeg& leg, const model::Instrument& instrument, const std::string& client_order_id);
  // Closes `qty` of `leg`'s exposure of `position` by market orders with backoff until done or the
  // give-up time; every order recorded before it is sent.
  boost::asio::awaitable<CloseOutcome> close_exposure(StoredPosition& position, Leg leg,
                                                      const model::Instrument& instrument, Decimal qty,
                                                      OrderPurpose purpose);
  // Settles the exit legs' remainders and records the result; shared by execute_exit and flatten.
  boost::asio::awaitable<ExecutionResult<ExecutedExit>> exit_position(StoredPosition position,
                                                                      const model::Instrument& upbit,
                                                                      const model::Instrument& bybit,
                                                                      Decimal usdt_krw, bool forced);
  // The order record `order` of `position` after `outcome`.
  static void note_outcome(StoredPosition& position, const std::string& client_order_id,
                           const LegOutcome& outcome);
  // Appends a StoredOrder for `order` to `position` and persists it. Errors: the store's.
  Status record_order(StoredPosition& position, Leg leg, OrderPurpose purpose, const LegOrder& order);
  // put(), logging and alerting a failure (used once orders are out: the venues stay the truth).
  void persist(const StoredPosition& position);
  // Trips the kill switch and alerts the naked exposure left after a failed close.
  void escalate(const StoredPosition& position, Leg leg, Decimal naked_qty, std::int64_t attempts);
  // escalate() for what `close` left of `leg`, and the kEmergencyCloseFailed error reporting it.
  OrderExecutionError naked_leg(const StoredPosition& position, Leg leg, const CloseOutcome& close,
                                Decimal realised_usdt);
  void alert(alerts::AlertEvent event) const;
  Result<std::string> next_id(const std::string& coin, std::string_view tag);
  VenueLeg& leg_of(Leg leg) { return leg == Leg::kUpbit ? *upbit_ : *bybit_; }

  VenueLeg* upbit_;
  VenueLeg* bybit_;
  PositionStore* store_;
  ClientOrderIdGenerator* ids_;
  const Clock* clock_;
  LiveExecutorOptions options_;
  LiveExecutorHooks hooks_;
  AvailableBalances balances_{};
  log::Logger log_{"execution"};
};

}  // namespace kimp::execution
