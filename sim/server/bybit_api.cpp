// Bybit v5 REST endpoints of the emulator: parameter checks, ledger calls and Bybit's response shapes.
#include "sim/server/bybit_api.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse_query.hpp>

#include "core/logging.hpp"
#include "sim/auth/bybit_auth.hpp"
#include "sim/ledger/bybit_codes.hpp"
#include "sim/server/bybit_records.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

using bybit_code::kAvailableInsufficient;
using bybit_code::kDuplicateOrderLinkId;
using bybit_code::kLeverageNotModified;
using bybit_code::kNotionalBelowMinimum;
using bybit_code::kOrderNotExists;
using bybit_code::kParamsError;
using bybit_code::kReduceOnlyRejected;

constexpr std::int32_t kTooManyVisits = 10006;
constexpr std::int32_t kServerError = 10016;
constexpr std::uint16_t kServiceUnavailable = 503;
constexpr std::int32_t kRouteNotFound = 10017;
constexpr std::int32_t kHedgeModeUnsupported = 110029;
constexpr std::int32_t kSetMarginModeFailed = 3400045;

constexpr std::int32_t kDefaultOrderbookLimit = 25;
constexpr std::int32_t kMaxOrderbookLimit = 500;
constexpr std::int32_t kMaxFundingHistoryLimit = 200;  // Bybit: limit 1..200, default 200
constexpr std::int32_t kDefaultOrderListLimit = 20;
constexpr std::int32_t kMaxOrderListLimit = 50;
constexpr std::int32_t kDefaultExecutionLimit = 50;
constexpr std::int32_t kMaxExecutionLimit = 100;

// Bybit's retMsg for the retCodes the emulator answers with a fixed text (error.mdx's wording where the
// emulator has none of its own); injected rejects carry the same text as the emulator's own refusals.
std::string_view ret_msg(std::int32_t ret_code) {
  struct Wording {
    std::int32_t ret_code;
    std::string_view message;
  };
  static constexpr std::array<Wording, 10> kWordings{{
      {kParamsError, "Request parameter error."},
      {kTooManyVisits, "Too many visits!"},
      {kServerError, "Server error."},
      {kOrderNotExists, "order not exists or too late to cancel"},
      {kAvailableInsufficient, "ab not enough for new order"},
      {kReduceOnlyRejected, "reduce-only order has no opposite position to reduce"},
      {kLeverageNotModified, "leverage not modified"},
      {kHedgeModeUnsupported, "Hedge mode is not supported for this symbol."},
      {kDuplicateOrderLinkId, "OrderLinkedID is duplicate"},
      {kNotionalBelowMinimum, "Order notional value below the lower limit"},
  }};
  const auto found = std::find_if(kWordings.begin(), kWordings.end(), [ret_code](const Wording& wording) {
    return wording.ret_code == ret_code;
  });
  return found == kWordings.end() ? std::string_view("order rejected") : found->message;
}

// price24hPcnt carries six decimals on Bybit.
constexpr Decimal kPercentStep = Decimal::from_units(100);

tl::unexpected<Error> params_error(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message), std::to_string(kParamsError));
}

std::optional<std::string_view> find(const std::map<std::string, std::string, std::less<>>& params,
                                     std::string_view name) {
  const auto found = params.find(name);
  if (found == params.end() || found->second.empty()) {
    return std::nullopt;
  }
  return std::string_view(found->second);
}

Result<std::string_view> required(const std::map<std::string, std::string, std::less<>>& params,
                                  std::string_view name) {
  const auto value = find(params, name);
  if (!value) {
    return params_error(fmt::format("params error: {} is required", name));
  }
  return *value;
}

// Only the linear category is emulated; Bybit answers any other value (or none) as illegal here.
Status require_linear(const std::map<std::string, std::string, std::less<>>& params) {
  const auto category = find(params, "category");
  if (!category || *category != "linear") {
    return params_error("Illegal category");
  }
  return ok();
}

Result<Decimal> decimal_param(const std::map<std::string, std::string, std::less<>>& params,
                              std::string_view name) {
  KIMP_TRY_ASSIGN(const auto text, required(params, name));
  auto value = Decimal::parse(text);
  if (!value) {
    return params_error(fmt::format("params error: {} invalid", name));
  }
  return *value;
}

// An optional integer within [low, high], `fallback` when absent.
Result<std::int32_t> int_param(const std::map<std::string, std::string, std::less<>>& params,
                               std::string_view name, std::int32_t fallback, std::int32_t low,
                               std::int32_t high) {
  const auto text = find(params, name);
  if (!text) {
    return fallback;
  }
  std::int32_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value < low || value > high) {
    return params_error(fmt::format("params error: {} invalid", name));
  }
  return value;
}

// The parameters of a GET: the query percent-decoded. Errors: 10001 for a malformed query.
Result<std::map<std::string, std::string, std::less<>>> query_params(std::string_view query) {
  std::map<std::string, std::string, std::less<>> params;
  const auto parsed = boost::urls::parse_query(query);
  if (!parsed) {
    return params_error(std::string(ret_msg(kParamsError)));
  }
  for (const auto& param : *parsed) {
    params.insert_or_assign(param.key.decode(), param.has_value ? param.value.decode() : std::string());
  }
  return params;
}

