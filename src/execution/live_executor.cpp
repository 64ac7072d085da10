// LiveExecutor: two-leg entries and exits on the venues, every outcome settled and recorded ahead.
#include "execution/live_executor.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "market/premium.hpp"
#include "strategy/pnl.hpp"
#include "venues/upbit/tick_size.hpp"

namespace kimp::execution {
namespace {

using namespace boost::asio::experimental::awaitable_operators;

constexpr Decimal kHundred = config::decimal_literal(100);
constexpr Decimal kOne = config::decimal_literal(1);

template <class T>
ExecutionResult<T> failed(OrderExecutionError error) {
  return tl::unexpected<OrderExecutionError>(std::move(error));
}

OrderExecutionError exchange_error(Error error) {
  return OrderExecutionError{.kind = ExecutionErrorKind::kExchangeError, .error = std::move(error)};
}

boost::asio::awaitable<void> pause(Duration delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                  std::chrono::duration_cast<boost::asio::steady_timer::duration>(delay));
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

// The attempt-th wait of a schedule whose last entry repeats.
Duration delay_at(const std::vector<Duration>& schedule, std::size_t attempt) {
  if (schedule.empty()) {
    return std::chrono::seconds{1};
  }
  return schedule[std::min(attempt, schedule.size() - 1)];
}

// A placement whose answer does not say whether the order exists.
bool outcome_unknown(const Error& error) {
  return error.code == ErrorCode::kDeadlineExceeded || error.code == ErrorCode::kUnavailable ||
         error.code == ErrorCode::kInternal;
}

// Upbit refuses a sell worth less than its minimum total: what is left is dust, not exposure to close.
bool below_upbit_minimum(const Error& error) {
  return error.venue_code == "under_min_total_ask" || error.venue_code == "under_min_total_market_ask";
}

// x × (1 + pct / 100).
Result<Decimal> plus_pct(Decimal value, Decimal pct) {
  KIMP_TRY_ASSIGN(const Decimal fraction, pct.div(kHundred));
  KIMP_TRY_ASSIGN(const Decimal factor, kOne.add(fraction));
  return value.mul(factor);
}

// Fills of one leg summed over its orders.
struct FillSum {
  Decimal qty{};
  Decimal value{};
  Decimal fee{};

