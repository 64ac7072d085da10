// Bybit linear orders in the ledger: validation, book walking, USDT fees, isolated positions, funding.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "sim/ledger/bybit_codes.hpp"
#include "sim/ledger/ledger.hpp"

namespace kimp::sim {
namespace {

using bybit_code::kAvailableInsufficient;
using bybit_code::kDuplicateOrderLinkId;
using bybit_code::kLeverageNotModified;
using bybit_code::kNotionalBelowMinimum;
using bybit_code::kOrderNotExists;
using bybit_code::kParamsError;
using bybit_code::kReduceOnlyRejected;

tl::unexpected<Error> bybit_error(ErrorCode code, std::int32_t ret_code, std::string message) {
  return make_error(code, std::move(message), std::to_string(ret_code));
}

Result<bool> on_step(Decimal value, Decimal step) {
  KIMP_TRY_ASSIGN(const Decimal rounded, value.round_to_step(step, RoundingMode::kDown));
  return rounded == value;
}

constexpr Decimal kOne = Decimal::from_units(Decimal::kUnitsPerOne);

}  // namespace

Decimal Ledger::leverage_of(const Account& account, const std::string& symbol) const {
  const auto found = account.leverage.find(symbol);
  return found == account.leverage.end() ? fees_.default_leverage : found->second;
}

Status Ledger::reprice_margin(LinearPosition& position) const {
  const LinearInstrumentRules& rules = linear_instruments_.at(position.symbol);
  KIMP_TRY_ASSIGN(position.position_value, position.size.mul(position.avg_price));
  KIMP_TRY_ASSIGN(position.position_im, position.position_value.div(position.leverage));
  position.liq_price.reset();
  if (!position.side) {
    return ok();
  }
  // Isolated margin, first risk tier: the price at which the loss eats the initial margin down to the
  // maintenance margin, i.e. entry × (1 ∓ 1/leverage ± maintenance rate).
  KIMP_TRY_ASSIGN(const Decimal inverse_leverage, kOne.div(position.leverage));
  const bool long_side = *position.side == LinearSide::kBuy;
  KIMP_TRY_ASSIGN(Decimal factor, long_side ? kOne.sub(inverse_leverage) : kOne.add(inverse_leverage));
  KIMP_TRY_ASSIGN(factor, long_side ? factor.add(rules.maintenance_margin_rate)
                                    : factor.sub(rules.maintenance_margin_rate));
  KIMP_TRY_ASSIGN(const Decimal raw, position.avg_price.mul(factor));
  KIMP_TRY_ASSIGN(const Decimal liq,
                  raw.round_to_step(rules.tick_size, long_side ? RoundingMode::kUp : RoundingMode::kDown));
  if (liq.is_positive()) {
    position.liq_price = liq;
  }
  return ok();
}

Result<LinearPosition> Ledger::refreshed(LinearPosition position) const {
  const auto mark = marks_.find(position.symbol);
  position.mark_price = mark == marks_.end() ? position.avg_price : mark->second;
  position.unrealised_pnl = Decimal();
  if (position.side) {
    KIMP_TRY_ASSIGN(const Decimal move, *position.side == LinearSide::kBuy
                                            ? position.mark_price.sub(position.avg_price)
                                            : position.avg_price.sub(position.mark_price));
    KIMP_TRY_ASSIGN(position.unrealised_pnl, move.mul(position.size));
  }
  return position;
}

Result<Decimal> Ledger::order_margin(const Account& account, const LinearOrder& order,
                                     const std::map<std::string, LinearPosition>& positions) const {
  if (order.reduce_only) {
    return Decimal();
  }
  Decimal opening = order.leaves_qty;
  const auto position = positions.find(order.symbol);
  if (position != positions.end() && position->second.side && *position->second.side != order.side) {
    KIMP_TRY_ASSIGN(opening, opening.sub(position->second.size));
    opening = std::max(opening, Decimal());
  }
  KIMP_TRY_ASSIGN(const Decimal value, opening.mul(order.price));
  return value.div(leverage_of(account, order.symbol));
}

Result<UsdtWallet> Ledger::wallet_of(const Account& account, Decimal wallet_balance,
                                     const std::map<std::string, LinearPosition>& positions,
                                     const LinearOrder* extra) const {
  UsdtWallet wallet{.wallet_balance = wallet_balance};
  for (const auto& [symbol, stored] : positions) {
    KIMP_TRY_ASSIGN(const LinearPosition position, refreshed(stored));
    KIMP_TRY_ASSIGN(wallet.unrealised_pnl, wallet.unrealised_pnl.add(position.unrealised_pnl));
    KIMP_TRY_ASSIGN(wallet.total_position_im, wallet.total_position_im.add(position.position_im));
    KIMP_TRY_ASSIGN(wallet.cum_realised_pnl, wallet.cum_realised_pnl.add(position.cum_realised_pnl));
  }
  std::vector<const LinearOrder*> open;
  for (const std::size_t index : account.linear_open) {
    open.push_back(&account.linear_orders[index]);
  }
  if (extra != nullptr) {
    open.push_back(extra);
  }
  for (const LinearOrder* order : open) {
    KIMP_TRY_ASSIGN(const Decimal margin, order_margin(account, *order, positions));
    KIMP_TRY_ASSIGN(wallet.total_order_im, wallet.total_order_im.add(margin));
  }
  KIMP_TRY_ASSIGN(wallet.equity, wallet_balance.add(wallet.unrealised_pnl));
  KIMP_TRY_ASSIGN(const Decimal held, wallet.total_position_im.add(wallet.total_order_im));
  KIMP_TRY_ASSIGN(wallet.available_balance, wallet_balance.sub(held));
  return wallet;
}

Status Ledger::fill_linear(LinearOrder& order, LinearPosition& position, Decimal& wallet_balance,
                           const FillSlice& slice, bool maker, Decimal leverage, Timestamp now,
                           std::vector<LinearExecution>& executions) {
  const Decimal fee_rate = maker ? fees_.linear_maker_rate : fees_.linear_taker_rate;
  KIMP_TRY_ASSIGN(const Decimal value, slice_value(slice));
  KIMP_TRY_ASSIGN(const Decimal fee, value.mul(fee_rate));

  Decimal closed;
  Decimal realised;
  if (position.side && *position.side != order.side) {
    closed = std::min(slice.quantity, position.size);
    KIMP_TRY_ASSIGN(const Decimal move, *position.side == LinearSide::kBuy
                                            ? slice.price.sub(position.avg_price)
                                            : position.avg_price.sub(slice.price));
    KIMP_TRY_ASSIGN(realised, move.mul(closed));
    KIMP_TRY_ASSIGN(position.size, position.size.sub(closed));
    if (position.size.is_zero()) {
      position.side.reset();
      position.avg_price = Decimal();
    }
  }
  KIMP_TRY_ASSIGN(const Decimal opened, slice.quantity.sub(closed));
  if (opened.is_positive()) {
    if (!position.side) {
      position.side = order.side;
      position.avg_price = slice.price;
      position.size = opened;
      position.created_time = now;
    } else {
      KIMP_TRY_ASSIGN(const Decimal old_cost, position.size.mul(position.avg_price));
      KIMP_TRY_ASSIGN(const Decimal new_cost, opened.mul(slice.price));
      KIMP_TRY_ASSIGN(const Decimal total_cost, old_cost.add(new_cost));
      KIMP_TRY_ASSIGN(position.size, position.size.add(opened));
      KIMP_TRY_ASSIGN(position.avg_price, total_cost.div(position.size));
    }
  }
  KIMP_TRY_ASSIGN(const Decimal net, realised.sub(fee));
  KIMP_TRY_ASSIGN(wallet_balance, wallet_balance.add(net));
  KIMP_TRY_ASSIGN(position.cum_realised_pnl, position.cum_realised_pnl.add(net));
  position.leverage = leverage;
  position.updated_time = now;
  KIMP_TRY(reprice_margin(position));

  KIMP_TRY_ASSIGN(order.cum_exec_qty, order.cum_exec_qty.add(slice.quantity));
  KIMP_TRY_ASSIGN(order.cum_exec_value, order.cum_exec_value.add(value));
  KIMP_TRY_ASSIGN(order.cum_exec_fee, order.cum_exec_fee.add(fee));
  KIMP_TRY_ASSIGN(order.leaves_qty, order.leaves_qty.sub(slice.quantity));
  KIMP_TRY_ASSIGN(order.avg_price, order.cum_exec_value.div(order.cum_exec_qty));
  KIMP_TRY_ASSIGN(order.realised_pnl, order.realised_pnl.add(realised));
  order.updated_time = now;
  executions.push_back(LinearExecution{.exec_id = next_id(),
                                       .order_id = order.order_id,
                                       .order_link_id = order.order_link_id,
                                       .symbol = order.symbol,
                                       .side = order.side,
                                       .exec_price = slice.price,
                                       .exec_qty = slice.quantity,
                                       .exec_value = value,
                                       .exec_fee = fee,
                                       .fee_rate = fee_rate,
                                       .closed_size = closed,
                                       .realised_pnl = realised,
                                       .leaves_qty = order.leaves_qty,
                                       .is_maker = maker,
                                       .exec_time = now});
  return ok();
}

Result<LinearOrder> Ledger::place_linear_order(const std::string& account_id,
                                               const LinearOrderRequest& request, const OrderBook& book,
                                               Timestamp now) {
  KIMP_TRY_ASSIGN(Account * account, find_account(account_id));
  const auto found_rules = linear_instruments_.find(request.symbol);
  if (found_rules == linear_instruments_.end()) {
    return bybit_error(ErrorCode::kInvalidArgument, kParamsError,
                       fmt::format("params error: symbol {} invalid", request.symbol));
  }
  const LinearInstrumentRules& rules = found_rules->second;
  if (!request.order_link_id.empty() && account->linear_by_link_id.contains(request.order_link_id)) {
    return bybit_error(ErrorCode::kInvalidArgument, kDuplicateOrderLinkId, "OrderLinkedID is duplicate");
  }
  KIMP_TRY_ASSIGN(const bool qty_on_step, on_step(request.qty, rules.qty_step));
  if (!request.qty.is_positive() || !qty_on_step) {
    return bybit_error(
        ErrorCode::kInvalidArgument, kParamsError,
        fmt::format("qty {} is not a positive multiple of qtyStep {}", request.qty, rules.qty_step));
  }
  if (request.qty < rules.min_order_qty) {
    return bybit_error(ErrorCode::kInvalidArgument, kParamsError,
                       fmt::format("qty {} is below minOrderQty {}", request.qty, rules.min_order_qty));
  }
  const bool limit = request.order_type == LinearOrderType::kLimit;
  if (limit) {
    if (!request.price || !request.price->is_positive()) {
      return bybit_error(ErrorCode::kInvalidArgument, kParamsError, "a Limit order needs a positive price");
    }
    KIMP_TRY_ASSIGN(const bool price_on_tick, on_step(*request.price, rules.tick_size));
    if (!price_on_tick) {
      return bybit_error(
          ErrorCode::kInvalidArgument, kParamsError,
          fmt::format("price {} is not a multiple of tickSize {}", *request.price, rules.tick_size));
    }
  }

  const auto stored = account->positions.find(request.symbol);
  LinearPosition position =
      stored == account->positions.end() ? LinearPosition{.symbol = request.symbol} : stored->second;
  Decimal qty = request.qty;
  if (request.reduce_only) {
    if (!position.side || *position.side == request.side) {
      return bybit_error(ErrorCode::kInvalidArgument, kReduceOnlyRejected,
                         "reduce-only order has no opposite position to reduce");
    }
    qty = std::min(qty, position.size);
  }
  const bool buy = request.side == LinearSide::kBuy;
  const std::vector<BookLevel>& opposite = buy ? book.asks : book.bids;
  const std::optional<Decimal> limit_price = limit ? request.price : std::nullopt;
  if (!request.reduce_only && (limit || !opposite.empty())) {
    KIMP_TRY_ASSIGN(const Decimal notional, qty.mul(limit ? *request.price : opposite.front().price));
    if (notional < rules.min_notional) {
      return bybit_error(
          ErrorCode::kInvalidArgument, kNotionalBelowMinimum,
          fmt::format("order value {} is below minNotionalValue {}", notional, rules.min_notional));
    }
  }

  LinearOrder order{.order_link_id = request.order_link_id,
                    .symbol = request.symbol,
                    .side = request.side,
                    .order_type = request.order_type,
                    .time_in_force = limit ? request.time_in_force.value_or(LinearTimeInForce::kGtc)
                                           : LinearTimeInForce::kIoc,
                    .price = limit ? *request.price : Decimal(),
                    .qty = qty,
                    .reduce_only = request.reduce_only,
                    .leaves_qty = qty,
                    .created_time = now,
                    .updated_time = now};
  KIMP_TRY_ASSIGN(std::vector<FillSlice> slices,
                  take_quantity(opposite, buy ? TakerSide::kBuy : TakerSide::kSell, qty, limit_price));
  KIMP_TRY_ASSIGN(const Decimal fillable, total_quantity(slices));
  if (order.time_in_force == LinearTimeInForce::kFok && fillable < qty) {
    slices.clear();
  }
  order.order_id = next_id();
  const Decimal leverage = leverage_of(*account, request.symbol);
  if (!position.side) {
    position.leverage = leverage;
  }
  Decimal wallet_balance = account->usdt_wallet_balance;
  std::vector<LinearExecution> executions;
  for (const FillSlice& slice : slices) {
    KIMP_TRY(fill_linear(order, position, wallet_balance, slice, false, leverage, now, executions));
  }
  const bool rests = order.time_in_force == LinearTimeInForce::kGtc && order.leaves_qty.is_positive();
  if (order.leaves_qty.is_zero()) {
    order.status = LinearOrderStatus::kFilled;
  } else if (rests) {
    order.status =
        order.cum_exec_qty.is_zero() ? LinearOrderStatus::kNew : LinearOrderStatus::kPartiallyFilled;
  } else {
    order.status = LinearOrderStatus::kCancelled;
  }

  std::map<std::string, LinearPosition> positions = account->positions;
  positions[request.symbol] = position;
  const bool opened_exposure =
      std::any_of(executions.begin(), executions.end(),
                  [](const LinearExecution& e) { return e.exec_qty > e.closed_size; });
  KIMP_TRY_ASSIGN(const Decimal resting_margin,
                  rests ? order_margin(*account, order, positions) : Result<Decimal>(Decimal()));
  if (opened_exposure || resting_margin.is_positive()) {
    KIMP_TRY_ASSIGN(const UsdtWallet wallet,
                    wallet_of(*account, wallet_balance, positions, rests ? &order : nullptr));
    if (wallet.available_balance.is_negative()) {
      return bybit_error(ErrorCode::kFailedPrecondition, kAvailableInsufficient,
                         fmt::format("ab not enough for new order: short by {}", wallet.available_balance));
    }
  }

  const std::uint64_t revision = stamp(*account);
  if (stored == account->positions.end() || stored->second != position) {
    account->position_revisions[request.symbol] = revision;
  }
  // Fills move the balance and the position margin; a resting order holds margin unless reduce-only.
  if (!executions.empty() || (rests && !order.reduce_only)) {
    account->wallet_revision = revision;
  }
  account->usdt_wallet_balance = wallet_balance;
  account->positions[request.symbol] = position;
  const std::size_t index = account->linear_orders.size();
  account->linear_orders.push_back(order);
  stamp_linear_order(*account, index, revision);
  account->linear_by_id.emplace(order.order_id, index);
  if (!order.order_link_id.empty()) {
    account->linear_by_link_id.emplace(order.order_link_id, index);
  }
  if (rests) {
    account->linear_open.push_back(index);
  }
  append_executions(*account, executions, revision);
  return order;
}

void Ledger::stamp_linear_order(Account& account, std::size_t index, std::uint64_t revision) {
  if (index < account.linear_order_revisions.size()) {
    account.linear_orders_by_revision.erase({account.linear_order_revisions[index], index});
    account.linear_order_revisions[index] = revision;
  } else {
    account.linear_order_revisions.push_back(revision);
  }
  account.linear_orders_by_revision.emplace(revision, index);
}

void Ledger::append_executions(Account& account, const std::vector<LinearExecution>& executions,
                               std::uint64_t revision) {
  account.linear_executions.insert(account.linear_executions.end(), executions.begin(), executions.end());
  account.linear_execution_revisions.resize(account.linear_executions.size(), revision);
}

Result<LinearOrder> Ledger::cancel_linear_order(const std::string& account_id, const OrderRef& ref,
                                                Timestamp now) {
  KIMP_TRY_ASSIGN(Account * account, find_account(account_id));
  const auto index = find_order_index(account->linear_by_id, account->linear_by_link_id, ref);
  if (!index || std::find(account->linear_open.begin(), account->linear_open.end(), *index) ==
                    account->linear_open.end()) {
    return bybit_error(ErrorCode::kInvalidArgument, kOrderNotExists,
                       "order not exists or too late to cancel");
  }
  LinearOrder& order = account->linear_orders[*index];
  order.status = LinearOrderStatus::kCancelled;
  order.updated_time = now;
  std::erase(account->linear_open, *index);
  const std::uint64_t revision = stamp(*account);
  stamp_linear_order(*account, *index, revision);
  if (!order.reduce_only) {
    account->wallet_revision = revision;
  }
  return order;
}

Result<LinearOrder> Ledger::linear_order(const std::string& account_id, const OrderRef& ref) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  const auto index = find_order_index(account->linear_by_id, account->linear_by_link_id, ref);
  if (!index) {
    return bybit_error(ErrorCode::kInvalidArgument, kOrderNotExists, "order not exists");
  }
  return account->linear_orders[*index];
}

