// The emulated Upbit REST API: routing, rate limits, quotation answers with exact JSON numbers, and the
// JWT-authenticated exchange endpoints over the ledger.
#include "sim/server/upbit_api.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>

#include "sim/auth/integer_text.hpp"
#include "sim/server/exact_json.hpp"
#include "sim/server/upbit_market_figures.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

constexpr unsigned kBadRequest = 400;
constexpr unsigned kNotFound = 404;
constexpr unsigned kTooManyRequests = 429;
constexpr unsigned kServerError = 500;

// Quotation errors carry the HTTP status as a numeric name (quotation.yaml, BadRequest / NotFound).
constexpr std::string_view kMissingParameter =
    "Missing request parameter error. Check the required parameters!";
constexpr std::string_view kInvalidParameter = "Invalid parameter. Check the given value!";
constexpr std::string_view kTypeMismatch = "Type mismatch error. Check the parameters type!";
constexpr std::string_view kCodeNotFound = "Code not found";

constexpr std::string_view kRemainingReq = "Remaining-Req";
constexpr std::string_view kKrw = "KRW";

// Upbit's candle and trade endpoints cap how much one request returns.
constexpr std::int64_t kMaxCandles = 200;
constexpr std::int64_t kMaxTicks = 500;
constexpr std::int64_t kMaxOrderbookUnits = 30;
constexpr std::int64_t kMaxOpenOrders = 100;
constexpr std::int64_t kMaxClosedOrders = 1'000;
// The largest KRW order total Upbit accepts (orders/chance max_total).
constexpr std::int64_t kMaxOrderTotalKrw = 1'000'000'000;

HttpResponse upbit_error(unsigned status, std::string name, std::string message) {
  return HttpResponse::json(
      status, UpbitError{static_cast<std::uint16_t>(status), std::move(name), std::move(message)}.to_json());
}

HttpResponse quotation_error(unsigned status, std::string_view message) {
  return HttpResponse::json(
      status, json::serialize(json::object{{"error", json::object{{"name", status}, {"message", message}}}}));
}

HttpResponse validation_error(std::string_view field) {
  return upbit_error(kBadRequest, "validation_error",
                     fmt::format("\"{}\" does not have a valid value", field));
}

HttpResponse server_error(const Error& error) {
  return upbit_error(kServerError, "server_error", error.message);
}

// A ledger refusal with the Upbit name the ledger chose; errors without one are emulator faults.
HttpResponse ledger_error(const Error& error) {
  if (error.venue_code.empty()) {
    return server_error(error);
  }
  const unsigned status = error.venue_code == "order_not_found" ? kNotFound : kBadRequest;
  return upbit_error(status, error.venue_code, error.message);
}

// An optional integer parameter within [1, max], `fallback` when absent; the answer when it is not.
std::variant<std::int64_t, HttpResponse> bounded_count(const UpbitParameters& query, std::string_view key,
                                                       std::int64_t fallback, std::int64_t max,
                                                       bool quotation) {
  const auto text = query.get(key);
  if (!text) {
    return fallback;
  }
  const auto value = parse_integer(*text);
  if (!value || *value < 1 || *value > max) {
    if (quotation) {
      return quotation_error(kBadRequest, value ? kInvalidParameter : kTypeMismatch);
    }
    return validation_error(key);
  }
  return *value;
}

// "2025-06-24T04:56:53Z", "2025-06-24T13:56:53+09:00", zone-less UTC "2025-06-24 04:56:53", or epoch ms.
std::optional<Timestamp> parse_time(std::string text) {
  if (const auto ms = parse_integer(text)) {
    const auto at = Timestamp::from_ms(*ms);
    return at ? std::optional<Timestamp>(*at) : std::nullopt;
  }
  std::replace(text.begin(), text.end(), ' ', 'T');
  if (auto at = Timestamp::parse_iso8601(text)) {
    return *at;
  }
  if (auto at = Timestamp::parse_iso8601_local(text, std::chrono::minutes(0))) {
    return *at;
  }
  return std::nullopt;
}