  Status add(Decimal fill_qty, Decimal price, Decimal fill_fee) {
    KIMP_TRY_ASSIGN(const Decimal fill_value, fill_qty.mul(price));
    KIMP_TRY_ASSIGN(value, value.add(fill_value));
    KIMP_TRY_ASSIGN(qty, qty.add(fill_qty));
    KIMP_TRY_ASSIGN(fee, fee.add(fill_fee));
    return ok();
  }
  Status add(const FillSum& other) {
    KIMP_TRY_ASSIGN(value, value.add(other.value));
    KIMP_TRY_ASSIGN(qty, qty.add(other.qty));
    KIMP_TRY_ASSIGN(fee, fee.add(other.fee));
    return ok();
  }
  [[nodiscard]] strategy::LegFill fill(Timestamp at) const {
    const Decimal price = qty.is_positive() ? value.div(qty).value_or(Decimal{}) : Decimal{};
    return {qty, price, fee, at};
  }
};

// The entry fill of one leg scaled to `qty` of it (its fee in proportion).
strategy::LegFill entry_part(Decimal entry_qty, Decimal price, Decimal fee, Decimal qty, Timestamp at) {
  Decimal part_fee = fee;
  if (entry_qty.is_positive() && qty < entry_qty) {
    const Result<Decimal> scaled = fee.mul(qty);
    part_fee = scaled ? scaled->div(entry_qty).value_or(fee) : fee;
  }
  return {qty, price, part_fee, at};
}

}  // namespace

struct LiveExecutor::LegOutcome {
  std::optional<model::OrderReport> report{};  // the last the venue said of the order
  bool ended = false;                          // the report is final
  bool refused = false;                        // the venue refused it: nothing was placed
  Error error{};                               // the last error met
  [[nodiscard]] Decimal filled() const { return report ? report->filled_qty : Decimal{}; }
};

struct LiveExecutor::CloseOutcome {
  bool closed = false;  // nothing left to close (Upbit dust below its minimum aside)
  FillSum fills{};
  std::int64_t attempts = 0;
  Decimal remaining{};
  std::string last_client_order_id{};
};

LiveExecutorOptions LiveExecutorOptions::from(const config::Config& config) {
  LiveExecutorOptions options;
  options.max_slippage_pct = config.strategy.max_slippage_pct;
  options.upbit_buy_by_krw_amount =
      config.strategy.order_type == config::OrderType::kMarket ||
      config.strategy.upbit_order_sizing == config::UpbitOrderSizing::kKrwAmount;
  options.upbit_fee_pct = config.strategy.upbit_fee_pct;
  options.bybit_fee_pct = config.strategy.bybit_fee_pct;
  options.fill_timeout = config.strategy.order_timeout;
  return options;
}

LiveExecutor::LiveExecutor(VenueLeg& upbit, VenueLeg& bybit, PositionStore& store,
                           ClientOrderIdGenerator& ids, const Clock& clock, LiveExecutorOptions options,
                           LiveExecutorHooks hooks)
    : upbit_(&upbit),
      bybit_(&bybit),
      store_(&store),
      ids_(&ids),
      clock_(&clock),
      options_(std::move(options)),
      hooks_(std::move(hooks)) {}

void LiveExecutor::alert(alerts::AlertEvent event) const {
  if (hooks_.alert) {
    hooks_.alert(std::move(event));
  }
}

Result<std::string> LiveExecutor::next_id(const std::string& coin, std::string_view tag) {
  return ids_->next(coin, tag);
}

boost::asio::awaitable<void> LiveExecutor::refresh_after(const model::Instrument& upbit,
                                                         const model::Instrument& bybit) {
  if (const Status refreshed = co_await refresh_balances(upbit, bybit); !refreshed) {
    log_.warn("balances not refreshed", {{"error", refreshed.error().describe()}});
  }
}

boost::asio::awaitable<Status> LiveExecutor::refresh_balances(const model::Instrument& upbit,
                                                              const model::Instrument& bybit) {
  const Result<LegHoldings> upbit_holdings = co_await upbit_->holdings(upbit);
  if (!upbit_holdings) {
    co_return tl::unexpected<Error>(upbit_holdings.error());
  }
  const Result<LegHoldings> bybit_holdings = co_await bybit_->holdings(bybit);
  if (!bybit_holdings) {
    co_return tl::unexpected<Error>(bybit_holdings.error());
  }
  balances_ = {upbit_holdings->quote_available, bybit_holdings->quote_available};
  co_return ok();
}

Result<std::pair<LegOrder, LegOrder>> LiveExecutor::entry_orders(const EntryRequest& request) const {
  Decimal qty = request.qty;
  if (request.bybit.qty_step.is_positive()) {
    KIMP_TRY_ASSIGN(qty, qty.round_to_step(request.bybit.qty_step, RoundingMode::kDown));
  }
  LegOrder upbit{.side = model::Side::kBuy, .type = model::OrderType::kLimit, .qty = qty};
  if (options_.upbit_buy_by_krw_amount) {
    KIMP_TRY_ASSIGN(const Decimal cost, qty.mul(request.upbit_krw_price));
    KIMP_TRY_ASSIGN(const Decimal with_fee, plus_pct(cost, options_.upbit_fee_pct));
    upbit.type = model::OrderType::kMarketKrw;
    upbit.qty = Decimal{};
    KIMP_TRY_ASSIGN(upbit.krw_amount, with_fee.round_to_step(kOne, RoundingMode::kDown));
  } else {
    KIMP_TRY_ASSIGN(const Decimal limit, plus_pct(request.upbit_krw_price, options_.max_slippage_pct));
    KIMP_TRY_ASSIGN(upbit.price,
                    venues::upbit::round_to_upbit_tick(request.upbit.symbol, limit, RoundingMode::kDown));
  }
  LegOrder bybit{.side = model::Side::kSell, .type = model::OrderType::kMarket, .qty = qty};
  return std::pair{std::move(upbit), std::move(bybit)};
}

std::optional<OrderExecutionError> LiveExecutor::preflight(const EntryRequest& request, const LegOrder& upbit,
                                                           const LegOrder& bybit) const {
  const auto refuse = [](ErrorCode code, std::string message) {
    return exchange_error(make_error(code, std::move(message)).value());
  };
  if (!bybit.qty.is_positive() || bybit.qty < request.bybit.min_qty) {
    return refuse(ErrorCode::kInvalidArgument,
                  fmt::format("{} {} is below Bybit's minimum quantity {} after rounding", request.coin,
                              bybit.qty, request.bybit.min_qty));
  }
  const Result<Decimal> upbit_value = upbit.type == model::OrderType::kMarketKrw
                                          ? Result<Decimal>(upbit.krw_amount)
                                          : upbit.qty.mul(upbit.price);
  const Result<Decimal> bybit_value = bybit.qty.mul(request.bybit_usdt_price);
  if (!upbit_value || !bybit_value) {
    return refuse(ErrorCode::kInvalidArgument, fmt::format("{}: order value out of range", request.coin));
  }
  if (*upbit_value < request.upbit.min_notional || *bybit_value < request.bybit.min_notional) {
    return refuse(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: {} KRW / {} USDT is below the venues' minimum order value ({} / {})", request.coin,
                    *upbit_value, *bybit_value, request.upbit.min_notional, request.bybit.min_notional));
  }
  const Result<Decimal> upbit_need = upbit.type == model::OrderType::kMarketKrw
                                         ? upbit_value
                                         : plus_pct(*upbit_value, options_.upbit_fee_pct);
  if (!upbit_need || *upbit_need > balances_.upbit_krw) {
    return OrderExecutionError{.kind = ExecutionErrorKind::kInsufficientBalance,
                               .leg = Leg::kUpbit,
                               .available = balances_.upbit_krw};
  }
  const Result<Decimal> bybit_need = plus_pct(*bybit_value, options_.bybit_fee_pct);
  if (!bybit_need || *bybit_need > balances_.bybit_usdt) {
    return OrderExecutionError{.kind = ExecutionErrorKind::kInsufficientBalance,
                               .leg = Leg::kBybit,
                               .available = balances_.bybit_usdt};
  }
  for (const VenueLeg* leg : {upbit_, bybit_}) {
    if (const Duration delay = leg->send_delay(); delay > options_.max_send_delay) {
      OrderExecutionError error =
          refuse(ErrorCode::kResourceExhausted,
                 fmt::format("{}'s order rate budget would hold the order {} ms", to_string(leg->leg()),
                             std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()));
      error.leg = leg->leg();
      return error;
    }
  }
  return std::nullopt;
}