Result<std::vector<LinearOrder>> Ledger::linear_open_orders(const std::string& account_id,
                                                            const std::string& symbol) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<LinearOrder> orders;
  for (auto index = account->linear_open.rbegin(); index != account->linear_open.rend(); ++index) {
    const LinearOrder& order = account->linear_orders[*index];
    if (symbol.empty() || order.symbol == symbol) {
      orders.push_back(order);
    }
  }
  return orders;
}

Result<std::vector<LinearOrder>> Ledger::linear_order_history(const std::string& account_id,
                                                              const std::string& symbol) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<LinearOrder> orders;
  for (auto order = account->linear_orders.rbegin(); order != account->linear_orders.rend(); ++order) {
    if (symbol.empty() || order->symbol == symbol) {
      orders.push_back(*order);
    }
  }
  return orders;
}

Result<std::vector<LinearExecution>> Ledger::linear_executions(const std::string& account_id,
                                                               const std::string& symbol) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<LinearExecution> executions;
  for (auto execution = account->linear_executions.rbegin(); execution != account->linear_executions.rend();
       ++execution) {
    if (symbol.empty() || execution->symbol == symbol) {
      executions.push_back(*execution);
    }
  }
  return executions;
}

Result<std::vector<LinearPosition>> Ledger::linear_positions(const std::string& account_id) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<LinearPosition> positions;
  for (const auto& [symbol, position] : account->positions) {
    KIMP_TRY_ASSIGN(LinearPosition current, refreshed(position));
    positions.push_back(std::move(current));
  }
  return positions;
}

