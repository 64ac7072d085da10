// Upbit REST calls: token, JWT, one send, the group's block after a rate limit, parse.
#include "venues/upbit/rest_client.hpp"

#include <string>
#include <utility>

#include <fmt/format.h>
#include <boost/beast/http/verb.hpp>

#include "net/rate_limiter.hpp"
#include "venues/upbit/parse_rest.hpp"

namespace kimp::venues::upbit {
namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

constexpr unsigned kTooManyRequests = 429;
constexpr unsigned kIpBanned = 418;  // Upbit's answer to an IP that kept going after 429s

verb verb_of(UpbitMethod method) {
  switch (method) {
    case UpbitMethod::kGet: return verb::get;
    case UpbitMethod::kPost: return verb::post;
    case UpbitMethod::kDelete: return verb::delete_;
  }
  return verb::get;
}

}  // namespace

UpbitRestClient::UpbitRestClient(net::HttpClient& http, net::RateLimiter& limiter,
                                 std::optional<UpbitCredential> credential)
    : http_(&http), limiter_(&limiter), credential_(std::move(credential)) {}

awaitable<Result<net::HttpResponse>> UpbitRestClient::send(std::string_view group,
                                                           const UpbitRequest& request) {
  if (request.requires_auth && !credential_) {
    co_return make_error(ErrorCode::kUnauthenticated,
                         fmt::format("{} needs an Upbit API key and none is configured", request.path));
  }
  KIMP_CO_TRY(co_await limiter_->acquire(group));
  net::HttpRequest http;
  http.method = verb_of(request.method);
  http.target = request.path;
  if (!request.query.empty()) {
    http.target += '?';
    http.target += request.query;
  }
  if (request.requires_auth) {
    // Signed after the wait for a token, so the nonce is drawn for this very send.
    KIMP_CO_TRY_ASSIGN(std::string authorization, credential_->authorization(request.signed_text));
    http.headers.emplace_back("Authorization", std::move(authorization));
  }
  if (!request.body.empty()) {
    http.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    http.body = request.body;
  }
  const auto method = http.method;
  KIMP_CO_TRY_ASSIGN(auto response,
                     net::repeatable_if_read_only(co_await http_->request(std::move(http)), method));
  if (response.status == kTooManyRequests || response.status == kIpBanned) {
    // Upbit documents no Retry-After; one that is present and readable is honoured, anything else
    // falls back to the group's backoff (a zero wait). The group is one of ours, so this cannot fail.
    const auto retry_after = net::parse_retry_after(response.header("Retry-After"));
    (void)limiter_->on_rate_limited(group, retry_after.value_or(Duration::zero()));
  }
  co_return response;
}

awaitable<Result<std::vector<model::Balance>>> UpbitRestClient::accounts() {
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitDefaultGroup, accounts_request()));
  co_return parse_accounts(response.status, response.body);
}

awaitable<Result<UpbitOrderChance>> UpbitRestClient::order_chance(const model::Symbol& market) {
  KIMP_CO_TRY_ASSIGN(const auto request, order_chance_request(market));
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitDefaultGroup, request));
  co_return parse_order_chance(response.status, response.body);
}

awaitable<Result<model::OrderReport>> UpbitRestClient::place(Result<UpbitRequest> request) {
  KIMP_CO_TRY(request);
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitOrderGroup, *request));
  co_return parse_order(response.status, response.body);
}

awaitable<Result<model::OrderReport>> UpbitRestClient::place_limit_order(const model::Symbol& market,
                                                                         model::Side side, Decimal price,
                                                                         Decimal volume,
                                                                         model::TimeInForce time_in_force,
                                                                         std::string_view identifier) {
  co_return co_await place(limit_order_request(market, side, price, volume, time_in_force, identifier));
}

awaitable<Result<model::OrderReport>> UpbitRestClient::place_market_buy(const model::Symbol& market,
                                                                        Decimal krw_amount,
                                                                        std::string_view identifier) {
  co_return co_await place(market_buy_request(market, krw_amount, identifier));
}

awaitable<Result<model::OrderReport>> UpbitRestClient::place_market_sell(const model::Symbol& market,
                                                                         Decimal volume,
                                                                         std::string_view identifier) {
  co_return co_await place(market_sell_request(market, volume, identifier));
}

awaitable<Result<std::optional<model::OrderReport>>> UpbitRestClient::order(const UpbitOrderRef& ref) {
  KIMP_CO_TRY_ASSIGN(const auto request, get_order_request(ref));
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitDefaultGroup, request));
  auto report = parse_order(response.status, response.body);
  if (!report) {
    if (report.error().venue_code == "order_not_found") {
      co_return std::optional<model::OrderReport>();
    }
    co_return tl::unexpected<Error>(std::move(report).error());
  }
  co_return std::optional<model::OrderReport>(std::move(*report));
}

awaitable<Result<model::OrderReport>> UpbitRestClient::cancel(const UpbitOrderRef& ref) {
  KIMP_CO_TRY_ASSIGN(const auto request, cancel_order_request(ref));
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitDefaultGroup, request));
  co_return parse_order(response.status, response.body);
}

awaitable<Result<UpbitOrderbookSnapshots>> UpbitRestClient::orderbook(
    std::span<const model::Symbol> markets) {
  KIMP_CO_TRY_ASSIGN(const auto request, orderbook_request(markets));
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitQuotationGroup, request));
  co_return parse_orderbook(response.status, response.body);
}

awaitable<Result<std::vector<model::Ticker>>> UpbitRestClient::tickers(
    std::span<const model::Symbol> markets) {
  KIMP_CO_TRY_ASSIGN(const auto request, ticker_request(markets));
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitQuotationGroup, request));
  co_return parse_tickers(response.status, response.body);
}

awaitable<Result<std::vector<UpbitMarket>>> UpbitRestClient::markets() {
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(kUpbitQuotationGroup, market_all_request()));
  co_return parse_markets(response.status, response.body);
}

}  // namespace kimp::venues::upbit
