// Admin endpoints: ledger serialisation, account creation from JSON, clock skew, reset, fault rules as
// JSON through the scenario schema, WebSocket disconnects and premium jumps.
#include "sim/server/admin_api.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <boost/json.hpp>

#include "config/toml_reader.hpp"
#include "sim/server/exact_json.hpp"

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

// A key and why its value was refused, as POST /faults answers them.
struct BodyProblem {
  std::string key;
  std::string message;
};

// A TOML basic string (keys too), escaped by toml++ so any text reads back unchanged.
std::string toml_string(std::string_view text) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>{std::string(text)}, toml::format_flags::none};
  return out.str();
}

// Appends the inline TOML text of a JSON value, so the fault schema reads a POST body as it reads a
// scenario file, numbers included as written: a double as the shortest text that reads back as it (0.1,
// which a Decimal field then takes digit for digit). JSON's null and integers beyond int64 have no TOML
// value: they become problems at their key (the text is then never read).
void append_toml(const json::value& value, const std::string& path, std::vector<BodyProblem>& problems,
                 std::string& out) {
  switch (value.kind()) {
    case json::kind::null: problems.push_back({path, "null is not a value here: leave the key out"}); return;
    case json::kind::bool_: out += value.get_bool() ? "true" : "false"; return;
    case json::kind::int64: out += std::to_string(value.get_int64()); return;
    case json::kind::uint64:
      if (value.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        problems.push_back({path, fmt::format("must be at most {}, got {}",
                                              std::numeric_limits<std::int64_t>::max(), value.get_uint64())});
        return;
      }
      out += std::to_string(value.get_uint64());
      return;
    case json::kind::double_: {
      std::string text = fmt::format("{}", value.get_double());
      if (text.find_first_of(".en") == std::string::npos) {
        text += ".0";  // TOML reads "3" as an integer; the JSON said 3.0
      }
      out += text;
      return;
    }
    case json::kind::string: out += toml_string(value.get_string()); return;
    case json::kind::array: {
      const json::array& elements = value.get_array();
      out += '[';
      for (std::size_t i = 0; i < elements.size(); ++i) {
        out += i == 0 ? "" : ", ";
        append_toml(elements[i], fmt::format("{}[{}]", path, i), problems, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_object()) {
        out += first ? "" : ", ";
        first = false;
        out += toml_string(key);
        out += " = ";
        append_toml(member, fmt::format("{}.{}", path, std::string_view(key)), problems, out);
      }
      out += '}';
      return;
    }
  }
}

// A double as the shortest decimal that reads back as it (0.3, not 3E-1), when a Decimal holds it.
json::value number_json(double value) {
  const Result<Decimal> exact = Decimal::parse(fmt::format("{}", value));
  return exact ? exact_number(*exact) : json::value(value);
}

json::value json_of(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    json::object object;
    for (const auto& [key, member] : *table) {
      object[key.str()] = json_of(member);
    }
    return object;
  }
  if (const auto* array = node.as_array()) {
    json::array elements;
    for (const toml::node& element : *array) {
      elements.push_back(json_of(element));
    }
    return elements;
  }
  if (const auto* text = node.as_string()) {
    return json::string(text->get());
  }
  if (const auto* integer = node.as_integer()) {
    return integer->get();
  }
  if (const auto* real = node.as_floating_point()) {
    return number_json(real->get());
  }
  if (const auto* boolean = node.as_boolean()) {
    return boolean->get();
  }
  return nullptr;  // dates and times, which the fault schema never writes
}

// The active rules as GET /faults shows them: the scenario schema's own rendering, as JSON.
Result<json::value> fault_config_json(const FaultConfig& config) {
  const std::string text = render_fault_config(config);
  auto document = config::parse_toml_document(text, "faults");
  const toml::table* faults = document ? document->get_as<toml::table>("faults") : nullptr;
  if (faults == nullptr) {
    return make_error(ErrorCode::kInternal, "the fault configuration does not read back as TOML");
  }
  return json_of(*faults);
}

// POST /faults: the body as a TOML document of one [faults] table, read by the scenario schema.
tl::expected<FaultConfig, std::vector<BodyProblem>> fault_config_from(const json::object& body,
                                                                      std::span<const std::string> coins) {
  std::vector<BodyProblem> problems;
  std::string text = "faults = ";
  append_toml(body, "faults", problems, text);
  if (!problems.empty()) {
    return tl::unexpected(std::move(problems));
  }
  FaultConfigResult parsed = parse_fault_config(text, "POST /faults", coins);
  if (!parsed) {
    for (const config::ConfigProblem& problem : parsed.error()) {
      problems.push_back({problem.key_path, problem.message});
    }
    return tl::unexpected(std::move(problems));
  }
  return std::move(*parsed);
}

std::optional<FaultVenue> venue_named(std::string_view name) {
  const auto names = enum_names(FaultVenue{});
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) {
    return std::nullopt;
  }
  return static_cast<FaultVenue>(found - names.begin());
}

}  // namespace

