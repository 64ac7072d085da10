// Numbered storage rows for the volume tests: row n of each type has its own key, exact decimals.
#pragma once

#include <cstdint>
#include <string>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "storage/records.hpp"

namespace kimp::storage::testing {

inline Decimal decimal(const char* text) {
  return *Decimal::parse(text);
}

inline Timestamp at_ms(std::int64_t ms) {
  return *Timestamp::from_ms(1'765'000'000'000 + ms);
}

inline TradeRow numbered_trade(std::int64_t session_id, std::int64_t n) {
  TradeRow row;
  row.id = session_id * RowIdAllocator::kPerSession + n;
  row.position_id = row.id;
  row.session_id = session_id;
  row.coin = "BTC";
  row.side = "exit";
  row.reason = "signal";
  row.qty = decimal("0.00125");
  row.upbit_entry_price = decimal("150389000");
  row.upbit_exit_price = decimal("150512000");
  row.bybit_entry_price = decimal("101234.5");
  row.bybit_exit_price = decimal("101200.1");
  row.entry_usdt_krw = decimal("1471");
  row.exit_usdt_krw = decimal("1470.5");
  row.upbit_fee_krw = decimal("94.0");
  row.bybit_fee_usdt = decimal("0.06953");
  row.funding_usdt = decimal("-0.00000001");
  row.adjustment_cost = decimal("0");
  row.pnl = Decimal::from_units(n);
  row.opened_at = at_ms(n * 1000);
  row.closed_at = at_ms(n * 1000 + 1);
  return row;
}

inline AlertRow numbered_alert(std::int64_t session_id, std::int64_t n) {
  AlertRow row;
  row.id = session_id * RowIdAllocator::kPerSession + n;
  row.session_id = session_id;
  row.created_at = at_ms(n);
  row.kind = "ExitExecuted";
  row.severity = "info";
  row.payload = R"({"coin":"BTC","qty":"0.00125","realised_pnl":"1.5"})";
  row.telegram_status = "disabled";
  return row;
}

inline PositionRow numbered_position(std::int64_t session_id, std::int64_t n, std::int64_t revision) {
  PositionRow row;
  row.id = session_id * RowIdAllocator::kPerSession + n;
  row.session_id = session_id;
  row.coin = "XRP";
  row.state = revision == 1 ? "open" : "closed";
  row.upbit_qty = decimal("100");
  row.upbit_avg_price = decimal("3120.5");
  row.bybit_qty = decimal("100");
  row.bybit_avg_price = decimal("2.1234");
  row.upbit_order_id = "u-" + std::to_string(n);
  row.bybit_order_id = "b-" + std::to_string(n);
  row.opened_at = at_ms(n);
  if (revision > 1) {
    row.closed_at = at_ms(n + 60'000);
    row.realised_pnl = decimal("0.42");
  }
  row.revision = revision;
  return row;
}

// Minute `n`: a distinct (coin, ts) for every n.
inline MinuteRow numbered_minute(std::int64_t session_id, std::int64_t n) {
  MinuteRow row;
  row.session_id = session_id;
  row.coin = n % 2 == 0 ? "BTC" : "ETH";
  row.ts = at_ms(n / 2 * 60'000);
  row.upbit_close = decimal("150389000");
  row.bybit_close = decimal("101234.5");
  row.usd_krw = decimal("1440.64");
  row.premium = 0.0312;
  row.mean = 0.0298;
  row.std = 0.0011;
  row.z = 1.27;
  return row;
}

}  // namespace kimp::storage::testing
