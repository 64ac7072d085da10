// Bybit v5 REST calls: token, signature, one send, parse, and the group's block after a rate limit.
#include "venues/bybit/rest_client.hpp"

#include <array>
#include <chrono>
#include <iterator>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "net/rate_limiter.hpp"
#include "net/time_sync.hpp"
#include "venues/bybit/error.hpp"
#include "venues/bybit/parse_rest.hpp"

namespace kimp::venues::bybit {
namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

// A cursor loop that has not ended after this many pages is following a venue that repeats itself.
constexpr int kMaxPages = 100;
// Bybit's reset time is whole milliseconds of its clock, which we know only to within the round trip:
// waiting this much longer keeps a request from arriving a moment before the window has room.
constexpr auto kResetMargin = std::chrono::milliseconds{50};

Status check_next_cursor(const std::string& previous, const std::string& next, int pages) {
  if (!next.empty() && (next == previous || pages >= kMaxPages)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("Bybit kept answering with more pages (cursor \"{}\" after {} pages)",
                                  next.substr(0, 64), pages));
  }
  return ok();
}

Status not_modified_is_success(Status status) {
  if (!status && is_not_modified(status.error())) {
    return ok();
  }
  return status;
}

}  // namespace

BybitRestClient::BybitRestClient(net::HttpClient& http, net::RateLimiter& limiter, const net::TimeSync& time,
                                 std::optional<BybitCredential> credential, BybitRestOptions options)
    : http_(&http), limiter_(&limiter), time_(&time), credential_(std::move(credential)), options_(options) {}

awaitable<Result<net::HttpResponse>> BybitRestClient::send(const Call& call) {
  if (call.signed_call && !credential_) {
    co_return make_error(ErrorCode::kUnauthenticated,
                         fmt::format("{} needs a Bybit API key and none is configured", call.path));
  }
  KIMP_CO_TRY(co_await limiter_->acquire(call.group));
  net::HttpRequest request;
  request.method = call.method;
  request.target = std::string(call.path);
  if (call.method == verb::get) {
    if (!call.payload.empty()) {
      request.target += '?';
      request.target += call.payload;
    }
  } else {
    request.headers.emplace_back("Content-Type", "application/json");
  }
  if (call.signed_call) {
    // Signed at the last moment, after the wait for a token, so the timestamp is fresh.
    for (auto& header :
         credential_->rest_headers(time_->server_now().ms(), options_.recv_window.count(), call.payload)) {
      request.headers.emplace_back(std::string(header.name), std::move(header.value));
    }
  }
  if (call.method != verb::get) {
    request.body = call.payload;
  }
  const auto method = request.method;
  co_return net::repeatable_if_read_only(co_await http_->request(std::move(request)), method);
}

void BybitRestClient::note_limits(std::string_view group, const net::HttpResponse& response, bool refused) {
  const auto status =
      parse_rate_limit_headers(response.header("X-Bapi-Limit"), response.header("X-Bapi-Limit-Status"),
                               response.header("X-Bapi-Limit-Reset-Timestamp"));
  const bool window_known = status && status->has_value();
  const Duration until_reset = window_known
                                   ? (*status)->reset_at - time_->server_now() + time_->rtt() + kResetMargin
                                   : Duration::zero();
  // The groups are known by construction: these calls cannot fail.
  if (!refused) {
    if (window_known && (*status)->remaining == 0) {
      (void)limiter_->hold(group, until_reset);
    }
    return;
  }
  Duration wait = until_reset;
  if (!window_known) {
    const auto retry_after = net::parse_retry_after(response.header("Retry-After"));
    wait = retry_after ? *retry_after : Duration::zero();  // zero: the group's backoff
  }
  (void)limiter_->on_rate_limited(group, wait);
}

template <class Parse>
awaitable<std::invoke_result_t<Parse, unsigned, std::string_view>> BybitRestClient::fetch(const Call& call,
                                                                                          Parse parse) {
  KIMP_CO_TRY_ASSIGN(const auto response, co_await send(call));
  auto parsed = parse(response.status, response.body);
  note_limits(call.group, response, !parsed && parsed.error().code == ErrorCode::kResourceExhausted);
  co_return parsed;
}

awaitable<Status> BybitRestClient::change(const Call& call) {
  co_return not_modified_is_success(co_await fetch(call, parse_ack));
}

awaitable<Result<Timestamp>> BybitRestClient::server_time() {
  Call call{kBybitPublicGroup, verb::get, kServerTimePath, {}, false};
  co_return co_await fetch(call, parse_server_time);
}

