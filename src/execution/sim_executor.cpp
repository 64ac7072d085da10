// SimExecutor: virtual two-leg fills and the balances they move.
#include "execution/sim_executor.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "market/book_walk.hpp"

namespace kimp::execution {
namespace {

OrderExecutionError exchange_error(Error error) {
  return OrderExecutionError{.kind = ExecutionErrorKind::kExchangeError, .error = std::move(error)};
}

template <class T>
ExecutionResult<T> failed(OrderExecutionError error) {
  return tl::unexpected<OrderExecutionError>(std::move(error));
}

}  // namespace

SimExecutorOptions SimExecutorOptions::from(const config::Config& config) {
  SimExecutorOptions options;
  options.upbit_fee_pct = config.strategy.upbit_fee_pct;
  options.bybit_fee_pct = config.strategy.bybit_fee_pct;
  options.max_slippage_pct = config.strategy.max_slippage_pct;
  options.upbit_krw = config.simulation.upbit_krw;
  options.bybit_usdt = config.simulation.bybit_usdt;
  return options;
}

SimExecutor::SimExecutor(const Clock& clock, SimExecutorOptions options)
    : clock_(&clock),
      options_(std::move(options)),
      upbit_krw_(options_.upbit_krw),
      bybit_wallet_(options_.bybit_usdt) {}

AvailableBalances SimExecutor::balances() const {
  const Result<Decimal> free_margin = bybit_wallet_.sub(bybit_margin_);
  return {upbit_krw_, free_margin.value_or(Decimal{})};
}

Decimal SimExecutor::upbit_coins(const std::string& coin) const {
  const auto found = upbit_coins_.find(coin);
  return found == upbit_coins_.end() ? Decimal{} : found->second;
}

std::string SimExecutor::next_order_id() {
  return fmt::format("sim-{}", ++orders_);
}

Result<SimExecutor::Amounts> SimExecutor::amounts_of(const Prices& prices) const {
  Amounts amounts;
  KIMP_TRY_ASSIGN(amounts.upbit_value, prices.qty.mul(prices.upbit));
  KIMP_TRY_ASSIGN(amounts.upbit_fee, strategy::fee_of(prices.qty, prices.upbit, options_.upbit_fee_pct));
  KIMP_TRY_ASSIGN(amounts.bybit_value, prices.qty.mul(prices.bybit));
  KIMP_TRY_ASSIGN(amounts.bybit_fee, strategy::fee_of(prices.qty, prices.bybit, options_.bybit_fee_pct));
  return amounts;
}

Result<SimExecutor::Prices> SimExecutor::fill_prices(const std::string& coin, Decimal qty,
                                                     Decimal upbit_price, Decimal bybit_price,
                                                     bool entry) const {
  if (!options_.books) {
    return Prices{upbit_price, bybit_price, qty};
  }
  const CoinBooks books = options_.books(coin);
  if (books.upbit == nullptr || books.bybit == nullptr || !books.upbit->valid() || !books.bybit->valid()) {
    return make_error(ErrorCode::kUnavailable, fmt::format("no valid books for {}", coin));
  }
  // Entry: buy Upbit asks, sell Bybit bids. Exit: sell Upbit bids, buy Bybit asks.
  const model::Side upbit_side = entry ? model::Side::kBuy : model::Side::kSell;
  const model::Side bybit_side = entry ? model::Side::kSell : model::Side::kBuy;
  const auto best = [](const market::OrderBook& book, model::Side taker) {
    return taker == model::Side::kBuy ? book.best_ask() : book.best_bid();
  };
  const std::optional<model::BookLevel> upbit_best = best(*books.upbit, upbit_side);
  const std::optional<model::BookLevel> bybit_best = best(*books.bybit, bybit_side);
  if (!upbit_best || !bybit_best) {
    return make_error(ErrorCode::kUnavailable, fmt::format("an empty book side for {}", coin));
  }
  // Entries are IOC limits at best × (1 ± max slippage); exits are market orders and take what it costs.
  Decimal upbit_limit = Decimal{};
  Decimal bybit_limit = Decimal::from_units(std::numeric_limits<std::int64_t>::max());
  if (entry) {
    KIMP_TRY_ASSIGN(upbit_limit,
                    market::slippage_limit(upbit_best->price, upbit_side, options_.max_slippage_pct));
    KIMP_TRY_ASSIGN(bybit_limit,
                    market::slippage_limit(bybit_best->price, bybit_side, options_.max_slippage_pct));
  }
  KIMP_TRY_ASSIGN(const market::BookWalk upbit_depth,
                  market::walk_book(*books.upbit, upbit_side, qty, upbit_limit));
  KIMP_TRY_ASSIGN(const market::BookWalk bybit_depth,
                  market::walk_book(*books.bybit, bybit_side, qty, bybit_limit));
  if (!entry && (upbit_depth.qty < qty || bybit_depth.qty < qty)) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("the books of {} are too thin to close {} (upbit {}, bybit {})", coin, qty,
                                  upbit_depth.qty, bybit_depth.qty));
  }
  const Decimal both = std::min(upbit_depth.qty, bybit_depth.qty);
  if (!both.is_positive()) {
    return Prices{};
  }
  KIMP_TRY_ASSIGN(const market::BookWalk upbit_fill,
                  market::walk_book(*books.upbit, upbit_side, both, upbit_limit));
  KIMP_TRY_ASSIGN(const market::BookWalk bybit_fill,
                  market::walk_book(*books.bybit, bybit_side, both, bybit_limit));
  Prices prices{.qty = both};
  KIMP_TRY_ASSIGN(prices.upbit, upbit_fill.cost.div(both));
  KIMP_TRY_ASSIGN(prices.bybit, bybit_fill.cost.div(both));
  return prices;
}