// Collects the members of a flat JSON object as text while parsing: a parsed json::value keeps numbers
// only as doubles, which would write 0.1 as "1E-1" and round digits past the 17th.
class ScalarMembers {
 public:
  // Boost.JSON's handler concept fixes these names; the HTTP server already bounds the body size.
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);  // NOLINT
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);   // NOLINT
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);     // NOLINT
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);  // NOLINT

  std::map<std::string, std::string, std::less<>> members;  // null members are left out
  std::string invalid_key;                                  // a member that is an object or array

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code& ec) {
    if (in_object_) {
      return nested(ec);
    }
    in_object_ = true;
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code& ec) { return nested(ec); }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(json::string_view part, std::size_t, boost::system::error_code&) {
    text_ += part;
    return true;
  }
  bool on_key(json::string_view part, std::size_t, boost::system::error_code&) {
    text_ += part;
    key_ = std::move(text_);
    text_.clear();
    return true;
  }
  bool on_string_part(json::string_view part, std::size_t, boost::system::error_code&) {
    text_ += part;
    return true;
  }
  bool on_string(json::string_view part, std::size_t, boost::system::error_code& ec) {
    return scalar(part, ec);
  }
  bool on_number_part(json::string_view part, boost::system::error_code&) {
    text_ += part;
    return true;
  }
  bool on_int64(std::int64_t, json::string_view part, boost::system::error_code& ec) {
    return scalar(part, ec);
  }
  bool on_uint64(std::uint64_t, json::string_view part, boost::system::error_code& ec) {
    return scalar(part, ec);
  }
  bool on_double(double, json::string_view part, boost::system::error_code& ec) { return scalar(part, ec); }
  bool on_bool(bool value, boost::system::error_code& ec) { return scalar(value ? "true" : "false", ec); }
  bool on_null(boost::system::error_code& ec) {
    if (!in_object_) {
      ec = json::error::syntax;
    }
    return in_object_;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  bool scalar(json::string_view last_part, boost::system::error_code& ec) {
    if (!in_object_) {
      ec = json::error::syntax;
      return false;
    }
    text_ += last_part;
    members.insert_or_assign(key_, std::move(text_));
    text_.clear();
    return true;
  }
  bool nested(boost::system::error_code& ec) {
    if (in_object_) {
      invalid_key = key_;
    }
    ec = json::error::syntax;
    return false;
  }

  bool in_object_ = false;
  std::string key_;
  std::string text_;
};

// The parameters of a POST: the JSON body's members as text (numbers exactly as written, booleans as
// "true"/"false", nulls as absent). Errors: 10001 when the body is not a JSON object of scalars.
Result<std::map<std::string, std::string, std::less<>>> body_params(std::string_view body) {
  if (body.empty()) {
    return std::map<std::string, std::string, std::less<>>{};
  }
  json::basic_parser<ScalarMembers> parser(json::parse_options{});
  boost::system::error_code error;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), error);
  if (!error && used != body.size()) {
    error = json::error::extra_data;
  }
  if (error) {
    const std::string& key = parser.handler().invalid_key;
    return params_error(key.empty() ? std::string(ret_msg(kParamsError))
                                    : fmt::format("params error: {} invalid", key));
  }
  return std::move(parser.handler().members);
}

// A double statistic as text with `decimals` fraction digits (volumes are not money the ledger holds).
std::string fixed(double value, std::int32_t decimals) {
  return fmt::format("{:.{}f}", value, decimals);
}

// Fraction digits of a step such as "0.001" (3); whole steps have none.
std::int32_t decimals_of(Decimal step) {
  const auto text = step.to_string();
  const auto dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<std::int32_t>(text.size() - dot - 1);
}

json::array levels_json(const std::vector<BookLevel>& levels, std::size_t limit) {
  json::array out;
  for (std::size_t i = 0; i < std::min(limit, levels.size()); ++i) {
    out.push_back(
        json::array{json::string(levels[i].price.to_string()), json::string(levels[i].quantity.to_string())});
  }
  return out;
}

json::object instrument_json(const BybitInstrument& instrument, std::int64_t symbol_id) {
  return json::object{
      {"symbol", instrument.symbol},
      {"symbolId", symbol_id},
      {"contractType", "LinearPerpetual"},
      {"status", "Trading"},
      {"baseCoin", instrument.base_coin},
      {"quoteCoin", instrument.quote_coin},
      {"launchTime", "0"},
      {"deliveryTime", "0"},
      {"deliveryFeeRate", ""},
      {"priceScale", std::to_string(instrument.price_scale)},
      {"leverageFilter", json::object{{"minLeverage", instrument.min_leverage.to_string()},
                                      {"maxLeverage", instrument.max_leverage.to_string()},
                                      {"leverageStep", instrument.leverage_step.to_string()}}},
      {"priceFilter", json::object{{"minPrice", instrument.min_price.to_string()},
                                   {"maxPrice", instrument.max_price.to_string()},
                                   {"tickSize", instrument.tick_size.to_string()}}},
      {"lotSizeFilter", json::object{{"maxOrderQty", instrument.max_order_qty.to_string()},
                                     {"minOrderQty", instrument.min_order_qty.to_string()},
                                     {"qtyStep", instrument.qty_step.to_string()},
                                     {"postOnlyMaxOrderQty", instrument.max_order_qty.to_string()},
                                     {"maxMktOrderQty", instrument.max_mkt_order_qty.to_string()},
                                     {"minNotionalValue", instrument.min_notional_value.to_string()}}},
      {"unifiedMarginTrade", true},
      {"fundingInterval", instrument.funding_interval_minutes},
      {"settleCoin", instrument.quote_coin},
      {"copyTrading", "none"},
      {"upperFundingRate", instrument.upper_funding_rate.to_string()},
      {"lowerFundingRate", instrument.lower_funding_rate.to_string()},
      {"isPreListing", false},
      {"preListingInfo", nullptr},
      {"riskParameters", json::object{{"priceLimitRatioX", "0.01"}, {"priceLimitRatioY", "0.02"}}},
      {"symbolType", ""},
  };
}

