// Upbit REST requests as the exact bytes sent and signed: ordered parameters, query strings, JSON bodies.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "model/account_events.hpp"
#include "model/types.hpp"

namespace kimp::venues::upbit {

// A request's parameters in the order they are sent. One list renders both the query string (GET, DELETE,
// and the text a POST's query_hash covers) and the JSON body of a POST, so the two cannot disagree.
// Values are limited to bytes that need no percent-encoding, so the query sent is the query hashed.
class UpbitParams {
 public:
  // Errors: kInvalidArgument, quoting the value, when `key` or `value` is empty or holds a byte outside
  // [0-9A-Za-z._~,-] (a key may also end in "[]").
  Status add(std::string_view key, std::string_view value);
  // `key`[]=v for each value in the query string and "key":["v",..] in JSON, the forms Upbit hashes alike.
  // Errors: as add, and kInvalidArgument when `values` is empty.
  Status add_list(std::string_view key, std::span<const std::string> values);

  // "market=KRW-BTC&states[]=wait&states[]=watch"; empty when there are no parameters.
  [[nodiscard]] std::string query_string() const;
  // {"market":"KRW-BTC","states":["wait","watch"]}: every value a JSON string, as exchange.yaml types them.
  [[nodiscard]] std::string json_body() const;
  [[nodiscard]] bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string key;
    std::vector<std::string> values;
    bool list = false;
  };
  std::vector<Entry> entries_;
};

enum class UpbitMethod : std::uint8_t { kGet, kPost, kDelete };

// One REST call, ready for a client to send: `query` goes after '?' (empty: none), `body` is the JSON body
// of a POST (empty otherwise), and `signed_text` is what the JWT's query_hash must cover.
struct UpbitRequest {
  UpbitMethod method = UpbitMethod::kGet;
  std::string path;
  std::string query;
  std::string body;
  std::string signed_text;
  bool requires_auth = false;
  bool operator==(const UpbitRequest&) const = default;
};

// Which order a lookup or cancel names: Upbit's uuid, or our identifier (client order id) when the uuid is
// unknown, e.g. after a placement whose answer was lost.
struct UpbitOrderRef {
  std::string uuid;
  std::string identifier;
};

// Builders. Errors (all kInvalidArgument): a parameter that fails UpbitParams::add, a non-positive price,
// volume or amount, an empty market list, or an order reference with neither uuid nor identifier.

UpbitRequest accounts_request();
Result<UpbitRequest> order_chance_request(const model::Symbol& market);
// A limit order; `time_in_force` kGtc sends none, kIoc "ioc", kFok "fok".
Result<UpbitRequest> limit_order_request(const model::Symbol& market, model::Side side, Decimal price,
                                         Decimal volume, model::TimeInForce time_in_force,
                                         std::string_view identifier);
// ord_type=price: a market buy spending `krw_amount`.
Result<UpbitRequest> market_buy_request(const model::Symbol& market, Decimal krw_amount,
                                        std::string_view identifier);
// ord_type=market: a market sell of `volume`.
Result<UpbitRequest> market_sell_request(const model::Symbol& market, Decimal volume,
                                         std::string_view identifier);
// uuid= when set, else identifier= (Upbit looks up by uuid when both are sent, so only one is).
Result<UpbitRequest> get_order_request(const UpbitOrderRef& ref);
Result<UpbitRequest> cancel_order_request(const UpbitOrderRef& ref);
// markets=KRW-BTC,KRW-ETH.
Result<UpbitRequest> orderbook_request(std::span<const model::Symbol> markets);
Result<UpbitRequest> ticker_request(std::span<const model::Symbol> markets);
// is_details=true, so the answer carries each market's warning flags.
UpbitRequest market_all_request();

}  // namespace kimp::venues::upbit