Timestamp in_kst(Timestamp at) {
  return at + kKstUtcOffset;
}
// Upbit's order times: KST with the offset written, "2025-07-04T14:14:00+09:00".
std::string kst_time(Timestamp at) {
  return iso_seconds(in_kst(at)) + "+09:00";
}
std::string kst_time_ms(Timestamp at) {
  return in_kst(at).to_iso8601().substr(0, 23) + "+09:00";
}
std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    parts.emplace_back(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::string base_currency(std::string_view market) {
  const auto dash = market.find('-');
  return std::string(dash == std::string_view::npos ? market : market.substr(dash + 1));
}

// Names /v1/market/all shows for the coins the emulator trades.
struct CoinNames {
  std::string_view coin;
  std::string_view korean;
  std::string_view english;
};
constexpr std::array<CoinNames, 6> kCoinNames{{{"BTC", "비트코인", "Bitcoin"},
                                               {"ETH", "이더리움", "Ethereum"},
                                               {"SOL", "솔라나", "Solana"},
                                               {"XRP", "엑스알피(리플)", "XRP"},
                                               {"DOGE", "도지코인", "Dogecoin"},
                                               {"USDT", "테더", "Tether"}}};

json::object balance_json(const UpbitBalance& balance) {
  return json::object{
      {"currency", balance.currency},         {"balance", balance.balance.to_string()},
      {"locked", balance.locked.to_string()}, {"avg_buy_price", balance.avg_buy_price.to_string()},
      {"avg_buy_price_modified", false},      {"unit_currency", kKrw}};
}

// An order as Upbit's exchange API shows it: amounts as strings, optional fields only when set.
json::object order_json(const UpbitOrder& order) {
  json::object out{{"uuid", order.uuid},
                   {"side", to_string(order.side)},
                   {"ord_type", to_string(order.ord_type)},
                   {"state", to_string(order.state)},
                   {"market", order.market},
                   {"created_at", kst_time(order.created_at)},
                   {"remaining_volume", order.remaining_volume.to_string()},
                   {"executed_volume", order.executed_volume.to_string()},
                   {"executed_funds", order.executed_funds.to_string()},
                   {"reserved_fee", order.reserved_fee.to_string()},
                   {"remaining_fee", order.remaining_fee.to_string()},
                   {"paid_fee", order.paid_fee.to_string()},
                   {"locked", order.locked.to_string()},
                   {"prevented_volume", "0"},
                   {"prevented_locked", "0"},
                   {"trades_count", order.trades_count}};
  if (order.price) {
    out["price"] = order.price->to_string();
  }
  if (order.volume) {
    out["volume"] = order.volume->to_string();
  }
  if (order.time_in_force) {
    out["time_in_force"] = to_string(*order.time_in_force);
  }
  if (!order.identifier.empty()) {
    out["identifier"] = order.identifier;
  }
  return out;
}

json::object trade_json(const UpbitTrade& trade) {
  return json::object{{"market", trade.market},
                      {"uuid", trade.uuid},
                      {"price", trade.price.to_string()},
                      {"volume", trade.volume.to_string()},
                      {"funds", trade.funds.to_string()},
                      {"trend", trade.side == UpbitSide::kBid ? "up" : "down"},
                      {"created_at", kst_time_ms(trade.created_at)},
                      {"side", to_string(trade.side)}};
}

HttpResponse json_answer(unsigned status, const json::value& body) {
  return HttpResponse::json(status, serialize_exact(body));
}

// The refusal of an order whose total passes orders/chance's max_total, checked before the ledger does
// arithmetic on it: price × volume of a limit order, the price of a price order, volume × the best bid
// of a market ask. A total too large for a Decimal is over the maximum too. nullopt when the total is
// within it or cannot be told yet (fields missing: the ledger names that error).
std::optional<HttpResponse> over_max_total(const UpbitOrderRequest& order, const OrderBook& book) {
  const Decimal max_total = Decimal::from_units(kMaxOrderTotalKrw * Decimal::kUnitsPerOne);
  Result<Decimal> total = Decimal();
  std::string_view field = "price";
  switch (order.ord_type) {
    case UpbitOrdType::kLimit:
      if (!order.price || !order.volume) {
        return std::nullopt;
      }
      total = order.price->mul(*order.volume);
      break;
    case UpbitOrdType::kPrice:
      if (!order.price) {
        return std::nullopt;
      }
      total = *order.price;
      break;
    case UpbitOrdType::kMarket:
      if (!order.volume || book.bids.empty()) {
        return std::nullopt;
      }
      field = "volume";
      total = order.volume->mul(book.bids.front().price);
      break;
  }
  if (total && *total <= max_total) {
    return std::nullopt;
  }
  return validation_error(field);
}

// A ledger refusal of an order placement. Past the max_total check, an error without an Upbit name is
// still the order's numbers leaving the Decimal range: the client's values, not an emulator fault.
HttpResponse placement_error(const Error& error) {
  if (error.venue_code.empty() && error.code == ErrorCode::kInvalidArgument) {
    return upbit_error(kBadRequest, "validation_error", error.message);
  }
  return ledger_error(error);
}

// Upbit's status and message for the error names an order may be refused with (Upbit's list of REST
// error codes; exchange.yaml for market_offline). Injected rejects answer with them.
struct UpbitRefusal {
  std::string_view name;
  unsigned status;
  std::string_view message;
};
constexpr std::string_view kFundsShort = "매수/매도 가능 잔고가 부족합니다.";
constexpr std::string_view kUnderMinTotal = "주문 요청 금액이 최소 주문 금액 미만입니다.";
constexpr std::string_view kBadOrderFields = "주문 요청 정보가 올바르지 않습니다.";
constexpr std::string_view kBadApiRequest = "잘못된 API 요청입니다.";
constexpr std::array<UpbitRefusal, 8> kOrderRefusals{{
    {"insufficient_funds_bid", kBadRequest, kFundsShort},
    {"insufficient_funds_ask", kBadRequest, kFundsShort},
    {"under_min_total_bid", kBadRequest, kUnderMinTotal},
    {"under_min_total_ask", kBadRequest, kUnderMinTotal},
    {"create_bid_error", kBadRequest, kBadOrderFields},
    {"create_ask_error", kBadRequest, kBadOrderFields},
    {"validation_error", kBadRequest, kBadApiRequest},
    {"market_offline", 403, "시스템 점검 중입니다. 점검이 완료된 후에 다시 시도해주세요."},
}};

// The answer to an injected reject named `name`; a name outside the list answers 400 with Upbit's
// generic message for a bad request.
HttpResponse injected_reject(const std::string& name) {
  const auto found = std::find_if(kOrderRefusals.begin(), kOrderRefusals.end(),
                                  [&name](const UpbitRefusal& refusal) { return refusal.name == name; });
  if (found == kOrderRefusals.end()) {
    return upbit_error(kBadRequest, name, std::string(kBadApiRequest));
  }
  return upbit_error(found->status, name, std::string(found->message));
}

// Upbit volumes and KRW amounts carry 8 decimals: a partial fill may give any multiple of 10^-8.
constexpr Decimal kUpbitStep = Decimal::from_units(1);

TakerSide taker_side(UpbitSide side) {
  return side == UpbitSide::kBid ? TakerSide::kBuy : TakerSide::kSell;
}

// `book` as an injected no_fill (`ratio` 0) or partial_fill outcome shows it to `order`: the side the
// order takes from offers at most `ratio` of its volume (of its KRW amount for a price order). Missing
// or bad fields offer nothing; the ledger names their error. Errors: kInvalidArgument on overflow.
Result<OrderBook> offered_book(const UpbitOrderRequest& order, const OrderBook& book, double ratio) {
  const TakerSide taker = taker_side(order.side);
  std::vector<FillSlice> offer;
  if (ratio > 0.0 && order.ord_type == UpbitOrdType::kPrice) {
    KIMP_TRY_ASSIGN(const Decimal cap, share_of(order.price.value_or(Decimal()), ratio, kUpbitStep));
    if (cap.is_positive()) {
      KIMP_TRY_ASSIGN(offer, take_amount(book.asks, cap));
    }
  } else if (ratio > 0.0) {
    KIMP_TRY_ASSIGN(const Decimal cap, share_of(order.volume.value_or(Decimal()), ratio, kUpbitStep));
    KIMP_TRY_ASSIGN(offer, offer_up_to(book, taker, cap));
  }
  return with_offer(book, taker, offer);
}

// States a list request asks for: `state` (comma separated) or `states[]`, not both; each in `allowed`.
// nullopt when the request is malformed.
std::optional<std::set<std::string>> requested_states(const UpbitParameters& query,
                                                      const std::set<std::string>& allowed,
                                                      const std::set<std::string>& fallback) {
  const auto single = query.get("state");
  auto listed = query.all("states[]");
  if (single && !listed.empty()) {
    return std::nullopt;
  }
  if (single) {
    listed = split(*single, ',');
  }
  if (listed.empty()) {
    return fallback;
  }
  std::set<std::string> states;
  for (auto& state : listed) {
    if (!allowed.contains(state)) {
      return std::nullopt;
    }
    states.insert(std::move(state));
  }
  return states;
}

TokenBucketConfig per_second(std::int32_t rate) {
  return TokenBucketConfig{rate, std::chrono::seconds(1), rate};
}

}  // namespace