// One order as order/realtime lists it; order/history adds the fields its page documents.
Result<json::object> order_json(const LinearOrder& order, bool history) {
  KIMP_TRY_ASSIGN(json::object out, bybit_order_record(order, BybitSurface::kRest));
  if (history) {
    out["slippageToleranceType"] = "UNKNOWN";
    out["slippageTolerance"] = "";
    out["extraFees"] = "";
    out["rpiTakerAccess"] = false;
    out["rpiMatchedQty"] = "0";
  }
  return out;
}

// A list result as Bybit pages it; the emulator answers in one page.
json::object list_result(json::array list) {
  return json::object{{"list", std::move(list)}, {"nextPageCursor", ""}, {"category", "linear"}};
}

// The enum value spelled `text` among `values`, or 10001 naming the parameter.
template <class E>
Result<E> wire_param(std::string_view name, std::string_view text, std::initializer_list<E> values) {
  if (const auto value = from_wire(text, values)) {
    return *value;
  }
  return params_error(fmt::format("params error: {} invalid", name));
}

Result<bool> parse_bool(std::string_view name, std::string_view text) {
  if (text == "true") {
    return true;
  }
  if (text == "false") {
    return false;
  }
  return params_error(fmt::format("params error: {} invalid", name));
}

// buyLeverage and sellLeverage must agree in one-way mode.
Result<Decimal> one_way_leverage(const std::map<std::string, std::string, std::less<>>& params) {
  KIMP_TRY_ASSIGN(const Decimal buy, decimal_param(params, "buyLeverage"));
  KIMP_TRY_ASSIGN(const Decimal sell, decimal_param(params, "sellLeverage"));
  if (buy != sell) {
    return params_error("buy leverage must be equal to sell leverage in one-way mode");
  }
  return buy;
}

// The order a request names by orderId or orderLinkId, when it names one.
std::optional<OrderRef> order_ref(const std::map<std::string, std::string, std::less<>>& params) {
  const auto id = find(params, "orderId");
  const auto link_id = find(params, "orderLinkId");
  if (!id && !link_id) {
    return std::nullopt;
  }
  return OrderRef{std::string(id.value_or("")), std::string(link_id.value_or(""))};
}

// Whether `order` carries every id `ref` supplies; an id left empty was not asked for, and must not
// match the empty orderLinkId of every order placed without one.
bool names(const OrderRef& ref, const LinearOrder& order) {
  return (ref.venue_id.empty() || ref.venue_id == order.order_id) &&
         (ref.client_id.empty() || ref.client_id == order.order_link_id);
}

// The refusal of an injected reject: retCode `code`; a code that is not a number answers 10016, as
// every error without a retCode does.
Error injected_reject(const std::string& code) {
  std::int32_t ret_code = 0;
  const auto [end, failed] = std::from_chars(code.data(), code.data() + code.size(), ret_code);
  const bool numeric = !code.empty() && failed == std::errc{} && end == code.data() + code.size();
  return Error{ErrorCode::kFailedPrecondition, code,
               std::string(numeric ? ret_msg(ret_code) : std::string_view())};
}

TakerSide taker_side(LinearSide side) {
  return side == LinearSide::kBuy ? TakerSide::kBuy : TakerSide::kSell;
}

}  // namespace

// ---- injected order outcomes ----

std::optional<OrderFaultRule> draw_order_fault(FaultInjector& faults, FaultVenue venue,
                                               std::string_view symbol,
                                               std::span<const OrderOutcome> outcomes) {
  const OrderFaultRule* rule = faults.on_order(venue, symbol, outcomes);
  return rule == nullptr ? std::nullopt : std::optional<OrderFaultRule>(*rule);
}

Result<Decimal> share_of(Decimal amount, double ratio, Decimal step) {
  const Decimal fraction =
      Decimal::from_units(std::llround(ratio * static_cast<double>(Decimal::kUnitsPerOne)));
  KIMP_TRY_ASSIGN(const Decimal share, amount.mul(fraction, RoundingMode::kDown));
  return share.round_to_step(step, RoundingMode::kDown);
}

Result<std::vector<FillSlice>> offer_up_to(const OrderBook& book, TakerSide side, Decimal cap) {
  if (!cap.is_positive()) {
    return std::vector<FillSlice>{};
  }
  return take_quantity(side == TakerSide::kBuy ? book.asks : book.bids, side, cap, std::nullopt);
}

OrderBook with_offer(const OrderBook& book, TakerSide side, const std::vector<FillSlice>& offer) {
  OrderBook out = book;
  std::vector<BookLevel>& levels = side == TakerSide::kBuy ? out.asks : out.bids;
  levels.clear();
  for (const FillSlice& slice : offer) {
    levels.push_back(BookLevel{slice.price, slice.quantity});
  }
  return out;
}

OrderBook filling_book(TakerSide side, Decimal price, Decimal quantity) {
  OrderBook book;
  (side == TakerSide::kBuy ? book.asks : book.bids).push_back(BookLevel{price, quantity});
  return book;
}

HttpResponse never_answered() {
  HttpResponse response;
  response.delivery = HttpResponse::Delivery::kNeverAnswer;
  return response;
}

OrderFaultEffects::~OrderFaultEffects() {
  for (const auto& [sequence, timer] : pending_) {
    clock_.cancel(timer);
  }
}

void OrderFaultEffects::hide(const std::string& order_id, Duration duration) {
  visible_at_.insert_or_assign(order_id, clock_.now() + duration);
}

bool OrderFaultEffects::hidden(std::string_view order_id) const {
  const auto found = visible_at_.find(order_id);
  return found != visible_at_.end() && clock_.now() < found->second;
}

