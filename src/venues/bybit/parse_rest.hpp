// Pure parsers of Bybit v5 REST answers (HTTP status + body text) into domain types and Bybit wire types.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/account_events.hpp"
#include "model/market_events.hpp"
#include "venues/bybit/models.hpp"

namespace kimp::venues::bybit {

// Every parse_* function first reads the envelope {"retCode","retMsg","result",..}:
//  - a body that is not a Bybit envelope fails with bybit_http_error() for a non-2xx status, and with
//    kInvalidArgument (quoting the body) for a 2xx one;
//  - retCode != 0, or a non-2xx status, fails with bybit_error() (error.hpp), whose code says whether a
//    retry may help; set-margin-mode's "reasons" are appended to the message.
// Then the result is read field by field; a missing member, a wrong JSON type, a malformed decimal,
// integer, symbol or enum spelling fails the whole answer with kInvalidArgument naming the field. All
// money is read from Bybit's decimal strings with Decimal::parse. Where Bybit writes "" for "no value",
// each function below says what that becomes.

// /v5/market/time: `timeNano`, or `timeSecond` when timeNano is absent or "".
Result<Timestamp> parse_server_time(unsigned http_status, std::string_view body);

// /v5/market/instruments-info for category linear or spot (read from the answer's `category`).
// linear: tick = priceFilter.tickSize, qty_step = lotSizeFilter.qtyStep, min_qty = minOrderQty,
//         max_qty = maxMktOrderQty, min_notional = minNotionalValue;
// spot:   tick = priceFilter.tickSize, qty_step = basePrecision, min_qty = minOrderQty, max_qty =
//         maxOrderQty (the page names no market-order maximum for spot), min_notional = minOrderAmt.
// trading is true only for status "Trading". An absent nextPageCursor is the last page ("").
Result<BybitInstrumentsPage> parse_instruments(unsigned http_status, std::string_view body);

// /v5/market/orderbook. Levels are [price, size] string pairs; every price and size must be positive and
// the sides strictly ordered best first (a book that breaks this is refused, not repaired).
Result<BybitOrderbookSnapshot> parse_orderbook(unsigned http_status, std::string_view body);

// /v5/market/tickers, any category. Every Ticker field is optional: absent or "" leaves it nullopt (spot
// has no mark, index or funding fields). ts_event is the envelope's `time`.
Result<std::vector<model::Ticker>> parse_tickers(unsigned http_status, std::string_view body);

// /v5/market/funding/history, newest first as Bybit lists it.
Result<std::vector<BybitFundingRate>> parse_funding_history(unsigned http_status, std::string_view body);

// /v5/account/wallet-balance?accountType=UNIFIED: the one account's totals and its coins (0013 LD-0001
// mapping, see BybitWalletBalance). Per coin `equity` and `walletBalance` are required; `locked` ""
// is zero (it only holds spot open orders) and `unrealisedPnl` "" is zero (no open position). Errors
// also when the list does not hold exactly one account.
Result<BybitWalletBalance> parse_wallet_balance(unsigned http_status, std::string_view body);

// /v5/account/fee-rate.
Result<std::vector<BybitFeeRate>> parse_fee_rates(unsigned http_status, std::string_view body);

// /v5/position/list. See parse_position_record for the fields.
Result<BybitPositionsPage> parse_positions(unsigned http_status, std::string_view body);

// /v5/order/create and /v5/order/cancel. orderId must be non-empty.
Result<BybitOrderAck> parse_order_ack(unsigned http_status, std::string_view body);

// /v5/order/realtime and /v5/order/history. See parse_order_record for the fields.
Result<BybitOrdersPage> parse_orders(unsigned http_status, std::string_view body);

// /v5/execution/list. Funding settlements (execType "Funding") are left out: they fill no order.
Result<BybitExecutionsPage> parse_executions(unsigned http_status, std::string_view body);

// Endpoints whose success carries nothing: set-leverage, switch-isolated, switch-mode, set-margin-mode.
// "Not modified" refusals are errors here; callers that want them as success test is_not_modified().
Status parse_ack(unsigned http_status, std::string_view body);

// ---- records shared by the REST lists and the private stream (same fields on both) ----

// Where a record came from: the stream spells a few fields differently.
enum class BybitSource : std::uint8_t { kRest, kStream };

// An order: orderStatus New | PartiallyFilled | Untriggered | Triggered → kNew / kPartiallyFilled
// (Untriggered and Triggered are conditional orders not yet live, so kNew), Filled → kFilled, Cancelled |
// PartiallyFilledCanceled | Deactivated → kCancelled, Rejected → kRejected. timeInForce GTC | PostOnly →
// kGtc, IOC, FOK. price is zero for Market orders (Bybit reports a protection price there). avgPrice and
// cumExecFee "" are zero (nothing filled yet).
Result<model::OrderReport> parse_order_record(simdjson::dom::object record);

// A fill, or nullopt for execType "Funding". execFee is positive when paid.
Result<std::optional<model::Execution>> parse_execution_record(simdjson::dom::object record);

// A linear position. side "" is accepted only for a zero size. REST `avgPrice` / stream `entryPrice` is
// the entry price; liqPrice "" is zero; leverage "" (portfolio margin) is zero; unrealisedPnl "" is zero.
// isolated_margin comes from REST `tradeMode` (1 isolated, 0 cross); the stream's tradeMode is deprecated
// (always 0), so stream reports keep the default (isolated, the only mode the engine trades) and the REST
// position list stays the authority on margin mode.
Result<model::PositionReport> parse_position_record(simdjson::dom::object record, BybitSource source);

// One account entry of a wallet answer or a `wallet` push.
Result<BybitWalletBalance> parse_wallet_record(simdjson::dom::object record);

}  // namespace kimp::venues::bybit