Result<UsdtWallet> Ledger::usdt_wallet(const std::string& account_id) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  return wallet_of(*account, account->usdt_wallet_balance, account->positions, nullptr);
}

Result<LinearChanges> Ledger::linear_changes(const std::string& account_id, std::uint64_t since) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  LinearChanges changes{.revision = account->revision};
  if (account->revision <= since) {
    return changes;
  }
  const auto& orders = account->linear_orders_by_revision;
  for (auto entry = orders.upper_bound({since, std::numeric_limits<std::size_t>::max()});
       entry != orders.end(); ++entry) {
    changes.orders.push_back(account->linear_orders[entry->second]);
  }
  const auto& execution_revisions = account->linear_execution_revisions;
  const auto first_new = std::upper_bound(execution_revisions.begin(), execution_revisions.end(), since);
  changes.executions.assign(
      account->linear_executions.begin() + std::distance(execution_revisions.begin(), first_new),
      account->linear_executions.end());
  for (const auto& [symbol, revision] : account->position_revisions) {
    if (revision > since) {
      KIMP_TRY_ASSIGN(LinearPosition position, refreshed(account->positions.at(symbol)));
      changes.positions.push_back(std::move(position));
    }
  }
  if (account->wallet_revision > since) {
    KIMP_TRY_ASSIGN(changes.wallet,
                    wallet_of(*account, account->usdt_wallet_balance, account->positions, nullptr));
  }
  return changes;
}