void OrderFaultEffects::forget_visible() {
  std::erase_if(visible_at_, [now = clock_.now()](const auto& entry) { return entry.second <= now; });
}

void OrderFaultEffects::schedule(Duration delay, std::function<Status()> place) {
  const std::uint64_t sequence = ++scheduled_;
  // The clock never runs a callback inside call_after, so the id is stored before it can fire.
  pending_[sequence] = clock_.call_after(delay, [this, sequence, place = std::move(place)] {
    pending_.erase(sequence);
    if (auto placed = place(); !placed) {
      log::Logger("venue-sim")
          .warn("late order dropped", {{"venue", to_string(venue_)}, {"error", placed.error().describe()}});
    }
  });
}

RollingWindowLimiter::Decision RollingWindowLimiter::admit(const std::string& key, Timestamp now) {
  auto& window = windows_[key];
  const Timestamp window_start = now - std::chrono::seconds(1);
  while (!window.empty() && window.front() <= window_start) {
    window.pop_front();
  }
  Decision decision;
  decision.limit = limit_;
  decision.reset_at = now;
  if (std::cmp_less(window.size(), limit_)) {
    window.push_back(now);
    decision.allowed = true;
  }
  decision.remaining = limit_ - static_cast<std::int32_t>(window.size());
  if (decision.remaining == 0 && !window.empty()) {
    decision.reset_at = window.front() + std::chrono::seconds(1);
  }
  return decision;
}

BybitApi::BybitApi(Exchange& exchange)
    : exchange_(exchange),
      // Bybit's gateway answers a path it does not serve (or serves with another method) with 404.
      router_([this](const HttpRequest&, bool) {
        return HttpResponse::json(
            404, BybitError{404, kRouteNotFound, "Route not found."}.to_json(exchange_.now()));
      }),
      public_limiter_(exchange.config().rate_limits.bybit_public),
      private_limiter_(exchange.config().rate_limits.bybit_private),
      effects_(exchange.clock(), FaultVenue::kBybit) {
  add_public(HttpMethod::kGet, "/v5/market/time", &BybitApi::market_time);
  add_public(HttpMethod::kGet, "/v5/market/instruments-info", &BybitApi::instruments_info);
  add_public(HttpMethod::kGet, "/v5/market/orderbook", &BybitApi::orderbook);
  add_public(HttpMethod::kGet, "/v5/market/tickers", &BybitApi::tickers);
  add_public(HttpMethod::kGet, "/v5/market/funding/history", &BybitApi::funding_history);
  add_private(HttpMethod::kGet, "/v5/account/wallet-balance", &BybitApi::wallet_balance);
  add_private(HttpMethod::kGet, "/v5/account/fee-rate", &BybitApi::fee_rate);
  add_private(HttpMethod::kGet, "/v5/position/list", &BybitApi::position_list);
  add_private(HttpMethod::kPost, "/v5/position/set-leverage", &BybitApi::set_leverage);
  add_private(HttpMethod::kPost, "/v5/position/switch-isolated", &BybitApi::switch_isolated);
  add_private(HttpMethod::kPost, "/v5/account/set-margin-mode", &BybitApi::set_margin_mode);
  add_private(HttpMethod::kPost, "/v5/position/switch-mode", &BybitApi::switch_mode);
  add_private(HttpMethod::kPost, "/v5/order/create", &BybitApi::create_order);
  add_private(HttpMethod::kPost, "/v5/order/cancel", &BybitApi::cancel_order);
  add_private(HttpMethod::kGet, "/v5/order/realtime", &BybitApi::open_orders);
  add_private(HttpMethod::kGet, "/v5/order/history", &BybitApi::order_history);
  add_private(HttpMethod::kGet, "/v5/execution/list", &BybitApi::executions);
}

HttpResponse BybitApi::rate_limited() const {
  return HttpResponse::json(
      200, BybitError{200, kTooManyVisits, std::string(ret_msg(kTooManyVisits))}.to_json(exchange_.now()));
}

HttpResponse BybitApi::injected_failure(HttpVerdict::Action action) const {
  if (action == HttpVerdict::Action::kRateLimit) {
    return rate_limited();
  }
  return HttpResponse::json(
      kServiceUnavailable,
      BybitError{kServiceUnavailable, kServerError, std::string(ret_msg(kServerError))}.to_json(
          exchange_.now()));
}

HttpResponse BybitApi::handle(const HttpRequest& request) {
  effects_.forget_visible();
  return router_.route(request);
}

void BybitApi::add_public(HttpMethod method, const char* path, PublicHandler handler) {
  router_.add(method, path, [this, handler](const HttpRequest& request, const RouteParams&) {
    return run_public(request, handler);
  });
}

void BybitApi::add_private(HttpMethod method, const char* path, PrivateHandler handler) {
  router_.add(method, path, [this, handler, path](const HttpRequest& request, const RouteParams&) {
    return run_private(request, path, handler);
  });
}

HttpResponse BybitApi::ok(json::value result) const {
  return HttpResponse::json(200, json::serialize(json::object{{"retCode", 0},
                                                              {"retMsg", "OK"},
                                                              {"result", std::move(result)},
                                                              {"retExtInfo", json::object{}},
                                                              {"time", exchange_.now().ms()}}));
}

HttpResponse BybitApi::refuse(const Error& error) const {
  std::int32_t ret_code = 0;
  const auto& code = error.venue_code;
  const auto [end, failed] = std::from_chars(code.data(), code.data() + code.size(), ret_code);
  if (code.empty() || failed != std::errc{} || end != code.data() + code.size()) {
    return HttpResponse::json(
        200, BybitError{200, kServerError, std::string(ret_msg(kServerError))}.to_json(exchange_.now()));
  }
  return HttpResponse::json(200, BybitError{200, ret_code, error.message}.to_json(exchange_.now()));
}

