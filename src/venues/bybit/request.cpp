// Builders of Bybit v5 query strings and JSON bodies, with the checks Bybit would otherwise answer with
// 10001.
#include "venues/bybit/request.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr std::size_t kMaxOrderLinkIdLength = 36;
constexpr std::size_t kMaxCoinLength = 20;
constexpr int kMaxOrderbookDepth = 1000;
constexpr std::string_view kInstrumentsPageLimit = "1000";

bool alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

Status check_order_link_id(std::string_view id) {
  const auto allowed = [](char c) { return alnum(c) || c == '-' || c == '_'; };
  if (id.empty() || id.size() > kMaxOrderLinkIdLength || !std::all_of(id.begin(), id.end(), allowed)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit orderLinkId must be 1-36 of [0-9A-Za-z_-]: " + quote_input(id));
  }
  return ok();
}

// Order ids and cursors are sent exactly as Bybit wrote them (cursors arrive percent-encoded already), so
// they may only hold bytes a query value carries unchanged.
Status check_query_value(std::string_view what, std::string_view value) {
  const auto allowed = [](char c) {
    return alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%';
  };
  if (!std::all_of(value.begin(), value.end(), allowed)) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "Bybit " + std::string(what) + " holds a byte a query cannot carry: " + quote_input(value));
  }
  return ok();
}

Status check_leverage(Decimal leverage) {
  if (!leverage.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit leverage must be positive, got " + leverage.to_string());
  }
  return ok();
}

void add_param(std::string& query, std::string_view key, std::string_view value) {
  if (!query.empty()) {
    query += '&';
  }
  query += key;
  query += '=';
  query += value;
}

std::string category_query(BybitCategory category) {
  return "category=" + std::string(to_string(category));
}

std::string_view side_text(model::Side side) {
  return side == model::Side::kBuy ? "Buy" : "Sell";
}

std::string_view time_in_force_text(model::TimeInForce time_in_force) {
  switch (time_in_force) {
    case model::TimeInForce::kGtc: return "GTC";
    case model::TimeInForce::kIoc: return "IOC";
    case model::TimeInForce::kFok: return "FOK";
  }
  return "GTC";
}

// A JSON member "key":"value" after the ones already in `body`; keys and values here never need escaping.
void add_member(std::string& body, std::string_view key, std::string_view value) {
  body += body.size() > 1 ? ",\"" : "\"";
  body += key;
  body += "\":\"";
  body += value;
  body += '"';
}

std::string linear_symbol_body(const model::Symbol& symbol) {
  std::string body = "{";
  add_member(body, "category", "linear");
  add_member(body, "symbol", symbol.view());
  return body;
}

std::string leverage_members(Decimal leverage) {
  const std::string text = leverage.to_string();
  return R"(,"buyLeverage":")" + text + R"(","sellLeverage":")" + text + "\"}";
}

}  // namespace

Result<std::string> create_order_body(const BybitOrderRequest& order) {
  KIMP_TRY(check_order_link_id(order.order_link_id));
  if (!order.qty.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit order qty must be positive, got " + order.qty.to_string());
  }
  std::string_view order_type;
  switch (order.type) {
    case model::OrderType::kLimit:
      if (!order.price.is_positive()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "Bybit limit order needs a positive price, got " + order.price.to_string());
      }
      order_type = "Limit";
      break;
    case model::OrderType::kMarket:
      if (!order.price.is_zero()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "Bybit market order carries no price, got " + order.price.to_string());
      }
      order_type = "Market";
      break;
    case model::OrderType::kMarketKrw:
      return make_error(ErrorCode::kInvalidArgument, "Bybit has no order by quote amount on linear");
  }
  std::string body = linear_symbol_body(order.symbol);
  add_member(body, "side", side_text(order.side));
  add_member(body, "orderType", order_type);
  add_member(body, "qty", order.qty.to_string());
  if (order.type == model::OrderType::kLimit) {
    add_member(body, "price", order.price.to_string());
  }
  add_member(body, "timeInForce", time_in_force_text(order.time_in_force));
  add_member(body, "orderLinkId", order.order_link_id);
  body += order.reduce_only ? R"(,"reduceOnly":true})" : R"(,"reduceOnly":false})";
  return body;
}

