// Bybit v5 REST client: signed, rate-limited calls over a keep-alive pool, each sent once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/account_events.hpp"
#include "model/instrument.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"
#include "net/http_client.hpp"
#include "venues/bybit/credential.hpp"
#include "venues/bybit/models.hpp"
#include "venues/bybit/request.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp::net {
class RateLimiter;
class TimeSync;
}  // namespace kimp::net

namespace kimp::venues::bybit {

// The RateLimiter groups the client draws from (net::bybit_rate_groups()).
inline constexpr std::string_view kBybitPublicGroup = "public";
inline constexpr std::string_view kBybitPrivateGroup = "private";

struct BybitRestOptions {
  // X-BAPI-RECV-WINDOW: how long after its timestamp Bybit still accepts a signed request.
  std::chrono::milliseconds recv_window{5000};
};

// Every call takes one token from its group ("public" for market data, "private" for account, position
// and order calls) before it is sent, and sends the request exactly once. A rate-limit answer (HTTP 429 or
// 403, retCode 10006 ...) blocks the group until Bybit's X-Bapi-Limit-Reset-Timestamp or Retry-After, or
// for the group's backoff when the answer names no time, and is returned as kResourceExhausted: the
// caller decides whether to try again, nothing here loops. An answer saying the window's budget is used
// up (X-Bapi-Limit-Status 0) blocks the group until the window resets before any refusal.
//
// Signed requests carry the TimeSync's server time, so a local clock off by seconds does not get them
// refused (10002).
//
// Errors of every call: those of net::HttpClient::request (kUnavailable: not sent, or a query that timed
// out — both may be repeated; kDeadlineExceeded: a POST whose outcome is unknown — for an order, look it
// up by orderLinkId, never send it again), those of the
// RateLimiter's acquire, bybit_error's mapping of a refusal, kInvalidArgument for an answer that is not
// the documented JSON, and kUnauthenticated for a signed call on a client without a credential.
//
// Not thread-safe; use from the HttpClient's executor. The client, limiter and time sync must outlive it.
class BybitRestClient {
 public:
  BybitRestClient(net::HttpClient& http, net::RateLimiter& limiter, const net::TimeSync& time,
                  std::optional<BybitCredential> credential, BybitRestOptions options = {});

  // GET /v5/market/time (no signature): the TimeSync's fetch.
  boost::asio::awaitable<Result<Timestamp>> server_time();

  // Every instrument of `category`, following the cursor over all pages.
  boost::asio::awaitable<Result<std::vector<model::Instrument>>> instruments(BybitCategory category);

  // The REST book snapshot of `symbol`, `depth` levels a side (see orderbook_query).
  boost::asio::awaitable<Result<BybitOrderbookSnapshot>> orderbook(BybitCategory category,
                                                                   const model::Symbol& symbol, int depth);

  // Tickers of one symbol, or of the whole category. Linear ones carry the funding rate and time.
  boost::asio::awaitable<Result<std::vector<model::Ticker>>> tickers(
      BybitCategory category, const std::optional<model::Symbol>& symbol = std::nullopt);

  // The UNIFIED wallet, one coin or all (coins mapped as 0013 LD-0001 fixes).
  boost::asio::awaitable<Result<BybitWalletBalance>> wallet_balance(std::string_view coin = {});

  boost::asio::awaitable<Result<std::vector<BybitFeeRate>>> fee_rates(
      BybitCategory category, const std::optional<model::Symbol>& symbol = std::nullopt);

  // Linear positions of one symbol, or every USDT-settled one over all pages.
  boost::asio::awaitable<Result<std::vector<model::PositionReport>>> positions(
      const std::optional<model::Symbol>& symbol = std::nullopt);

  // Sets both leverages of `symbol`. Already at that leverage (110043) is success.
  boost::asio::awaitable<Status> set_leverage(const model::Symbol& symbol, Decimal leverage);
  // Isolated margin for `symbol` at `leverage`. Already isolated (110026) is success.
  boost::asio::awaitable<Status> switch_isolated(const model::Symbol& symbol, Decimal leverage);
  // Isolated margin for the whole unified account. Already so (110026) is success.
  boost::asio::awaitable<Status> set_isolated_margin_mode();
  // One-way position mode for USDT contracts. Already so (110025) is success.
  boost::asio::awaitable<Status> set_one_way_mode();

  // POST /v5/order/create. A duplicate orderLinkId (is_duplicate_order_link_id) means an earlier send was
  // accepted: look it up with order() instead.
  boost::asio::awaitable<Result<BybitOrderAck>> create_order(const BybitOrderRequest& order);

  // POST /v5/order/cancel. An order that has already ended answers is_order_not_found.
  boost::asio::awaitable<Result<BybitOrderAck>> cancel_order(const model::Symbol& symbol,
                                                             std::string_view order_link_id);

  // The order with our id: open orders first, then the order history. nullopt when Bybit knows no such
  // order (it was never accepted).
  boost::asio::awaitable<Result<std::optional<model::OrderReport>>> order(const model::Symbol& symbol,
                                                                          std::string_view order_link_id);

  // Every fill of an order (Bybit's orderId), over all pages.
  boost::asio::awaitable<Result<std::vector<model::Execution>>> executions(const model::Symbol& symbol,
                                                                           std::string_view order_id);

 private:
  struct Call {
    std::string_view group;
    boost::beast::http::verb method;
    std::string_view path;
    std::string payload;  // the query of a GET, the body of a POST
    bool signed_call;
  };

  // Takes the group's token, signs when asked and sends once; the answer whatever its status. Callers pass
  // a named Call: a braced temporary inside a co_await expression is destroyed twice by GCC 12.
  boost::asio::awaitable<Result<net::HttpResponse>> send(const Call& call);
  // Blocks the group as the answer's rate-limit headers say: always after a refusal (`refused`), and
  // when the window's budget is used up.
  void note_limits(std::string_view group, const net::HttpResponse& response, bool refused);
  // send(), then `parse(status, body)` of the answer, after blocking the group as note_limits says.
  template <class Parse>
  boost::asio::awaitable<std::invoke_result_t<Parse, unsigned, std::string_view>> fetch(const Call& call,
                                                                                        Parse parse);
  // fetch() of an endpoint that answers nothing but success, where "not modified" counts as success.
  boost::asio::awaitable<Status> change(const Call& call);
  // Every page of a cursor-paged list: `make_query(cursor)` gives each page's query, `page_items(page)`
  // its items. Errors: kInvalidArgument when Bybit repeats a cursor or sends more than 100 pages.
  template <class Item, class MakeQuery, class ParsePage, class PageItems>
  boost::asio::awaitable<Result<std::vector<Item>>> all_pages(const Call& first, const MakeQuery& make_query,
                                                              ParsePage parse_page, PageItems page_items);

  net::HttpClient* http_;
  net::RateLimiter* limiter_;
  const net::TimeSync* time_;
  std::optional<BybitCredential> credential_;
  BybitRestOptions options_;
};

}  // namespace kimp::venues::bybit
