// Bybit v5 streams: the public feed (books with gap recovery, trades, tickers) and the private feed
// (orders, executions, positions, wallet), each over one reconnecting WebSocket.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.hpp"
#include "market/malformed_counter.hpp"
#include "market/order_book.hpp"
#include "model/account_events.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"
#include "net/ws_client.hpp"
#include "venues/bybit/credential.hpp"
#include "venues/bybit/models.hpp"
#include "venues/bybit/parse_private.hpp"
#include "venues/bybit/parse_stream.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp {
class Clock;
}

namespace kimp::net {
class TimeSync;
}

namespace kimp::venues::bybit {

struct BybitPublicFeedOptions {
  BybitCategory category = BybitCategory::kLinear;  // the URL must be that category's stream
  std::vector<model::Symbol> symbols;               // 1..100
  int book_depth = 50;                              // orderbook.{1|50|200|1000}
  bool trades = true;                               // publicTrade.{symbol}
  bool tickers = true;                              // tickers.{symbol}
  net::WsClientOptions ws = net::bybit_ws_options();
};

struct BybitPublicFeedCallbacks {
  // After each message applied to a book; the book is valid and not crossed.
  std::function<void(const market::OrderBook& book)> on_book;
  std::function<void(const model::Trade& trade)> on_trade;
  // The symbol's ticker with every field received so far (linear streams send only changed fields).
  std::function<void(const model::Ticker& ticker)> on_ticker;
};

struct BybitPublicFeedStats {
  std::uint64_t frames = 0;             // data frames received
  std::uint64_t book_messages = 0;      // snapshots and deltas applied
  std::uint64_t gaps = 0;               // deltas refused by a book (update-id gap, no snapshot)
  std::uint64_t resyncs_requested = 0;  // reconnects asked for to get fresh snapshots
  std::uint64_t crossed = 0;            // messages that left a book crossed (the book is then dropped)
  std::uint64_t refused_subscriptions = 0;
  bool operator==(const BybitPublicFeedStats&) const = default;
};

// A book is delivered only while it is whole: a delta that does not follow the last update id, or a book
// that comes out crossed, drops the book (invalid until a snapshot) and reconnects for fresh snapshots of
// every subscribed book; a stale or lost connection drops every book. Frames that do not parse are counted
// in malformed() and skipped.
//
// Runs on the executor given at creation; not thread-safe. Callbacks must not destroy the feed.
class BybitPublicFeed {
 public:
  // `clock` must outlive the feed.
  // Errors: kInvalidArgument for no symbols or more than 100, a repeated symbol, a book depth Bybit does
  // not offer for the category, or those of net::WsClient::create.
  static Result<std::unique_ptr<BybitPublicFeed>> create(const boost::asio::any_io_executor& executor,
                                                         const Clock& clock, std::string_view url,
                                                         BybitPublicFeedOptions options,
                                                         BybitPublicFeedCallbacks callbacks);
  BybitPublicFeed(const BybitPublicFeed&) = delete;
  BybitPublicFeed& operator=(const BybitPublicFeed&) = delete;
  ~BybitPublicFeed();

  // Errors: those of net::WsClient::start.
  Status start();
  // No callback runs afterwards. Idempotent; the destructor calls it.
  void stop();

  // Connection state events (connected, stale, disconnected, resynced) of the feed's stream.
  [[nodiscard]] net::WsStateSubscription subscribe_state(net::WsStateListener listener);

  // The book of a subscribed symbol (nullptr for another); check valid() before using it.
  [[nodiscard]] const market::OrderBook* book(const model::Symbol& symbol) const;
  [[nodiscard]] const BybitPublicFeedStats& stats() const { return stats_; }
  [[nodiscard]] const market::MalformedCounter& malformed() const { return malformed_; }
  [[nodiscard]] net::WsStats connection_stats() const { return ws_->stats(); }

 private:
  struct Book {
    market::OrderBook book;
    model::Ticker ticker;
  };

  BybitPublicFeed(BybitPublicFeedOptions options, BybitPublicFeedCallbacks callbacks);
  [[nodiscard]] std::vector<std::string> subscription_frames() const;
  void on_frame(std::string_view frame, Timestamp ts_recv);
  void on_book_update(model::BookUpdate& update);
  void on_ticker_update(const model::Ticker& update);
  void drop_books_and_resync(std::string_view reason, const model::Symbol& symbol);
  Book* find(const model::Symbol& symbol);

  BybitPublicFeedOptions options_;
  BybitPublicFeedCallbacks callbacks_;
  BybitPublicParser parser_;
  std::vector<Book> books_;
  market::MalformedCounter malformed_;
  BybitPublicFeedStats stats_;
  log::Logger log_;
  std::unique_ptr<net::WsClient> ws_;
  net::WsStateSubscription own_state_;
};

struct BybitPrivateFeedCallbacks {
  std::function<void(const model::OrderReport& order)> on_order;
  std::function<void(const model::Execution& execution)> on_execution;
  std::function<void(const model::PositionReport& position)> on_position;
  std::function<void(const BybitWalletBalance& wallet)> on_wallet;
};

struct BybitPrivateFeedStats {
  std::uint64_t frames = 0;
  std::uint64_t logins = 0;          // auth acks with success
  std::uint64_t login_failures = 0;  // auth refused (wrong key, expired signature)
  std::uint64_t refused_subscriptions = 0;
  bool operator==(const BybitPrivateFeedStats&) const = default;
};

// Logs in (an auth frame signed for the TimeSync's server time + 10 s) and subscribes to order,
// execution, position and wallet after every connect. The events of one account; a refused login is
// logged as an error and counted, and authenticated() stays false until a login succeeds.
class BybitPrivateFeed {
 public:
  // `clock` and `time` must outlive the feed.
  // Errors: those of net::WsClient::create.
  static Result<std::unique_ptr<BybitPrivateFeed>> create(const boost::asio::any_io_executor& executor,
                                                          const Clock& clock, const net::TimeSync& time,
                                                          std::string_view url, BybitCredential credential,
                                                          BybitPrivateFeedCallbacks callbacks,
                                                          net::WsClientOptions ws = net::bybit_ws_options());
  BybitPrivateFeed(const BybitPrivateFeed&) = delete;
  BybitPrivateFeed& operator=(const BybitPrivateFeed&) = delete;
  ~BybitPrivateFeed();

  Status start();
  void stop();
  [[nodiscard]] net::WsStateSubscription subscribe_state(net::WsStateListener listener);

  // A login of the current connection succeeded.
  [[nodiscard]] bool authenticated() const { return authenticated_; }
  [[nodiscard]] const BybitPrivateFeedStats& stats() const { return stats_; }
  [[nodiscard]] const market::MalformedCounter& malformed() const { return malformed_; }

 private:
  BybitPrivateFeed(const net::TimeSync& time, BybitCredential credential,
                   BybitPrivateFeedCallbacks callbacks);
  [[nodiscard]] std::vector<std::string> subscription_frames() const;
  void on_frame(std::string_view frame, Timestamp ts_recv);

  const net::TimeSync* time_;
  BybitCredential credential_;
  BybitPrivateFeedCallbacks callbacks_;
  BybitPrivateParser parser_;
  market::MalformedCounter malformed_;
  BybitPrivateFeedStats stats_;
  bool authenticated_ = false;
  log::Logger log_;
  std::unique_ptr<net::WsClient> ws_;
  net::WsStateSubscription own_state_;
};

}  // namespace kimp::venues::bybit
