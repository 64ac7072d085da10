// Upbit spot orders in the ledger: validation, book walking, KRW fees, resting orders and lookups.
#include <algorithm>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "sim/ledger/ledger.hpp"

namespace kimp::sim {
namespace {

struct MarketCurrencies {
  std::string quote;  // "KRW"
  std::string base;   // "BTC"
};

Result<MarketCurrencies> split_market(const std::string& market) {
  const auto dash = market.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == market.size()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("market {} is not QUOTE-BASE", market),
                      "validation_error");
  }
  return MarketCurrencies{market.substr(0, dash), market.substr(dash + 1)};
}

tl::unexpected<Error> upbit_error(ErrorCode code, std::string name, std::string message) {
  return make_error(code, std::move(message), std::move(name));
}

tl::unexpected<Error> order_not_found() {
  return upbit_error(ErrorCode::kInvalidArgument, "order_not_found", "order not found");
}

std::string side_name(std::string_view prefix, UpbitSide side) {
  return fmt::format("{}_{}", prefix, to_string(side));
}

// What a bid still holds for its unfilled part: the funds at its limit price (or the unspent amount
// of a price order) plus the fee on them, both rounded up so the hold always covers the charge.
struct BidHold {
  Decimal funds;
  Decimal fee;
};

Result<BidHold> bid_hold(const UpbitOrder& order, Decimal fee_rate) {
  BidHold hold;
  if (order.ord_type == UpbitOrdType::kPrice) {
    KIMP_TRY_ASSIGN(hold.funds, order.price->sub(order.executed_funds));
  } else {
    KIMP_TRY_ASSIGN(hold.funds, order.remaining_volume.mul(*order.price, RoundingMode::kUp));
  }
  KIMP_TRY_ASSIGN(hold.fee, hold.funds.mul(fee_rate, RoundingMode::kUp));
  return hold;
}

bool fully_executed(const UpbitOrder& order) {
  if (order.ord_type == UpbitOrdType::kPrice) {
    return order.executed_funds == *order.price;
  }
  return order.remaining_volume.is_zero();
}

// Gives back to the free balance everything `order` still holds (a cancel, or the end of an order).
Status release_hold(UpbitOrder& order, UpbitBalance& held) {
  KIMP_TRY_ASSIGN(held.locked, held.locked.sub(order.locked));
  KIMP_TRY_ASSIGN(held.balance, held.balance.add(order.locked));
  order.locked = Decimal();
  order.remaining_fee = Decimal();
  return ok();
}

}  // namespace

UpbitBalance Ledger::upbit_balance_of(const Account& account, const std::string& currency) {
  const auto found = account.upbit_balances.find(currency);
  return found == account.upbit_balances.end() ? UpbitBalance{.currency = currency} : found->second;
}

Result<Ledger::UpbitWork> Ledger::upbit_work(const Account& account, const std::string& market) {
  KIMP_TRY_ASSIGN(const MarketCurrencies currencies, split_market(market));
  return UpbitWork{upbit_balance_of(account, currencies.quote), upbit_balance_of(account, currencies.base)};
}

Status Ledger::validate_upbit_request(const Account& account, const UpbitOrderRequest& request,
                                      const UpbitMarketRules& rules, const OrderBook& book) const {
  const UpbitSide side = request.side;
  if (!request.identifier.empty() && account.upbit_by_identifier.contains(request.identifier)) {
    return upbit_error(ErrorCode::kInvalidArgument, "validation_error",
                       fmt::format("identifier {} is already used", request.identifier));
  }
  const bool has_price = request.price.has_value();
  const bool has_volume = request.volume.has_value();
  if ((has_price && !request.price->is_positive()) || (has_volume && !request.volume->is_positive())) {
    return upbit_error(ErrorCode::kInvalidArgument, "validation_error", "price and volume must be positive");
  }
  Decimal total;
  switch (request.ord_type) {
    case UpbitOrdType::kLimit: {
      if (!has_price || !has_volume) {
        return upbit_error(ErrorCode::kInvalidArgument, "validation_error",
                           "a limit order needs both price and volume");
      }
      KIMP_TRY_ASSIGN(const Decimal tick, rules.tick_for(*request.price));
      KIMP_TRY_ASSIGN(const Decimal on_grid, request.price->round_to_step(tick, RoundingMode::kDown));
      if (on_grid != *request.price) {
        return upbit_error(ErrorCode::kInvalidArgument, side_name("invalid_price", side),
                           fmt::format("price {} is not a multiple of the tick {}", *request.price, tick));
      }
      KIMP_TRY_ASSIGN(total, request.price->mul(*request.volume));
      break;
    }
    case UpbitOrdType::kPrice:
      if (side != UpbitSide::kBid || has_volume || !has_price || request.time_in_force) {
        return upbit_error(ErrorCode::kInvalidArgument, side_name("create", side) + "_error",
                           "a price order is a bid with price (the amount to spend) and no volume");
      }
      total = *request.price;
      break;
    case UpbitOrdType::kMarket:
      if (side != UpbitSide::kAsk || has_price || !has_volume || request.time_in_force) {
        return upbit_error(ErrorCode::kInvalidArgument, side_name("create", side) + "_error",
                           "a market order is an ask with volume and no price");
      }
      if (!book.bids.empty()) {
        KIMP_TRY_ASSIGN(total, request.volume->mul(book.bids.front().price));
      }
      break;
  }
  if (total < rules.min_total) {
    return upbit_error(ErrorCode::kInvalidArgument, side_name("under_min_total", side),
                       fmt::format("order total {} is below the minimum {}", total, rules.min_total));
  }
  return ok();
}