Status LiveExecutor::record_order(StoredPosition& position, Leg leg, OrderPurpose purpose,
                                  const LegOrder& order) {
  position.orders.push_back(StoredOrder{.leg = leg,
                                        .purpose = purpose,
                                        .side = order.side,
                                        .client_order_id = order.client_order_id,
                                        .qty = order.qty});
  position.updated_at = clock_->now();
  Status stored = store_->put(position);
  if (!stored) {
    position.orders.pop_back();
  }
  return stored;
}

void LiveExecutor::persist(const StoredPosition& position) {
  StoredPosition stamped = position;
  stamped.updated_at = clock_->now();
  const Status stored = store_->put(stamped);
  if (!stored) {
    log_.error("position not recorded", {{"position", position.id}, {"error", stored.error().describe()}});
    alert(alerts::Error{fmt::format("position {} ({}) could not be recorded: {}", position.id, position.coin,
                                    stored.error().describe())});
  }
}

void LiveExecutor::note_outcome(StoredPosition& position, const std::string& client_order_id,
                                const LegOutcome& outcome) {
  for (StoredOrder& order : position.orders) {
    if (order.client_order_id != client_order_id) {
      continue;
    }
    order.done = outcome.ended || outcome.refused;
    if (outcome.report) {
      order.venue_order_id = outcome.report->venue_order_id;
      order.filled_qty = outcome.report->filled_qty;
      order.avg_price = outcome.report->avg_fill_price;
      order.fee = outcome.report->fee_paid;
    }
  }
}

boost::asio::awaitable<std::optional<model::OrderReport>> LiveExecutor::cancel_and_read(
    VenueLeg& leg, const model::Instrument& instrument, const std::string& client_order_id) {
  const Status cancelled = co_await leg.cancel(instrument, client_order_id);
  if (!cancelled) {
    log_.warn("cancel refused", {{"order", client_order_id}, {"error", cancelled.error().describe()}});
  }
  const Timestamp start = clock_->now();
  std::optional<model::OrderReport> last;
  for (std::size_t attempt = 0;; ++attempt) {
    const Result<std::optional<model::OrderReport>> found = co_await leg.find(instrument, client_order_id);
    if (found && *found) {
      last = **found;
      if (model::is_terminal(last->status)) {
        co_return last;
      }
    }
    if (clock_->now() - start >= options_.cancel_settle_timeout) {
      co_return last;
    }
    co_await pause(delay_at(options_.poll_intervals, attempt));
  }
}

