// The ledger's linear orders, fills, positions and USDT wallet as Bybit v5 writes them, on REST and on the
// private stream alike.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/ledger/types.hpp"

namespace kimp::sim {

// Where a record is shown: the REST lists (order/realtime, execution/list, position/list,
// wallet-balance) or the private stream, whose pages name a few fields differently and add some.
enum class BybitSurface : std::uint8_t { kRest, kStream };

// Bybit's millisecond timestamps are strings in these records.
std::string ms_text(Timestamp at);

// One order. The stream adds category, closedPnl and the fee and RPI fields; order/history adds its
// own on top of the REST record.
Result<boost::json::object> bybit_order_record(const LinearOrder& order, BybitSurface surface);
// One fill of `order` (the order as it is now: its price, quantity and type never change).
boost::json::object bybit_execution_record(const LinearExecution& fill, const LinearOrder& order,
                                           BybitSurface surface);
// One position: REST calls its entry price avgPrice, the stream entryPrice.
boost::json::object bybit_position_record(const LinearPosition& position, BybitSurface surface);
// The UNIFIED account with its USDT coin; `with_coin` false leaves the coin list empty (a REST coin
// filter that names other coins).
Result<boost::json::object> bybit_wallet_record(const UsdtWallet& wallet, bool with_coin = true);

}  // namespace kimp::sim
