// Bybit v5 request builders: the exact query strings and JSON bodies that are both sent and signed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "model/account_events.hpp"
#include "model/types.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp::venues::bybit {

// Every builder returns the text byte for byte as it must go on the wire: a GET's query string (without
// '?') or a POST's compact JSON body, parameters in a fixed order. Orders, positions and executions are
// always category=linear; market data takes the category it is asked for. Symbols need no escaping (their
// characters are URL- and JSON-safe by construction).

// A new linear order.
struct BybitOrderRequest {
  model::Symbol symbol;
  model::Side side = model::Side::kBuy;
  model::OrderType type = model::OrderType::kMarket;  // kLimit or kMarket
  model::TimeInForce time_in_force = model::TimeInForce::kIoc;
  Decimal qty;
  Decimal price;              // kLimit only; must be zero for kMarket
  std::string order_link_id;  // our client order id, 1..36 of [0-9A-Za-z_-]
  bool reduce_only = false;
};

// POST /v5/order/create:
// {"category":"linear","symbol":..,"side":"Buy|Sell","orderType":"Market|Limit","qty":"..",["price":"..",]
//  "timeInForce":"GTC|IOC|FOK","orderLinkId":"..","reduceOnly":true|false}.
// Errors: kInvalidArgument for a kMarketKrw type, a non-positive qty, a limit order without a positive price,
// a market order with a price, or an orderLinkId breaking Bybit's rule.
Result<std::string> create_order_body(const BybitOrderRequest& order);

// POST /v5/order/cancel: {"category":"linear","symbol":..,"orderLinkId":..}. Errors: as for orderLinkId
// above.
Result<std::string> cancel_order_body(const model::Symbol& symbol, std::string_view order_link_id);

// GET /v5/order/realtime or /v5/order/history for one order: "category=linear[&symbol=..]&orderLinkId=..".
// Errors: as for orderLinkId above.
Result<std::string> order_by_link_id_query(const std::optional<model::Symbol>& symbol,
                                           std::string_view order_link_id);

// GET /v5/order/realtime, every open order: "category=linear&symbol=.." or, for all symbols,
// "category=linear&settleCoin=USDT".
std::string open_orders_query(const std::optional<model::Symbol>& symbol);

// GET /v5/execution/list: "category=linear[&symbol=..][&orderId=..][&cursor=..]".
// Errors: kInvalidArgument when the order id or the cursor holds a byte a query string cannot carry as is.
Result<std::string> executions_query(const std::optional<model::Symbol>& symbol, std::string_view order_id,
                                     std::string_view cursor = {});

// GET /v5/position/list: "category=linear&symbol=.." or "category=linear&settleCoin=USDT" (Bybit needs one
// of the two for linear), then "&cursor=.." for a later page. Errors: as for the cursor above.
Result<std::string> positions_query(const std::optional<model::Symbol>& symbol, std::string_view cursor = {});

// POST /v5/position/set-leverage: {"category":"linear","symbol":..,"buyLeverage":"..","sellLeverage":".."}
// (one-way mode: both the same). Errors: kInvalidArgument when leverage is not positive.
Result<std::string> set_leverage_body(const model::Symbol& symbol, Decimal leverage);

// POST /v5/position/switch-isolated:
// {"category":"linear","symbol":..,"tradeMode":1,"buyLeverage":"..","sellLeverage":".."}.
// Errors: kInvalidArgument when leverage is not positive.
Result<std::string> switch_isolated_body(const model::Symbol& symbol, Decimal leverage);

// POST /v5/account/set-margin-mode for the whole unified account: {"setMarginMode":"ISOLATED_MARGIN"}.
std::string isolated_margin_mode_body();

// POST /v5/position/switch-mode to one-way mode for USDT contracts:
// {"category":"linear","coin":"USDT","mode":0}.
std::string one_way_position_mode_body();

// GET /v5/account/wallet-balance: "accountType=UNIFIED[&coin=..]". Errors: kInvalidArgument when the coin
// is not 1..20 of [0-9A-Z].
Result<std::string> wallet_balance_query(std::string_view coin = {});

// GET /v5/account/fee-rate: "category=..[&symbol=..]".
std::string fee_rate_query(BybitCategory category, const std::optional<model::Symbol>& symbol);

// GET /v5/market/instruments-info: "category=..&symbol=.." for one instrument, or
// "category=..&limit=1000[&cursor=..]" for a page of the whole list (1000 is Bybit's largest page).
// Errors: as for the cursor above.
Result<std::string> instruments_query(BybitCategory category, const std::optional<model::Symbol>& symbol,
                                      std::string_view cursor = {});

// GET /v5/market/orderbook: "category=..&symbol=..&limit=..". Errors: kInvalidArgument when `depth` is
// outside Bybit's range, 1..1000 levels per side for spot and linear alike.
Result<std::string> orderbook_query(BybitCategory category, const model::Symbol& symbol, int depth);

// GET /v5/market/tickers: "category=..[&symbol=..]".
std::string tickers_query(BybitCategory category, const std::optional<model::Symbol>& symbol);

}  // namespace kimp::venues::bybit
