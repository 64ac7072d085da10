// The emulated Bybit v5 REST API: public market data and signed UNIFIED-account trading on linear perpetuals.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/config/fault_config.hpp"
#include "sim/ledger/matching.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/faults.hpp"
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

// ---- Injected order outcomes (FaultInjector::on_order), shared by the Bybit and Upbit APIs ----

// Placement asks the injector about every outcome but kCancelRace; a cancel asks about kCancelRace only.
inline constexpr std::array<OrderOutcome, 5> kPlacementOutcomes{
    OrderOutcome::kReject, OrderOutcome::kNoFill, OrderOutcome::kPartialFill, OrderOutcome::kInvisible,
    OrderOutcome::kLateFill};
inline constexpr std::array<OrderOutcome, 1> kCancelOutcomes{OrderOutcome::kCancelRace};

// The outcome the injector draws for one order request of `venue` on `symbol`, among `outcomes`; nullopt
// when none hits. A copy, because a later FaultInjector::configure replaces the rule the injector returns.
std::optional<OrderFaultRule> draw_order_fault(FaultInjector& faults, FaultVenue venue,
                                               std::string_view symbol,
                                               std::span<const OrderOutcome> outcomes);

// `ratio` of `amount` rounded down to a multiple of `step`: the most a partial fill may give.
// Errors: kInvalidArgument on overflow or when step <= 0.
Result<Decimal> share_of(Decimal amount, double ratio, Decimal step);

// The best levels of the side a taker on `side` trades against, cut to hold `cap` in total: what a
// partial fill offers. Empty when cap is not positive. Errors: kInvalidArgument on overflow.
Result<std::vector<FillSlice>> offer_up_to(const OrderBook& book, TakerSide side, Decimal cap);

// `book` with the side a taker on `side` trades against replaced by `offer` (best first).
OrderBook with_offer(const OrderBook& book, TakerSide side, const std::vector<FillSlice>& offer);

// A book that fills a resting order on `side` completely at its own price: the opposite side holds
// exactly `quantity` at `price`, and the ledger's resting-order matching does the rest.
OrderBook filling_book(TakerSide side, Decimal price, Decimal quantity);

// The answer to a placement whose answer is lost: the client times out.
HttpResponse never_answered();

// What injected order outcomes leave behind between requests, for one venue's API: orders that lookups
// must not see yet (kInvisible) and placements waiting for their moment (kLateFill). Runs on the
// server's thread, like the API that owns it.
class OrderFaultEffects {
 public:
  // `clock` (the exchange's) must outlive this.
  OrderFaultEffects(Clock& clock, FaultVenue venue) : clock_(clock), venue_(venue) {}
  // Cancels the placements still waiting: their callbacks reach into the API that owns this.
  ~OrderFaultEffects();
  OrderFaultEffects(const OrderFaultEffects&) = delete;
  OrderFaultEffects& operator=(const OrderFaultEffects&) = delete;

  // Lookups must not see the order with venue id `order_id` (ledger ids are unique across accounts)
  // for `duration` from now.
  void hide(const std::string& order_id, Duration duration);
  [[nodiscard]] bool hidden(std::string_view order_id) const;
  // Forgets the orders that have become visible, so the bookkeeping stays as small as the hidden set.
  void forget_visible();

  // Runs `place` once after `delay`, unless this is destroyed first; a failure (the order no longer
  // fits the account or the book) is logged, since nobody is waiting for the answer.
  void schedule(Duration delay, std::function<Status()> place);

 private:
  Clock& clock_;
  FaultVenue venue_;
  std::map<std::string, Timestamp, std::less<>> visible_at_;  // by venue order id
  std::map<std::uint64_t, TimerId> pending_;                  // by scheduling sequence
  std::uint64_t scheduled_ = 0;
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
//
// Order outcomes injected through exchange.faults(): create answers an injected reject with its retCode,
// places against an empty or cut book (no_fill, partial_fill), hides the order from order/realtime,
// order/history and execution/list (invisible), or never answers and places it later (late_fill); cancel
// may find the order filled in the same instant and refuse with 110001 (cancel_race).
class BybitApi {
 public:
  // `exchange` must outlive the API; placements still waiting (late_fill) are dropped with it.
  explicit BybitApi(Exchange& exchange);

  [[nodiscard]] HttpResponse handle(const HttpRequest& request);

  // Bybit's answer to a request the fault injector failed: retCode 10006 "Too many visits!" (kRateLimit)
  // or HTTP 503 with retCode 10016 (kServerError).
  [[nodiscard]] HttpResponse injected_failure(HttpVerdict::Action action) const;

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
  // 10006 "Too many visits!", Bybit's answer past a rate budget.
  [[nodiscard]] HttpResponse rate_limited() const;

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

  // A late_fill placement: refused at once when the ledger would refuse it now, else placed `late_by`
  // from now against the book of that moment, and never answered.
  Result<HttpResponse> place_late(const std::string& account_id, const LinearOrderRequest& order,
                                  const OrderBook& book, Duration late_by);

  Exchange& exchange_;
  Router router_;
  RollingWindowLimiter public_limiter_;
  RollingWindowLimiter private_limiter_;
  // Last, so it is destroyed first: its pending placements call into the members above.
  OrderFaultEffects effects_;
};

}  // namespace kimp::sim
