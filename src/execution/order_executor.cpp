// Names and descriptions of execution outcomes.
#include "execution/order_executor.hpp"

#include <array>

#include <fmt/format.h>

namespace kimp::execution {

std::string_view to_string(Leg leg) {
  return leg == Leg::kUpbit ? "upbit" : "bybit";
}

std::string_view to_string(ExecutionErrorKind kind) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "both_unfilled",  "single_leg_filled", "emergency_close_failed", "qty_mismatch", "insufficient_balance",
      "exchange_error", "timeout",           "pnl_gate_closed"};
  return kNames[static_cast<std::size_t>(kind)];
}

std::string OrderExecutionError::describe() const {
  std::string text(to_string(kind));
  if (leg) {
    text += fmt::format(" on {}", to_string(*leg));
  }
  switch (kind) {
    case ExecutionErrorKind::kSingleLegFilled:
      text += emergency_closed ? ", filled leg closed" : ", filled leg still open";
      break;
    case ExecutionErrorKind::kEmergencyCloseFailed:
      text += fmt::format(", order {} left open", order_id);
      break;
    case ExecutionErrorKind::kQtyMismatch:
      text += fmt::format(": upbit {} against bybit {}", upbit_qty, bybit_qty);
      break;
    case ExecutionErrorKind::kInsufficientBalance: text += fmt::format(": {} available", available); break;
    case ExecutionErrorKind::kExchangeError:
    case ExecutionErrorKind::kTimeout: text += fmt::format(": {}", error.describe()); break;
    case ExecutionErrorKind::kPnlGateClosed:
      text += fmt::format(", closed again for {} USDT", realised_usdt);
      break;
    case ExecutionErrorKind::kBothUnfilled: break;
  }
  return text;
}

}  // namespace kimp::execution