Result<UpbitOrder> Ledger::place_upbit_order(const std::string& account_id, const UpbitOrderRequest& request,
                                             const OrderBook& book, Timestamp now) {
  KIMP_TRY_ASSIGN(Account * account, find_account(account_id));
  const auto rules = upbit_markets_.find(request.market);
  if (rules == upbit_markets_.end()) {
    return upbit_error(ErrorCode::kInvalidArgument, "validation_error",
                       fmt::format("unknown market {}", request.market));
  }
  KIMP_TRY(validate_upbit_request(*account, request, rules->second, book));

  UpbitOrder order{.identifier = request.identifier,
                   .market = request.market,
                   .side = request.side,
                   .ord_type = request.ord_type,
                   .time_in_force = request.time_in_force,
                   .price = request.price,
                   .volume = request.volume,
                   .created_at = now};
  if (request.ord_type != UpbitOrdType::kPrice) {
    order.remaining_volume = *request.volume;
  }
  KIMP_TRY_ASSIGN(UpbitWork work, upbit_work(*account, request.market));
  UpbitBalance& held = request.side == UpbitSide::kBid ? work.quote : work.base;
  if (request.side == UpbitSide::kBid) {
    KIMP_TRY_ASSIGN(const BidHold hold, bid_hold(order, fees_.upbit_rate));
    order.reserved_fee = hold.fee;
    order.remaining_fee = hold.fee;
    KIMP_TRY_ASSIGN(order.locked, hold.funds.add(hold.fee));
  } else {
    order.locked = *request.volume;
  }
  if (held.balance < order.locked) {
    return upbit_error(ErrorCode::kFailedPrecondition, side_name("insufficient_funds", request.side),
                       fmt::format("{} {} needed, {} available", order.locked, held.currency, held.balance));
  }
  KIMP_TRY_ASSIGN(held.balance, held.balance.sub(order.locked));
  KIMP_TRY_ASSIGN(held.locked, held.locked.add(order.locked));

  std::vector<FillSlice> slices;
  if (request.ord_type == UpbitOrdType::kPrice) {
    KIMP_TRY_ASSIGN(slices, take_amount(book.asks, *request.price));
  } else {
    const bool bid = request.side == UpbitSide::kBid;
    KIMP_TRY_ASSIGN(slices,
                    take_quantity(bid ? book.asks : book.bids, bid ? TakerSide::kBuy : TakerSide::kSell,
                                  *request.volume, request.price));
    KIMP_TRY_ASSIGN(const Decimal available, total_quantity(slices));
    if (request.time_in_force == UpbitTimeInForce::kFok && available < *request.volume) {
      slices.clear();
    }
  }
  order.uuid = next_id();
  std::vector<UpbitTrade> trades;
  for (const FillSlice& slice : slices) {
    KIMP_TRY(fill_upbit(order, work, slice, false, now, trades));
  }
  KIMP_TRY(finish_upbit(order, work));

  commit_upbit(*account, work);
  const std::size_t index = account->upbit_orders.size();
  account->upbit_orders.push_back(order);
  account->upbit_by_uuid.emplace(order.uuid, index);
  if (!order.identifier.empty()) {
    account->upbit_by_identifier.emplace(order.identifier, index);
  }
  if (order.state == UpbitOrderState::kWait) {
    account->upbit_open.push_back(index);
  }
  account->upbit_trades.insert(account->upbit_trades.end(), trades.begin(), trades.end());
  stamp(*account);
  return order;
}