boost::asio::awaitable<LiveExecutor::LegOutcome> LiveExecutor::send_and_settle(
    VenueLeg& leg, const model::Instrument& instrument, LegOrder order) {
  LegOutcome outcome;
  if (order.client_order_id.empty()) {
    outcome.ended = true;  // a leg with nothing to send
    co_return outcome;
  }
  const Timestamp sent = clock_->now();
  Result<model::OrderReport> placed = co_await leg.place(instrument, order);
  if (placed) {
    outcome.report = std::move(*placed);
    if (model::is_terminal(outcome.report->status)) {
      outcome.ended = true;
      co_return outcome;
    }
  } else if (!outcome_unknown(placed.error())) {
    outcome.refused = true;
    outcome.error = placed.error();
    co_return outcome;
  } else {
    outcome.error = placed.error();
    log_.warn("placement outcome unknown: looking the order up",
              {{"order", order.client_order_id}, {"error", placed.error().describe()}});
  }
  for (std::size_t attempt = 0; clock_->now() - sent < options_.fill_timeout; ++attempt) {
    co_await pause(delay_at(options_.poll_intervals, attempt));
    const Result<std::optional<model::OrderReport>> found =
        co_await leg.find(instrument, order.client_order_id);
    if (!found) {
      outcome.error = found.error();
      continue;
    }
    if (*found) {
      outcome.report = **found;
      if (model::is_terminal(outcome.report->status)) {
        outcome.ended = true;
        co_return outcome;
      }
    }
  }
  // Not ended in time: cancel it, and whatever it filled meanwhile counts.
  std::optional<model::OrderReport> last = co_await cancel_and_read(leg, instrument, order.client_order_id);
  if (last) {
    outcome.report = std::move(last);
    outcome.ended = model::is_terminal(outcome.report->status);
  }
  co_return outcome;
}

boost::asio::awaitable<LiveExecutor::CloseOutcome> LiveExecutor::close_exposure(
    StoredPosition& position, Leg leg, const model::Instrument& instrument, Decimal qty,
    OrderPurpose purpose) {
  CloseOutcome close{.remaining = qty};
  const Timestamp start = clock_->now();
  const std::string_view tag = leg == Leg::kUpbit ? (purpose == OrderPurpose::kExcess ? "AU" : "FU")
                                                  : (purpose == OrderPurpose::kExcess ? "AB" : "FB");
  while (true) {
    ++close.attempts;
    Result<std::string> id = next_id(position.coin, tag);
    if (id) {
      const LegOrder order{.client_order_id = std::move(*id),
                           .side = leg == Leg::kUpbit ? model::Side::kSell : model::Side::kBuy,
                           .type = model::OrderType::kMarket,
                           .qty = close.remaining,
                           .reduce_only = leg == Leg::kBybit};
      close.last_client_order_id = order.client_order_id;
      const Status recorded = record_order(position, leg, purpose, order);
      if (recorded) {
        const LegOutcome outcome = co_await send_and_settle(leg_of(leg), instrument, order);
        note_outcome(position, order.client_order_id, outcome);
        const Decimal filled = outcome.filled();
        if (filled.is_positive()) {
          (void)close.fills.add(filled, outcome.report->avg_fill_price, outcome.report->fee_paid);
          close.remaining = close.remaining.sub(filled).value_or(Decimal{});
          Decimal& held = leg == Leg::kUpbit ? position.upbit_qty : position.bybit_qty;
          held = std::max(held.sub(filled).value_or(Decimal{}), Decimal{});
        }
        persist(position);
        if (!close.remaining.is_positive() ||
            (leg == Leg::kUpbit && outcome.refused && below_upbit_minimum(outcome.error))) {
          close.closed = true;
          co_return close;
        }
        log_.warn("close attempt left exposure", {{"position", position.id},
                                                  {"leg", to_string(leg)},
                                                  {"remaining", close.remaining},
                                                  {"attempt", close.attempts},
                                                  {"error", outcome.error.describe()}});
      } else {
        log_.error("close not recorded, not sent",
                   {{"position", position.id}, {"error", recorded.error().describe()}});
      }
    }
    if (clock_->now() - start >= options_.emergency_give_up) {
      co_return close;
    }
    co_await pause(delay_at(options_.emergency_backoff, static_cast<std::size_t>(close.attempts - 1)));
  }
}

