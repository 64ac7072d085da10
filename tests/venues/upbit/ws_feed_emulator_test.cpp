// UpbitPublicFeed against the `kimp venue-sim` process over loopback: books, tickers and trades in both
// formats, reconnection after a dropped connection, and stall detection.
#include "venues/upbit/ws_feed.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include <fmt/format.h>

#include "venues/upbit/emulator_process.hpp"

namespace kimp::venues::upbit {
namespace {

using namespace std::chrono_literals;

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();
const model::Symbol krw_eth = model::Symbol::create("KRW-ETH").value();

// One book as delivered: its levels, copied out of the feed's book.
struct BookCopy {
  std::vector<model::BookLevel> bids;
  std::vector<model::BookLevel> asks;
  bool operator==(const BookCopy&) const = default;
};

BookCopy copy_of(const market::OrderBook& book) {
  BookCopy copy;
  for (std::size_t i = 0; i < book.bid_count(); ++i) {
    copy.bids.push_back(book.bid(i));
  }
  for (std::size_t i = 0; i < book.ask_count(); ++i) {
    copy.asks.push_back(book.ask(i));
  }
  return copy;
}

struct StateEvent {
  net::WsState state;
  bool btc_book_valid;  // as the listener saw it
};

class UpbitPublicFeedEmulator : public testing::EmulatorTest {
 protected:
  static UpbitPublicFeedOptions options(UpbitStreamFormat format = UpbitStreamFormat::kDefault) {
    UpbitPublicFeedOptions out;
    out.markets = {krw_btc, krw_eth};
    out.format = format;
    // Pings keep a quiet market's connection fresh; the stall fault silences them too.
    out.ws.ping_interval = 300ms;
    out.ws.stale_after = 1s;
    out.ws.stale_check_interval = 100ms;
    out.ws.backoff = BackoffConfig{100ms, 2.0, 500ms, 0.2};
    return out;
  }

  std::unique_ptr<UpbitPublicFeed> make_feed(UpbitPublicFeedOptions feed_options,
                                             std::map<Timestamp, BookCopy>* btc_books = nullptr) {
    UpbitPublicFeedCallbacks callbacks;
    callbacks.on_book = [this, btc_books](const market::OrderBook& book) {
      ++books_;
      if (book.symbol() == krw_btc && btc_books != nullptr) {
        (*btc_books)[book.ts_event()] = copy_of(book);
      }
    };
    callbacks.on_ticker = [this](const model::Ticker& ticker) { tickers_.push_back(ticker); };
    callbacks.on_trade = [this](const model::Trade&) { ++trades_; };
    auto feed = UpbitPublicFeed::create(io_.get_executor(), clock_,
                                        fmt::format("ws://127.0.0.1:{}/websocket/v1", venue_->upbit_port()),
                                        std::move(feed_options), std::move(callbacks));
    EXPECT_TRUE(feed.has_value()) << feed.error();
    return feed ? std::move(*feed) : nullptr;
  }

  void watch_states(UpbitPublicFeed& feed) {
    state_subscription_ = feed.subscribe_state([this, &feed](net::WsState state, std::string_view) {
      states_.push_back({state, feed.book(krw_btc)->valid()});
    });
  }

  [[nodiscard]] bool saw(net::WsState state) const {
    return std::any_of(states_.begin(), states_.end(),
                       [&](const StateEvent& event) { return event.state == state; });
  }

  static bool both_valid(const UpbitPublicFeed& feed) {
    return feed.book(krw_btc)->valid() && feed.book(krw_eth)->valid();
  }

