// Plain records of the emulator's ledger: balances, orders, fills, positions and funding, in venue terms.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::sim {

// ---- Upbit (spot, KRW markets) ----

enum class UpbitSide : std::uint8_t { kBid, kAsk };
enum class UpbitOrdType : std::uint8_t { kLimit, kPrice, kMarket };
enum class UpbitTimeInForce : std::uint8_t { kIoc, kFok };
enum class UpbitOrderState : std::uint8_t { kWait, kWatch, kDone, kCancel };

// Upbit's wire spellings: "bid", "limit", "ioc", "wait".
std::string_view to_string(UpbitSide side);
std::string_view to_string(UpbitOrdType type);
std::string_view to_string(UpbitTimeInForce tif);
std::string_view to_string(UpbitOrderState state);

// One row of GET /v1/accounts. `balance` is free, `locked` is held by open orders.
struct UpbitBalance {
  std::string currency{};
  Decimal balance{};
  Decimal locked{};
  Decimal avg_buy_price{};  // volume-weighted purchase price in the quote currency, fees excluded

  bool operator==(const UpbitBalance&) const = default;
};

struct UpbitOrderRequest {
  std::string market{};  // "KRW-BTC"
  UpbitSide side = UpbitSide::kBid;
  UpbitOrdType ord_type = UpbitOrdType::kLimit;
  std::optional<Decimal> price{};   // limit: unit price; price: KRW to spend
  std::optional<Decimal> volume{};  // limit and market
  std::optional<UpbitTimeInForce> time_in_force{};
  std::string identifier{};  // empty when the client sent none
};

struct UpbitOrder {
  std::string uuid{};
  std::string identifier{};
  std::string market{};
  UpbitSide side = UpbitSide::kBid;
  UpbitOrdType ord_type = UpbitOrdType::kLimit;
  std::optional<UpbitTimeInForce> time_in_force{};
  std::optional<Decimal> price{};
  std::optional<Decimal> volume{};
  UpbitOrderState state = UpbitOrderState::kWait;
  Timestamp created_at{};
  Decimal remaining_volume{};  // limit and market orders; zero for price orders
  Decimal executed_volume{};
  Decimal executed_funds{};  // sum of price × volume over the trades
  Decimal reserved_fee{};    // fee held when the order was placed (bids only)
  Decimal remaining_fee{};
  Decimal paid_fee{};
  Decimal locked{};  // quote currency for bids, base coin for asks, still held by this order
  std::int64_t trades_count = 0;

  bool operator==(const UpbitOrder&) const = default;
};

struct UpbitTrade {
  std::string uuid{};
  std::string order_uuid{};
  std::string market{};
  UpbitSide side = UpbitSide::kBid;
  Decimal price{};
  Decimal volume{};
  Decimal funds{};
  Decimal fee{};
  bool maker = false;  // a resting order filled by a later book
  Timestamp created_at{};

  bool operator==(const UpbitTrade&) const = default;
};

// The one of `values` whose wire spelling (to_string) is `text`; nullopt when none is. Parsing a request
// with the same table that writes the answers keeps the two spellings from drifting apart.
template <class E>
std::optional<E> from_wire(std::string_view text, std::initializer_list<E> values) {
  for (const E value : values) {
    if (to_string(value) == text) {
      return value;
    }
  }
  return std::nullopt;
}

// ---- Bybit (USDT linear perpetuals, UNIFIED account, one-way mode, isolated margin) ----

enum class LinearSide : std::uint8_t { kBuy, kSell };
enum class LinearOrderType : std::uint8_t { kMarket, kLimit };
enum class LinearTimeInForce : std::uint8_t { kGtc, kIoc, kFok };
enum class LinearOrderStatus : std::uint8_t { kNew, kPartiallyFilled, kFilled, kCancelled };

// Bybit's wire spellings: "Buy", "Market", "GTC", "PartiallyFilled".
std::string_view to_string(LinearSide side);
std::string_view to_string(LinearOrderType type);
std::string_view to_string(LinearTimeInForce tif);
std::string_view to_string(LinearOrderStatus status);

struct LinearOrderRequest {
  std::string symbol{};  // "BTCUSDT"
  LinearSide side = LinearSide::kBuy;
  LinearOrderType order_type = LinearOrderType::kMarket;
  Decimal qty{};
  std::optional<Decimal> price{};                    // required for Limit, ignored for Market
  std::optional<LinearTimeInForce> time_in_force{};  // default: IOC for Market, GTC for Limit
  bool reduce_only = false;
  std::string order_link_id{};  // empty when the client sent none
};