OrderExecutionError LiveExecutor::naked_leg(const StoredPosition& position, Leg leg,
                                            const CloseOutcome& close, Decimal realised_usdt) {
  escalate(position, leg, close.remaining, close.attempts);
  return OrderExecutionError{.kind = ExecutionErrorKind::kEmergencyCloseFailed,
                             .leg = leg,
                             .order_id = close.last_client_order_id,
                             .upbit_qty = position.upbit_qty,
                             .bybit_qty = position.bybit_qty,
                             .realised_usdt = realised_usdt};
}

void LiveExecutor::escalate(const StoredPosition& position, Leg leg, Decimal naked_qty,
                            std::int64_t attempts) {
  StoredPosition naked = position;
  naked.state = PositionState::kPartiallyClosedOneLeg;
  naked.note = fmt::format("{} {} of {} could not be closed after {} attempts", naked_qty, position.coin,
                           to_string(leg), attempts);
  persist(naked);
  log_.error("naked exposure", {{"position", position.id}, {"leg", to_string(leg)}, {"qty", naked_qty}});
  if (hooks_.trip_kill_switch) {
    hooks_.trip_kill_switch(
        fmt::format("emergency close of {} on {} failed: {}", position.coin, to_string(leg), naked.note));
  }
  alert(alerts::EmergencyCloseFailure{
      .coin = position.coin, .retry_count = attempts, .naked_exposure = naked_qty});
}

