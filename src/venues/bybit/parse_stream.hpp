// Bybit v5 public WebSocket parsing: orderbook, publicTrade, tickers and kline frames and op replies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp::venues::bybit {

// One publicTrade frame: its trades in match order.
struct BybitTradeBatch {
  model::Symbol symbol;
  Timestamp ts_event;                    // the frame's `ts`; each trade has its own `T`
  std::span<const model::Trade> trades;  // valid until the parser's next parse
};

// One bar of a kline.{interval}.{symbol} frame. Volumes are statistics here, not money the engine holds.
struct BybitKline {
  Timestamp start;
  Timestamp end;
  Decimal open;
  Decimal high;
  Decimal low;
  Decimal close;
  Decimal volume;
  Decimal turnover;
  bool confirm = false;  // the bar is closed
  Timestamp ts_event;    // the bar's `timestamp`
};

struct BybitKlineBatch {
  model::Symbol symbol;
  std::string_view interval;         // "1", "60", "D" ...; valid until the parser's next parse
  std::span<const BybitKline> bars;  // valid until the parser's next parse
};

// Whether BybitPublicParser reads orderbook frames written exactly as Bybit writes them with its own
// scanner (the engine's choice) or, like every other frame, with the checked simdjson path only (for
// tests that compare the two).
enum class BybitBookScan : std::uint8_t { kExactForm, kCheckedOnly };

enum class BybitStreamOp : std::uint8_t { kSubscribe, kUnsubscribe, kPing, kPong, kAuth, kOther };

// A reply to one of our requests: a subscription ack, or a pong (spot and linear answer a ping with
// op "ping" and ret_msg "pong"; other streams with op "pong").
struct BybitStreamControl {
  BybitStreamOp op = BybitStreamOp::kOther;
  bool success = false;
  std::string_view ret_msg;  // these views are valid until the parser's next parse
  std::string_view conn_id;
  std::string_view req_id;
};

using BybitPublicMessage =
    std::variant<model::BookUpdate, BybitTradeBatch, model::Ticker, BybitKlineBatch, BybitStreamControl>;

// What a frame was, as far as the parser got: MalformedCounter counts skipped frames under this.
enum class BybitMessageKind : std::uint8_t { kOrderbook, kTrade, kTicker, kKline, kControl, kUnknown };

// "orderbook", "trade", "ticker", "kline", "control", "unknown".
std::string_view to_string(BybitMessageKind kind);

// Turns the frames of one public connection (linear or spot) into domain events. Parsing is pure: the
// result depends only on the frame. Numbers are read exactly from their text (Decimal::parse); fields
// the engine does not use are skipped unread. After warm-up (the largest book, trade batch and frame
// seen once) a parse does not allocate; the views and spans it returns point into the parser's
// buffers and stay valid until the next parse.
//
// Orderbook frames in Bybit's exact compact form (its field order, no whitespace, plain-digit
// numbers) are read by a scanner that checks every byte; anything else, including every malformed
// frame, goes the checked simdjson way, whose errors say what is wrong. Both read a frame alike.
//
// Ticker fields: linear frames carry lastPrice, bid1Price, ask1Price, markPrice, indexPrice,
// fundingRate, nextFundingTime, volume24h, turnover24h (deltas only the changed ones); spot frames
// lastPrice, volume24h, turnover24h. An empty string (Bybit's "no value", e.g. fundingRate of a
// contract without funding) leaves the field unset.
class BybitPublicParser {
 public:
  // Larger frames are refused before parsing: Bybit's largest, a 1000-level snapshot, is about 50 KB.
  static constexpr std::size_t kMaxFrameBytes = std::size_t{4} << 20U;

  explicit BybitPublicParser(BybitCategory category, BybitBookScan book_scan = BybitBookScan::kExactForm);

  // Errors (all kInvalidArgument, with the reason and the offending text quoted): an empty, oversized
  // or malformed JSON frame, an unknown topic or type, a missing or mistyped field, a symbol in the
  // data that is not the topic's, a number that is not exact at 10^-8 or out of range, a level that is
  // not a [price, size] pair.
  Result<BybitPublicMessage> parse(std::string_view frame);

  // The kind of the frame last given to parse(), known as soon as its topic or op was read.
  [[nodiscard]] BybitMessageKind last_kind() const { return kind_; }
  [[nodiscard]] BybitCategory category() const { return category_; }

 private:
  struct Frame;

  // parse() of a frame already copied into input_: the checked way.
  Result<BybitPublicMessage> parse_document(Frame& frame);
  // An orderbook frame in Bybit's exact form into `frame`, bids_ and asks_; false for anything else.
  bool scan_book_frame(Frame& frame);
  Status parse_data(Frame& frame, simdjson::ondemand::value& data);
  Status parse_book(Frame& frame, simdjson::ondemand::value& data);
  Status parse_levels(Frame& frame, simdjson::ondemand::value& side, std::vector<model::BookLevel>& out);
  Status parse_trades(Frame& frame, simdjson::ondemand::value& data);
  Status parse_ticker(Frame& frame, simdjson::ondemand::value& data);
  Status parse_klines(Frame& frame, simdjson::ondemand::value& data);
  Result<BybitPublicMessage> assemble(Frame& frame);

  // What parse_topic() made of a topic already seen: a connection carries a few topics, over and over.
  struct KnownTopic {
    static constexpr std::size_t kMaxBytes = 48;  // "orderbook.1000." and the longest symbol
    std::array<char, kMaxBytes> text{};
    std::size_t size = 0;
    BybitMessageKind kind = BybitMessageKind::kUnknown;
    model::Symbol symbol;
    std::uint32_t depth = 0;
    std::size_t interval_at = 0;  // kline topics: where the interval lies in the topic
    std::size_t interval_size = 0;
  };
  static constexpr std::size_t kKnownTopics = 16;

  // The topic's kind, symbol, depth and interval into kind_ and `frame`, from known_topics_ when seen
  // before; errors as parse().
  Status read_topic(Frame& frame);

  BybitCategory category_;
  BybitBookScan book_scan_;
  BybitMessageKind kind_ = BybitMessageKind::kUnknown;
  std::array<KnownTopic, kKnownTopics> known_topics_;
  std::size_t next_known_topic_ = 0;  // the entry a new topic replaces, in turn
  simdjson::ondemand::parser parser_;
  std::vector<char> input_;  // the frame plus simdjson's padding
  std::vector<model::BookLevel> bids_;
  std::vector<model::BookLevel> asks_;
  std::vector<model::Trade> trades_;
  std::vector<BybitKline> klines_;
  model::Ticker ticker_;
};

}  // namespace kimp::venues::bybit