Result<Decimal> Ledger::linear_open_interest(const std::string& symbol) const {
  Decimal total;
  for (const auto& [id, account] : accounts_) {
    if (const auto position = account.positions.find(symbol); position != account.positions.end()) {
      KIMP_TRY_ASSIGN(total, total.add(position->second.size));
    }
  }
  return total;
}

Status Ledger::set_leverage(const std::string& account_id, const std::string& symbol, Decimal leverage,
                            Timestamp now) {
  KIMP_TRY_ASSIGN(Account * account, find_account(account_id));
  const auto rules = linear_instruments_.find(symbol);
  if (rules == linear_instruments_.end()) {
    return bybit_error(ErrorCode::kInvalidArgument, kParamsError,
                       fmt::format("params error: symbol {} invalid", symbol));
  }
  if (leverage < kOne || leverage > rules->second.max_leverage) {
    return bybit_error(ErrorCode::kInvalidArgument, kParamsError,
                       fmt::format("leverage {} outside [1, {}]", leverage, rules->second.max_leverage));
  }
  if (leverage == leverage_of(*account, symbol)) {
    return bybit_error(ErrorCode::kInvalidArgument, kLeverageNotModified, "leverage not modified");
  }
  // Margin depends on leverage everywhere (positions and open orders), so check on a whole copy.
  Account working = *account;
  working.leverage[symbol] = leverage;
  const auto position = working.positions.find(symbol);
  if (position != working.positions.end()) {
    position->second.leverage = leverage;
    position->second.updated_time = now;
    KIMP_TRY(reprice_margin(position->second));
  }
  KIMP_TRY_ASSIGN(const UsdtWallet wallet,
                  wallet_of(working, working.usdt_wallet_balance, working.positions, nullptr));
  if (wallet.available_balance.is_negative()) {
    return bybit_error(
        ErrorCode::kFailedPrecondition, kAvailableInsufficient,
        fmt::format("available balance short by {} at leverage {}", wallet.available_balance, leverage));
  }
  KIMP_TRY_ASSIGN(const UsdtWallet before,
                  wallet_of(*account, account->usdt_wallet_balance, account->positions, nullptr));
  const std::uint64_t revision = stamp(working);
  if (position != working.positions.end()) {
    working.position_revisions[symbol] = revision;
  }
  if (wallet != before) {
    working.wallet_revision = revision;
  }
  *account = std::move(working);
  return ok();
}