Status Ledger::fill_upbit(UpbitOrder& order, UpbitWork& work, const FillSlice& slice, bool maker,
                          Timestamp now, std::vector<UpbitTrade>& trades) {
  KIMP_TRY_ASSIGN(const Decimal funds, slice_value(slice));
  KIMP_TRY_ASSIGN(const Decimal fee, funds.mul(fees_.upbit_rate));
  KIMP_TRY_ASSIGN(order.executed_volume, order.executed_volume.add(slice.quantity));
  KIMP_TRY_ASSIGN(order.executed_funds, order.executed_funds.add(funds));
  KIMP_TRY_ASSIGN(order.paid_fee, order.paid_fee.add(fee));
  if (order.ord_type != UpbitOrdType::kPrice) {
    KIMP_TRY_ASSIGN(order.remaining_volume, order.remaining_volume.sub(slice.quantity));
  }
  ++order.trades_count;

  if (order.side == UpbitSide::kBid) {
    // The fill is paid from the hold; whatever the hold no longer needs (a better price than the
    // limit, the fee on the filled part) goes back to the free balance.
    KIMP_TRY_ASSIGN(const BidHold hold, bid_hold(order, fees_.upbit_rate));
    KIMP_TRY_ASSIGN(const Decimal new_locked, hold.funds.add(hold.fee));
    KIMP_TRY_ASSIGN(const Decimal released, order.locked.sub(new_locked));
    KIMP_TRY_ASSIGN(const Decimal cost, funds.add(fee));
    KIMP_TRY_ASSIGN(const Decimal refund, released.sub(cost));
    KIMP_TRY_ASSIGN(work.quote.locked, work.quote.locked.sub(released));
    KIMP_TRY_ASSIGN(work.quote.balance, work.quote.balance.add(refund));
    if (work.quote.balance.is_negative()) {
      return upbit_error(ErrorCode::kFailedPrecondition, "insufficient_funds_bid",
                         fmt::format("fill of {} {} exceeds the funds held", cost, work.quote.currency));
    }
    order.locked = new_locked;
    order.remaining_fee = hold.fee;
    KIMP_TRY_ASSIGN(const Decimal held_before, work.base.balance.add(work.base.locked));
    KIMP_TRY_ASSIGN(const Decimal cost_before, held_before.mul(work.base.avg_buy_price));
    KIMP_TRY_ASSIGN(const Decimal cost_after, cost_before.add(funds));
    KIMP_TRY_ASSIGN(const Decimal held_after, held_before.add(slice.quantity));
    KIMP_TRY_ASSIGN(work.base.avg_buy_price, cost_after.div(held_after));
    KIMP_TRY_ASSIGN(work.base.balance, work.base.balance.add(slice.quantity));
  } else {
    KIMP_TRY_ASSIGN(order.locked, order.locked.sub(slice.quantity));
    KIMP_TRY_ASSIGN(work.base.locked, work.base.locked.sub(slice.quantity));
    KIMP_TRY_ASSIGN(const Decimal proceeds, funds.sub(fee));
    KIMP_TRY_ASSIGN(work.quote.balance, work.quote.balance.add(proceeds));
    if (work.base.balance.is_zero() && work.base.locked.is_zero()) {
      work.base.avg_buy_price = Decimal();
    }
  }
  trades.push_back(UpbitTrade{.uuid = next_id(),
                              .order_uuid = order.uuid,
                              .market = order.market,
                              .side = order.side,
                              .price = slice.price,
                              .volume = slice.quantity,
                              .funds = funds,
                              .fee = fee,
                              .maker = maker,
                              .created_at = now});
  return ok();
}

Status Ledger::finish_upbit(UpbitOrder& order, UpbitWork& work) const {
  if (fully_executed(order)) {
    order.state = UpbitOrderState::kDone;
  } else if (order.ord_type == UpbitOrdType::kLimit && !order.time_in_force) {
    order.state = UpbitOrderState::kWait;
    return ok();
  } else {
    order.state = UpbitOrderState::kCancel;
  }
  // A finished order holds nothing: the dust of a price order or an unfilled remainder goes back.
  return release_hold(order, order.side == UpbitSide::kBid ? work.quote : work.base);
}

void Ledger::commit_upbit(Account& account, const UpbitWork& work) {
  account.upbit_balances[work.quote.currency] = work.quote;
  account.upbit_balances[work.base.currency] = work.base;
}

Result<UpbitOrder> Ledger::cancel_upbit_order(const std::string& account_id, const OrderRef& ref) {
  KIMP_TRY_ASSIGN(Account * account, find_account(account_id));
  const auto index = find_order_index(account->upbit_by_uuid, account->upbit_by_identifier, ref);
  if (!index) {
    return order_not_found();
  }
  UpbitOrder order = account->upbit_orders[*index];
  if (order.state != UpbitOrderState::kWait) {
    return upbit_error(ErrorCode::kFailedPrecondition, "validation_error",
                       fmt::format("order {} is {}, not waiting", order.uuid, to_string(order.state)));
  }
  KIMP_TRY_ASSIGN(UpbitWork work, upbit_work(*account, order.market));
  KIMP_TRY(release_hold(order, order.side == UpbitSide::kBid ? work.quote : work.base));
  order.state = UpbitOrderState::kCancel;
  commit_upbit(*account, work);
  account->upbit_orders[*index] = order;
  std::erase(account->upbit_open, *index);
  stamp(*account);
  return order;
}

