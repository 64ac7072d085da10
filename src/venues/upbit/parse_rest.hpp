// Upbit REST answers (HTTP status + body) to domain records: balances, order chance, orders, books,
// tickers and the KRW market list.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "model/account_events.hpp"
#include "model/market_events.hpp"
#include "venues/upbit/models.hpp"

namespace kimp::venues::upbit {

// Errors common to every parser below: a non-2xx `http_status` gives upbit_error(http_status, body);
// a 2xx body that is not the documented shape (not JSON, a member missing or of the wrong type, an
// amount that is not an exact decimal, an unknown enum value) gives kInvalidArgument naming the member.
// Amounts are read from their JSON text (number or string) with Decimal::parse, never through double.

// GET /v1/accounts: available = balance, locked, total = balance + locked, avg_buy_price.
Result<std::vector<model::Balance>> parse_accounts(unsigned http_status, std::string_view body);

// GET /v1/orders/chance (one object; an array holding one is accepted too, as exchange.yaml shows).
Result<UpbitOrderChance> parse_order_chance(unsigned http_status, std::string_view body);

// POST /v1/orders, GET /v1/order and DELETE /v1/order. Status from state and volumes: wait/watch with
// nothing executed kNew, with some executed kPartiallyFilled; done kFilled; cancel kCancelled (which may
// carry a fill: a KRW-amount market buy ends as cancel with its leftover). A `price` order's price is its
// KRW amount (quote_amount). avg_fill_price is Σfunds / Σvolume of `trades` when given, else
// executed_funds / executed_volume when given, else zero; fee_paid = paid_fee; ts_updated is the last
// trade's time (or created_at). Orders of type `best` are refused (the engine never sends them).
Result<model::OrderReport> parse_order(unsigned http_status, std::string_view body);

// GET /v1/orderbook: one snapshot per market, as the stream parser builds them.
Result<UpbitOrderbookSnapshots> parse_orderbook(unsigned http_status, std::string_view body);

// GET /v1/ticker: last_price = trade_price, volume_24h = acc_trade_volume_24h (exact, as every amount:
// Upbit writes it with at most 8 fractional digits), ts_event = timestamp, and
// turnover_24h_krw = acc_trade_price_24h in whole KRW, its fraction truncated (the value passes Decimal's
// range; the engine uses it to rank coins, where a fraction of one won does not matter).
Result<std::vector<model::Ticker>> parse_tickers(unsigned http_status, std::string_view body);

// GET /v1/trades/ticks: recent trades, newest first as Upbit sends them; ts_event = timestamp (the
// REST record has no separate trade_timestamp).
Result<std::vector<model::Trade>> parse_trade_ticks(unsigned http_status, std::string_view body);

// GET /v1/orderbook/instruments: each market's current price tick.
Result<std::vector<UpbitTickSize>> parse_orderbook_instruments(unsigned http_status, std::string_view body);

// GET /v1/market/all: the KRW markets only, with their warning flag.
Result<std::vector<UpbitMarket>> parse_markets(unsigned http_status, std::string_view body);

}  // namespace kimp::venues::upbit
