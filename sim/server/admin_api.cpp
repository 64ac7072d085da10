// Admin endpoints: ledger serialisation, account creation from JSON, clock skew, reset.
#include "sim/server/admin_api.hpp"

#include <optional>

#include <fmt/format.h>
#include <boost/json.hpp>

namespace kimp::sim {
namespace {

namespace json = boost::json;

HttpResponse error_response(unsigned status, std::string_view message) {
  return HttpResponse::json(status, json::serialize(json::object{{"error", message}}));
}

json::string text(Decimal value) {
  return json::string(value.to_string());
}

json::value time_value(Timestamp at) {
  return json::string(at.to_iso8601());
}

template <class T>
json::array array_of(const std::vector<T>& items, json::object (*to_json)(const T&)) {
  json::array out;
  for (const auto& item : items) {
    out.push_back(to_json(item));
  }
  return out;
}

json::object upbit_balance_json(const UpbitBalance& balance) {
  return {{"currency", balance.currency},
          {"balance", text(balance.balance)},
          {"locked", text(balance.locked)},
          {"avg_buy_price", text(balance.avg_buy_price)}};
}

json::value optional_decimal(const std::optional<Decimal>& value) {
  return value ? json::value(text(*value)) : json::value(nullptr);
}

json::object upbit_order_json(const UpbitOrder& order) {
  return {{"uuid", order.uuid},
          {"identifier", order.identifier},
          {"market", order.market},
          {"side", to_string(order.side)},
          {"ord_type", to_string(order.ord_type)},
          {"time_in_force",
           order.time_in_force ? json::value(to_string(*order.time_in_force)) : json::value(nullptr)},
          {"price", optional_decimal(order.price)},
          {"volume", optional_decimal(order.volume)},
          {"state", to_string(order.state)},
          {"created_at", time_value(order.created_at)},
          {"remaining_volume", text(order.remaining_volume)},
          {"executed_volume", text(order.executed_volume)},
          {"executed_funds", text(order.executed_funds)},
          {"reserved_fee", text(order.reserved_fee)},
          {"remaining_fee", text(order.remaining_fee)},
          {"paid_fee", text(order.paid_fee)},
          {"locked", text(order.locked)},
          {"trades_count", order.trades_count}};
}

json::object upbit_trade_json(const UpbitTrade& trade) {
  return {{"uuid", trade.uuid},         {"order_uuid", trade.order_uuid},
          {"market", trade.market},     {"side", to_string(trade.side)},
          {"price", text(trade.price)}, {"volume", text(trade.volume)},
          {"funds", text(trade.funds)}, {"fee", text(trade.fee)},
          {"maker", trade.maker},       {"created_at", time_value(trade.created_at)}};
}

json::object wallet_json(const UsdtWallet& wallet) {
  return {
      {"wallet_balance", text(wallet.wallet_balance)}, {"equity", text(wallet.equity)},
      {"unrealised_pnl", text(wallet.unrealised_pnl)}, {"total_position_im", text(wallet.total_position_im)},
      {"total_order_im", text(wallet.total_order_im)}, {"available_balance", text(wallet.available_balance)}};
}

json::object position_json(const LinearPosition& position) {
  return {{"symbol", position.symbol},
          {"side", position.side ? json::value(to_string(*position.side)) : json::value("")},
          {"size", text(position.size)},
          {"avg_price", text(position.avg_price)},
          {"leverage", text(position.leverage)},
          {"position_value", text(position.position_value)},
          {"position_im", text(position.position_im)},
          {"liq_price", optional_decimal(position.liq_price)},
          {"mark_price", text(position.mark_price)},
          {"unrealised_pnl", text(position.unrealised_pnl)},
          {"cum_realised_pnl", text(position.cum_realised_pnl)}};
}

json::object linear_order_json(const LinearOrder& order) {
  return {{"order_id", order.order_id},
          {"order_link_id", order.order_link_id},
          {"symbol", order.symbol},
          {"side", to_string(order.side)},
          {"order_type", to_string(order.order_type)},
          {"time_in_force", to_string(order.time_in_force)},
          {"price", text(order.price)},
          {"qty", text(order.qty)},
          {"reduce_only", order.reduce_only},
          {"status", to_string(order.status)},
          {"avg_price", text(order.avg_price)},
          {"leaves_qty", text(order.leaves_qty)},
          {"cum_exec_qty", text(order.cum_exec_qty)},
          {"cum_exec_value", text(order.cum_exec_value)},
          {"cum_exec_fee", text(order.cum_exec_fee)},
          {"created_time", time_value(order.created_time)},
          {"updated_time", time_value(order.updated_time)}};
}

json::object execution_json(const LinearExecution& execution) {
  return {{"exec_id", execution.exec_id},
          {"order_id", execution.order_id},
          {"order_link_id", execution.order_link_id},
          {"symbol", execution.symbol},
          {"side", to_string(execution.side)},
          {"exec_price", text(execution.exec_price)},
          {"exec_qty", text(execution.exec_qty)},
          {"exec_value", text(execution.exec_value)},
          {"exec_fee", text(execution.exec_fee)},
          {"fee_rate", text(execution.fee_rate)},
          {"closed_size", text(execution.closed_size)},
          {"is_maker", execution.is_maker},
          {"exec_time", time_value(execution.exec_time)}};
}

json::object funding_json(const FundingPayment& payment) {
  return {{"symbol", payment.symbol},
          {"side", to_string(payment.side)},
          {"size", text(payment.size)},
          {"mark_price", text(payment.mark_price)},
          {"funding_rate", text(payment.funding_rate)},
          {"amount", text(payment.amount)},
          {"ts_event", time_value(payment.ts_event)}};
}

json::object account_json(const AccountSnapshot& account) {
  return {{"id", account.id},
          {"upbit", json::object{{"balances", array_of(account.upbit_balances, &upbit_balance_json)},
                                 {"orders", array_of(account.upbit_orders, &upbit_order_json)},
                                 {"trades", array_of(account.upbit_trades, &upbit_trade_json)}}},
          {"bybit", json::object{{"wallet", wallet_json(account.usdt_wallet)},
                                 {"positions", array_of(account.linear_positions, &position_json)},
                                 {"orders", array_of(account.linear_orders, &linear_order_json)},
                                 {"executions", array_of(account.linear_executions, &execution_json)},
                                 {"funding_payments", array_of(account.funding_payments, &funding_json)}}}};
}

// A JSON body that must be an object. Errors: kInvalidArgument naming what is wrong.
Result<json::object> object_body(const HttpRequest& request) {
  boost::system::error_code error;
  auto parsed = json::parse(request.body, error);
  if (error || !parsed.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "the body must be a JSON object");
  }
  return std::move(parsed.as_object());
}

Result<std::string> string_member(const json::object& body, std::string_view key) {
  const auto* value = body.if_contains(key);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{} must be a non-empty string", key));
  }
  return std::string(value->as_string());
}