Result<UpbitOrder> Ledger::upbit_order(const std::string& account_id, const OrderRef& ref) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  const auto index = find_order_index(account->upbit_by_uuid, account->upbit_by_identifier, ref);
  if (!index) {
    return order_not_found();
  }
  return account->upbit_orders[*index];
}

Result<std::vector<UpbitTrade>> Ledger::upbit_trades(const std::string& account_id,
                                                     const OrderRef& ref) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  const auto index = find_order_index(account->upbit_by_uuid, account->upbit_by_identifier, ref);
  if (!index) {
    return order_not_found();
  }
  const std::string& uuid = account->upbit_orders[*index].uuid;
  std::vector<UpbitTrade> trades;
  std::copy_if(account->upbit_trades.begin(), account->upbit_trades.end(), std::back_inserter(trades),
               [&uuid](const UpbitTrade& trade) { return trade.order_uuid == uuid; });
  return trades;
}

Result<std::vector<UpbitOrder>> Ledger::upbit_open_orders(const std::string& account_id,
                                                          const std::string& market) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<UpbitOrder> orders;
  for (auto index = account->upbit_open.rbegin(); index != account->upbit_open.rend(); ++index) {
    const UpbitOrder& order = account->upbit_orders[*index];
    if (market.empty() || order.market == market) {
      orders.push_back(order);
    }
  }
  return orders;
}

Result<std::vector<UpbitOrder>> Ledger::upbit_closed_orders(const std::string& account_id,
                                                            const std::string& market) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<UpbitOrder> orders;
  for (auto order = account->upbit_orders.rbegin(); order != account->upbit_orders.rend(); ++order) {
    const bool closed = order->state == UpbitOrderState::kDone || order->state == UpbitOrderState::kCancel;
    if (closed && (market.empty() || order->market == market)) {
      orders.push_back(*order);
    }
  }
  return orders;
}

Result<std::vector<UpbitBalance>> Ledger::upbit_balances(const std::string& account_id) const {
  KIMP_TRY_ASSIGN(const Account* account, find_account(account_id));
  std::vector<UpbitBalance> balances;
  for (const auto& [currency, balance] : account->upbit_balances) {
    balances.push_back(balance);
  }
  return balances;
}

Status Ledger::on_upbit_book(const std::string& market, const OrderBook& book, Timestamp now) {
  for (auto& [id, account] : accounts_) {
    const std::vector<std::size_t> open = account.upbit_open;
    for (const std::size_t index : open) {
      UpbitOrder order = account.upbit_orders[index];
      if (order.market != market) {
        continue;
      }
      const bool bid = order.side == UpbitSide::kBid;
      KIMP_TRY_ASSIGN(const std::vector<FillSlice> crossing,
                      take_quantity(bid ? book.asks : book.bids, bid ? TakerSide::kBuy : TakerSide::kSell,
                                    order.remaining_volume, order.price));
      KIMP_TRY_ASSIGN(const Decimal quantity, total_quantity(crossing));
      if (quantity.is_zero()) {
        continue;
      }
      KIMP_TRY_ASSIGN(UpbitWork work, upbit_work(account, market));
      std::vector<UpbitTrade> trades;
      KIMP_TRY(fill_upbit(order, work, FillSlice{*order.price, quantity}, true, now, trades));
      KIMP_TRY(finish_upbit(order, work));
      commit_upbit(account, work);
      account.upbit_orders[index] = order;
      account.upbit_trades.insert(account.upbit_trades.end(), trades.begin(), trades.end());
      if (order.state != UpbitOrderState::kWait) {
        std::erase(account.upbit_open, index);
      }
      stamp(account);
    }
  }
  return ok();
}

std::vector<UpbitTrade> Ledger::upbit_market_trades(const std::string& market) const {
  std::vector<UpbitTrade> trades;
  for (const auto& [id, account] : accounts_) {
    std::copy_if(account.upbit_trades.begin(), account.upbit_trades.end(), std::back_inserter(trades),
                 [&market](const UpbitTrade& trade) { return trade.market == market; });
  }
  std::stable_sort(trades.begin(), trades.end(),
                   [](const UpbitTrade& a, const UpbitTrade& b) { return a.created_at < b.created_at; });
  return trades;
}

}  // namespace kimp::sim
