// Bybit v5 stream feeds: subscription frames, frame dispatch, book gap recovery and private login.
#include "venues/bybit/ws_feed.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "core/clock.hpp"
#include "net/time_sync.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr std::size_t kMaxSymbols = 100;
constexpr std::array<int, 4> kBookDepths = {1, 50, 200, 1000};
// Bybit accepts at most 10 topics per subscribe request on spot; linear is held to the same.
constexpr std::size_t kTopicsPerRequest = 10;
// How far ahead of Bybit's clock the private login's signature expires.
constexpr auto kAuthValidity = std::chrono::seconds{10};

// {"op":"subscribe","args":[...]} frames of at most kTopicsPerRequest topics each.
std::vector<std::string> subscribe_frames(const std::vector<std::string>& topics) {
  std::vector<std::string> frames;
  for (std::size_t first = 0; first < topics.size(); first += kTopicsPerRequest) {
    const auto last = std::min(topics.size(), first + kTopicsPerRequest);
    std::string args;
    for (std::size_t i = first; i < last; ++i) {
      args += fmt::format("{}\"{}\"", i == first ? "" : ",", topics[i]);
    }
    frames.push_back(fmt::format(R"({{"op":"subscribe","args":[{}]}})", args));
  }
  return frames;
}

// The stream's callbacks: every data frame to `on_frame`, and `subscriptions` sent after every connect.
net::WsCallbacks stream_callbacks(std::function<void(std::string_view, Timestamp)> on_frame,
                                  std::function<std::vector<std::string>()> subscriptions) {
  net::WsCallbacks callbacks;
  callbacks.on_message = [on_frame = std::move(on_frame)](std::string_view frame, bool /*binary*/,
                                                          Timestamp ts_recv) { on_frame(frame, ts_recv); };
  callbacks.subscriptions = std::move(subscriptions);
  return callbacks;
}

// The entry of `symbol` in a feed's books (const or not); nullptr for a symbol the feed does not follow.
template <class Books>
auto* find_book(Books& books, const model::Symbol& symbol) {
  const auto it = std::find_if(books.begin(), books.end(),
                               [&](const auto& entry) { return entry.book.symbol() == symbol; });
  return it == books.end() ? nullptr : &*it;
}

// Each of `items` to `callback`, when one is set.
template <class Item>
void deliver(const std::function<void(const Item&)>& callback, const std::vector<Item>& items) {
  if (callback) {
    for (const auto& item : items) {
      callback(item);
    }
  }
}

template <class T>
void merge_field(std::optional<T>& into, const std::optional<T>& from) {
  if (from) {
    into = from;
  }
}

}  // namespace

// ---- public feed ----

BybitPublicFeed::BybitPublicFeed(BybitPublicFeedOptions options, BybitPublicFeedCallbacks callbacks)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      parser_(options_.category),
      malformed_(fmt::format("bybit.{}.feed", to_string(options_.category))),
      log_(fmt::format("bybit.{}.feed", to_string(options_.category))) {
  // Deltas may add levels before the ones they push out are removed: room for twice the depth.
  const auto capacity = static_cast<std::size_t>(options_.book_depth) * 2;
  books_.reserve(options_.symbols.size());
  for (const auto& symbol : options_.symbols) {
    Book book{market::OrderBook(model::Venue::kBybit, symbol, capacity), {}};
    book.ticker.venue = model::Venue::kBybit;
    book.ticker.symbol = symbol;
    books_.push_back(std::move(book));
  }
}

Result<std::unique_ptr<BybitPublicFeed>> BybitPublicFeed::create(const boost::asio::any_io_executor& executor,
                                                                 const Clock& clock, std::string_view url,
                                                                 BybitPublicFeedOptions options,
                                                                 BybitPublicFeedCallbacks callbacks) {
  if (options.symbols.empty() || options.symbols.size() > kMaxSymbols) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("a Bybit public feed takes 1 to {} symbols, not {}", kMaxSymbols,
                                  options.symbols.size()));
  }
  for (auto it = options.symbols.begin(); it != options.symbols.end(); ++it) {
    if (std::find(std::next(it), options.symbols.end(), *it) != options.symbols.end()) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("symbol {} is listed twice", it->view()));
    }
  }
  if (std::find(kBookDepths.begin(), kBookDepths.end(), options.book_depth) == kBookDepths.end()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("Bybit offers book depths 1, 50, 200 and 1000, not {}", options.book_depth));
  }
  auto ws_options = options.ws;
  std::unique_ptr<BybitPublicFeed> feed(new BybitPublicFeed(std::move(options), std::move(callbacks)));
  auto* self = feed.get();
  auto ws_callbacks =
      stream_callbacks([self](std::string_view frame, Timestamp ts_recv) { self->on_frame(frame, ts_recv); },
                       [self] { return self->subscription_frames(); });
  KIMP_TRY_ASSIGN(
      feed->ws_, net::WsClient::create(executor, clock, url, std::move(ws_options), std::move(ws_callbacks)));
  // Registered first, so the books are dropped before any outside listener hears of the change.
  feed->own_state_ = feed->ws_->subscribe_state([self](net::WsState state, std::string_view detail) {
    if (state == net::WsState::kStale || state == net::WsState::kDisconnected) {
      for (auto& book : self->books_) {
        book.book.invalidate();
      }
      self->log_.warn("stream lost, books dropped until fresh snapshots",
                      {{"state", to_string(state)}, {"detail", detail}});
    }
  });
  return feed;
}