// ---- UpbitApi: wiring ----

UpbitApi::UpbitApi(Exchange& exchange, const Clock& clock)
    : exchange_(exchange),
      clock_(clock),
      authenticator_([&exchange](std::string_view key) { return exchange.upbit_key(key); }),
      router_([](const HttpRequest&, bool path_known) {
        return path_known ? quotation_error(405, "Method Not Allowed")
                          : quotation_error(kNotFound, "Not Found");
      }),
      effects_(exchange.clock(), FaultVenue::kUpbit) {}

Result<std::unique_ptr<UpbitApi>> UpbitApi::create(Exchange& exchange, const Clock& clock) {
  auto api = std::unique_ptr<UpbitApi>(new UpbitApi(exchange, clock));
  const RateLimitConfig& limits = exchange.config().rate_limits;
  for (const char* name : {"market", "ticker", "candles", "orderbook", "trades"}) {
    api->groups_.emplace(name, Group{name, per_second(limits.upbit_quotation)});
  }
  api->groups_.emplace("default", Group{"default", per_second(limits.upbit_default)});
  api->groups_.emplace("order", Group{"order", per_second(limits.upbit_order)});
  for (const auto& [name, group] : api->groups_) {
    KIMP_TRY(TokenBucket::create(group.config, clock).map([](auto&&) {}));
  }

  UpbitApi& self = *api;
  self.add_quotation("/v1/market/all", "market",
                     [&self](const UpbitParameters& q, const RouteParams&) { return self.market_all(q); });
  self.add_quotation("/v1/ticker", "ticker",
                     [&self](const UpbitParameters& q, const RouteParams&) { return self.ticker(q); });
  self.add_quotation("/v1/orderbook", "orderbook",
                     [&self](const UpbitParameters& q, const RouteParams&) { return self.orderbook(q); });
  self.add_quotation(
      "/v1/orderbook/instruments", "orderbook",
      [&self](const UpbitParameters& q, const RouteParams&) { return self.orderbook_instruments(q); });
  self.add_quotation("/v1/candles/minutes/{unit}", "candles",
                     [&self](const UpbitParameters& q, const RouteParams& p) {
                       return self.minute_candles(q, p.get("unit"));
                     });
  self.add_quotation("/v1/candles/seconds", "candles", [&self](const UpbitParameters& q, const RouteParams&) {
    return self.second_candles(q);
  });
  self.add_quotation("/v1/trades/ticks", "trades",
                     [&self](const UpbitParameters& q, const RouteParams&) { return self.trade_ticks(q); });

  self.add_exchange(HttpMethod::kGet, "/v1/accounts", "default",
                    [&self](const Caller& c) { return self.accounts(c); });
  self.add_exchange(HttpMethod::kGet, "/v1/orders/chance", "default",
                    [&self](const Caller& c) { return self.order_chance(c); });
  self.add_exchange(HttpMethod::kPost, "/v1/orders", "order",
                    [&self](const Caller& c) { return self.create_order(c); });
  self.add_exchange(HttpMethod::kGet, "/v1/order", "default",
                    [&self](const Caller& c) { return self.get_order(c); });
  self.add_exchange(HttpMethod::kDelete, "/v1/order", "default",
                    [&self](const Caller& c) { return self.cancel_order(c); });
  self.add_exchange(HttpMethod::kGet, "/v1/orders/open", "default",
                    [&self](const Caller& c) { return self.open_orders(c); });
  self.add_exchange(HttpMethod::kGet, "/v1/orders/closed", "default",
                    [&self](const Caller& c) { return self.closed_orders(c); });
  return api;
}

HttpResponse UpbitApi::injected_failure(HttpVerdict::Action action) {
  return action == HttpVerdict::Action::kRateLimit
             ? upbit_error(kTooManyRequests, "too_many_requests", "Too many API requests.")
             : upbit_error(kServerError, "server_error", "Internal server error.");
}

