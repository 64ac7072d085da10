// Upbit public WebSocket feed: orderbook, trade and ticker streams of chosen markets, kept as one book per
// market across reconnects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "market/malformed_counter.hpp"
#include "market/order_book.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"
#include "net/ws_client.hpp"
#include "venues/upbit/parse_stream.hpp"

namespace kimp {
class Clock;
}

namespace kimp::venues::upbit {

// Upbit's two key sets for stream messages (websocket.yaml `format`); the parser reads both.
enum class UpbitStreamFormat : std::uint8_t { kDefault, kSimple };

struct UpbitPublicFeedOptions {
  std::vector<model::Symbol> markets;  // "KRW-BTC", ...: each gets its orderbook, trade and ticker stream
  UpbitStreamFormat format = UpbitStreamFormat::kDefault;
  // Levels per side each book holds: Upbit sends 15 units unless asked for up to 30.
  std::size_t book_capacity = 30;
  net::WsClientOptions ws = net::upbit_ws_options();
};

// What the feed delivers. The book passed to on_book is the feed's own, valid only during the call.
struct UpbitPublicFeedCallbacks {
  std::function<void(const market::OrderBook& book)> on_book;
  std::function<void(const model::Trade& trade)> on_trade;
  std::function<void(const model::Ticker& ticker)> on_ticker;
};

// The subscription request for `options`: [{"ticket":..},{"type":"orderbook","codes":[..]},
// {"type":"trade",..},{"type":"ticker",..},{"format":"DEFAULT"|"SIMPLE"}]. Symbols need no JSON escaping.
std::string upbit_public_subscription(const UpbitPublicFeedOptions& options);

// One connection to Upbit's public stream. Upbit sends whole books, so every orderbook message replaces
// its market's book; when the connection goes stale or drops every book is invalidated, and each becomes
// valid again with the first snapshot after the reconnect (the WsClient resubscribes on every connect).
// Frames the parser refuses are counted and logged once per kind by UpbitStreamParser (stream_stats());
// book updates a book refuses, or for a market not subscribed, by malformed(). Either way the frame is
// skipped.
//
// Connections are not drawn from the "ws_connect" rate group: WsClient connects from its own loop and
// offers no hook that could wait for a token. One feed stays far below Upbit's 5 connections per second
// anyway: it never asks for a resync (Upbit's books are snapshots, there are no gaps) and its reconnects
// follow WsClient's backoff (1 s, 2 s, ... after the first failure).
//
// Runs on the executor given at creation; not thread-safe. Callbacks must not destroy the feed.
class UpbitPublicFeed {
 public:
  // `clock` (for ts_recv) must outlive the feed.
  // Errors: kInvalidArgument for no market, a market listed twice, a book_capacity of 0, and those of
  // net::WsClient::create (a bad URL or invalid ws options).
  static Result<std::unique_ptr<UpbitPublicFeed>> create(const boost::asio::any_io_executor& executor,
                                                         const Clock& clock, std::string_view url,
                                                         UpbitPublicFeedOptions options,
                                                         UpbitPublicFeedCallbacks callbacks);
  UpbitPublicFeed(const UpbitPublicFeed&) = delete;
  UpbitPublicFeed& operator=(const UpbitPublicFeed&) = delete;
  ~UpbitPublicFeed();

  // Connects in the background and keeps reconnecting until stop().
  // Errors: kFailedPrecondition when already started or stopped (a feed runs once).
  Status start();
  // Closes the connection; no callback runs afterwards. Idempotent; the destructor calls it.
  void stop();

  // The connection's state changes (WsConnected, WsStale, WsDisconnected, WsResynced), heard after the
  // feed has invalidated its books for a stale or lost connection.
  [[nodiscard]] net::WsStateSubscription subscribe_state(net::WsStateListener listener);

  // The book of `market`; nullptr for a market not subscribed.
  [[nodiscard]] const market::OrderBook* book(const model::Symbol& market) const;

  [[nodiscard]] const UpbitStreamStats& stream_stats() const { return parser_.stats(); }
  [[nodiscard]] const market::MalformedCounter& malformed() const { return malformed_; }
  // Every frame skipped so far: those the parser refused and those malformed() counts.
  [[nodiscard]] std::uint64_t malformed_frames() const;
  [[nodiscard]] net::WsStats ws_stats() const { return ws_->stats(); }

 private:
  UpbitPublicFeed(UpbitPublicFeedOptions options, UpbitPublicFeedCallbacks callbacks);
  void on_frame(std::string_view frame, Timestamp ts_recv);
  void on_book_update(model::BookUpdate& update, std::string_view frame);
  void on_state(net::WsState state);

  UpbitPublicFeedOptions options_;
  UpbitPublicFeedCallbacks callbacks_;
  UpbitStreamParser parser_;
  market::MalformedCounter malformed_{"upbit.public_feed"};
  std::map<model::Symbol, market::OrderBook> books_;
  std::unique_ptr<net::WsClient> ws_;
  net::WsStateSubscription invalidation_;
};

}  // namespace kimp::venues::upbit