HttpResponse BybitApi::run_public(const HttpRequest& request, PublicHandler handler) {
  if (auto synced = exchange_.sync(); !synced) {
    return refuse(synced.error());
  }
  if (!public_limiter_.admit("public", exchange_.now()).allowed) {
    return rate_limited();
  }
  auto params = query_params(request.query);
  if (!params) {
    return refuse(params.error());
  }
  auto response = (this->*handler)(*params);
  return response ? std::move(*response) : refuse(response.error());
}

HttpResponse BybitApi::run_private(const HttpRequest& request, std::string_view route,
                                   PrivateHandler handler) {
  if (auto synced = exchange_.sync(); !synced) {
    return refuse(synced.error());
  }
  const bool is_get = request.method == HttpMethod::kGet;
  const BybitSignedRequest signed_request{is_get,
                                          request.header("X-BAPI-API-KEY"),
                                          request.header("X-BAPI-TIMESTAMP"),
                                          request.header("X-BAPI-SIGN"),
                                          request.header("X-BAPI-RECV-WINDOW"),
                                          request.header("X-BAPI-SIGN-TYPE"),
                                          request.query,
                                          request.body};
  const auto who = verify_bybit_request(signed_request, exchange_.now(),
                                        [this](std::string_view key) { return exchange_.bybit_key(key); });
  if (!who) {
    return HttpResponse::json(who.error().http_status, who.error().to_json(exchange_.now()));
  }
  // Keyed by the route, not the path as sent: "//v5/order/create" is the same endpoint and shares its
  // budget, and the keys stay bounded by accounts × routes.
  const auto decision = private_limiter_.admit(fmt::format("{} {}", who->account_id, route), exchange_.now());
  HttpResponse response;
  if (!decision.allowed) {
    response = rate_limited();
  } else {
    const auto params = is_get ? query_params(request.query) : body_params(request.body);
    // tl::expected::and_then wants the base type back; Result<T> is a thin subclass of it.
    auto answer = params.and_then([&](const Params& decoded) -> tl::expected<HttpResponse, Error> {
      return (this->*handler)(decoded, who->account_id);
    });
    response = answer ? std::move(*answer) : refuse(answer.error());
  }
  response.headers.emplace_back("X-Bapi-Limit", std::to_string(decision.limit));
  response.headers.emplace_back("X-Bapi-Limit-Status", std::to_string(decision.remaining));
  response.headers.emplace_back("X-Bapi-Limit-Reset-Timestamp", ms_text(decision.reset_at));
  return response;
}

// ---- public ----

Result<HttpResponse> BybitApi::market_time(const Params&) {
  const Timestamp now = exchange_.now();
  return ok(
      json::object{{"timeSecond", std::to_string(now.seconds())}, {"timeNano", std::to_string(now.ns())}});
}

Result<HttpResponse> BybitApi::instruments_info(const Params& params) {
  KIMP_TRY(require_linear(params));
  const auto symbol = find(params, "symbol");
  const auto& market = exchange_.market();
  json::array list;
  std::int64_t symbol_id = 0;
  for (const auto& name : market.symbols(Venue::kBybit)) {
    ++symbol_id;
    const BybitInstrument* instrument = market.instruments().find(name);
    if (instrument != nullptr && (!symbol || *symbol == name)) {
      list.push_back(instrument_json(*instrument, symbol_id));
    }
  }
  return ok(json::object{{"category", "linear"}, {"list", std::move(list)}, {"nextPageCursor", ""}});
}

Result<HttpResponse> BybitApi::funding_history(const Params& params) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  KIMP_TRY_ASSIGN(const auto limit,
                  int_param(params, "limit", kMaxFundingHistoryLimit, 1, kMaxFundingHistoryLimit));
  if (exchange_.market().book(Venue::kBybit, symbol) == nullptr) {
    return params_error("params error: symbol invalid");
  }
  json::array list;
  const auto& history = exchange_.funding_history();
  for (auto record = history.rbegin(); record != history.rend() && std::cmp_less(list.size(), limit);
       ++record) {
    if (record->symbol == symbol) {
      list.push_back(json::object{{"symbol", record->symbol},
                                  {"fundingRate", record->funding_rate.to_string()},
                                  {"fundingRateTimestamp", ms_text(record->funding_time)}});
    }
  }
  return ok(json::object{{"category", "linear"}, {"list", list}});
}

Result<HttpResponse> BybitApi::orderbook(const Params& params) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  KIMP_TRY_ASSIGN(const auto limit,
                  int_param(params, "limit", kDefaultOrderbookLimit, 1, kMaxOrderbookLimit));
  const OrderBook* book = exchange_.market().book(Venue::kBybit, symbol);
  if (book == nullptr) {
    return params_error("params error: symbol invalid");
  }
  const auto depth = static_cast<std::size_t>(limit);
  return ok(json::object{{"s", symbol},
                         {"a", levels_json(book->asks, depth)},
                         {"b", levels_json(book->bids, depth)},
                         {"ts", book->ts_event.ms()},
                         {"u", book->update_id},
                         {"seq", book->update_id},
                         {"cts", book->ts_event.ms()}});
}