ExecutionResult<ExecutedEntry> SimExecutor::fill_entry(const EntryRequest& request) {
  Result<Prices> filled =
      fill_prices(request.coin, request.qty, request.upbit_krw_price, request.bybit_usdt_price, true);
  if (!filled) {
    return failed<ExecutedEntry>(exchange_error(std::move(filled).error()));
  }
  const Prices prices = *filled;
  if (!prices.qty.is_positive()) {
    return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kBothUnfilled});
  }
  const Result<Amounts> amounts = amounts_of(prices);
  if (!amounts) {
    return failed<ExecutedEntry>(exchange_error(amounts.error()));
  }
  const Decimal upbit_cost = amounts->upbit_value;
  const Decimal upbit_fee = amounts->upbit_fee;
  const Decimal bybit_notional = amounts->bybit_value;
  const Decimal bybit_fee = amounts->bybit_fee;
  const Result<Decimal> upbit_total = upbit_cost.add(upbit_fee);
  if (!upbit_total || *upbit_total > upbit_krw_) {
    return failed<ExecutedEntry>(OrderExecutionError{
        .kind = ExecutionErrorKind::kInsufficientBalance, .leg = Leg::kUpbit, .available = upbit_krw_});
  }
  const AvailableBalances available = balances();
  const Result<Decimal> bybit_total = bybit_notional.add(bybit_fee);
  if (!bybit_total || *bybit_total > available.bybit_usdt) {
    return failed<ExecutedEntry>(OrderExecutionError{.kind = ExecutionErrorKind::kInsufficientBalance,
                                                     .leg = Leg::kBybit,
                                                     .available = available.bybit_usdt});
  }
  Decimal& coins = upbit_coins_[request.coin];
  Decimal& short_qty = bybit_short_[request.coin];
  Decimal& entry_notional = bybit_entry_notional_[request.coin];
  const auto balances_after = [&]() -> Result<std::array<Decimal, 6>> {
    KIMP_TRY_ASSIGN(const Decimal krw, upbit_krw_.sub(*upbit_total));
    KIMP_TRY_ASSIGN(const Decimal held, coins.add(prices.qty));
    KIMP_TRY_ASSIGN(const Decimal wallet, bybit_wallet_.sub(bybit_fee));
    KIMP_TRY_ASSIGN(const Decimal margin, bybit_margin_.add(bybit_notional));
    KIMP_TRY_ASSIGN(const Decimal shorted, short_qty.add(prices.qty));
    KIMP_TRY_ASSIGN(const Decimal notional, entry_notional.add(bybit_notional));
    return std::array<Decimal, 6>{krw, held, wallet, margin, shorted, notional};
  }();
  if (!balances_after) {
    return failed<ExecutedEntry>(exchange_error(balances_after.error()));
  }
  const auto& [krw, held, wallet, margin, shorted, notional] = *balances_after;
  upbit_krw_ = krw;
  coins = held;
  bybit_wallet_ = wallet;
  bybit_margin_ = margin;
  short_qty = shorted;
  entry_notional = notional;
  const Timestamp now = clock_->now();
  ExecutedEntry executed;
  executed.upbit = {next_order_id(), {prices.qty, prices.upbit, upbit_fee, now}};
  executed.bybit = {next_order_id(), {prices.qty, prices.bybit, bybit_fee, now}};
  executed.effective_qty = prices.qty;
  executed.usdt_krw = request.usdt_krw;
  return executed;
}