boost::asio::awaitable<ExecutionResult<ExecutedEntry>> LiveExecutor::execute_entry(EntryRequest request) {
  Result<std::pair<LegOrder, LegOrder>> orders = entry_orders(request);
  if (!orders) {
    co_return failed<ExecutedEntry>(exchange_error(orders.error()));
  }
  auto& [upbit_order, bybit_order] = *orders;
  if (std::optional<OrderExecutionError> refused = preflight(request, upbit_order, bybit_order)) {
    co_return failed<ExecutedEntry>(std::move(*refused));
  }
  Result<std::string> upbit_id = next_id(request.coin, "EU");
  Result<std::string> bybit_id = next_id(request.coin, "EB");
  if (!upbit_id || !bybit_id) {
    co_return failed<ExecutedEntry>(exchange_error(upbit_id ? bybit_id.error() : upbit_id.error()));
  }
  upbit_order.client_order_id = std::move(*upbit_id);
  bybit_order.client_order_id = std::move(*bybit_id);

  const Timestamp now = clock_->now();
  StoredPosition position{.id = store_->next_id(),
                          .coin = request.coin,
                          .state = PositionState::kOpening,
                          .usdt_krw = request.usdt_krw,
                          .opened_at = now,
                          .updated_at = now};
  for (const auto& [leg, order] :
       {std::pair{Leg::kUpbit, &upbit_order}, std::pair{Leg::kBybit, &bybit_order}}) {
    position.orders.push_back(StoredOrder{.leg = leg,
                                          .purpose = OrderPurpose::kEntry,
                                          .side = order->side,
                                          .client_order_id = order->client_order_id,
                                          .qty = order->qty});
  }
  if (const Status recorded = store_->put(position); !recorded) {
    co_return failed<ExecutedEntry>(exchange_error(recorded.error()));
  }

  const auto [upbit, bybit] = co_await (send_and_settle(*upbit_, request.upbit, upbit_order) &&
                                        send_and_settle(*bybit_, request.bybit, bybit_order));
  note_outcome(position, upbit_order.client_order_id, upbit);
  note_outcome(position, bybit_order.client_order_id, bybit);
  const Decimal upbit_qty = upbit.filled();
  const Decimal bybit_qty = bybit.filled();
  position.upbit_qty = upbit_qty;
  position.bybit_qty = bybit_qty;
  if (upbit.report) {
    position.upbit_entry_price = upbit.report->avg_fill_price;
    position.upbit_entry_fee = upbit.report->fee_paid;
  }
  if (bybit.report) {
    position.bybit_entry_price = bybit.report->avg_fill_price;
    position.bybit_entry_fee = bybit.report->fee_paid;
  }

  if (!upbit_qty.is_positive() && !bybit_qty.is_positive()) {
    position.state = PositionState::kClosed;
    position.note = "neither leg filled";
    persist(position);
    co_await refresh_after(request.upbit, request.bybit);
    co_return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kBothUnfilled,
                                                        .upbit_qty = upbit_qty,
                                                        .bybit_qty = bybit_qty,
                                                        .error = upbit.refused ? upbit.error : bybit.error});
  }

  // The round trip of what `leg` filled and closing it again realised, in USDT.
  const auto round_trip = [&](Leg leg, const CloseOutcome& close) -> Decimal {
    const Timestamp at = clock_->now();
    strategy::PairLegs entry{.usdt_krw = request.usdt_krw};
    strategy::PairLegs exit{.usdt_krw = request.usdt_krw};
    if (leg == Leg::kUpbit) {
      entry.upbit =
          entry_part(upbit_qty, position.upbit_entry_price, position.upbit_entry_fee, close.fills.qty, at);
      exit.upbit = close.fills.fill(at);
    } else {
      entry.bybit =
          entry_part(bybit_qty, position.bybit_entry_price, position.bybit_entry_fee, close.fills.qty, at);
      exit.bybit = close.fills.fill(at);
    }
    const Result<strategy::PairPnl> pnl = strategy::realised_pnl(entry, exit, Decimal{});
    return pnl ? pnl->net_usdt : Decimal{};
  };

  if (!upbit_qty.is_positive() || !bybit_qty.is_positive()) {
    const Leg filled_leg = upbit_qty.is_positive() ? Leg::kUpbit : Leg::kBybit;
    const Leg failed_leg = filled_leg == Leg::kUpbit ? Leg::kBybit : Leg::kUpbit;
    const Decimal exposure = filled_leg == Leg::kUpbit ? upbit_qty : bybit_qty;
    position.state = PositionState::kPartiallyClosedOneLeg;
    position.note = fmt::format("{} did not fill: closing {} {} on {}", to_string(failed_leg), exposure,
                                request.coin, to_string(filled_leg));
    persist(position);
    alert(alerts::LegFailure{.coin = request.coin,
                             .succeeded_leg = std::string(to_string(filled_leg)),
                             .failed_leg = std::string(to_string(failed_leg)),
                             .action_taken = "closing the filled leg at market"});
    const model::Instrument& instrument = filled_leg == Leg::kUpbit ? request.upbit : request.bybit;
    const CloseOutcome close =
        co_await close_exposure(position, filled_leg, instrument, exposure, OrderPurpose::kEmergency);
    const Decimal realised = round_trip(filled_leg, close);
    if (!close.closed) {
      OrderExecutionError naked = naked_leg(position, filled_leg, close, realised);
      co_await refresh_after(request.upbit, request.bybit);
      co_return failed<ExecutedEntry>(std::move(naked));
    }
    position.state = PositionState::kClosed;
    position.note =
        fmt::format("{} did not fill; {} closed again", to_string(failed_leg), to_string(filled_leg));
    persist(position);
    co_await refresh_after(request.upbit, request.bybit);
    co_return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kSingleLegFilled,
                                                        .leg = filled_leg,
                                                        .emergency_closed = true,
                                                        .upbit_qty = upbit_qty,
                                                        .bybit_qty = bybit_qty,
                                                        .realised_usdt = realised});
  }

  // Both filled: hedge the common quantity on Bybit's step, close what either leg has beyond it.
  Decimal hedged = std::min(upbit_qty, bybit_qty);
  if (request.bybit.qty_step.is_positive()) {
    hedged = hedged.round_to_step(request.bybit.qty_step, RoundingMode::kDown).value_or(Decimal{});
  }
  if (hedged < request.bybit.min_qty) {
    hedged = Decimal{};
  }
  Decimal adjustment{};
  for (const Leg leg : {Leg::kBybit, Leg::kUpbit}) {
    const Decimal held = leg == Leg::kUpbit ? upbit_qty : bybit_qty;
    const Decimal excess = held.sub(hedged).value_or(Decimal{});
    if (!excess.is_positive()) {
      continue;
    }
    const model::Instrument& instrument = leg == Leg::kUpbit ? request.upbit : request.bybit;
    const CloseOutcome close =
        co_await close_exposure(position, leg, instrument, excess, OrderPurpose::kExcess);
    adjustment = adjustment.add(round_trip(leg, close)).value_or(adjustment);
    if (!close.closed) {
      OrderExecutionError naked = naked_leg(position, leg, close, adjustment);
      co_await refresh_after(request.upbit, request.bybit);
      co_return failed<ExecutedEntry>(std::move(naked));
    }
  }
  position.adjustment_usdt = adjustment;
  if (!hedged.is_positive()) {
    position.state = PositionState::kClosed;
    position.note = fmt::format("fills {} / {} leave nothing to hedge", upbit_qty, bybit_qty);
    persist(position);
    co_await refresh_after(request.upbit, request.bybit);
    co_return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kQtyMismatch,
                                                        .upbit_qty = upbit_qty,
                                                        .bybit_qty = bybit_qty,
                                                        .realised_usdt = adjustment});
  }
  position.state = PositionState::kOpen;
  position.note.clear();
  persist(position);

  const Timestamp filled_at = clock_->now();
  ExecutedEntry executed{.upbit = {upbit.report->venue_order_id,
                                   entry_part(upbit_qty, position.upbit_entry_price, position.upbit_entry_fee,
                                              position.upbit_qty, filled_at)},
                         .bybit = {bybit.report->venue_order_id,
                                   entry_part(bybit_qty, position.bybit_entry_price, position.bybit_entry_fee,
                                              position.bybit_qty, filled_at)},
                         .effective_qty = hedged,
                         .usdt_krw = request.usdt_krw,
                         .position_id = position.id,
                         .adjustment_usdt = adjustment};

  const double fill_premium =
      market::premium(position.upbit_entry_price, position.bybit_entry_price, request.usd_krw);
  if (request.max_fill_premium && fill_premium > *request.max_fill_premium) {
    log_.warn("fills outside the profitable band: closing", {{"position", position.id},
                                                             {"fill_premium_pct", fill_premium * 100},
                                                             {"max_pct", *request.max_fill_premium * 100}});
    ExecutionResult<ExecutedExit> closed =
        co_await exit_position(position, request.upbit, request.bybit, request.usdt_krw, true);
    Decimal realised = adjustment;
    if (closed) {
      const strategy::PairLegs entry{executed.upbit.fill, executed.bybit.fill, request.usdt_krw};
      const strategy::PairLegs exit{closed->upbit.fill, closed->bybit.fill, closed->usdt_krw};
      const Result<strategy::PairPnl> pnl = strategy::realised_pnl(entry, exit, Decimal{});
      realised = realised.add(pnl ? pnl->net_usdt : Decimal{}).value_or(realised);
    } else {
      co_return failed<ExecutedEntry>(std::move(closed).error());
    }
    co_return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kPnlGateClosed,
                                                        .upbit_qty = upbit_qty,
                                                        .bybit_qty = bybit_qty,
                                                        .realised_usdt = realised});
  }
  co_await refresh_after(request.upbit, request.bybit);
  co_return executed;
}

