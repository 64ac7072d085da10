// One Upbit market-data object (orderbook, trade, ticker) read once, under DEFAULT or SIMPLE keys, and
// turned into domain events. Shared by the stream parser and the REST quotation parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/market_events.hpp"

namespace kimp::venues::upbit::detail {

// Which of Upbit's two key sets an object uses (websocket.yaml's property names or their x-simple-key).
enum class UpbitKeySet : std::uint8_t { kUnknown, kDefault, kSimple };

// The fields of one object that the engine reads. Strings point into the simdjson parser's buffers and
// stay valid until it parses again.
struct UpbitMarketFields {
  UpbitKeySet keys = UpbitKeySet::kUnknown;
  std::string_view type;  // "orderbook", "trade", "ticker"; empty in REST answers
  std::string_view code;  // "KRW-BTC" (`code`/`cd`, or `market` in REST)
  std::optional<Timestamp> timestamp;
  std::optional<Timestamp> trade_timestamp;
  std::optional<Decimal> trade_price;
  std::string_view trade_volume;  // number text, parsed only for trades (tickers carry it with more digits)
  std::string_view ask_bid;
  std::optional<std::uint64_t> sequential_id;
  std::optional<Decimal> acc_trade_volume_24h;
  std::optional<std::int64_t> acc_trade_price_24h_whole;  // whole KRW, fraction truncated
  bool has_units = false;                                 // an orderbook_units / obu array was present
  std::uint32_t units = 0;                                // how many units it held
  std::string_view status;                                // {"status":"UP"}
  bool has_error = false;                                 // {"error":{...}}
  std::string_view error_name;
  std::string_view error_message;
};

// Reads every member of `object` into `fields`; orderbook units are appended to `bids` and `asks` (best
// first; a zero-size side of a unit adds no level). Unknown members are skipped.
// Errors: kInvalidArgument for malformed JSON, a member of the wrong type or with an inexact number,
// or an object mixing DEFAULT and SIMPLE keys.
Status read_market_fields(simdjson::ondemand::object& object, UpbitMarketFields& fields,
                          std::vector<model::BookLevel>& bids, std::vector<model::BookLevel>& asks);

// Domain events from the fields read. They do not set ts_recv. Errors: kInvalidArgument naming the
// missing member (DEFAULT and SIMPLE names) or an invalid market code / ask_bid.
Result<model::BookUpdate> to_book_update(const UpbitMarketFields& fields,
                                         const std::vector<model::BookLevel>& bids,
                                         const std::vector<model::BookLevel>& asks);
Result<model::Trade> to_trade(const UpbitMarketFields& fields);
Result<model::Ticker> to_ticker(const UpbitMarketFields& fields);

}  // namespace kimp::venues::upbit::detail