Result<HttpResponse> BybitApi::tickers(const Params& params) {
  KIMP_TRY(require_linear(params));
  const auto symbol = find(params, "symbol");
  const auto& market = exchange_.market();
  if (symbol && market.book(Venue::kBybit, *symbol) == nullptr) {
    return params_error("params error: symbol invalid");
  }
  json::array list;
  for (const auto& name : market.symbols(Venue::kBybit)) {
    if (symbol && *symbol != name) {
      continue;
    }
    const BybitInstrument* instrument = market.instruments().find(name);
    const OrderBook* book = market.book(Venue::kBybit, name);
    if (instrument == nullptr || book == nullptr || book->bids.empty() || book->asks.empty()) {
      return make_error(ErrorCode::kInternal, fmt::format("no instrument or book for {}", name));
    }
    KIMP_TRY_ASSIGN(const auto funding, market.funding(name));
    KIMP_TRY_ASSIGN(const TickerStats stats, market.ticker(Venue::kBybit, name));
    KIMP_TRY_ASSIGN(const auto hour, market.candles(Venue::kBybit, name, 61));
    KIMP_TRY_ASSIGN(const auto change, stats.last_price.sub(stats.open_24h));
    KIMP_TRY_ASSIGN(const auto ratio, change.div(stats.open_24h));
    KIMP_TRY_ASSIGN(const auto pcnt, ratio.round_to_step(kPercentStep, RoundingMode::kHalfEven));
    KIMP_TRY_ASSIGN(const auto open_interest, exchange_.ledger().linear_open_interest(name));
    KIMP_TRY_ASSIGN(const auto open_interest_value, open_interest.mul(funding.mark_price));
    list.push_back(json::object{
        {"symbol", name},
        {"lastPrice", stats.last_price.to_string()},
        {"indexPrice", funding.index_price.to_string()},
        {"markPrice", funding.mark_price.to_string()},
        {"prevPrice24h", stats.open_24h.to_string()},
        {"price24hPcnt", pcnt.to_string()},
        {"highPrice24h", stats.high_24h.to_string()},
        {"lowPrice24h", stats.low_24h.to_string()},
        {"prevPrice1h", hour.empty() ? stats.last_price.to_string() : hour.front().open.to_string()},
        {"openInterest", open_interest.to_string()},
        {"openInterestValue", open_interest_value.to_string()},
        {"turnover24h", fixed(stats.turnover_24h, 4)},
        {"volume24h", fixed(stats.volume_24h, decimals_of(instrument->qty_step))},
        {"fundingRate", funding.funding_rate.to_string()},
        {"nextFundingTime", ms_text(funding.next_funding_time)},
        {"predictedDeliveryPrice", ""},
        {"basisRate", ""},
        {"deliveryFeeRate", ""},
        {"deliveryTime", "0"},
        {"ask1Size", book->asks.front().quantity.to_string()},
        {"bid1Price", book->bids.front().price.to_string()},
        {"ask1Price", book->asks.front().price.to_string()},
        {"bid1Size", book->bids.front().quantity.to_string()},
        {"basis", ""},
        {"preOpenPrice", ""},
        {"preQty", ""},
        {"curPreListingPhase", ""},
        {"fundingIntervalHour", std::to_string(funding.interval_minutes / 60)},
        {"basisRateYear", ""},
        {"fundingCap", instrument->upper_funding_rate.to_string()},
    });
  }
  return ok(json::object{{"category", "linear"}, {"list", std::move(list)}});
}

// ---- account ----

Result<HttpResponse> BybitApi::wallet_balance(const Params& params, const std::string& account_id) {
  const auto account_type = find(params, "accountType");
  if (!account_type || *account_type != "UNIFIED") {
    return params_error("accountType only support UNIFIED.");
  }
  const auto coin_filter = find(params, "coin");
  KIMP_TRY_ASSIGN(const auto wallet, exchange_.ledger().usdt_wallet(account_id));
  KIMP_TRY_ASSIGN(
      json::object account,
      bybit_wallet_record(wallet, !coin_filter || coin_filter->find("USDT") != std::string_view::npos));
  return ok(json::object{{"list", json::array{std::move(account)}}});
}

Result<HttpResponse> BybitApi::fee_rate(const Params& params, const std::string&) {
  KIMP_TRY(require_linear(params));
  const auto symbol = find(params, "symbol");
  const auto& market = exchange_.market();
  if (symbol && market.book(Venue::kBybit, *symbol) == nullptr) {
    return params_error("params error: symbol invalid");
  }
  const Decimal taker = exchange_.ledger().fees().linear_taker_rate;
  const Decimal maker = exchange_.ledger().fees().linear_maker_rate;
  json::array list;
  for (const auto& name : market.symbols(Venue::kBybit)) {
    if (!symbol || *symbol == name) {
      list.push_back(json::object{
          {"symbol", name}, {"takerFeeRate", taker.to_string()}, {"makerFeeRate", maker.to_string()}});
    }
  }
  return ok(json::object{{"list", std::move(list)}});
}

Result<HttpResponse> BybitApi::set_margin_mode(const Params& params, const std::string&) {
  KIMP_TRY_ASSIGN(const auto mode, required(params, "setMarginMode"));
  // Both answers have the shape account_set-margin-mode.mdx shows: no retExtInfo, no time.
  const auto answer = [](std::int32_t ret_code, std::string_view message, json::array reasons) {
    return HttpResponse::json(
        200,
        json::serialize(json::object{
            {"retCode", ret_code}, {"retMsg", message}, {"result", json::object{{"reasons", reasons}}}}));
  };
  if (mode == "ISOLATED_MARGIN") {
    return answer(0, "Request accepted", {});
  }
  if (mode == "REGULAR_MARGIN" || mode == "PORTFOLIO_MARGIN") {
    return answer(kSetMarginModeFailed, "Set margin mode failed",
                  json::array{json::object{{"reasonCode", "3400000"},
                                           {"reasonMsg", "The emulator trades isolated margin only"}}});
  }
  return params_error("params error: setMarginMode invalid");
}