HttpResponse UpbitApi::handle(const HttpRequest& request) {
  effects_.forget_visible();
  if (auto synced = exchange_.sync(); !synced) {
    return server_error(synced.error());
  }
  return router_.route(request);
}

bool UpbitApi::admit(const std::string& key, const Group& group, HttpResponse& response) {
  const std::string bucket_key = key + "/" + group.name;
  auto found = buckets_.find(bucket_key);
  if (found == buckets_.end()) {
    // The configuration was validated in create(), so the bucket can be made.
    found = buckets_.emplace(bucket_key, *TokenBucket::create(group.config, clock_)).first;
  }
  const bool admitted = found->second.try_acquire();
  if (!admitted) {
    response = injected_failure(HttpVerdict::Action::kRateLimit);
  }
  // `min` is deprecated and fixed at Upbit; it shows the nominal allowance of one minute.
  response.headers.emplace_back(kRemainingReq,
                                fmt::format("group={}; min={}; sec={}", group.name, group.config.tokens * 60,
                                            found->second.available()));
  return admitted;
}

void UpbitApi::add_quotation(std::string_view pattern, const std::string& group, QuotationHandler handler) {
  router_.add(HttpMethod::kGet, pattern,
              [this, &limits = groups_.at(group), handler = std::move(handler)](const HttpRequest& request,
                                                                                const RouteParams& params) {
                HttpResponse response;
                if (!admit("*", limits, response)) {
                  return response;
                }
                auto headers = std::move(response.headers);
                const auto query = UpbitParameters::from_query(request.query);
                response = query ? handler(*query, params) : quotation_error(kBadRequest, kInvalidParameter);
                response.headers.insert(response.headers.end(), headers.begin(), headers.end());
                return response;
              });
}

void UpbitApi::add_exchange(HttpMethod method, std::string_view pattern, const std::string& group,
                            ExchangeHandler handler) {
  router_.add(method, pattern,
              [this, &limits = groups_.at(group), handler = std::move(handler)](const HttpRequest& request,
                                                                                const RouteParams&) {
                const auto authorized = authenticator_.authenticate(
                    UpbitSignedRequest{request.header("Authorization"), request.header("Content-Type"),
                                       request.query, request.body},
                    exchange_.now());
                if (!authorized) {
                  return HttpResponse::json(authorized.error().http_status, authorized.error().to_json());
                }
                HttpResponse response;
                if (!admit(authorized->caller.account_id, limits, response)) {
                  return response;
                }
                auto headers = std::move(response.headers);
                response = handler(Caller{authorized->parameters, authorized->caller.account_id});
                response.headers.insert(response.headers.end(), headers.begin(), headers.end());
                return response;
              });
}

// ---- Quotation ----

HttpResponse UpbitApi::market_all(const UpbitParameters& query) const {
  const auto details_text = query.get("is_details").value_or("false");
  if (details_text != "true" && details_text != "false") {
    return quotation_error(kBadRequest, kTypeMismatch);
  }
  json::array out;
  for (const auto& market : exchange_.market().symbols(Venue::kUpbit)) {
    const std::string coin = base_currency(market);
    const auto names = std::find_if(kCoinNames.begin(), kCoinNames.end(),
                                    [&coin](const CoinNames& entry) { return entry.coin == coin; });
    const bool named = names != kCoinNames.end();
    json::object entry{{"market", market},
                       {"korean_name", named ? names->korean : std::string_view(coin)},
                       {"english_name", named ? names->english : std::string_view(coin)}};
    if (details_text == "true") {
      json::object caution;
      for (const char* name : {"PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING", "DEPOSIT_AMOUNT_SOARING",
                               "GLOBAL_PRICE_DIFFERENCES", "CONCENTRATION_OF_SMALL_ACCOUNTS"}) {
        caution[name] = false;
      }
      entry["market_event"] = json::object{{"warning", false}, {"caution", std::move(caution)}};
    }
    out.push_back(std::move(entry));
  }
  return json_answer(200, out);
}

HttpResponse UpbitApi::ticker(const UpbitParameters& query) const {
  const auto markets = query.get("markets");
  if (!markets) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  const MarketModel& model = exchange_.market();
  json::array out;
  for (const auto& market : split(*markets, ',')) {
    const auto stats = model.ticker(Venue::kUpbit, market);
    const auto candles = all_candles(model, market);
    if (!stats || !candles) {
      return quotation_error(kNotFound, kCodeNotFound);
    }
    const DayStats day = day_stats(*candles, model.now());
    const Decimal last = stats->last_price;
    const auto signed_change = last.sub(day.prev_close);
    const auto change = signed_change ? signed_change->abs() : signed_change;
    if (!change) {
      return server_error(change.error());
    }
    const double prev = day.prev_close.to_double();
    const double signed_rate = prev > 0.0 ? signed_change->to_double() / prev : 0.0;
    const std::string utc = iso_seconds(model.now());
    const std::string kst = iso_seconds(in_kst(model.now()));
    const std::string_view direction = change_direction(*signed_change);
    const Candle* year_high = day.year_high;
    const Candle* year_low = day.year_low;
    const auto date_of = [&](const Candle* candle) {
      return iso_seconds(candle != nullptr ? candle->open_time : model.now()).substr(0, 10);
    };
    out.push_back(
        json::object{{"market", market},
                     {"trade_date", compact_date(utc)},
                     {"trade_time", compact_time(utc)},
                     {"trade_date_kst", compact_date(kst)},
                     {"trade_time_kst", compact_time(kst)},
                     {"trade_timestamp", model.now().ms()},
                     {"opening_price", exact_number(day.open)},
                     {"high_price", exact_number(day.high)},
                     {"low_price", exact_number(day.low)},
                     {"trade_price", exact_number(last)},
                     {"prev_closing_price", exact_number(day.prev_close)},
                     {"change", direction},
                     {"change_price", exact_number(*change)},
                     {"change_rate", std::abs(signed_rate)},
                     {"signed_change_price", exact_number(*signed_change)},
                     {"signed_change_rate", signed_rate},
                     {"trade_volume", day.last_volume},
                     {"acc_trade_price", day.turnover},
                     {"acc_trade_price_24h", stats->turnover_24h},
                     {"acc_trade_volume", day.volume},
                     {"acc_trade_volume_24h", volume_number(stats->volume_24h)},
                     {"highest_52_week_price", exact_number(year_high != nullptr ? year_high->high : last)},
                     {"highest_52_week_date", date_of(year_high)},
                     {"lowest_52_week_price", exact_number(year_low != nullptr ? year_low->low : last)},
                     {"lowest_52_week_date", date_of(year_low)},
                     {"timestamp", exchange_.now().ms()}});
  }
  return json_answer(200, out);
}

