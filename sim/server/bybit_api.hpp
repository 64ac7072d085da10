// The emulated Bybit v5 REST API: public market data and signed UNIFIED-account trading on linear perpetuals.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/router.hpp"

namespace kimp::sim {

// Bybit counts requests in a rolling one-second window (rate-limit.mdx: "rolling time window per
// second and UID"), and its X-Bapi-Limit-* headers report that window: how many are left and when the
// oldest one leaves it. A window of timestamps gives both exactly.
class RollingWindowLimiter {
 public:
  struct Decision {
    bool allowed = false;
    std::int32_t limit = 0;
    std::int32_t remaining = 0;  // after this request
    Timestamp reset_at;          // when a slot frees again when none is left, else `now`
  };

  explicit RollingWindowLimiter(std::int32_t per_second) : limit_(per_second) {}

  // Counts one request of `key` at `now` when the window has room.
  Decision admit(const std::string& key, Timestamp now);

 private:
  std::int32_t limit_;
  std::map<std::string, std::deque<Timestamp>> windows_;
};

// Answers every request with Bybit's envelope {"retCode","retMsg","result","retExtInfo","time"}. Only the
// linear category is emulated; the account is always UNIFIED, one-way mode, isolated margin. Runs on
// the server's thread (not thread-safe), like the Exchange it serves.
//
// Public endpoints: GET /v5/market/{time,instruments-info,orderbook,tickers}. Private endpoints (signed
// with X-BAPI-* headers): GET /v5/account/{wallet-balance,fee-rate}, GET /v5/position/list, POST
// /v5/position/{set-leverage,switch-isolated,switch-mode}, POST /v5/account/set-margin-mode, POST
// /v5/order/{create,cancel}, GET /v5/order/{realtime,history}, GET /v5/execution/list.
//
// Refusals: 10001 for bad parameters, the ledger's own retCode for trading errors (110007, 110072, ...),
// the authenticator's codes (10002, 10003, 10004, HTTP 401 for missing headers), 10006 "Too many visits!"
// past the per-second budgets of SimConfig.rate_limits (public: per server; private: per account and
// endpoint), 10016 when the market cannot be brought up to date, HTTP 404 with 10017 for unknown paths.
class BybitApi {
 public:
  // `exchange` must outlive the API.
  explicit BybitApi(Exchange& exchange);

  [[nodiscard]] HttpResponse handle(const HttpRequest& request);

 private:
  // Decoded request parameters: the query of a GET, the members of a POST's JSON body.
  using Params = std::map<std::string, std::string, std::less<>>;
  // Handlers answer with a full response, or an Error whose venue_code is the retCode to send.
  using PublicHandler = Result<HttpResponse> (BybitApi::*)(const Params& params);
  using PrivateHandler = Result<HttpResponse> (BybitApi::*)(const Params& params,
                                                            const std::string& account_id);

  void add_public(HttpMethod method, const char* path, PublicHandler handler);
  void add_private(HttpMethod method, const char* path, PrivateHandler handler);
  HttpResponse run_public(const HttpRequest& request, PublicHandler handler);
  // `route` is the pattern the request matched; the private budget is per account and route.
  HttpResponse run_private(const HttpRequest& request, std::string_view route, PrivateHandler handler);
  // The envelope around `result`, with retMsg "OK", stamped with the server time.
  [[nodiscard]] HttpResponse ok(boost::json::value result) const;
  // Bybit's refusal for `error`: its venue_code as retCode, or 10016 when it has none.
  [[nodiscard]] HttpResponse refuse(const Error& error) const;

  Result<HttpResponse> market_time(const Params& params);
  Result<HttpResponse> instruments_info(const Params& params);
  Result<HttpResponse> orderbook(const Params& params);
  Result<HttpResponse> tickers(const Params& params);
  Result<HttpResponse> funding_history(const Params& params);

  Result<HttpResponse> wallet_balance(const Params& params, const std::string& account_id);
  Result<HttpResponse> fee_rate(const Params& params, const std::string& account_id);
  Result<HttpResponse> position_list(const Params& params, const std::string& account_id);
  Result<HttpResponse> set_leverage(const Params& params, const std::string& account_id);
  Result<HttpResponse> switch_isolated(const Params& params, const std::string& account_id);
  Result<HttpResponse> set_margin_mode(const Params& params, const std::string& account_id);
  Result<HttpResponse> switch_mode(const Params& params, const std::string& account_id);
  Result<HttpResponse> create_order(const Params& params, const std::string& account_id);
  Result<HttpResponse> cancel_order(const Params& params, const std::string& account_id);
  Result<HttpResponse> open_orders(const Params& params, const std::string& account_id);
  Result<HttpResponse> order_history(const Params& params, const std::string& account_id);
  Result<HttpResponse> executions(const Params& params, const std::string& account_id);

  Exchange& exchange_;
  Router router_;
  RollingWindowLimiter public_limiter_;
  RollingWindowLimiter private_limiter_;
};

}  // namespace kimp::sim