boost::asio::awaitable<ExecutionResult<ExecutedExit>> LiveExecutor::execute_exit(ExitRequest request) {
  const StoredPosition* position = store_->find(request.position_id);
  if (position == nullptr) {
    co_return failed<ExecutedExit>(exchange_error(
        make_error(ErrorCode::kFailedPrecondition, fmt::format("no open position {}", request.position_id))
            .value()));
  }
  co_return co_await exit_position(*position, request.upbit, request.bybit, request.usdt_krw, false);
}

boost::asio::awaitable<ExecutionResult<ExecutedExit>> LiveExecutor::flatten(std::uint64_t position_id,
                                                                            const model::Instrument& upbit,
                                                                            const model::Instrument& bybit,
                                                                            Decimal usdt_krw) {
  const StoredPosition* position = store_->find(position_id);
  if (position == nullptr) {
    co_return failed<ExecutedExit>(exchange_error(
        make_error(ErrorCode::kFailedPrecondition, fmt::format("no open position {}", position_id)).value()));
  }
  co_return co_await exit_position(*position, upbit, bybit, usdt_krw, true);
}

boost::asio::awaitable<ExecutionResult<ExecutedExit>> LiveExecutor::exit_position(
    StoredPosition position, const model::Instrument& upbit, const model::Instrument& bybit, Decimal usdt_krw,
    bool forced) {
  const PositionState before = position.state;
  position.state = PositionState::kClosing;
  LegOrder upbit_order{
      .side = model::Side::kSell, .type = model::OrderType::kMarket, .qty = position.upbit_qty};
  LegOrder bybit_order{.side = model::Side::kBuy,
                       .type = model::OrderType::kMarket,
                       .qty = position.bybit_qty,
                       .reduce_only = true};
  for (const auto& [leg, order] :
       {std::pair{Leg::kUpbit, &upbit_order}, std::pair{Leg::kBybit, &bybit_order}}) {
    if (!order->qty.is_positive()) {
      continue;
    }
    Result<std::string> id = next_id(position.coin, leg == Leg::kUpbit ? "XU" : "XB");
    if (!id) {
      co_return failed<ExecutedExit>(exchange_error(id.error()));
    }
    order->client_order_id = std::move(*id);
    position.orders.push_back(StoredOrder{.leg = leg,
                                          .purpose = OrderPurpose::kExit,
                                          .side = order->side,
                                          .client_order_id = order->client_order_id,
                                          .qty = order->qty});
  }
  position.updated_at = clock_->now();
  if (const Status recorded = store_->put(position); !recorded) {
    co_return failed<ExecutedExit>(exchange_error(recorded.error()));
  }

  const auto [upbit_out, bybit_out] =
      co_await (send_and_settle(*upbit_, upbit, upbit_order) && send_and_settle(*bybit_, bybit, bybit_order));
  FillSum upbit_fills;
  FillSum bybit_fills;
  for (const auto& [leg, order, outcome, sum] :
       {std::tuple{Leg::kUpbit, &upbit_order, &upbit_out, &upbit_fills},
        std::tuple{Leg::kBybit, &bybit_order, &bybit_out, &bybit_fills}}) {
    if (order->client_order_id.empty()) {
      continue;
    }
    note_outcome(position, order->client_order_id, *outcome);
    const Decimal filled = outcome->filled();
    if (filled.is_positive()) {
      (void)sum->add(filled, outcome->report->avg_fill_price, outcome->report->fee_paid);
      Decimal& held = leg == Leg::kUpbit ? position.upbit_qty : position.bybit_qty;
      held = std::max(held.sub(filled).value_or(Decimal{}), Decimal{});
    }
  }
  const bool upbit_dust = upbit_out.refused && below_upbit_minimum(upbit_out.error);
  if (upbit_dust) {
    log_.info("Upbit remainder below the minimum order: left as dust",
              {{"position", position.id}, {"qty", position.upbit_qty}});
  }
  if (!forced && !upbit_fills.qty.is_positive() && !bybit_fills.qty.is_positive() && !upbit_dust) {
    position.state = before;
    position.note = "exit orders did not fill";
    persist(position);
    co_return failed<ExecutedExit>(
        OrderExecutionError{.kind = ExecutionErrorKind::kBothUnfilled,
                            .error = upbit_out.refused ? upbit_out.error : bybit_out.error});
  }
  persist(position);

  // Whatever either leg still holds is naked now: close it with the escalation.
  for (const Leg leg : {Leg::kBybit, Leg::kUpbit}) {
    const Decimal remaining = leg == Leg::kUpbit ? position.upbit_qty : position.bybit_qty;
    if (!remaining.is_positive() || (leg == Leg::kUpbit && upbit_dust)) {
      continue;
    }
    const model::Instrument& instrument = leg == Leg::kUpbit ? upbit : bybit;
    const CloseOutcome close =
        co_await close_exposure(position, leg, instrument, remaining, OrderPurpose::kExit);
    FillSum& sum = leg == Leg::kUpbit ? upbit_fills : bybit_fills;
    (void)sum.add(close.fills);
    if (!close.closed) {
      OrderExecutionError naked = naked_leg(position, leg, close, Decimal{});
      co_await refresh_after(upbit, bybit);
      co_return failed<ExecutedExit>(std::move(naked));
    }
  }
  position.state = PositionState::kClosed;
  position.note =
      position.upbit_qty.is_positive() ? fmt::format("{} left on Upbit as dust", position.upbit_qty) : "";
  persist(position);
  co_await refresh_after(upbit, bybit);
  const Timestamp at = clock_->now();
  co_return ExecutedExit{
      .upbit = {upbit_out.report ? upbit_out.report->venue_order_id : std::string{}, upbit_fills.fill(at)},
      .bybit = {bybit_out.report ? bybit_out.report->venue_order_id : std::string{}, bybit_fills.fill(at)},
      .usdt_krw = usdt_krw};
}

}  // namespace kimp::execution