// ---- positions ----

Result<HttpResponse> BybitApi::position_list(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  const auto symbol = find(params, "symbol");
  const auto settle_coin = find(params, "settleCoin");
  if (!symbol && !settle_coin) {
    return params_error("Symbol or settleCoin is required");
  }
  KIMP_TRY_ASSIGN(const auto positions, exchange_.ledger().linear_positions(account_id));
  json::array list;
  for (const auto& position : positions) {
    if ((symbol && *symbol != position.symbol) || (settle_coin && *settle_coin != "USDT")) {
      continue;
    }
    list.push_back(bybit_position_record(position, BybitSurface::kRest));
  }
  return ok(list_result(std::move(list)));
}

Result<HttpResponse> BybitApi::set_leverage(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  KIMP_TRY_ASSIGN(const auto leverage, one_way_leverage(params));
  KIMP_TRY(exchange_.ledger().set_leverage(account_id, std::string(symbol), leverage, exchange_.now()));
  return ok(json::object{});
}

Result<HttpResponse> BybitApi::switch_isolated(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  KIMP_TRY_ASSIGN(const auto trade_mode, required(params, "tradeMode"));
  KIMP_TRY_ASSIGN(const auto leverage, one_way_leverage(params));
  if (trade_mode == "0") {
    return params_error("cross margin is not supported: the emulator trades isolated margin only");
  }
  if (trade_mode != "1") {
    return params_error("params error: tradeMode invalid");
  }
  // Every position is isolated already; the request still sets the leverage it carries.
  auto set = exchange_.ledger().set_leverage(account_id, std::string(symbol), leverage, exchange_.now());
  if (!set && set.error().venue_code != std::to_string(kLeverageNotModified)) {
    return tl::unexpected(set.error());
  }
  return ok(json::object{});
}

Result<HttpResponse> BybitApi::switch_mode(const Params& params, const std::string&) {
  KIMP_TRY(require_linear(params));
  if (!find(params, "symbol") && !find(params, "coin")) {
    return params_error("Either symbol or coin is required");
  }
  KIMP_TRY_ASSIGN(const auto mode, required(params, "mode"));
  if (mode == "0") {
    return ok(json::object{});
  }
  if (mode == "3") {
    return make_error(ErrorCode::kFailedPrecondition, std::string(ret_msg(kHedgeModeUnsupported)),
                      std::to_string(kHedgeModeUnsupported));
  }
  return params_error("params error: mode invalid");
}

// ---- orders ----

Result<HttpResponse> BybitApi::create_order(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  LinearOrderRequest order;
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  order.symbol = std::string(symbol);
  KIMP_TRY_ASSIGN(const auto side, required(params, "side"));
  KIMP_TRY_ASSIGN(order.side, wire_param("side", side, {LinearSide::kBuy, LinearSide::kSell}));
  KIMP_TRY_ASSIGN(const auto order_type, required(params, "orderType"));
  KIMP_TRY_ASSIGN(order.order_type,
                  wire_param("orderType", order_type, {LinearOrderType::kMarket, LinearOrderType::kLimit}));
  KIMP_TRY_ASSIGN(order.qty, decimal_param(params, "qty"));
  if (find(params, "price")) {
    KIMP_TRY_ASSIGN(order.price, decimal_param(params, "price"));
  }
  if (const auto tif = find(params, "timeInForce")) {
    KIMP_TRY_ASSIGN(order.time_in_force,
                    wire_param("timeInForce", *tif,
                               {LinearTimeInForce::kGtc, LinearTimeInForce::kIoc, LinearTimeInForce::kFok}));
  }
  if (const auto reduce_only = find(params, "reduceOnly")) {
    KIMP_TRY_ASSIGN(order.reduce_only, parse_bool("reduceOnly", *reduce_only));
  }
  if (const auto position_idx = find(params, "positionIdx"); position_idx && *position_idx != "0") {
    return params_error("position idx not match position mode");
  }
  order.order_link_id = std::string(find(params, "orderLinkId").value_or(""));
  const OrderBook* book = exchange_.market().book(Venue::kBybit, order.symbol);
  if (book == nullptr) {
    return params_error("params error: symbol invalid");
  }
  const auto fault =
      draw_order_fault(exchange_.faults(), FaultVenue::kBybit, order.symbol, kPlacementOutcomes);
  const auto drawn = [&fault](OrderOutcome outcome) { return fault && fault->outcome == outcome; };
  if (drawn(OrderOutcome::kReject)) {
    return tl::unexpected(injected_reject(fault->reject_code));
  }
  if (drawn(OrderOutcome::kLateFill)) {
    return place_late(account_id, order, *book, fault->late_by);
  }
  OrderBook faulted;
  if (drawn(OrderOutcome::kNoFill) || drawn(OrderOutcome::kPartialFill)) {
    const TakerSide taker = taker_side(order.side);
    std::vector<FillSlice> offer;
    if (drawn(OrderOutcome::kPartialFill)) {
      const BybitInstrument* instrument = exchange_.market().instruments().find(order.symbol);
      const Decimal step = instrument != nullptr ? instrument->qty_step : Decimal::from_units(1);
      KIMP_TRY_ASSIGN(const Decimal cap, share_of(order.qty, fault->fill_ratio, step));
      KIMP_TRY_ASSIGN(offer, offer_up_to(*book, taker, cap));
    }
    faulted = with_offer(*book, taker, offer);
    book = &faulted;
  }
  KIMP_TRY_ASSIGN(const auto placed,
                  exchange_.ledger().place_linear_order(account_id, order, *book, exchange_.now()));
  if (drawn(OrderOutcome::kInvisible)) {
    effects_.hide(placed.order_id, fault->invisible_for);
  }
  return ok(json::object{{"orderId", placed.order_id}, {"orderLinkId", placed.order_link_id}});
}