BybitPublicFeed::~BybitPublicFeed() {
  stop();
}

Status BybitPublicFeed::start() {
  return ws_->start();
}

void BybitPublicFeed::stop() {
  if (ws_) {
    ws_->stop();
  }
}

net::WsStateSubscription BybitPublicFeed::subscribe_state(net::WsStateListener listener) {
  return ws_->subscribe_state(std::move(listener));
}

const market::OrderBook* BybitPublicFeed::book(const model::Symbol& symbol) const {
  const Book* entry = find_book(books_, symbol);
  return entry == nullptr ? nullptr : &entry->book;
}

BybitPublicFeed::Book* BybitPublicFeed::find(const model::Symbol& symbol) {
  return find_book(books_, symbol);
}

std::vector<std::string> BybitPublicFeed::subscription_frames() const {
  std::vector<std::string> topics;
  for (const auto& symbol : options_.symbols) {
    topics.push_back(fmt::format("orderbook.{}.{}", options_.book_depth, symbol.view()));
    if (options_.trades) {
      topics.push_back(fmt::format("publicTrade.{}", symbol.view()));
    }
    if (options_.tickers) {
      topics.push_back(fmt::format("tickers.{}", symbol.view()));
    }
  }
  return subscribe_frames(topics);
}

void BybitPublicFeed::on_frame(std::string_view frame, Timestamp ts_recv) {
  ++stats_.frames;
  auto parsed = parser_.parse(frame);
  if (!parsed) {
    malformed_.record(
        fmt::format("bybit.{}.{}", to_string(options_.category), to_string(parser_.last_kind())),
        parsed.error(), frame);
    return;
  }
  std::visit(
      [&](auto& message) {
        using Message = std::decay_t<decltype(message)>;
        if constexpr (std::is_same_v<Message, model::BookUpdate>) {
          message.ts_recv = ts_recv;
          on_book_update(message);
        } else if constexpr (std::is_same_v<Message, BybitTradeBatch>) {
          if (callbacks_.on_trade) {
            for (model::Trade trade : message.trades) {
              trade.ts_recv = ts_recv;
              callbacks_.on_trade(trade);
            }
          }
        } else if constexpr (std::is_same_v<Message, model::Ticker>) {
          message.ts_recv = ts_recv;
          on_ticker_update(message);
        } else if constexpr (std::is_same_v<Message, BybitStreamControl>) {
          if ((message.op == BybitStreamOp::kSubscribe) && !message.success) {
            ++stats_.refused_subscriptions;
            log_.error("Bybit refused a subscription", {{"ret_msg", message.ret_msg}});
          }
        }
      },
      *parsed);
}

void BybitPublicFeed::on_book_update(model::BookUpdate& update) {
  Book* entry = find(update.symbol);
  if (entry == nullptr) {
    return;  // a topic this feed did not ask for
  }
  auto& book = entry->book;
  if (const auto applied = book.apply(update); !applied) {
    ++stats_.gaps;
    drop_books_and_resync(applied.error().message, update.symbol);
    return;
  }
  ++stats_.book_messages;
  if (book.crossed()) {
    ++stats_.crossed;
    book.invalidate();
    drop_books_and_resync("the book came out crossed", update.symbol);
    return;
  }
  if (callbacks_.on_book) {
    callbacks_.on_book(book);
  }
}

void BybitPublicFeed::on_ticker_update(const model::Ticker& update) {
  Book* entry = find(update.symbol);
  if (entry == nullptr) {
    return;
  }
  auto& ticker = entry->ticker;
  ticker.ts_event = update.ts_event;
  ticker.ts_recv = update.ts_recv;
  merge_field(ticker.last_price, update.last_price);
  merge_field(ticker.bid_price, update.bid_price);
  merge_field(ticker.ask_price, update.ask_price);
  merge_field(ticker.mark_price, update.mark_price);
  merge_field(ticker.index_price, update.index_price);
  merge_field(ticker.funding_rate, update.funding_rate);
  merge_field(ticker.next_funding_time, update.next_funding_time);
  merge_field(ticker.volume_24h, update.volume_24h);
  merge_field(ticker.turnover_24h, update.turnover_24h);
  merge_field(ticker.turnover_24h_krw, update.turnover_24h_krw);
  if (callbacks_.on_ticker) {
    callbacks_.on_ticker(ticker);
  }
}