ExecutionResult<ExecutedExit> SimExecutor::fill_exit(const ExitRequest& request) {
  const Decimal held = upbit_coins(request.coin);
  const auto short_found = bybit_short_.find(request.coin);
  const Decimal shorted = short_found == bybit_short_.end() ? Decimal{} : short_found->second;
  const Decimal qty = std::min({request.upbit_qty, request.bybit_qty, held, shorted});
  Result<Prices> filled =
      fill_prices(request.coin, qty, request.upbit_krw_price, request.bybit_usdt_price, false);
  if (!filled) {
    return failed<ExecutedExit>(exchange_error(std::move(filled).error()));
  }
  const Prices prices = *filled;
  if (!prices.qty.is_positive()) {
    return failed<ExecutedExit>(OrderExecutionError{.kind = ExecutionErrorKind::kBothUnfilled});
  }
  const auto settle = [&]() -> Result<ExecutedExit> {
    KIMP_TRY_ASSIGN(const Amounts amounts, amounts_of(prices));
    const Decimal proceeds = amounts.upbit_value;
    const Decimal upbit_fee = amounts.upbit_fee;
    const Decimal cover_cost = amounts.bybit_value;
    const Decimal bybit_fee = amounts.bybit_fee;
    // The share of the short's entry notional (and margin) this buy-back releases. Every new balance is
    // computed before any is stored, so a failure changes nothing.
    Decimal& entry_notional = bybit_entry_notional_[request.coin];
    KIMP_TRY_ASSIGN(const Decimal scaled, entry_notional.mul(prices.qty));
    KIMP_TRY_ASSIGN(const Decimal released, scaled.div(shorted));
    KIMP_TRY_ASSIGN(const Decimal short_pnl, released.sub(cover_cost));
    KIMP_TRY_ASSIGN(const Decimal credited, proceeds.sub(upbit_fee));
    KIMP_TRY_ASSIGN(const Decimal wallet_change, short_pnl.sub(bybit_fee));
    KIMP_TRY_ASSIGN(const Decimal upbit_krw, upbit_krw_.add(credited));
    KIMP_TRY_ASSIGN(const Decimal coins_left, held.sub(prices.qty));
    KIMP_TRY_ASSIGN(const Decimal wallet, bybit_wallet_.add(wallet_change));
    KIMP_TRY_ASSIGN(const Decimal margin, bybit_margin_.sub(released));
    KIMP_TRY_ASSIGN(const Decimal notional_left, entry_notional.sub(released));
    KIMP_TRY_ASSIGN(const Decimal short_left, shorted.sub(prices.qty));
    upbit_krw_ = upbit_krw;
    upbit_coins_[request.coin] = coins_left;
    bybit_wallet_ = wallet;
    bybit_margin_ = margin;
    entry_notional = notional_left;
    bybit_short_[request.coin] = short_left;
    const Timestamp now = clock_->now();
    ExecutedExit executed;
    executed.upbit = {next_order_id(), {prices.qty, prices.upbit, upbit_fee, now}};
    executed.bybit = {next_order_id(), {prices.qty, prices.bybit, bybit_fee, now}};
    executed.usdt_krw = request.usdt_krw;
    return executed;
  };
  Result<ExecutedExit> executed = settle();
  if (!executed) {
    return failed<ExecutedExit>(exchange_error(std::move(executed).error()));
  }
  return std::move(*executed);
}

boost::asio::awaitable<ExecutionResult<ExecutedEntry>> SimExecutor::execute_entry(EntryRequest request) {
  co_return fill_entry(request);
}

boost::asio::awaitable<ExecutionResult<ExecutedExit>> SimExecutor::execute_exit(ExitRequest request) {
  co_return fill_exit(request);
}

}  // namespace kimp::execution