Status Ledger::on_linear_book(const std::string& symbol, const OrderBook& book, Timestamp now) {
  for (auto& [id, account] : accounts_) {
    const std::vector<std::size_t> open = account.linear_open;
    for (const std::size_t index : open) {
      LinearOrder order = account.linear_orders[index];
      if (order.symbol != symbol) {
        continue;
      }
      const bool buy = order.side == LinearSide::kBuy;
      KIMP_TRY_ASSIGN(const std::vector<FillSlice> crossing,
                      take_quantity(buy ? book.asks : book.bids, buy ? TakerSide::kBuy : TakerSide::kSell,
                                    order.leaves_qty, order.price));
      KIMP_TRY_ASSIGN(Decimal quantity, total_quantity(crossing));
      if (quantity.is_zero()) {
        continue;
      }
      LinearPosition position = account.positions.contains(symbol) ? account.positions.at(symbol)
                                                                   : LinearPosition{.symbol = symbol};
      if (order.reduce_only) {
        if (!position.side || *position.side == order.side) {
          // Nothing left to reduce: Bybit cancels such an order rather than let it open a position.
          order.status = LinearOrderStatus::kCancelled;
          order.updated_time = now;
          account.linear_orders[index] = order;
          std::erase(account.linear_open, index);
          stamp_linear_order(account, index, stamp(account));
          continue;
        }
        quantity = std::min(quantity, position.size);
      }
      Decimal wallet_balance = account.usdt_wallet_balance;
      std::vector<LinearExecution> executions;
      KIMP_TRY(fill_linear(order, position, wallet_balance, FillSlice{order.price, quantity}, true,
                           leverage_of(account, symbol), now, executions));
      order.status =
          order.leaves_qty.is_zero() ? LinearOrderStatus::kFilled : LinearOrderStatus::kPartiallyFilled;
      const std::uint64_t revision = stamp(account);
      account.usdt_wallet_balance = wallet_balance;
      account.wallet_revision = revision;
      account.positions[symbol] = position;
      account.position_revisions[symbol] = revision;
      account.linear_orders[index] = order;
      stamp_linear_order(account, index, revision);
      append_executions(account, executions, revision);
      if (order.status == LinearOrderStatus::kFilled) {
        std::erase(account.linear_open, index);
      }
    }
  }
  return ok();
}