// Amounts are decimal strings (or whole numbers), never fractions through a double.
Result<Decimal> amount_member(const json::value* value, std::string_view key) {
  if (value == nullptr) {
    return Decimal();
  }
  if (value->is_int64()) {
    return Decimal::from_integer(value->as_int64());
  }
  if (!value->is_string()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{} must be a decimal string such as \"0.5\"", key));
  }
  return Decimal::parse(value->as_string());
}

Result<AccountConfig> account_from(const json::object& body) {
  AccountConfig account;
  KIMP_TRY_ASSIGN(account.name, string_member(body, "name"));
  KIMP_TRY_ASSIGN(account.upbit_access_key, string_member(body, "upbit_access_key"));
  KIMP_TRY_ASSIGN(account.upbit_secret_key, string_member(body, "upbit_secret_key"));
  KIMP_TRY_ASSIGN(account.bybit_api_key, string_member(body, "bybit_api_key"));
  KIMP_TRY_ASSIGN(account.bybit_api_secret, string_member(body, "bybit_api_secret"));
  KIMP_TRY_ASSIGN(account.krw, amount_member(body.if_contains("krw"), "krw"));
  KIMP_TRY_ASSIGN(account.usdt, amount_member(body.if_contains("usdt"), "usdt"));
  if (const auto* coins = body.if_contains("coins")) {
    if (!coins->is_object()) {
      return make_error(ErrorCode::kInvalidArgument, "coins must be an object of coin: amount");
    }
    for (const auto& [coin, amount] : coins->as_object()) {
      KIMP_TRY_ASSIGN(account.coins[std::string(coin)], amount_member(&amount, "coins." + std::string(coin)));
    }
  }
  return account;
}

