// Upbit WebSocket frames (DEFAULT or SIMPLE format) to books, trades, tickers and status answers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "core/logging.hpp"
#include "core/result.hpp"
#include "model/market_events.hpp"

namespace kimp::venues::upbit {

// The server's {"status":"UP"} answer to a "PING" text message (and its 10-second keep-alive).
struct UpbitStreamStatus {
  bool up = false;  // status was "UP"
  bool operator==(const UpbitStreamStatus&) const = default;
};

using UpbitStreamMessage = std::variant<model::BookUpdate, model::Trade, model::Ticker, UpbitStreamStatus>;

// What a frame was about, for counting.
enum class UpbitStreamKind : std::uint8_t { kOrderbook, kTrade, kTicker, kOther };
inline constexpr std::size_t kUpbitStreamKinds = 4;

struct UpbitStreamStats {
  std::array<std::uint64_t, kUpbitStreamKinds> parsed{};     // by UpbitStreamKind
  std::array<std::uint64_t, kUpbitStreamKinds> malformed{};  // by UpbitStreamKind, as far as it was read
  std::uint64_t venue_errors = 0;                            // {"error":{...}} frames
};

// Parses one public-stream frame at a time. Reuses its padded buffer, simdjson parser and level buffers,
// so after the first frames of the largest size it allocates nothing per orderbook message. A
// BookUpdate's bids and asks point into this parser and stay valid until the next parse(). Not
// thread-safe: one parser per connection.
class UpbitStreamParser {
 public:
  UpbitStreamParser();

  // The event a frame carries. DEFAULT keys (type, code, orderbook_units[{ask_price,..}], timestamp) and
  // SIMPLE keys (ty, cd, obu[{ap,..}], tms) are both accepted, told apart by the keys themselves.
  // Orderbooks are snapshots: depth = the unit count, bids and asks best first, zero-size sides left out.
  // Errors: an {"error":{"name":..}} frame as its Error (venue_code = name; INVALID_AUTH is
  // kUnauthenticated, the rest kInvalidArgument); kInvalidArgument for anything malformed (not JSON,
  // truncated, a member of the wrong type, an inexact number, a missing member, mixed key sets) and
  // for a type the engine does not subscribe to (candles, private streams). Every malformed frame is
  // counted in stats() and logged once per kind with its first bytes; the caller skips it.
  Result<UpbitStreamMessage> parse(std::string_view frame);

  [[nodiscard]] const UpbitStreamStats& stats() const { return stats_; }

 private:
  Result<UpbitStreamMessage> parse_frame(std::string_view frame, UpbitStreamKind& kind);
  void note_malformed(UpbitStreamKind kind, const Error& error, std::string_view frame);

  std::vector<char> buffer_;  // the frame plus simdjson's padding
  simdjson::ondemand::parser parser_;
  std::vector<model::BookLevel> bids_;
  std::vector<model::BookLevel> asks_;
  UpbitStreamStats stats_;
  std::array<bool, kUpbitStreamKinds> logged_{};
  bool venue_error_logged_ = false;
  log::Logger log_;
};

}  // namespace kimp::venues::upbit
