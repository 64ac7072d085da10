// The emulated Upbit REST API (/v1/...): quotation and exchange endpoints over the shared Exchange.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/token_bucket.hpp"
#include "sim/auth/upbit_auth.hpp"
#include "sim/server/bybit_api.hpp"  // OrderFaultEffects and the order-outcome helpers both venues share
#include "sim/server/exchange.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/router.hpp"

namespace kimp::sim {

// One Upbit endpoint on loopback. Quotation endpoints are public and limited per group for everyone
// (Upbit limits them per IP, and the emulator has a single client address); exchange endpoints verify the
// JWT and are limited per account and group. Every answer that consumed a rate-limit token carries
// Upbit's `Remaining-Req` header. Single-threaded, like the Exchange it serves.
//
// Order outcomes injected through exchange.faults(): POST /v1/orders answers an injected reject with
// Upbit's status and message for the error name, places against an empty or cut book (no_fill,
// partial_fill), hides the order from GET /v1/order and the order lists (invisible), or never answers
// and places it later (late_fill); DELETE /v1/order may find the order filled in the same instant and
// refuse as Upbit refuses cancelling a finished order (cancel_race).
class UpbitApi {
 public:
  // `exchange` and `clock` (the clock the rate limiters run on, the one the exchange was created with)
  // must outlive the API; placements still waiting (late_fill) are dropped with it.
  // Errors: kInvalidArgument when a configured rate limit is not positive.
  static Result<std::unique_ptr<UpbitApi>> create(Exchange& exchange, const Clock& clock);

  UpbitApi(const UpbitApi&) = delete;
  UpbitApi& operator=(const UpbitApi&) = delete;
  ~UpbitApi() = default;

  // Answers one request as Upbit would: JSON bodies with Upbit's field names and types, errors as
  // `{"error":{"name":..,"message":..}}` with Upbit's status (400 bad parameter, 401 auth, 404 unknown
  // market/order/path, 429 rate limit, 500 when the market cannot catch up with time).
  HttpResponse handle(const HttpRequest& request);

  // Upbit's answer to a request the fault injector failed: 429 too_many_requests (kRateLimit) or 500
  // server_error (kServerError).
  [[nodiscard]] static HttpResponse injected_failure(HttpVerdict::Action action);

 private:
  // A rate-limit group's bucket and the per-second allowance Remaining-Req reports against.
  struct Group {
    std::string name;  // "default", "order", "ticker", ...
    TokenBucketConfig config;
  };
  // What an exchange handler receives once the token was verified: the parameters it covered.
  struct Caller {
    const UpbitParameters& params;
    const std::string& account_id;
  };
  using QuotationHandler = std::function<HttpResponse(const UpbitParameters&, const RouteParams&)>;
  using ExchangeHandler = std::function<HttpResponse(const Caller&)>;

  UpbitApi(Exchange& exchange, const Clock& clock);
  void add_quotation(std::string_view pattern, const std::string& group, QuotationHandler handler);
  void add_exchange(HttpMethod method, std::string_view pattern, const std::string& group,
                    ExchangeHandler handler);
  // Takes one token from `key`'s bucket of `group`; the answer is 429 when none was left. Either way
  // `response` gets the Remaining-Req header. Returns false when the request must not be served.
  bool admit(const std::string& key, const Group& group, HttpResponse& response);

  // Quotation endpoints (upbit_api.cpp).
  HttpResponse market_all(const UpbitParameters& query) const;
  HttpResponse ticker(const UpbitParameters& query) const;
  HttpResponse orderbook(const UpbitParameters& query) const;
  HttpResponse orderbook_instruments(const UpbitParameters& query) const;
  HttpResponse minute_candles(const UpbitParameters& query, std::string_view unit) const;
  HttpResponse second_candles(const UpbitParameters& query) const;
  HttpResponse trade_ticks(const UpbitParameters& query) const;

  // Exchange endpoints.
  HttpResponse accounts(const Caller& caller) const;
  HttpResponse order_chance(const Caller& caller) const;
  HttpResponse create_order(const Caller& caller);
  HttpResponse get_order(const Caller& caller) const;
  HttpResponse cancel_order(const Caller& caller);
  HttpResponse open_orders(const Caller& caller) const;
  HttpResponse closed_orders(const Caller& caller) const;

  // A late_fill placement: refused at once when the ledger would refuse it now, else placed `late_by`
  // from now against the book of that moment, and never answered.
  HttpResponse place_late(const std::string& account_id, const UpbitOrderRequest& order,
                          const OrderBook& book, Duration late_by);

  Exchange& exchange_;
  const Clock& clock_;
  UpbitAuthenticator authenticator_;
  Router router_;
  std::map<std::string, Group, std::less<>> groups_;
  // Buckets by "<account or *>/<group>", created on first use.
  std::map<std::string, TokenBucket, std::less<>> buckets_;
  // Last, so it is destroyed first: its pending placements call into the members above.
  OrderFaultEffects effects_;
};

}  // namespace kimp::sim