HttpResponse UpbitApi::orderbook(const UpbitParameters& query) const {
  const auto markets = query.get("markets");
  if (!markets) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  const auto level = Decimal::parse(query.get("level").value_or("0"));
  if (!level || level->is_negative()) {
    return quotation_error(kBadRequest, kInvalidParameter);
  }
  const auto count = bounded_count(query, "count", kMaxOrderbookUnits, kMaxOrderbookUnits, true);
  if (const auto* refusal = std::get_if<HttpResponse>(&count)) {
    return *refusal;
  }
  const auto units = static_cast<std::size_t>(std::get<std::int64_t>(count));
  json::array out;
  for (const auto& market : split(*markets, ',')) {
    const OrderBook* book = exchange_.market().book(Venue::kUpbit, market);
    if (book == nullptr) {
      return quotation_error(kNotFound, kCodeNotFound);
    }
    const auto levels = supported_levels(book_tick(market, *book));
    if (std::find(levels.begin(), levels.end(), *level) == levels.end()) {
      continue;  // Upbit leaves out markets that do not support the requested grouping
    }
    const auto bids = grouped(book->bids, *level, RoundingMode::kDown);
    const auto asks = grouped(book->asks, *level, RoundingMode::kUp);
    if (!bids || !asks) {
      return server_error(bids ? asks.error() : bids.error());
    }
    const std::size_t shown = std::min({units, bids->size(), asks->size()});
    Decimal total_bid;
    Decimal total_ask;
    json::array unit_list;
    for (std::size_t i = 0; i < shown; ++i) {
      const auto bid_sum = total_bid.add((*bids)[i].quantity);
      const auto ask_sum = total_ask.add((*asks)[i].quantity);
      if (!bid_sum || !ask_sum) {
        return server_error(bid_sum ? ask_sum.error() : bid_sum.error());
      }
      total_bid = *bid_sum;
      total_ask = *ask_sum;
      unit_list.push_back(json::object{{"ask_price", exact_number((*asks)[i].price)},
                                       {"bid_price", exact_number((*bids)[i].price)},
                                       {"ask_size", exact_number((*asks)[i].quantity)},
                                       {"bid_size", exact_number((*bids)[i].quantity)}});
    }
    out.push_back(json::object{{"market", market},
                               {"timestamp", book->ts_event.ms()},
                               {"total_ask_size", exact_number(total_ask)},
                               {"total_bid_size", exact_number(total_bid)},
                               {"orderbook_units", std::move(unit_list)},
                               {"level", exact_number(*level)}});
  }
  return json_answer(200, out);
}

HttpResponse UpbitApi::orderbook_instruments(const UpbitParameters& query) const {
  const auto markets = query.get("markets");
  if (!markets) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  json::array out;
  for (const auto& market : split(*markets, ',')) {
    const OrderBook* book = exchange_.market().book(Venue::kUpbit, market);
    if (book == nullptr) {
      return quotation_error(kNotFound, kCodeNotFound);
    }
    const Decimal tick = book_tick(market, *book);
    json::array levels;
    for (const Decimal level : supported_levels(tick)) {
      levels.emplace_back(level.to_string());
    }
    out.push_back(json::object{{"market", market},
                               {"quote_currency", market.substr(0, market.find('-'))},
                               {"tick_size", exact_number(tick)},
                               {"supported_levels", std::move(levels)}});
  }
  return json_answer(200, out);
}

namespace {

// A candle as Upbit's candle endpoints show it; `last_tick` is when its last trade happened.
json::object candle_json(std::string_view market, const Candle& candle, Timestamp last_tick) {
  return json::object{{"market", market},
                      {"candle_date_time_utc", iso_seconds(candle.open_time)},
                      {"candle_date_time_kst", iso_seconds(in_kst(candle.open_time))},
                      {"opening_price", exact_number(candle.open)},
                      {"high_price", exact_number(candle.high)},
                      {"low_price", exact_number(candle.low)},
                      {"trade_price", exact_number(candle.close)},
                      {"timestamp", last_tick.ms()},
                      {"candle_acc_trade_price", candle.turnover},
                      {"candle_acc_trade_volume", candle.volume}};
}

// The `to` parameter of the candle endpoints. Returns false after setting `refusal` when it is malformed.
bool candle_end(const UpbitParameters& query, std::optional<Timestamp>& to, HttpResponse& refusal) {
  if (const auto text = query.get("to")) {
    to = parse_time(*text);
    if (!to) {
      refusal = quotation_error(kBadRequest, kInvalidParameter);
      return false;
    }
  }
  return true;
}

}  // namespace