Result<std::string> cancel_order_body(const model::Symbol& symbol, std::string_view order_link_id) {
  KIMP_TRY(check_order_link_id(order_link_id));
  std::string body = linear_symbol_body(symbol);
  add_member(body, "orderLinkId", order_link_id);
  body += '}';
  return body;
}

Result<std::string> order_by_link_id_query(const std::optional<model::Symbol>& symbol,
                                           std::string_view order_link_id) {
  KIMP_TRY(check_order_link_id(order_link_id));
  std::string query = category_query(BybitCategory::kLinear);
  if (symbol) {
    add_param(query, "symbol", symbol->view());
  }
  add_param(query, "orderLinkId", order_link_id);
  return query;
}

std::string open_orders_query(const std::optional<model::Symbol>& symbol) {
  std::string query = category_query(BybitCategory::kLinear);
  if (symbol) {
    add_param(query, "symbol", symbol->view());
  } else {
    add_param(query, "settleCoin", "USDT");
  }
  return query;
}

Result<std::string> executions_query(const std::optional<model::Symbol>& symbol, std::string_view order_id,
                                     std::string_view cursor) {
  KIMP_TRY(check_query_value("orderId", order_id));
  KIMP_TRY(check_query_value("cursor", cursor));
  std::string query = category_query(BybitCategory::kLinear);
  if (symbol) {
    add_param(query, "symbol", symbol->view());
  }
  if (!order_id.empty()) {
    add_param(query, "orderId", order_id);
  }
  if (!cursor.empty()) {
    add_param(query, "cursor", cursor);
  }
  return query;
}

Result<std::string> positions_query(const std::optional<model::Symbol>& symbol, std::string_view cursor) {
  KIMP_TRY(check_query_value("cursor", cursor));
  std::string query = open_orders_query(symbol);
  if (!cursor.empty()) {
    add_param(query, "cursor", cursor);
  }
  return query;
}

Result<std::string> set_leverage_body(const model::Symbol& symbol, Decimal leverage) {
  KIMP_TRY(check_leverage(leverage));
  std::string body = linear_symbol_body(symbol);
  body += leverage_members(leverage);
  return body;
}

Result<std::string> switch_isolated_body(const model::Symbol& symbol, Decimal leverage) {
  KIMP_TRY(check_leverage(leverage));
  std::string body = linear_symbol_body(symbol);
  body += R"(,"tradeMode":1)";
  body += leverage_members(leverage);
  return body;
}

std::string isolated_margin_mode_body() {
  return R"({"setMarginMode":"ISOLATED_MARGIN"})";
}

std::string one_way_position_mode_body() {
  return R"({"category":"linear","coin":"USDT","mode":0})";
}

Result<std::string> wallet_balance_query(std::string_view coin) {
  const auto allowed = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); };
  if (coin.size() > kMaxCoinLength || !std::all_of(coin.begin(), coin.end(), allowed)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit coin must be 1-20 of [0-9A-Z]: " + quote_input(coin));
  }
  std::string query = "accountType=UNIFIED";
  if (!coin.empty()) {
    add_param(query, "coin", coin);
  }
  return query;
}

std::string fee_rate_query(BybitCategory category, const std::optional<model::Symbol>& symbol) {
  return tickers_query(category, symbol);
}

Result<std::string> instruments_query(BybitCategory category, const std::optional<model::Symbol>& symbol,
                                      std::string_view cursor) {
  KIMP_TRY(check_query_value("cursor", cursor));
  std::string query = category_query(category);
  if (symbol) {
    add_param(query, "symbol", symbol->view());
    return query;
  }
  add_param(query, "limit", kInstrumentsPageLimit);
  if (!cursor.empty()) {
    add_param(query, "cursor", cursor);
  }
  return query;
}

Result<std::string> orderbook_query(BybitCategory category, const model::Symbol& symbol, int depth) {
  if (depth < 1 || depth > kMaxOrderbookDepth) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Bybit orderbook depth must be 1-1000, got " + std::to_string(depth));
  }
  std::string query = category_query(category);
  add_param(query, "symbol", symbol.view());
  add_param(query, "limit", std::to_string(depth));
  return query;
}

std::string tickers_query(BybitCategory category, const std::optional<model::Symbol>& symbol) {
  std::string query = category_query(category);
  if (symbol) {
    add_param(query, "symbol", symbol->view());
  }
  return query;
}

}  // namespace kimp::venues::bybit