  std::uint64_t books_ = 0;
  std::uint64_t trades_ = 0;
  std::vector<model::Ticker> tickers_;
  std::vector<StateEvent> states_;
  net::WsStateSubscription state_subscription_;
};

TEST_F(UpbitPublicFeedEmulator, Subscribed_BooksOfEveryMarketBecomeValidAndTickersArrive) {
  auto feed = make_feed(options());
  ASSERT_NE(feed, nullptr);
  watch_states(*feed);
  ASSERT_TRUE(feed->start().has_value());
  ASSERT_TRUE(run_until([&] {
    return both_valid(*feed) &&
           std::any_of(tickers_.begin(), tickers_.end(), [](const auto& t) { return t.symbol == krw_btc; });
  }));
  const market::OrderBook& book = *feed->book(krw_btc);
  EXPECT_FALSE(book.crossed());
  EXPECT_GT(book.bid_count(), 0U);
  EXPECT_GT(book.ask_count(), 0U);
  EXPECT_GT(book.ts_recv(), Timestamp{});
  const model::Ticker& ticker = tickers_.front();
  EXPECT_EQ(ticker.venue, model::Venue::kUpbit);
  EXPECT_TRUE(ticker.last_price.value_or(Decimal()).is_positive());
  EXPECT_TRUE(ticker.volume_24h.has_value());
  ASSERT_FALSE(states_.empty());
  EXPECT_EQ(states_.front().state, net::WsState::kConnected);
  EXPECT_EQ(feed->malformed_frames(), 0U);
  EXPECT_EQ(feed->book(model::Symbol::create("KRW-XRP").value()), nullptr);
}

TEST_F(UpbitPublicFeedEmulator, DefaultAndSimpleFormats_GiveIdenticalBooks) {
  std::map<Timestamp, BookCopy> default_books;
  std::map<Timestamp, BookCopy> simple_books;
  auto default_feed = make_feed(options(UpbitStreamFormat::kDefault), &default_books);
  auto simple_feed = make_feed(options(UpbitStreamFormat::kSimple), &simple_books);
  ASSERT_NE(default_feed, nullptr);
  ASSERT_NE(simple_feed, nullptr);
  ASSERT_TRUE(default_feed->start().has_value());
  ASSERT_TRUE(simple_feed->start().has_value());
  // Books the emulator pushed to both sessions carry the same timestamp.
  int common = 0;
  ASSERT_TRUE(run_until([&] {
    common = 0;
    for (const auto& [ts, book] : default_books) {
      common += simple_books.contains(ts) ? 1 : 0;
    }
    return common >= 3;
  })) << "the two feeds saw no common books";
  for (const auto& [ts, book] : default_books) {
    const auto other = simple_books.find(ts);
    if (other != simple_books.end()) {
      EXPECT_EQ(book, other->second) << "books of " << ts << " differ";
    }
  }
  EXPECT_EQ(default_feed->malformed_frames(), 0U);
  EXPECT_EQ(simple_feed->malformed_frames(), 0U);
}

TEST_F(UpbitPublicFeedEmulator, DisconnectFault_InvalidatesBooks_ThenResubscribesAndBooksComeBack) {
  auto feed = make_feed(options());
  ASSERT_NE(feed, nullptr);
  watch_states(*feed);
  ASSERT_TRUE(feed->start().has_value());
  ASSERT_TRUE(run_until([&] { return both_valid(*feed); }));

  const auto answer = venue_->admin(boost::beast::http::verb::post, "/faults/disconnect",
                                    R"({"venue":"upbit","stream":"websocket"})");
  ASSERT_EQ(answer.status, 200U) << answer.body;
  ASSERT_TRUE(run_until([&] { return saw(net::WsState::kResynced) && both_valid(*feed); }));

  const auto disconnected = std::find_if(states_.begin(), states_.end(), [](const auto& event) {
    return event.state == net::WsState::kDisconnected;
  });
  const auto resynced = std::find_if(states_.begin(), states_.end(), [](const auto& event) {
    return event.state == net::WsState::kResynced;
  });
  ASSERT_NE(disconnected, states_.end());
  EXPECT_LT(disconnected, resynced) << "kDisconnected comes before kResynced";
  EXPECT_FALSE(disconnected->btc_book_valid) << "the book is invalid once the connection is lost";
  EXPECT_GE(feed->ws_stats().connects, 2U);
  EXPECT_EQ(venue_->injected("ws_disconnect", "websocket", "upbit"), 1U);
}

TEST_F(UpbitPublicFeedEmulator, StallLongerThanStaleAfter_ReportsStale_AndRecoversWhenTheStallEnds) {
  auto feed = make_feed(options());
  ASSERT_NE(feed, nullptr);
  watch_states(*feed);
  // Each session goes silent 1.5 s after it opened, for 1.4 s: longer than stale_after (1 s).
  set_faults(R"({"websocket":[{"venue":"upbit","stream":"websocket","stall_every_ms":1500,)"
             R"("stall_for_ms":1400}]})");
  ASSERT_TRUE(feed->start().has_value());
  ASSERT_TRUE(run_until([&] { return saw(net::WsState::kStale); }));
  const auto stale = std::find_if(states_.begin(), states_.end(),
                                  [](const auto& event) { return event.state == net::WsState::kStale; });
  EXPECT_FALSE(stale->btc_book_valid) << "a stale connection's books are not to be trusted";
  const auto stale_index = static_cast<std::ptrdiff_t>(stale - states_.begin());
  EXPECT_GE(feed->ws_stats().stale, 1U);
  EXPECT_GE(venue_->injected("ws_stall", "websocket", "upbit"), 1U);

  clear_faults();
  ASSERT_TRUE(run_until([&] {
    return std::any_of(states_.begin() + stale_index, states_.end(),
                       [](const auto& event) { return event.state == net::WsState::kResynced; }) &&
           both_valid(*feed);
  }));
}

}  // namespace
}  // namespace kimp::venues::upbit