template <class Item, class MakeQuery, class ParsePage, class PageItems>
awaitable<Result<std::vector<Item>>> BybitRestClient::all_pages(const Call& first,
                                                                const MakeQuery& make_query,
                                                                ParsePage parse_page, PageItems page_items) {
  Call call = first;
  std::vector<Item> all;
  std::string cursor;
  for (int pages = 1;; ++pages) {
    KIMP_CO_TRY_ASSIGN(call.payload, make_query(cursor));
    KIMP_CO_TRY_ASSIGN(auto page, co_await fetch(call, parse_page));
    auto& items = page_items(page);
    all.insert(all.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
    KIMP_CO_TRY(check_next_cursor(cursor, page.next_page_cursor, pages));
    if (page.next_page_cursor.empty()) {
      co_return all;
    }
    cursor = std::move(page.next_page_cursor);
  }
}

awaitable<Result<std::vector<model::Instrument>>> BybitRestClient::instruments(BybitCategory category) {
  const Call call{kBybitPublicGroup, verb::get, kInstrumentsInfoPath, {}, false};
  const auto make_query = [category](const std::string& cursor) {
    return instruments_query(category, std::nullopt, cursor);
  };
  co_return co_await all_pages<model::Instrument>(
      call, make_query, parse_instruments,
      [](BybitInstrumentsPage & page) -> auto& { return page.instruments; });
}

awaitable<Result<BybitOrderbookSnapshot>> BybitRestClient::orderbook(BybitCategory category,
                                                                     const model::Symbol& symbol, int depth) {
  KIMP_CO_TRY_ASSIGN(auto query, orderbook_query(category, symbol, depth));
  Call call{kBybitPublicGroup, verb::get, kOrderbookPath, std::move(query), false};
  co_return co_await fetch(call, parse_orderbook);
}

awaitable<Result<std::vector<model::Ticker>>> BybitRestClient::tickers(
    BybitCategory category, const std::optional<model::Symbol>& symbol) {
  Call call{kBybitPublicGroup, verb::get, kTickersPath, tickers_query(category, symbol), false};
  co_return co_await fetch(call, parse_tickers);
}

awaitable<Result<BybitWalletBalance>> BybitRestClient::wallet_balance(std::string_view coin) {
  KIMP_CO_TRY_ASSIGN(auto query, wallet_balance_query(coin));
  Call call{kBybitPrivateGroup, verb::get, kWalletBalancePath, std::move(query), true};
  co_return co_await fetch(call, parse_wallet_balance);
}

awaitable<Result<std::vector<BybitFeeRate>>> BybitRestClient::fee_rates(
    BybitCategory category, const std::optional<model::Symbol>& symbol) {
  Call call{kBybitPrivateGroup, verb::get, kFeeRatePath, fee_rate_query(category, symbol), true};
  co_return co_await fetch(call, parse_fee_rates);
}

awaitable<Result<std::vector<model::PositionReport>>> BybitRestClient::positions(
    const std::optional<model::Symbol>& symbol) {
  const Call call{kBybitPrivateGroup, verb::get, kPositionListPath, {}, true};
  const auto make_query = [&symbol](const std::string& cursor) { return positions_query(symbol, cursor); };
  co_return co_await all_pages<model::PositionReport>(
      call, make_query, parse_positions, [](BybitPositionsPage & page) -> auto& { return page.positions; });
}

awaitable<Status> BybitRestClient::set_leverage(const model::Symbol& symbol, Decimal leverage) {
  KIMP_CO_TRY_ASSIGN(auto body, set_leverage_body(symbol, leverage));
  Call call{kBybitPrivateGroup, verb::post, kSetLeveragePath, std::move(body), true};
  co_return co_await change(call);
}

awaitable<Status> BybitRestClient::switch_isolated(const model::Symbol& symbol, Decimal leverage) {
  KIMP_CO_TRY_ASSIGN(auto body, switch_isolated_body(symbol, leverage));
  Call call{kBybitPrivateGroup, verb::post, kSwitchIsolatedPath, std::move(body), true};
  co_return co_await change(call);
}

awaitable<Status> BybitRestClient::set_isolated_margin_mode() {
  Call call{kBybitPrivateGroup, verb::post, kSetMarginModePath, isolated_margin_mode_body(), true};
  co_return co_await change(call);
}

awaitable<Status> BybitRestClient::set_one_way_mode() {
  Call call{kBybitPrivateGroup, verb::post, kSwitchPositionModePath, one_way_position_mode_body(), true};
  co_return co_await change(call);
}

awaitable<Result<BybitOrderAck>> BybitRestClient::create_order(const BybitOrderRequest& order) {
  KIMP_CO_TRY_ASSIGN(auto body, create_order_body(order));
  Call call{kBybitPrivateGroup, verb::post, kOrderCreatePath, std::move(body), true};
  co_return co_await fetch(call, parse_order_ack);
}

awaitable<Result<BybitOrderAck>> BybitRestClient::cancel_order(const model::Symbol& symbol,
                                                               std::string_view order_link_id) {
  KIMP_CO_TRY_ASSIGN(auto body, cancel_order_body(symbol, order_link_id));
  Call call{kBybitPrivateGroup, verb::post, kOrderCancelPath, std::move(body), true};
  co_return co_await fetch(call, parse_order_ack);
}

awaitable<Result<std::optional<model::OrderReport>>> BybitRestClient::order(const model::Symbol& symbol,
                                                                            std::string_view order_link_id) {
  KIMP_CO_TRY_ASSIGN(const auto query, order_by_link_id_query(symbol, order_link_id));
  // Open orders first: an order that has just ended may not be in the history yet.
  static constexpr std::array<std::string_view, 2> kPaths = {kOrderRealtimePath, kOrderHistoryPath};
  for (const std::string_view path : kPaths) {
    Call call{kBybitPrivateGroup, verb::get, path, query, true};
    KIMP_CO_TRY_ASSIGN(auto page, co_await fetch(call, parse_orders));
    for (auto& report : page.orders) {
      if (report.client_order_id == order_link_id) {
        co_return std::optional<model::OrderReport>(std::move(report));
      }
    }
  }
  co_return std::optional<model::OrderReport>();
}

awaitable<Result<std::vector<model::Execution>>> BybitRestClient::executions(const model::Symbol& symbol,
                                                                             std::string_view order_id) {
  const Call call{kBybitPrivateGroup, verb::get, kExecutionListPath, {}, true};
  const auto make_query = [&symbol, order_id](const std::string& cursor) {
    return executions_query(symbol, order_id, cursor);
  };
  co_return co_await all_pages<model::Execution>(
      call, make_query, parse_executions,
      [](BybitExecutionsPage & page) -> auto& { return page.executions; });
}

}  // namespace kimp::venues::bybit