struct LinearOrder {
  std::string order_id{};
  std::string order_link_id{};
  std::string symbol{};
  LinearSide side = LinearSide::kBuy;
  LinearOrderType order_type = LinearOrderType::kMarket;
  LinearTimeInForce time_in_force = LinearTimeInForce::kIoc;
  Decimal price{};  // zero for Market orders
  Decimal qty{};
  bool reduce_only = false;
  LinearOrderStatus status = LinearOrderStatus::kNew;
  Decimal avg_price{};  // zero until the first fill
  Decimal leaves_qty{};
  Decimal cum_exec_qty{};
  Decimal cum_exec_value{};
  Decimal cum_exec_fee{};
  Decimal realised_pnl{};  // what its fills realised on the position they reduced, fees excluded
  Timestamp created_time{};
  Timestamp updated_time{};

  bool operator==(const LinearOrder&) const = default;
};

struct LinearExecution {
  std::string exec_id{};
  std::string order_id{};
  std::string order_link_id{};
  std::string symbol{};
  LinearSide side = LinearSide::kBuy;
  Decimal exec_price{};
  Decimal exec_qty{};
  Decimal exec_value{};
  Decimal exec_fee{};
  Decimal fee_rate{};
  Decimal closed_size{};   // the part of exec_qty that reduced an opposite position
  Decimal realised_pnl{};  // the PnL of closed_size against the entry price, fees excluded
  Decimal leaves_qty{};    // what the order still had to fill right after this execution
  bool is_maker = false;
  Timestamp exec_time{};

  bool operator==(const LinearExecution&) const = default;
};

// A linear position. `side` is empty and size zero when flat (Bybit's side "").
struct LinearPosition {
  std::string symbol{};
  std::optional<LinearSide> side{};
  Decimal size{};
  Decimal avg_price{};
  Decimal leverage{};
  Decimal position_value{};  // size × avg_price
  Decimal position_im{};     // position_value / leverage (isolated margin)
  std::optional<Decimal> liq_price{};
  Decimal mark_price{};  // the last mark the ledger was given; avg_price until then
  Decimal unrealised_pnl{};
  Decimal cum_realised_pnl{};  // realised PnL minus fees plus funding, as Bybit accumulates it
  Timestamp created_time{};
  Timestamp updated_time{};

  bool operator==(const LinearPosition&) const = default;
};

// The USDT coin of the UNIFIED wallet. Isolated margin: unrealised PnL stays inside each position,
// so available = wallet_balance - position margin - margin of open orders.
struct UsdtWallet {
  Decimal wallet_balance{};
  Decimal equity{};  // wallet_balance + unrealised_pnl
  Decimal unrealised_pnl{};
  Decimal total_position_im{};
  Decimal total_order_im{};
  Decimal available_balance{};
  Decimal cum_realised_pnl{};  // the positions' cum_realised_pnl summed

  bool operator==(const UsdtWallet&) const = default;
};

// What changed in one account's Bybit linear trading after a revision (Ledger::linear_changes): the
// material of Bybit's private order, execution, position and wallet streams.
struct LinearChanges {
  std::uint64_t revision = 0;                 // the account's revision now: ask with it next time
  std::vector<LinearOrder> orders{};          // each order changed since, once, as it is now, by last change
  std::vector<LinearExecution> executions{};  // executions since, oldest first
  std::vector<LinearPosition> positions{};    // positions changed since, by symbol, at the last mark
  std::optional<UsdtWallet> wallet{};         // when the balance or the margin held changed

  bool operator==(const LinearChanges&) const = default;
};

// One funding settlement of one position: `amount` is the wallet change (negative = paid).
struct FundingPayment {
  std::string symbol{};
  LinearSide side = LinearSide::kBuy;
  Decimal size{};
  Decimal mark_price{};
  Decimal funding_rate{};
  Decimal amount{};
  Timestamp ts_event{};

  bool operator==(const FundingPayment&) const = default;
};

// ---- What GET /ledger reports ----

struct AccountSnapshot {
  std::string id{};
  std::vector<UpbitBalance> upbit_balances{};  // by currency
  std::vector<UpbitOrder> upbit_orders{};      // in placement order
  std::vector<UpbitTrade> upbit_trades{};      // in execution order
  UsdtWallet usdt_wallet;
  std::vector<LinearPosition> linear_positions{};  // by symbol, flat ones included
  std::vector<LinearOrder> linear_orders{};        // in placement order
  std::vector<LinearExecution> linear_executions{};
  std::vector<FundingPayment> funding_payments{};

  bool operator==(const AccountSnapshot&) const = default;
};

struct LedgerSnapshot {
  std::vector<AccountSnapshot> accounts{};  // by account id

  bool operator==(const LedgerSnapshot&) const = default;
};

}  // namespace kimp::sim