Result<HttpResponse> BybitApi::place_late(const std::string& account_id, const LinearOrderRequest& order,
                                          const OrderBook& book, Duration late_by) {
  // A refusal is answered now, never late: the order is tried on a copy of the ledger, which changes
  // nothing the client can see.
  Ledger trial = exchange_.ledger();
  KIMP_TRY(trial.place_linear_order(account_id, order, book, exchange_.now()));
  effects_.schedule(late_by, [this, account_id, order]() -> Status {
    KIMP_TRY(exchange_.sync());
    const OrderBook* current = exchange_.market().book(Venue::kBybit, order.symbol);
    KIMP_TRY(exchange_.ledger().place_linear_order(account_id, order, *current, exchange_.now()));
    return kimp::ok();
  });
  return never_answered();
}

Result<HttpResponse> BybitApi::cancel_order(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto symbol, required(params, "symbol"));
  const auto ref = order_ref(params);
  if (!ref) {
    return params_error("orderId or orderLinkId is required");
  }
  // Bybit looks the order up within the symbol: the same id under another symbol names no order.
  Ledger& ledger = exchange_.ledger();
  KIMP_TRY_ASSIGN(const auto order, ledger.linear_order(account_id, *ref));
  if (order.symbol != symbol) {
    return make_error(ErrorCode::kInvalidArgument, std::string(ret_msg(kOrderNotExists)),
                      std::to_string(kOrderNotExists));
  }
  const bool resting =
      order.status == LinearOrderStatus::kNew || order.status == LinearOrderStatus::kPartiallyFilled;
  if (resting && draw_order_fault(exchange_.faults(), FaultVenue::kBybit, order.symbol, kCancelOutcomes)) {
    // A counterparty reaches the order first: it fills completely at its price, and the cancel that
    // follows finds nothing left to cancel.
    KIMP_TRY(ledger.on_linear_book(
        order.symbol, filling_book(taker_side(order.side), order.price, order.leaves_qty), exchange_.now()));
  }
  KIMP_TRY_ASSIGN(const auto cancelled, ledger.cancel_linear_order(account_id, *ref, exchange_.now()));
  return ok(json::object{{"orderId", cancelled.order_id}, {"orderLinkId", cancelled.order_link_id}});
}

Result<HttpResponse> BybitApi::open_orders(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto limit,
                  int_param(params, "limit", kDefaultOrderListLimit, 1, kMaxOrderListLimit));
  const std::string symbol(find(params, "symbol").value_or(""));
  std::vector<LinearOrder> orders;
  if (const auto ref = order_ref(params)) {
    // Asked by id, Bybit also shows an order that has just closed.
    if (auto order = exchange_.ledger().linear_order(account_id, *ref);
        order && !effects_.hidden(order->order_id)) {
      orders.push_back(std::move(*order));
    }
  } else {
    KIMP_TRY_ASSIGN(orders, exchange_.ledger().linear_open_orders(account_id, symbol));
  }
  json::array list;
  for (const auto& order : orders) {
    if (std::cmp_greater_equal(list.size(), limit)) {
      break;
    }
    if ((symbol.empty() || order.symbol == symbol) && !effects_.hidden(order.order_id)) {
      KIMP_TRY_ASSIGN(auto entry, order_json(order, false));
      list.push_back(std::move(entry));
    }
  }
  return ok(list_result(std::move(list)));
}

Result<HttpResponse> BybitApi::order_history(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto limit,
                  int_param(params, "limit", kDefaultOrderListLimit, 1, kMaxOrderListLimit));
  const std::string symbol(find(params, "symbol").value_or(""));
  KIMP_TRY_ASSIGN(auto orders, exchange_.ledger().linear_order_history(account_id, symbol));
  const auto ref = order_ref(params);
  json::array list;
  for (const auto& order : orders) {
    if ((ref && !names(*ref, order)) || effects_.hidden(order.order_id)) {
      continue;
    }
    if (std::cmp_greater_equal(list.size(), limit)) {
      break;
    }
    KIMP_TRY_ASSIGN(auto entry, order_json(order, true));
    list.push_back(std::move(entry));
  }
  return ok(list_result(std::move(list)));
}

Result<HttpResponse> BybitApi::executions(const Params& params, const std::string& account_id) {
  KIMP_TRY(require_linear(params));
  KIMP_TRY_ASSIGN(const auto limit,
                  int_param(params, "limit", kDefaultExecutionLimit, 1, kMaxExecutionLimit));
  const std::string symbol(find(params, "symbol").value_or(""));
  const auto order_id = find(params, "orderId");
  KIMP_TRY_ASSIGN(const auto fills, exchange_.ledger().linear_executions(account_id, symbol));
  json::array list;
  for (const auto& fill : fills) {
    if ((order_id && *order_id != fill.order_id) || effects_.hidden(fill.order_id)) {
      continue;
    }
    if (std::cmp_greater_equal(list.size(), limit)) {
      break;
    }
    KIMP_TRY_ASSIGN(const auto order,
                    exchange_.ledger().linear_order(account_id, OrderRef{fill.order_id, {}}));
    list.push_back(bybit_execution_record(fill, order, BybitSurface::kRest));
  }
  return ok(list_result(std::move(list)));
}

}  // namespace kimp::sim
