// OrderExecutor: the one interface through which a pair trade is opened and closed, whatever the mode
// (simulation, paper, live), and the outcomes it reports.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

#include "core/decimal.hpp"
#include "core/error.hpp"
#include "core/timestamp.hpp"
#include "model/instrument.hpp"
#include "model/types.hpp"
#include "strategy/pnl.hpp"

namespace kimp::execution {

enum class Leg : std::uint8_t { kUpbit, kBybit };
std::string_view to_string(Leg leg);

// Open a pair: buy `qty` on Upbit (KRW spot) and sell `qty` on Bybit (linear perpetual).
struct EntryRequest {
  std::string coin{};         // "BTC"
  model::Instrument upbit{};  // rules of the Upbit market ("KRW-BTC")
  model::Instrument bybit{};  // rules of the Bybit symbol ("BTCUSDT")
  Decimal qty{};              // already rounded to both venues' lot steps
  Decimal upbit_krw_price{};  // the price the gate sized at: a limit's base, or the fill of a replay
  Decimal bybit_usdt_price{};
  Decimal usd_krw{};
  Decimal usdt_krw{};  // for the PnL of the KRW leg
  // The highest premium (a fraction) at which the fills still leave the pair profitable; a live entry
  // whose fills land above it is closed at once. nullopt: no such check.
  std::optional<double> max_fill_premium{};
};

// Close a pair: sell the Upbit coins and buy the Bybit short back (reduce-only).
struct ExitRequest {
  std::uint64_t position_id = 0;  // ExecutedEntry::position_id of the pair
  std::string coin{};
  model::Instrument upbit{};
  model::Instrument bybit{};
  Decimal upbit_qty{};
  Decimal bybit_qty{};
  Decimal upbit_krw_price{};  // reference prices (Upbit bid, Bybit ask)
  Decimal bybit_usdt_price{};
  Decimal usdt_krw{};
};

// One leg as executed: the venue's order id and its fill.
struct LegExecution {
  std::string order_id{};
  strategy::LegFill fill{};
};

struct ExecutedEntry {
  LegExecution upbit{};
  LegExecution bybit{};
  Decimal effective_qty{};  // min of both fills: the hedged quantity
  Decimal usdt_krw{};
  std::uint64_t position_id = 0;  // the executor's own record of the pair, when it keeps one
  Decimal adjustment_usdt{};      // realised cost of closing what one leg filled beyond the other
};

struct ExecutedExit {
  LegExecution upbit{};
  LegExecution bybit{};
  Decimal usdt_krw{};
};

// How an execution can fail (0011 §2-3). Every kind says what state the legs were left in.
enum class ExecutionErrorKind : std::uint8_t {
  kBothUnfilled,          // nothing filled: safe, the entry is abandoned
  kSingleLegFilled,       // one leg filled; `emergency_closed` says whether it was flattened
  kEmergencyCloseFailed,  // a leg is open and could not be closed: naked exposure
  kQtyMismatch,           // both filled with different quantities beyond what was corrected
  kInsufficientBalance,   // pre-flight: `venue` holds only `available`
  kExchangeError,         // the venue refused the request (see `error`)
  kTimeout,               // no final answer in time
  kPnlGateClosed,         // both filled, but at prices outside the profitable band: closed again
};
std::string_view to_string(ExecutionErrorKind kind);

struct OrderExecutionError {
  ExecutionErrorKind kind = ExecutionErrorKind::kExchangeError;
  std::optional<Leg> leg{};  // the leg concerned, when one is
  bool emergency_closed = false;
  std::string order_id{};
  Decimal upbit_qty{};
  Decimal bybit_qty{};
  Decimal available{};
  Decimal realised_usdt{};  // what closing filled legs again realised (negative: a loss), fees included
  Error error{};            // the venue's error, for kExchangeError and kTimeout
  // "kind: leg, details" for logs and alerts.
  [[nodiscard]] std::string describe() const;
};

template <class T>
using ExecutionResult = tl::expected<T, OrderExecutionError>;

// What the accounts hold for new entries (the gate's balance stage).
struct AvailableBalances {
  Decimal upbit_krw{};
  Decimal bybit_usdt{};
};

class OrderExecutor {
 public:
  OrderExecutor() = default;
  OrderExecutor(const OrderExecutor&) = delete;
  OrderExecutor& operator=(const OrderExecutor&) = delete;
  virtual ~OrderExecutor() = default;

  virtual boost::asio::awaitable<ExecutionResult<ExecutedEntry>> execute_entry(EntryRequest request) = 0;
  virtual boost::asio::awaitable<ExecutionResult<ExecutedExit>> execute_exit(ExitRequest request) = 0;
  [[nodiscard]] virtual AvailableBalances balances() const = 0;
};

}  // namespace kimp::execution