AdminApi::AdminApi(Exchange& exchange, AdminControls controls)
    : exchange_(exchange), controls_(std::move(controls)), router_([](const HttpRequest&, bool path_known) {
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
  router_.add(HttpMethod::kGet, "/faults",
              [this](const HttpRequest&, const RouteParams&) { return faults(); });
  router_.add(HttpMethod::kPost, "/faults",
              [this](const HttpRequest& request, const RouteParams&) { return set_faults(request); });
  router_.add(HttpMethod::kDelete, "/faults",
              [this](const HttpRequest&, const RouteParams&) { return clear_faults(); });
  router_.add(HttpMethod::kPost, "/faults/disconnect",
              [this](const HttpRequest& request, const RouteParams&) { return disconnect(request); });
  router_.add(HttpMethod::kPost, "/market/premium-jump",
              [this](const HttpRequest& request, const RouteParams&) { return premium_jump(request); });
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

HttpResponse AdminApi::faults() {
  const FaultInjector& injector = exchange_.faults();
  auto config = fault_config_json(injector.config());
  if (!config) {
    return error_response(500, config.error().describe());
  }
  json::object counts = injector.counts_json().as_object();
  json::object body{{"config", std::move(*config)}, {"seed", counts["seed"]}, {"counts", counts["counts"]}};
  return HttpResponse::json(200, serialize_exact(body));
}

HttpResponse AdminApi::set_faults(const HttpRequest& request) {
  auto body = object_body(request);
  if (!body) {
    return error_response(400, body.error().message);
  }
  auto config = fault_config_from(*body, exchange_.config().market.coins);
  if (!config) {
    json::array problems;
    for (const BodyProblem& problem : config.error()) {
      problems.push_back(json::object{{"key", problem.key}, {"message", problem.message}});
    }
    return HttpResponse::json(400, json::serialize(json::object{{"error", "invalid fault configuration"},
                                                                {"problems", std::move(problems)}}));
  }
  return apply_faults(std::move(*config));
}

HttpResponse AdminApi::clear_faults() {
  FaultConfig none;
  none.seed = exchange_.faults().config().seed;
  return apply_faults(std::move(none));
}

HttpResponse AdminApi::apply_faults(FaultConfig config) {
  if (auto applied = exchange_.configure_faults(std::move(config)); !applied) {
    return error_response(500, applied.error().describe());
  }
  return faults();
}

HttpResponse AdminApi::disconnect(const HttpRequest& request) {
  auto body = object_body(request);
  if (!body) {
    return error_response(400, body.error().message);
  }
  const auto* venue_value = body->if_contains("venue");
  const std::optional<FaultVenue> venue = venue_value != nullptr && venue_value->is_string()
                                              ? venue_named(venue_value->get_string())
                                              : std::nullopt;
  if (!venue) {
    return error_response(400, "venue must be \"upbit\" or \"bybit\"");
  }
  std::string stream = "*";
  if (const auto* stream_value = body->if_contains("stream")) {
    if (!stream_value->is_string()) {
      return error_response(400, "stream must be a string");
    }
    stream = stream_value->get_string();
  }
  if (std::optional<std::string> problem = check_ws_stream(*venue, stream)) {
    return error_response(400, fmt::format("stream: {}", *problem));
  }
  if (!controls_.disconnect_websockets) {
    return error_response(501, "this emulator serves no WebSocket streams");
  }
  const std::size_t disconnected = controls_.disconnect_websockets(*venue, stream);
  return HttpResponse::json(200, json::serialize(json::object{{"disconnected", disconnected}}));
}

HttpResponse AdminApi::premium_jump(const HttpRequest& request) {
  auto body = object_body(request);
  if (!body) {
    return error_response(400, body.error().message);
  }
  auto coin = string_member(*body, "coin");
  if (!coin) {
    return error_response(400, coin.error().message);
  }
  // The range of a scenario file's premium-jump pct.
  constexpr Decimal kMinPct = Decimal::from_units(-100 * Decimal::kUnitsPerOne);
  constexpr Decimal kMaxPct = Decimal::from_units(100 * Decimal::kUnitsPerOne);
  std::optional<Decimal> pct;
  if (const auto* pct_value = body->if_contains("pct")) {
    if (auto parsed = amount_member(pct_value, "pct")) {
      pct = *parsed;
    }
  }
  if (!pct || !(*pct > kMinPct && *pct < kMaxPct)) {
    return error_response(
        400, "pct must be a decimal string (or whole number) greater than -100 and less than 100");
  }
  if (auto jumped = exchange_.jump_premium(*coin, *pct); !jumped) {
    const ErrorCode code = jumped.error().code;
    const unsigned status = code == ErrorCode::kInvalidArgument      ? 400
                            : code == ErrorCode::kFailedPrecondition ? 409
                                                                     : 500;
    return error_response(status, jumped.error().message);
  }
  return HttpResponse::json(
      200, json::serialize(json::object{{"coin", *coin},
                                        {"pct", text(*pct)},
                                        {"premium", exchange_.market().premium(*coin).value_or(0.0)}}));
}

}  // namespace kimp::sim
