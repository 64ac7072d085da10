// The ten alert events, with each one's kind name, severity, JSON payload and Telegram text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/decimal.hpp"

namespace kimp::alerts {

// Both legs of a pair filled. Prices in each venue's quote currency (KRW, USDT); PnL in USDT.
struct EntryExecuted {
  std::string coin;
  Decimal qty{};
  Decimal upbit_price{};
  Decimal bybit_price{};
  Decimal expected_pnl{};
};

// A pair closed on both venues.
struct ExitExecuted {
  std::string coin;
  Decimal qty{};
  Decimal realised_pnl{};
};

// The risk manager stopped trading and is closing every position.
struct KillSwitchTriggered {
  std::string reason;
  Decimal daily_pnl{};
};

// Every position the kill switch closed is closed.
struct KillSwitchComplete {
  std::int64_t closed_count = 0;
  Decimal total_pnl{};
};

// One leg of a pair filled and the other did not; `action_taken` says what was done about it.
struct LegFailure {
  std::string coin;
  std::string succeeded_leg;  // upbit | bybit
  std::string failed_leg;
  std::string action_taken;
};

// Closing a naked leg failed `retry_count` times; `naked_exposure` (in the coin) is still open.
struct EmergencyCloseFailure {
  std::string coin;
  std::int64_t retry_count = 0;
  Decimal naked_exposure{};
};

// The engine's and the exchange's quantity of a coin differ.
struct ReconciliationMismatch {
  std::string coin;
  Decimal internal_qty{};
  Decimal exchange_qty{};
};

// A venue connection dropped.
struct ConnectionLost {
  std::string exchange;  // upbit | bybit
  bool has_open_positions = false;
};

// Anything else an operator should read.
struct Error {
  std::string message;
};

// The day's trading: closed trades, PnL in USDT and the share of winning trades in percent.
struct DailySummary {
  std::int64_t trades = 0;
  Decimal pnl{};
  Decimal win_rate{};
};

using AlertEvent =
    std::variant<EntryExecuted, ExitExecuted, KillSwitchTriggered, KillSwitchComplete, LegFailure,
                 EmergencyCloseFailure, ReconciliationMismatch, ConnectionLost, Error, DailySummary>;

enum class Severity : std::uint8_t { kInfo, kWarning, kCritical };

// "info", "warning", "critical": the alerts table's severity column.
std::string_view to_string(Severity severity);

// The event's type name, the alerts table's kind column: "EntryExecuted", ..., "DailySummary".
std::string_view kind_name(const AlertEvent& event);

// Critical: the kill switch (both events), a leg failure, a failed emergency close. Warning: a
// reconciliation mismatch, a lost connection, an error. Info: entries, exits, the daily summary.
Severity severity_of(const AlertEvent& event);

// The event's fields as one JSON object, in declaration order: decimals as strings (exact), counts as
// numbers, flags as booleans. {"coin":"BTC","qty":"0.01","realised_pnl":"12.5"} for an ExitExecuted.
std::string payload_json(const AlertEvent& event);

// One plain-text line for a chat: "[CRITICAL] EmergencyCloseFailure BTC: 5 retries, naked exposure 0.01".
std::string telegram_text(const AlertEvent& event);

}  // namespace kimp::alerts