HttpResponse UpbitApi::minute_candles(const UpbitParameters& query, std::string_view unit_text) const {
  const auto unit = parse_integer(unit_text);
  constexpr std::array<std::int64_t, 8> kUnits{1, 3, 5, 10, 15, 30, 60, 240};
  if (!unit || std::find(kUnits.begin(), kUnits.end(), *unit) == kUnits.end()) {
    return quotation_error(kBadRequest, kInvalidParameter);
  }
  const auto market = query.get("market");
  if (!market) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  const auto count = bounded_count(query, "count", 1, kMaxCandles, true);
  if (const auto* refusal = std::get_if<HttpResponse>(&count)) {
    return *refusal;
  }
  std::optional<Timestamp> to;
  if (HttpResponse refusal; !candle_end(query, to, refusal)) {
    return refusal;
  }
  const MarketModel& model = exchange_.market();
  const auto minutes = all_candles(model, *market);
  if (!minutes) {
    return quotation_error(kNotFound, kCodeNotFound);
  }
  const Duration width = std::chrono::minutes(*unit);
  std::vector<Candle> buckets;
  for (const Candle& minute : *minutes) {
    const Timestamp start = floor_to(minute.open_time, width);
    if (!buckets.empty() && buckets.back().open_time == start) {
      Candle& bucket = buckets.back();
      bucket.high = std::max(bucket.high, minute.high);
      bucket.low = std::min(bucket.low, minute.low);
      bucket.close = minute.close;
      bucket.volume += minute.volume;
      bucket.turnover += minute.turnover;
    } else {
      buckets.push_back(minute);
      buckets.back().open_time = start;
    }
  }
  json::array out;
  const auto wanted = static_cast<std::size_t>(std::get<std::int64_t>(count));
  for (auto bucket = buckets.rbegin(); bucket != buckets.rend() && out.size() < wanted; ++bucket) {
    if (to && bucket->open_time >= *to) {
      continue;
    }
    const Timestamp last_tick =
        std::min(bucket->open_time + width - std::chrono::milliseconds(1), model.now());
    json::object candle = candle_json(*market, *bucket, last_tick);
    candle["unit"] = *unit;
    out.push_back(std::move(candle));
  }
  return json_answer(200, out);
}

// The model keeps minute resolution, so the one second candle it can state honestly is the current
// second at the last traded price; it carries no volume of its own.
HttpResponse UpbitApi::second_candles(const UpbitParameters& query) const {
  const auto market = query.get("market");
  if (!market) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  const auto count = bounded_count(query, "count", 1, kMaxCandles, true);
  if (const auto* refusal = std::get_if<HttpResponse>(&count)) {
    return *refusal;
  }
  std::optional<Timestamp> to;
  if (HttpResponse refusal; !candle_end(query, to, refusal)) {
    return refusal;
  }
  const MarketModel& model = exchange_.market();
  const auto stats = model.ticker(Venue::kUpbit, *market);
  if (!stats) {
    return quotation_error(kNotFound, kCodeNotFound);
  }
  const Timestamp second = floor_to(model.now(), std::chrono::seconds(1));
  const Decimal price = stats->last_price;
  json::array out;
  if (!to || second < *to) {
    out.push_back(candle_json(*market, Candle{second, price, price, price, price, 0.0, 0.0}, model.now()));
  }
  return json_answer(200, out);
}

// The tape is the emulator's own executions (every account's fills), newest first: the model's
// synthetic flow has no individual trades.
HttpResponse UpbitApi::trade_ticks(const UpbitParameters& query) const {
  const auto market = query.get("market");
  if (!market) {
    return quotation_error(kBadRequest, kMissingParameter);
  }
  const auto count = bounded_count(query, "count", 1, kMaxTicks, true);
  if (const auto* refusal = std::get_if<HttpResponse>(&count)) {
    return *refusal;
  }
  const MarketModel& model = exchange_.market();
  const auto candles = all_candles(model, *market);
  if (!candles) {
    return quotation_error(kNotFound, kCodeNotFound);
  }
  const std::vector<UpbitTrade> trades = exchange_.ledger().upbit_market_trades(*market);
  const std::vector<std::int64_t> ids = sequential_ids(trades);
  const Decimal prev_close = day_stats(*candles, model.now()).prev_close;
  json::array out;
  const auto wanted = static_cast<std::size_t>(std::get<std::int64_t>(count));
  for (std::size_t i = trades.size(); i-- > 0 && out.size() < wanted;) {
    const UpbitTrade& trade = trades[i];
    const auto change = trade.price.sub(prev_close);
    if (!change) {
      return server_error(change.error());
    }
    const std::string utc = trade.created_at.to_iso8601();
    out.push_back(json::object{{"market", *market},
                               {"trade_date_utc", utc.substr(0, 10)},
                               {"trade_time_utc", utc.substr(11, 8)},
                               {"timestamp", trade.created_at.ms()},
                               {"trade_price", exact_number(trade.price)},
                               {"trade_volume", exact_number(trade.volume)},
                               {"prev_closing_price", exact_number(prev_close)},
                               {"change_price", exact_number(*change)},
                               {"ask_bid", buyer_aggressor(trade) ? "BID" : "ASK"},
                               {"sequential_id", ids[i]}});
  }
  return json_answer(200, out);
}

// ---- Exchange ----

HttpResponse UpbitApi::accounts(const Caller& caller) const {
  const auto balances = exchange_.ledger().upbit_balances(caller.account_id);
  if (!balances) {
    return ledger_error(balances.error());
  }
  json::array out;
  for (const auto& balance : *balances) {
    out.push_back(balance_json(balance));
  }
  return json_answer(200, out);
}