unsigned status_of(const Error& error) {
  return error.code == ErrorCode::kFailedPrecondition ? 409 : 400;
}

}  // namespace

AdminApi::AdminApi(Exchange& exchange)
    : exchange_(exchange), router_([](const HttpRequest&, bool path_known) {
        return path_known ? error_response(405, "method not allowed") : error_response(404, "not found");
      }) {
  router_.add(HttpMethod::kGet, "/ledger",
              [this](const HttpRequest&, const RouteParams&) { return ledger(); });
  router_.add(HttpMethod::kPost, "/accounts",
              [this](const HttpRequest& request, const RouteParams&) { return add_account(request); });
  router_.add(HttpMethod::kGet, "/clock", [this](const HttpRequest&, const RouteParams&) { return clock(); });
  router_.add(HttpMethod::kPost, "/clock",
              [this](const HttpRequest& request, const RouteParams&) { return set_clock(request); });
  router_.add(HttpMethod::kPost, "/reset",
              [this](const HttpRequest&, const RouteParams&) { return reset(); });
}

HttpResponse AdminApi::ledger() {
  if (auto synced = exchange_.sync(); !synced) {
    return error_response(500, synced.error().describe());
  }
  const auto snapshot = exchange_.ledger().snapshot();
  if (!snapshot) {
    return error_response(500, snapshot.error().describe());
  }
  json::array accounts;
  for (const auto& account : snapshot->accounts) {
    accounts.push_back(account_json(account));
  }
  return HttpResponse::json(200, json::serialize(json::object{{"server_time", time_value(exchange_.now())},
                                                              {"accounts", accounts}}));
}

HttpResponse AdminApi::add_account(const HttpRequest& request) {
  auto body = object_body(request);
  if (!body) {
    return error_response(400, body.error().message);
  }
  auto account = account_from(*body);
  if (!account) {
    return error_response(400, account.error().message);
  }
  if (auto added = exchange_.add_account(*account); !added) {
    return error_response(status_of(added.error()), added.error().message);
  }
  return HttpResponse::json(201, json::serialize(json::object{{"name", account->name}}));
}

HttpResponse AdminApi::clock() {
  const auto skew_ms = std::chrono::duration_cast<std::chrono::milliseconds>(exchange_.skew()).count();
  return HttpResponse::json(
      200, json::serialize(json::object{{"server_time_ms", exchange_.now().ms()}, {"skew_ms", skew_ms}}));
}

HttpResponse AdminApi::set_clock(const HttpRequest& request) {
  auto body = object_body(request);
  if (!body) {
    return error_response(400, body.error().message);
  }
  const auto* skew = body->if_contains("skew_ms");
  // Ten years either way is far beyond any clock-skew test and keeps every timestamp representable.
  constexpr std::int64_t kMaxSkewMs = 10LL * 365 * 24 * 3600 * 1000;
  if (skew == nullptr || !skew->is_int64() || skew->as_int64() < -kMaxSkewMs ||
      skew->as_int64() > kMaxSkewMs) {
    return error_response(400, "skew_ms must be a whole number of milliseconds within ten years");
  }
  exchange_.set_skew(std::chrono::milliseconds(skew->as_int64()));
  return clock();
}

HttpResponse AdminApi::reset() {
  if (auto reset = exchange_.reset(); !reset) {
    return error_response(500, reset.error().describe());
  }
  return HttpResponse::json(200, R"({"reset":true})");
}

}  // namespace kimp::sim