Result<std::vector<FundingPayment>> Ledger::settle_funding(const std::string& symbol, Decimal funding_rate,
                                                           Decimal mark_price, Timestamp now) {
  if (!linear_instruments_.contains(symbol)) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown symbol {}", symbol));
  }
  if (!mark_price.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("mark price {} must be positive", mark_price));
  }
  struct Settlement {
    Account* account = nullptr;
    Decimal wallet_balance{};
    Decimal cum_realised_pnl{};
    FundingPayment payment{};
  };
  std::vector<Settlement> settlements;
  for (auto& [id, account] : accounts_) {
    const auto position = account.positions.find(symbol);
    if (position == account.positions.end() || !position->second.side) {
      continue;
    }
    const LinearPosition& held = position->second;
    KIMP_TRY_ASSIGN(const Decimal value, held.size.mul(mark_price));
    KIMP_TRY_ASSIGN(const Decimal fee, value.mul(funding_rate));
    KIMP_TRY_ASSIGN(const Decimal amount,
                    *held.side == LinearSide::kBuy ? fee.negate() : Result<Decimal>(fee));
    Settlement settlement{.account = &account,
                          .payment = FundingPayment{.symbol = symbol,
                                                    .side = *held.side,
                                                    .size = held.size,
                                                    .mark_price = mark_price,
                                                    .funding_rate = funding_rate,
                                                    .amount = amount,
                                                    .ts_event = now}};
    KIMP_TRY_ASSIGN(settlement.wallet_balance, account.usdt_wallet_balance.add(amount));
    KIMP_TRY_ASSIGN(settlement.cum_realised_pnl, held.cum_realised_pnl.add(amount));
    settlements.push_back(std::move(settlement));
  }
  std::vector<FundingPayment> payments;
  for (Settlement& settlement : settlements) {
    Account& account = *settlement.account;
    account.usdt_wallet_balance = settlement.wallet_balance;
    LinearPosition& position = account.positions.at(symbol);
    position.cum_realised_pnl = settlement.cum_realised_pnl;
    position.updated_time = now;
    account.funding_payments.push_back(settlement.payment);
    const std::uint64_t revision = stamp(account);
    account.position_revisions[symbol] = revision;
    account.wallet_revision = revision;
    payments.push_back(settlement.payment);
  }
  return payments;
}

}  // namespace kimp::sim
