// Upbit public stream: subscription request, frame parsing, one book per market, invalidation on outages.
#include "venues/upbit/ws_feed.hpp"

#include <numeric>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "core/clock.hpp"

namespace kimp::venues::upbit {
namespace {

constexpr std::string_view kBookKind = "upbit.orderbook";

std::string codes_json(const std::vector<model::Symbol>& markets) {
  std::string out = "[";
  for (const model::Symbol& market : markets) {
    out += fmt::format("{}\"{}\"", out.size() == 1 ? "" : ",", market.view());
  }
  out += ']';
  return out;
}

}  // namespace

std::string upbit_public_subscription(const UpbitPublicFeedOptions& options) {
  const std::string codes = codes_json(options.markets);
  return fmt::format(R"([{{"ticket":"kimp-upbit-public"}},{{"type":"orderbook","codes":{0}}},)"
                     R"({{"type":"trade","codes":{0}}},{{"type":"ticker","codes":{0}}},{{"format":"{1}"}}])",
                     codes, options.format == UpbitStreamFormat::kSimple ? "SIMPLE" : "DEFAULT");
}

UpbitPublicFeed::UpbitPublicFeed(UpbitPublicFeedOptions options, UpbitPublicFeedCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  for (const model::Symbol& market : options_.markets) {
    books_.emplace(market, market::OrderBook(model::Venue::kUpbit, market, options_.book_capacity));
  }
}

Result<std::unique_ptr<UpbitPublicFeed>> UpbitPublicFeed::create(const boost::asio::any_io_executor& executor,
                                                                 const Clock& clock, std::string_view url,
                                                                 UpbitPublicFeedOptions options,
                                                                 UpbitPublicFeedCallbacks callbacks) {
  if (options.markets.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "an Upbit feed needs at least one market");
  }
  if (std::set<model::Symbol>(options.markets.begin(), options.markets.end()).size() !=
      options.markets.size()) {
    return make_error(ErrorCode::kInvalidArgument, "an Upbit feed lists a market twice");
  }
  if (options.book_capacity == 0) {
    return make_error(ErrorCode::kInvalidArgument, "an Upbit feed's book_capacity must be at least 1");
  }
  net::WsClientOptions ws_options = options.ws;
  std::unique_ptr<UpbitPublicFeed> feed(new UpbitPublicFeed(std::move(options), std::move(callbacks)));
  UpbitPublicFeed* raw = feed.get();
  net::WsCallbacks ws_callbacks;
  ws_callbacks.on_message = [raw](std::string_view frame, bool /*binary*/, Timestamp ts_recv) {
    raw->on_frame(frame, ts_recv);
  };
  // Built once: the markets never change, and every reconnect sends the same request again.
  ws_callbacks.subscriptions = [subscription = upbit_public_subscription(raw->options_)] {
    return std::vector<std::string>{subscription};
  };
  KIMP_TRY_ASSIGN(
      feed->ws_, net::WsClient::create(executor, clock, url, std::move(ws_options), std::move(ws_callbacks)));
  // Registered first, so the books are invalid before any listener of subscribe_state() hears why.
  feed->invalidation_ = feed->ws_->subscribe_state(
      [raw](net::WsState state, std::string_view /*detail*/) { raw->on_state(state); });
  return feed;
}

UpbitPublicFeed::~UpbitPublicFeed() {
  stop();
}

Status UpbitPublicFeed::start() {
  return ws_->start();
}

void UpbitPublicFeed::stop() {
  ws_->stop();
}

net::WsStateSubscription UpbitPublicFeed::subscribe_state(net::WsStateListener listener) {
  return ws_->subscribe_state(std::move(listener));
}

const market::OrderBook* UpbitPublicFeed::book(const model::Symbol& market) const {
  const auto found = books_.find(market);
  return found == books_.end() ? nullptr : &found->second;
}

std::uint64_t UpbitPublicFeed::malformed_frames() const {
  const auto& parsed = parser_.stats().malformed;
  return std::accumulate(parsed.begin(), parsed.end(), malformed_.total());
}

void UpbitPublicFeed::on_state(net::WsState state) {
  if (state == net::WsState::kStale || state == net::WsState::kDisconnected) {
    for (auto& [market, book] : books_) {
      book.invalidate();
    }
  }
}

void UpbitPublicFeed::on_frame(std::string_view frame, Timestamp ts_recv) {
  auto message = parser_.parse(frame);
  if (!message) {
    return;  // counted and logged by the parser
  }
  std::visit(
      [&](auto& event) {
        using Event = std::decay_t<decltype(event)>;
        if constexpr (std::is_same_v<Event, model::BookUpdate>) {
          event.ts_recv = ts_recv;
          on_book_update(event, frame);
        } else if constexpr (std::is_same_v<Event, model::Trade>) {
          event.ts_recv = ts_recv;
          if (callbacks_.on_trade) {
            callbacks_.on_trade(event);
          }
        } else if constexpr (std::is_same_v<Event, model::Ticker>) {
          event.ts_recv = ts_recv;
          if (callbacks_.on_ticker) {
            callbacks_.on_ticker(event);
          }
        }
        // UpbitStreamStatus answers our PINGs: its arrival already kept the connection fresh.
      },
      *message);
}

void UpbitPublicFeed::on_book_update(model::BookUpdate& update, std::string_view frame) {
  const auto found = books_.find(update.symbol);
  if (found == books_.end()) {
    malformed_.record(kBookKind,
                      Error{ErrorCode::kInvalidArgument,
                            {},
                            fmt::format("orderbook of {}, a market not subscribed", update.symbol.view())},
                      frame);
    return;
  }
  if (const Status applied = found->second.apply(update); !applied) {
    malformed_.record(kBookKind, applied.error(), frame);
    return;
  }
  if (callbacks_.on_book) {
    callbacks_.on_book(found->second);
  }
}

}  // namespace kimp::venues::upbit
