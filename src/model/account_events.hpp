// Account-side domain types the venue adapters produce: balances, orders, fills and positions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "model/types.hpp"

namespace kimp::model {

// One currency of one account, in the engine's terms (0013 LD-0001 fixes how Bybit's fields map here).
struct Balance {
  Venue venue = Venue::kUpbit;
  std::string currency;   // "KRW", "BTC", "USDT"
  Decimal available;      // free to use for new orders
  Decimal locked;         // held by open orders
  Decimal coin_value;     // Bybit: unrealised PnL of the currency's positions; Upbit: zero
  Decimal total;          // Upbit: available + locked; Bybit: equity
  Decimal avg_buy_price;  // Upbit's average purchase price in KRW; zero where the venue has none
  bool operator==(const Balance&) const = default;
};

enum class OrderType : std::uint8_t {
  kLimit,
  kMarket,     // by quantity
  kMarketKrw,  // Upbit `price` order: a market buy for a KRW amount
};

enum class TimeInForce : std::uint8_t { kGtc, kIoc, kFok };

// Where an order stands, in one vocabulary for both venues.
enum class OrderStatus : std::uint8_t {
  kNew,              // accepted, resting or about to match
  kPartiallyFilled,  // some quantity filled and the rest still live
  kFilled,           // completely filled
  kCancelled,        // ended by a cancel, an IOC/FOK expiry or the venue; may carry a partial fill
  kRejected,         // refused by the venue
};

std::string_view to_string(OrderStatus status);

// True when the order can no longer change (filled, cancelled or rejected).
bool is_terminal(OrderStatus status);

// An order as the venue reports it, from REST or a private stream.
struct OrderReport {
  Venue venue = Venue::kUpbit;
  Symbol symbol;
  std::string venue_order_id;   // Upbit `uuid`, Bybit `orderId`
  std::string client_order_id;  // Upbit `identifier`, Bybit `orderLinkId`
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce time_in_force = TimeInForce::kGtc;
  OrderStatus status = OrderStatus::kNew;
  Decimal price;         // limit price; zero for market orders
  Decimal qty;           // ordered quantity; zero for a KRW-amount order
  Decimal quote_amount;  // the KRW amount of a kMarketKrw order; zero otherwise
  Decimal filled_qty;
  Decimal avg_fill_price;  // zero until something fills
  Decimal fee_paid;        // in the fee currency (KRW on Upbit, USDT on Bybit linear)
  bool reduce_only = false;
  Timestamp ts_created;
  Timestamp ts_updated;
  bool operator==(const OrderReport&) const = default;
};

// One fill of one of our orders.
struct Execution {
  Venue venue = Venue::kBybit;
  Symbol symbol;
  std::string venue_order_id;
  std::string client_order_id;
  std::string execution_id;
  Side side = Side::kBuy;
  Decimal price;
  Decimal qty;
  Decimal fee;  // positive = paid
  bool is_maker = false;
  Timestamp ts_event;
  bool operator==(const Execution&) const = default;
};

// A derivatives position (Bybit linear, one-way mode). A flat position has zero size.
struct PositionReport {
  Venue venue = Venue::kBybit;
  Symbol symbol;
  Side side = Side::kSell;  // meaningless when size is zero
  Decimal size;             // always >= 0
  Decimal avg_entry_price;
  Decimal mark_price;
  Decimal unrealised_pnl;
  Decimal realised_pnl;  // cumulative realised PnL the venue reports
  Decimal leverage;
  Decimal liquidation_price;  // zero when the venue gives none
  bool isolated_margin = true;
  Timestamp ts_updated;
  bool operator==(const PositionReport&) const = default;
};

}  // namespace kimp::model