HttpResponse UpbitApi::order_chance(const Caller& caller) const {
  const auto market = caller.params.get("market");
  if (!market || exchange_.market().book(Venue::kUpbit, *market) == nullptr) {
    return validation_error("market");
  }
  const Decimal fee = exchange_.ledger().fees().upbit_rate;
  const auto balances = exchange_.ledger().upbit_balances(caller.account_id);
  if (!balances) {
    return ledger_error(balances.error());
  }
  const std::string quote = market->substr(0, market->find('-'));
  const std::string base = base_currency(*market);
  const auto account_of = [&](const std::string& currency) {
    const auto found = std::find_if(balances->begin(), balances->end(), [&](const UpbitBalance& balance) {
      return balance.currency == currency;
    });
    return balance_json(found == balances->end() ? UpbitBalance{.currency = currency} : *found);
  };
  const std::string min_total = kUpbitMinOrderKrw.to_string();
  const std::string rate = fee.to_string();
  // Upbit answers orders/chance with one object (exchange.yaml's schema wraps it in an array).
  const json::object out{
      {"bid_fee", rate},
      {"ask_fee", rate},
      {"maker_bid_fee", rate},
      {"maker_ask_fee", rate},
      {"market", json::object{{"id", *market},
                              {"name", base + "/" + quote},
                              {"order_types", json::array{"limit"}},
                              {"order_sides", json::array{"ask", "bid"}},
                              {"bid_types", json::array{"limit", "price"}},
                              {"ask_types", json::array{"limit", "market"}},
                              {"bid", json::object{{"currency", quote}, {"min_total", min_total}}},
                              {"ask", json::object{{"currency", base}, {"min_total", min_total}}},
                              {"max_total", std::to_string(kMaxOrderTotalKrw)},
                              {"state", "active"}}},
      {"bid_account", account_of(quote)},
      {"ask_account", account_of(base)}};
  return json_answer(200, out);
}

HttpResponse UpbitApi::create_order(const Caller& caller) {
  const UpbitParameters& params = caller.params;
  UpbitOrderRequest order;
  const auto market = params.get("market");
  if (!market) {
    return validation_error("market");
  }
  order.market = *market;
  const auto side = from_wire(params.get("side").value_or(""), {UpbitSide::kBid, UpbitSide::kAsk});
  if (!side) {
    return validation_error("side");
  }
  order.side = *side;
  const auto ord_type = from_wire(params.get("ord_type").value_or("limit"),
                                  {UpbitOrdType::kLimit, UpbitOrdType::kPrice, UpbitOrdType::kMarket});
  if (!ord_type) {
    return validation_error("ord_type");
  }
  order.ord_type = *ord_type;
  for (const auto& [name, target] : {std::pair{"price", &order.price}, std::pair{"volume", &order.volume}}) {
    if (const auto text = params.get(name)) {
      const auto value = Decimal::parse(*text);
      if (!value) {
        return validation_error(name);
      }
      *target = *value;
    }
  }
  if (const auto tif = params.get("time_in_force")) {
    order.time_in_force = from_wire(*tif, {UpbitTimeInForce::kIoc, UpbitTimeInForce::kFok});
    if (!order.time_in_force) {
      return validation_error("time_in_force");
    }
  }
  order.identifier = params.get("identifier").value_or("");
  const OrderBook* book = exchange_.market().book(Venue::kUpbit, order.market);
  if (book == nullptr) {
    return validation_error("market");
  }
  if (const auto refusal = over_max_total(order, *book)) {
    return *refusal;
  }
  const auto fault =
      draw_order_fault(exchange_.faults(), FaultVenue::kUpbit, order.market, kPlacementOutcomes);
  const auto drawn = [&fault](OrderOutcome outcome) { return fault && fault->outcome == outcome; };
  if (drawn(OrderOutcome::kReject)) {
    return injected_reject(fault->reject_code);
  }
  if (drawn(OrderOutcome::kLateFill)) {
    return place_late(caller.account_id, order, *book, fault->late_by);
  }
  OrderBook faulted;
  if (drawn(OrderOutcome::kNoFill) || drawn(OrderOutcome::kPartialFill)) {
    auto offered = offered_book(order, *book, drawn(OrderOutcome::kPartialFill) ? fault->fill_ratio : 0.0);
    if (!offered) {
      return server_error(offered.error());
    }
    faulted = std::move(*offered);
    book = &faulted;
  }
  const auto placed = exchange_.ledger().place_upbit_order(caller.account_id, order, *book, exchange_.now());
  if (!placed) {
    return placement_error(placed.error());
  }
  if (drawn(OrderOutcome::kInvisible)) {
    effects_.hide(placed->uuid, fault->invisible_for);
  }
  return json_answer(201, order_json(*placed));
}

HttpResponse UpbitApi::place_late(const std::string& account_id, const UpbitOrderRequest& order,
                                  const OrderBook& book, Duration late_by) {
  // A refusal is answered now, never late: the order is tried on a copy of the ledger, which changes
  // nothing the client can see.
  Ledger trial = exchange_.ledger();
  if (const auto tried = trial.place_upbit_order(account_id, order, book, exchange_.now()); !tried) {
    return placement_error(tried.error());
  }
  effects_.schedule(late_by, [this, account_id, order]() -> Status {
    KIMP_TRY(exchange_.sync());
    const OrderBook* current = exchange_.market().book(Venue::kUpbit, order.market);
    KIMP_TRY(exchange_.ledger().place_upbit_order(account_id, order, *current, exchange_.now()));
    return ok();
  });
  return never_answered();
}

namespace {

// uuid= or identifier= of a single-order request; nullopt when neither was sent.
std::optional<OrderRef> order_ref(const UpbitParameters& query) {
  OrderRef ref{query.get("uuid").value_or(""), query.get("identifier").value_or("")};
  if (ref.venue_id.empty() && ref.client_id.empty()) {
    return std::nullopt;
  }
  return ref;
}

}  // namespace

