// Upbit REST client: signed, rate-limited exchange and quotation calls over a keep-alive pool, each sent
// once.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "model/account_events.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"
#include "net/http_client.hpp"
#include "venues/upbit/credential.hpp"
#include "venues/upbit/models.hpp"
#include "venues/upbit/requests.hpp"

namespace kimp::net {
class RateLimiter;
}  // namespace kimp::net

namespace kimp::venues::upbit {

// The RateLimiter groups the client draws from (net::upbit_rate_groups()).
// exchange.yaml's x-ratelimit groups: only placing (POST /v1/orders) is "order"; a cancel (DELETE
// /v1/order) counts against "default" like the rest of the exchange API.
inline constexpr std::string_view kUpbitOrderGroup = "order";
inline constexpr std::string_view kUpbitDefaultGroup = "default";
inline constexpr std::string_view kUpbitQuotationGroup = "quotation";  // market data
inline constexpr std::string_view kUpbitWsConnectGroup = "ws_connect";

// Every call takes one token from its group before it is sent, and sends the request exactly once. A
// rate-limit answer (HTTP 429, or 418 while Upbit bans the IP) blocks the group until its Retry-After
// when the answer carries one, else for the group's backoff, and is returned as kResourceExhausted: the
// caller decides whether to try again, nothing here loops.
//
// Errors of every call: those of net::HttpClient::request (kUnavailable: not sent, or a query that timed
// out — both may be repeated; kDeadlineExceeded: a POST or DELETE whose outcome is unknown — for an
// order, look it up by identifier, never send it again), those of the RateLimiter's acquire, upbit_error's
// mapping of a refusal (kResourceExhausted for 429/418), the parse_rest errors for an answer that is not the
// documented JSON, and kUnauthenticated for an exchange call on a client without a credential.
//
// Not thread-safe; use from the HttpClient's executor. The client and limiter must outlive it.
class UpbitRestClient {
 public:
  UpbitRestClient(net::HttpClient& http, net::RateLimiter& limiter,
                  std::optional<UpbitCredential> credential);

  // GET /v1/accounts: every currency of the account.
  boost::asio::awaitable<Result<std::vector<model::Balance>>> accounts();

  // GET /v1/orders/chance: fees, minimum order totals and both balances of `market`.
  boost::asio::awaitable<Result<UpbitOrderChance>> order_chance(const model::Symbol& market);

  // POST /v1/orders, a limit order with our `identifier` (see limit_order_request for time_in_force).
  // Also errors: limit_order_request's (nothing is sent). After kDeadlineExceeded look the order up with
  // order({.identifier = identifier}): Upbit refuses a second order with the same identifier anyway.
  boost::asio::awaitable<Result<model::OrderReport>> place_limit_order(const model::Symbol& market,
                                                                       model::Side side, Decimal price,
                                                                       Decimal volume,
                                                                       model::TimeInForce time_in_force,
                                                                       std::string_view identifier);
  // POST /v1/orders, ord_type=price: a market buy spending `krw_amount`. Also errors: market_buy_request's.
  boost::asio::awaitable<Result<model::OrderReport>> place_market_buy(const model::Symbol& market,
                                                                      Decimal krw_amount,
                                                                      std::string_view identifier);
  // POST /v1/orders, ord_type=market: a market sell of `volume`. Also errors: market_sell_request's.
  boost::asio::awaitable<Result<model::OrderReport>> place_market_sell(const model::Symbol& market,
                                                                       Decimal volume,
                                                                       std::string_view identifier);

  // GET /v1/order by uuid, else by identifier. nullopt when Upbit knows no such order (order_not_found:
  // it was never accepted). Also errors: get_order_request's.
  boost::asio::awaitable<Result<std::optional<model::OrderReport>>> order(const UpbitOrderRef& ref);

  // DELETE /v1/order by uuid, else by identifier: the order as Upbit reports it on accepting the cancel.
  // Also errors: cancel_order_request's; kFailedPrecondition [order_not_found] for an unknown order; an
  // order that has already ended is refused as Upbit names it (kInvalidArgument [validation_error]).
  boost::asio::awaitable<Result<model::OrderReport>> cancel(const UpbitOrderRef& ref);

  // GET /v1/orderbook: one book snapshot per market. Also errors: orderbook_request's.
  boost::asio::awaitable<Result<UpbitOrderbookSnapshots>> orderbook(std::span<const model::Symbol> markets);

  // GET /v1/ticker. Also errors: ticker_request's.
  boost::asio::awaitable<Result<std::vector<model::Ticker>>> tickers(std::span<const model::Symbol> markets);

  // GET /v1/market/all: the KRW markets with their warning flags.
  boost::asio::awaitable<Result<std::vector<UpbitMarket>>> markets();

 private:
  // Takes the group's token, signs when the request needs it and sends once; the answer whatever its
  // status, after blocking the group when the status is a rate limit.
  boost::asio::awaitable<Result<net::HttpResponse>> send(std::string_view group, const UpbitRequest& request);
  boost::asio::awaitable<Result<model::OrderReport>> place(Result<UpbitRequest> request);

  net::HttpClient* http_;
  net::RateLimiter* limiter_;
  std::optional<UpbitCredential> credential_;
};

}  // namespace kimp::venues::upbit