void BybitPublicFeed::drop_books_and_resync(std::string_view reason, const model::Symbol& symbol) {
  // Bybit sends a snapshot only on subscribing: a fresh connection gets one for every book.
  for (auto& book : books_) {
    book.book.invalidate();
  }
  // Once the connection is being rebuilt, the deltas still arriving on it change nothing.
  if (ws_->connected() && ws_->request_resync(reason)) {
    ++stats_.resyncs_requested;
    log_.warn("book dropped, reconnecting for fresh snapshots",
              {{"symbol", symbol.view()}, {"reason", reason}});
  }
}

// ---- private feed ----

BybitPrivateFeed::BybitPrivateFeed(const net::TimeSync& time, BybitCredential credential,
                                   BybitPrivateFeedCallbacks callbacks)
    : time_(&time),
      credential_(std::move(credential)),
      callbacks_(std::move(callbacks)),
      malformed_("bybit.private.feed"),
      log_("bybit.private.feed") {}

Result<std::unique_ptr<BybitPrivateFeed>> BybitPrivateFeed::create(
    const boost::asio::any_io_executor& executor, const Clock& clock, const net::TimeSync& time,
    std::string_view url, BybitCredential credential, BybitPrivateFeedCallbacks callbacks,
    net::WsClientOptions ws) {
  std::unique_ptr<BybitPrivateFeed> feed(
      new BybitPrivateFeed(time, std::move(credential), std::move(callbacks)));
  auto* self = feed.get();
  auto ws_callbacks =
      stream_callbacks([self](std::string_view frame, Timestamp ts_recv) { self->on_frame(frame, ts_recv); },
                       [self] { return self->subscription_frames(); });
  KIMP_TRY_ASSIGN(feed->ws_,
                  net::WsClient::create(executor, clock, url, std::move(ws), std::move(ws_callbacks)));
  feed->own_state_ = feed->ws_->subscribe_state([self](net::WsState state, std::string_view /*detail*/) {
    if (state == net::WsState::kStale || state == net::WsState::kDisconnected) {
      self->authenticated_ = false;
    }
  });
  return feed;
}

BybitPrivateFeed::~BybitPrivateFeed() {
  stop();
}

Status BybitPrivateFeed::start() {
  return ws_->start();
}

void BybitPrivateFeed::stop() {
  if (ws_) {
    ws_->stop();
  }
}

net::WsStateSubscription BybitPrivateFeed::subscribe_state(net::WsStateListener listener) {
  return ws_->subscribe_state(std::move(listener));
}

std::vector<std::string> BybitPrivateFeed::subscription_frames() const {
  const auto expires = time_->server_now() + std::chrono::duration_cast<Duration>(kAuthValidity);
  std::vector<std::string> frames{credential_.ws_auth_frame(expires.ms())};
  auto subscriptions = subscribe_frames({"order", "execution", "position", "wallet"});
  frames.insert(frames.end(), subscriptions.begin(), subscriptions.end());
  return frames;
}

void BybitPrivateFeed::on_frame(std::string_view frame, Timestamp /*ts_recv*/) {
  ++stats_.frames;
  auto parsed = parser_.parse(frame);
  if (!parsed) {
    malformed_.record("bybit.private", parsed.error(), frame);
    return;
  }
  std::visit(
      [&](const auto& message) {
        using Message = std::decay_t<decltype(message)>;
        if constexpr (std::is_same_v<Message, BybitWsAuthAck>) {
          authenticated_ = message.success;
          if (message.success) {
            ++stats_.logins;
          } else {
            ++stats_.login_failures;
            log_.error("Bybit refused the private stream login", {{"ret_msg", message.ret_msg}});
          }
        } else if constexpr (std::is_same_v<Message, BybitWsSubscribeAck>) {
          if (!message.success) {
            ++stats_.refused_subscriptions;
            log_.error("Bybit refused a private subscription", {{"ret_msg", message.ret_msg}});
          }
        } else if constexpr (std::is_same_v<Message, BybitWsOrders>) {
          deliver(callbacks_.on_order, message.orders);
        } else if constexpr (std::is_same_v<Message, BybitWsExecutions>) {
          deliver(callbacks_.on_execution, message.executions);
        } else if constexpr (std::is_same_v<Message, BybitWsPositions>) {
          deliver(callbacks_.on_position, message.positions);
        } else if constexpr (std::is_same_v<Message, BybitWsWallet>) {
          deliver(callbacks_.on_wallet, message.accounts);
        }
      },
      *parsed);
}

}  // namespace kimp::venues::bybit