HttpResponse UpbitApi::get_order(const Caller& caller) const {
  const auto ref = order_ref(caller.params);
  if (!ref) {
    return validation_error("uuid");
  }
  const Ledger& ledger = exchange_.ledger();
  auto order = ledger.upbit_order(caller.account_id, *ref);
  if (order && effects_.hidden(order->uuid)) {
    // Not visible yet: the ledger's own answer for an order it does not hold.
    order = ledger.upbit_order(caller.account_id, OrderRef{});
  }
  const auto trades =
      order ? ledger.upbit_trades(caller.account_id, *ref) : Result<std::vector<UpbitTrade>>();
  if (!order || !trades) {
    return ledger_error(order ? trades.error() : order.error());
  }
  json::object out = order_json(*order);
  json::array trade_list;
  for (const auto& trade : *trades) {
    trade_list.push_back(trade_json(trade));
  }
  out["trades"] = std::move(trade_list);
  return json_answer(200, out);
}

HttpResponse UpbitApi::cancel_order(const Caller& caller) {
  const auto ref = order_ref(caller.params);
  if (!ref) {
    return validation_error("uuid");
  }
  Ledger& ledger = exchange_.ledger();
  const auto order = ledger.upbit_order(caller.account_id, *ref);
  if (order && order->state == UpbitOrderState::kWait && order->price &&
      draw_order_fault(exchange_.faults(), FaultVenue::kUpbit, order->market, kCancelOutcomes)) {
    // A counterparty reaches the order first: it fills completely at its price, and the cancel that
    // follows finds it no longer waiting.
    const OrderBook filling = filling_book(taker_side(order->side), *order->price, order->remaining_volume);
    if (auto filled = ledger.on_upbit_book(order->market, filling, exchange_.now()); !filled) {
      return server_error(filled.error());
    }
  }
  const auto cancelled = ledger.cancel_upbit_order(caller.account_id, *ref);
  if (!cancelled) {
    return ledger_error(cancelled.error());
  }
  return json_answer(200, order_json(*cancelled));
}

namespace {

// Orders whose state is in `states`, ordered (the ledger lists newest first) and paged.
json::array order_page(const std::vector<UpbitOrder>& orders, const std::set<std::string>& states,
                       bool ascending, std::size_t skip, std::size_t limit,
                       const std::function<bool(const UpbitOrder&)>& keep) {
  std::vector<const UpbitOrder*> chosen;
  for (const auto& order : orders) {
    if (states.contains(std::string(to_string(order.state))) && keep(order)) {
      chosen.push_back(&order);
    }
  }
  if (ascending) {
    std::reverse(chosen.begin(), chosen.end());
  }
  json::array out;
  for (std::size_t i = skip; i < chosen.size() && out.size() < limit; ++i) {
    out.push_back(order_json(*chosen[i]));
  }
  return out;
}

std::optional<bool> ascending_order(const UpbitParameters& query) {
  const auto order_by = query.get("order_by").value_or("desc");
  if (order_by != "asc" && order_by != "desc") {
    return std::nullopt;
  }
  return order_by == "asc";
}

}  // namespace

HttpResponse UpbitApi::open_orders(const Caller& caller) const {
  const auto states = requested_states(caller.params, {"wait", "watch"}, {"wait"});
  if (!states) {
    return validation_error("state");
  }
  const auto ascending = ascending_order(caller.params);
  if (!ascending) {
    return validation_error("order_by");
  }
  const auto limit = bounded_count(caller.params, "limit", kMaxOpenOrders, kMaxOpenOrders, false);
  const auto page = bounded_count(caller.params, "page", 1, std::numeric_limits<std::int32_t>::max(), false);
  for (const auto* parsed : {&limit, &page}) {
    if (const auto* refusal = std::get_if<HttpResponse>(parsed)) {
      return *refusal;
    }
  }
  const auto orders =
      exchange_.ledger().upbit_open_orders(caller.account_id, caller.params.get("market").value_or(""));
  if (!orders) {
    return ledger_error(orders.error());
  }
  const auto per_page = static_cast<std::size_t>(std::get<std::int64_t>(limit));
  const auto skip = static_cast<std::size_t>(std::get<std::int64_t>(page) - 1) * per_page;
  return json_answer(200,
                     order_page(*orders, *states, *ascending, skip, per_page,
                                [this](const UpbitOrder& order) { return !effects_.hidden(order.uuid); }));
}

HttpResponse UpbitApi::closed_orders(const Caller& caller) const {
  const auto states = requested_states(caller.params, {"done", "cancel"}, {"done", "cancel"});
  if (!states) {
    return validation_error("state");
  }
  const auto ascending = ascending_order(caller.params);
  if (!ascending) {
    return validation_error("order_by");
  }
  const auto limit = bounded_count(caller.params, "limit", 100, kMaxClosedOrders, false);
  if (const auto* refusal = std::get_if<HttpResponse>(&limit)) {
    return *refusal;
  }
  std::optional<Timestamp> start;
  std::optional<Timestamp> end;
  for (const auto& [name, target] : {std::pair{"start_time", &start}, std::pair{"end_time", &end}}) {
    if (const auto text = caller.params.get(name)) {
      *target = parse_time(*text);
      if (!*target) {
        return validation_error(name);
      }
    }
  }
  const auto orders =
      exchange_.ledger().upbit_closed_orders(caller.account_id, caller.params.get("market").value_or(""));
  if (!orders) {
    return ledger_error(orders.error());
  }
  return json_answer(
      200, order_page(*orders, *states, *ascending, 0,
                      static_cast<std::size_t>(std::get<std::int64_t>(limit)), [&](const UpbitOrder& order) {
                        return (!start || order.created_at >= *start) && (!end || order.created_at <= *end) &&
                               !effects_.hidden(order.uuid);
                      }));
}

}  // namespace kimp::sim
