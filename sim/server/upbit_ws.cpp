// The emulated Upbit WebSocket: request parsing, DEFAULT and SIMPLE messages built once and sent to every
// subscriber, snapshots on subscription, pushes on change, PING and the upgrade rate limit.
#include "sim/server/upbit_ws.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/logging.hpp"
#include "sim/auth/upbit_auth.hpp"
#include "sim/server/exact_json.hpp"
#include "sim/server/upbit_market_figures.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

constexpr Duration kIdleTimeout = std::chrono::seconds(120);
constexpr Duration kUpgradeWindow = std::chrono::seconds(1);
constexpr std::size_t kMaxUpgradesPerWindow = 5;
constexpr unsigned kTooManyRequests = 429;

// Orderbook depths a code may ask for as "KRW-BTC.15"; without a suffix Upbit sends 30 (websocket.yaml,
// channels.orderbook; Upbit sent 15 before 2024, as the 2021 capture shows).
constexpr std::array<std::size_t, 4> kOrderbookDepths{1, 5, 15, 30};
constexpr std::size_t kDefaultOrderbookDepth = 30;

constexpr std::string_view kPing = "PING";
constexpr std::string_view kStatusUp = R"({"status":"UP"})";

// ---- Messages ----

enum class Format : std::uint8_t { kDefault, kSimple };
enum class StreamType : std::uint8_t { kSnapshot, kRealtime };
enum class DataType : std::uint8_t { kTicker, kTrade, kOrderbook };

constexpr std::size_t kFormats = 2;
// One message's text in each format, indexed by Format.
using Texts = std::array<std::string, kFormats>;

constexpr std::size_t index_of(Format format) {
  return static_cast<std::size_t>(format);
}

// A message written once under both of Upbit's key sets, DEFAULT's names and SIMPLE's abbreviations
// (websocket.yaml's x-simple-key), so that the two formats cannot drift apart.
class MessageBuilder {
 public:
  void add(std::string_view name, std::string_view simple, const json::value& value) {
    add(name, simple, value, value);
  }
  // A member whose value differs between the formats (an array of objects with their own keys).
  void add(std::string_view name, std::string_view simple, json::value in_default, json::value in_simple) {
    objects_[index_of(Format::kDefault)].emplace(name, std::move(in_default));
    objects_[index_of(Format::kSimple)].emplace(simple, std::move(in_simple));
  }
  [[nodiscard]] const json::object& object(Format format) const { return objects_[index_of(format)]; }
  [[nodiscard]] Texts texts() const {
    return {serialize_exact(object(Format::kDefault)), serialize_exact(object(Format::kSimple))};
  }

 private:
  std::array<json::object, kFormats> objects_;
};

std::string_view stream_name(StreamType stream) {
  return stream == StreamType::kSnapshot ? "SNAPSHOT" : "REALTIME";
}

// The top `depth` units of `book` grouped by `level`; nullopt when `code` does not offer that level
// (Upbit's REST leaves such markets out, and the stream sends nothing for them).
Result<std::optional<Texts>> orderbook_texts(std::string_view code, const OrderBook& book, std::size_t depth,
                                             Decimal level, StreamType stream, Timestamp now) {
  const auto levels = supported_levels(book_tick(code, book));
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    return std::optional<Texts>();
  }
  KIMP_TRY_ASSIGN(const auto bids, grouped(book.bids, level, RoundingMode::kDown));
  KIMP_TRY_ASSIGN(const auto asks, grouped(book.asks, level, RoundingMode::kUp));
  const std::size_t shown = std::min({depth, bids.size(), asks.size()});
  Decimal total_bid;
  Decimal total_ask;
  std::array<json::array, kFormats> units;
  for (std::size_t i = 0; i < shown; ++i) {
    KIMP_TRY_ASSIGN(total_bid, total_bid.add(bids[i].quantity));
    KIMP_TRY_ASSIGN(total_ask, total_ask.add(asks[i].quantity));
    MessageBuilder unit;
    unit.add("ask_price", "ap", exact_number(asks[i].price));
    unit.add("bid_price", "bp", exact_number(bids[i].price));
    unit.add("ask_size", "as", exact_number(asks[i].quantity));
    unit.add("bid_size", "bs", exact_number(bids[i].quantity));
    for (const Format format : {Format::kDefault, Format::kSimple}) {
      units[index_of(format)].emplace_back(unit.object(format));
    }
  }
  MessageBuilder message;
  message.add("type", "ty", "orderbook");
  message.add("code", "cd", json::string(code));
  message.add("timestamp", "tms", now.ms());
  message.add("total_ask_size", "tas", exact_number(total_ask));
  message.add("total_bid_size", "tbs", exact_number(total_bid));
  message.add("orderbook_units", "obu", std::move(units[index_of(Format::kDefault)]),
              std::move(units[index_of(Format::kSimple)]));
  message.add("level", "lv", exact_number(level));
  message.add("stream_type", "st", json::string(stream_name(stream)));
  return std::optional<Texts>(message.texts());
}

// One trade of the tape; `book` supplies the best prices Upbit reports beside it (0 for an empty side).
Result<Texts> trade_texts(std::string_view code, const UpbitTrade& trade, std::int64_t sequential_id,
                          Decimal prev_close, const OrderBook& book, StreamType stream, Timestamp now) {
  KIMP_TRY_ASSIGN(const Decimal signed_change, trade.price.sub(prev_close));
  KIMP_TRY_ASSIGN(const Decimal change, signed_change.abs());
  const std::string utc = trade.created_at.to_iso8601();
  const BookLevel best_ask = book.asks.empty() ? BookLevel{} : book.asks.front();
  const BookLevel best_bid = book.bids.empty() ? BookLevel{} : book.bids.front();
  MessageBuilder message;
  message.add("type", "ty", "trade");
  message.add("code", "cd", json::string(code));
  message.add("timestamp", "tms", now.ms());
  message.add("trade_date", "td", json::string(utc.substr(0, 10)));
  message.add("trade_time", "ttm", json::string(utc.substr(11, 8)));
  message.add("trade_timestamp", "ttms", trade.created_at.ms());
  message.add("trade_price", "tp", exact_number(trade.price));
  message.add("trade_volume", "tv", exact_number(trade.volume));
  message.add("ask_bid", "ab", buyer_aggressor(trade) ? "BID" : "ASK");
  message.add("prev_closing_price", "pcp", exact_number(prev_close));
  message.add("change", "c", json::string(change_direction(signed_change)));
  message.add("change_price", "cp", exact_number(change));
  message.add("sequential_id", "sid", sequential_id);
  message.add("best_ask_price", "bap", exact_number(best_ask.price));
  message.add("best_ask_size", "bas", exact_number(best_ask.quantity));
  message.add("best_bid_price", "bbp", exact_number(best_bid.price));
  message.add("best_bid_size", "bbs", exact_number(best_bid.quantity));
  message.add("stream_type", "st", json::string(stream_name(stream)));
  return message.texts();
}

// The ticker with the figures of REST /v1/ticker, plus the stream's own fields. The last trade was a
// buy when it went off at the ask (the model's buyers lift the ask, its sellers hit the bid).
Result<Texts> ticker_texts(const MarketModel& model, std::string_view code, StreamType stream,
                           Timestamp now) {
  KIMP_TRY_ASSIGN(const TickerStats stats, model.ticker(Venue::kUpbit, code));
  KIMP_TRY_ASSIGN(const auto candles, all_candles(model, code));
  const DayStats day = day_stats(candles, model.now());
  const Decimal last = stats.last_price;
  KIMP_TRY_ASSIGN(const Decimal signed_change, last.sub(day.prev_close));
  KIMP_TRY_ASSIGN(const Decimal change, signed_change.abs());
  const double prev = day.prev_close.to_double();
  const double signed_rate = prev > 0.0 ? signed_change.to_double() / prev : 0.0;
  const OrderBook* book = model.book(Venue::kUpbit, code);
  const bool bought = book != nullptr && !book->asks.empty() && last >= book->asks.front().price;
  const std::string utc = iso_seconds(model.now());
  const auto date_of = [&](const Candle* candle) {
    return json::string(iso_seconds(candle != nullptr ? candle->open_time : model.now()).substr(0, 10));
  };
  MessageBuilder message;
  message.add("type", "ty", "ticker");
  message.add("code", "cd", json::string(code));
  message.add("opening_price", "op", exact_number(day.open));
  message.add("high_price", "hp", exact_number(day.high));
  message.add("low_price", "lp", exact_number(day.low));
  message.add("trade_price", "tp", exact_number(last));
  message.add("prev_closing_price", "pcp", exact_number(day.prev_close));
  message.add("change", "c", json::string(change_direction(signed_change)));
  message.add("change_price", "cp", exact_number(change));
  message.add("signed_change_price", "scp", exact_number(signed_change));
  message.add("change_rate", "cr", std::abs(signed_rate));
  message.add("signed_change_rate", "scr", signed_rate);
  message.add("trade_volume", "tv", day.last_volume);
  message.add("acc_trade_volume", "atv", day.volume);
  message.add("acc_trade_volume_24h", "atv24h", volume_number(stats.volume_24h));
  message.add("acc_trade_price", "atp", day.turnover);
  message.add("acc_trade_price_24h", "atp24h", stats.turnover_24h);
  message.add("trade_date", "tdt", json::string(compact_date(utc)));
  message.add("trade_time", "ttm", json::string(compact_time(utc)));
  message.add("trade_timestamp", "ttms", model.now().ms());
  message.add("ask_bid", "ab", bought ? "BID" : "ASK");
  message.add("acc_ask_volume", "aav", day.ask_volume);
  message.add("acc_bid_volume", "abv", day.bid_volume);
  message.add("highest_52_week_price", "h52wp",
              exact_number(day.year_high != nullptr ? day.year_high->high : last));
  message.add("highest_52_week_date", "h52wdt", date_of(day.year_high));
  message.add("lowest_52_week_price", "l52wp",
              exact_number(day.year_low != nullptr ? day.year_low->low : last));
  message.add("lowest_52_week_date", "l52wdt", date_of(day.year_low));
  message.add("market_state", "ms", "ACTIVE");
  message.add("is_trading_suspended", "its", false);
  message.add("delisting_date", "dd", nullptr);
  message.add("market_warning", "mw", "NONE");
  message.add("timestamp", "tms", now.ms());
  message.add("stream_type", "st", json::string(stream_name(stream)));
  return message.texts();
}

bool same_ticker(const TickerStats& a, const TickerStats& b) {
  return std::tie(a.last_price, a.open_24h, a.high_24h, a.low_24h, a.volume_24h, a.turnover_24h) ==
         std::tie(b.last_price, b.open_24h, b.high_24h, b.low_24h, b.volume_24h, b.turnover_24h);
}

// ---- Requests ----

// One (type, code) a session asked for.
struct Subscription {
  DataType type = DataType::kTicker;
  std::string code;
  std::size_t depth = kDefaultOrderbookDepth;  // orderbook
  Decimal level;                               // orderbook
  bool snapshot = true;                        // send the current state on subscribing
  bool realtime = true;                        // push changes afterwards
  std::uint64_t book_id = 0;                   // update_id of the book this subscriber last saw
  std::uint64_t ticker_version = 0;            // of the ticker it last saw
  // Trades on the tape when it subscribed that the stream had not pushed yet: history to this
  // subscriber, not news.
  std::set<std::string> skipped_trades;
};

struct Request {
  Format format = Format::kDefault;
  std::vector<Subscription> subscriptions;
};

// Upbit's error reply: {"error":{"name":..,"message":..}}.
struct Refusal {
  std::string_view name;
  std::string message;
};

Refusal wrong_format() {
  return {"WRONG_FORMAT", "Requested using wrong format"};
}

// A boolean option under either spelling (Upbit's clients send isOnlySnapshot, websocket.yaml writes
// is_only_snapshot). False when one is present but not a boolean.
bool read_flag(const json::object& object, std::string_view camel, std::string_view snake, bool& value) {
  for (const std::string_view name : {camel, snake}) {
    if (const json::value* member = object.if_contains(name)) {
      if (!member->is_bool()) {
        return false;
      }
      value = value || member->get_bool();
    }
  }
  return true;
}

// A JSON number as a Decimal; nullopt for anything else or a number out of its range.
std::optional<Decimal> decimal_of(const json::value& value) {
  Result<Decimal> parsed = Decimal();
  if (value.is_int64()) {
    parsed = Decimal::from_integer(value.get_int64());
  } else if (value.is_double()) {
    parsed = Decimal::parse(fmt::format("{:.8f}", value.get_double()));
  } else {
    return std::nullopt;
  }
  return parsed ? std::optional<Decimal>(*parsed) : std::nullopt;
}

// Adds one subscription per code of a type object; a Refusal when the object is malformed.
std::optional<Refusal> read_type(const json::object& object, Request& request) {
  const json::value* type = object.if_contains("type");
  if (type == nullptr) {
    return Refusal{"NO_TYPE", "type field not exists."};
  }
  if (!type->is_string()) {
    return wrong_format();
  }
  const std::string_view name = type->get_string();
  DataType data_type = DataType::kTicker;
  if (name == "trade") {
    data_type = DataType::kTrade;
  } else if (name == "orderbook") {
    data_type = DataType::kOrderbook;
  } else if (name != "ticker") {
    // Candles and the private types (myOrder, myAsset) are not emulated.
    return Refusal{"INVALID_PARAM", fmt::format("type {} is not supported.", name)};
  }
  const json::value* codes = object.if_contains("codes");
  if (codes == nullptr) {
    return Refusal{"NO_CODES", "codes field not exists."};
  }
  if (!codes->is_array()) {
    return wrong_format();
  }
  if (codes->get_array().empty()) {
    return Refusal{"INVALID_PARAM", "codes field is empty."};
  }
  bool only_snapshot = false;
  bool only_realtime = false;
  if (!read_flag(object, "isOnlySnapshot", "is_only_snapshot", only_snapshot) ||
      !read_flag(object, "isOnlyRealtime", "is_only_realtime", only_realtime)) {
    return wrong_format();
  }
  Decimal level;
  if (const json::value* member = object.if_contains("level");
      member != nullptr && data_type == DataType::kOrderbook) {
    const auto parsed = decimal_of(*member);
    if (!parsed) {
      return wrong_format();
    }
    level = *parsed;
  }
  for (const json::value& code : codes->get_array()) {
    if (!code.is_string()) {
      return wrong_format();
    }
    Subscription subscription;
    subscription.type = data_type;
    subscription.code = std::string(code.get_string());
    subscription.level = level;
    // Both options together leave nothing to send: the request asks for neither.
    subscription.snapshot = !only_realtime;
    subscription.realtime = !only_snapshot;
    const auto dot = subscription.code.find('.');
    if (data_type == DataType::kOrderbook && dot != std::string::npos) {
      const std::string depth_text = subscription.code.substr(dot + 1);
      const auto depth =
          std::find_if(kOrderbookDepths.begin(), kOrderbookDepths.end(),
                       [&](std::size_t offered) { return std::to_string(offered) == depth_text; });
      if (depth == kOrderbookDepths.end()) {
        return Refusal{"INVALID_PARAM", fmt::format("orderbook unit {} is not supported.", depth_text)};
      }
      subscription.depth = *depth;
      subscription.code.resize(dot);
    }
    request.subscriptions.push_back(std::move(subscription));
  }
  return std::nullopt;
}

// Upbit's request array: a ticket object, type objects and an optional format object, in any order.
std::variant<Request, Refusal> parse_request(std::string_view text) {
  boost::system::error_code error;
  const json::value parsed = json::parse(text, error);
  if (error || !parsed.is_array()) {
    return wrong_format();
  }
  Request request;
  bool ticket = false;
  bool typed = false;
  for (const json::value& element : parsed.get_array()) {
    if (!element.is_object()) {
      return wrong_format();
    }
    const json::object& object = element.get_object();
    if (const json::value* member = object.if_contains("ticket")) {
      if (!member->is_string() || member->get_string().empty()) {
        return Refusal{"NO_TICKET", "Ticket field must be contained."};
      }
      ticket = true;
    } else if (const json::value* format = object.if_contains("format")) {
      if (!format->is_string()) {
        return wrong_format();
      }
      const std::string_view name = format->get_string();
      if (name != "DEFAULT" && name != "SIMPLE") {
        // SIMPLE_LIST and JSON_LIST are Upbit formats the emulator does not write.
        return Refusal{"INVALID_PARAM", fmt::format("format {} is not supported.", name)};
      }
      request.format = name == "SIMPLE" ? Format::kSimple : Format::kDefault;
    } else if (object.contains("type") || object.contains("codes")) {
      if (auto refusal = read_type(object, request)) {
        return *std::move(refusal);
      }
      typed = true;
    } else {
      return wrong_format();
    }
  }
  if (!ticket) {
    return Refusal{"NO_TICKET", "Ticket field must be contained."};
  }
  if (!typed) {
    return Refusal{"NO_TYPE", "type field not exists."};
  }
  return request;
}

struct Client {
  std::shared_ptr<WsSession> session;
  Format format = Format::kDefault;
  std::vector<Subscription> subscriptions;

  void send(const Texts& texts, WsMessageKind kind) const {
    session->send(texts[index_of(format)], WsFrame::kBinary, kind);
  }
};

// The ticker last seen for a code and how many times it changed (0: no ticker yet).
struct TickerTrack {
  std::optional<TickerStats> stats;
  std::uint64_t version = 0;
};

using BookKey = std::tuple<std::string, std::size_t, std::int64_t>;  // code, depth, level units

}  // namespace

// Streams read the exchange as it stands: the server syncs it before every publish (the market's
// heartbeat), so snapshots and pushes show the same state the REST endpoints do.
struct UpbitWebSocket::State {
  explicit State(Exchange& venue) : exchange(venue) {}

  void subscribe(Client& client, Request request);
  void send_snapshot(const Client& client, Subscription& subscription);
  // The version of `code`'s ticker, bumped when its figures changed since the last call.
  std::uint64_t ticker_version(const std::string& code);
  void publish_books(Timestamp now);
  void publish_tickers(Timestamp now);
  void publish_trades(Timestamp now);
  // The message of a build that should not fail (an overflow in the book's totals); logged otherwise.
  template <class T>
  std::optional<T> built(Result<T> result, std::string_view what, const std::string& code) const {
    if (!result) {
      logger.error("message not built",
                   {{"what", what}, {"code", code}, {"error", result.error().describe()}});
      return std::nullopt;
    }
    return *std::move(result);
  }

  Exchange& exchange;
  log::Logger logger{"upbit.ws"};
  std::map<std::uint64_t, Client> clients;  // by session id
  std::deque<Timestamp> upgrades;           // accepted within the last second, oldest first
  std::map<std::string, TickerTrack, std::less<>> tickers;
  // Trades already pushed, by code, for every code that has had a realtime trade subscriber.
  std::map<std::string, std::unordered_set<std::string>, std::less<>> published_trades;
};

void UpbitWebSocket::State::subscribe(Client& client, Request request) {
  const MarketModel& model = exchange.market();
  client.format = request.format;
  client.subscriptions.clear();
  std::set<std::tuple<DataType, std::string, std::size_t>> seen;
  for (Subscription& subscription : request.subscriptions) {
    // Upbit sends nothing for codes it does not list (lower-case spellings included) and raises no error.
    if (model.book(Venue::kUpbit, subscription.code) == nullptr ||
        !seen.emplace(subscription.type, subscription.code, subscription.depth).second) {
      continue;
    }
    send_snapshot(client, subscription);
    client.subscriptions.push_back(std::move(subscription));
  }
}

void UpbitWebSocket::State::send_snapshot(const Client& client, Subscription& subscription) {
  const MarketModel& model = exchange.market();
  const Timestamp now = exchange.now();
  const std::string& code = subscription.code;
  const OrderBook& book = *model.book(Venue::kUpbit, code);
  switch (subscription.type) {
    case DataType::kOrderbook: {
      subscription.book_id = book.update_id;
      if (!subscription.snapshot) {
        return;
      }
      const auto texts = built(
          orderbook_texts(code, book, subscription.depth, subscription.level, StreamType::kSnapshot, now),
          "orderbook", code);
      if (texts && *texts) {
        client.send(**texts, WsMessageKind::kSnapshot);
      }
      return;
    }
    case DataType::kTicker: {
      subscription.ticker_version = ticker_version(code);
      if (!subscription.snapshot || subscription.ticker_version == 0) {
        return;
      }
      if (const auto texts = built(ticker_texts(model, code, StreamType::kSnapshot, now), "ticker", code)) {
        client.send(*texts, WsMessageKind::kSnapshot);
      }
      return;
    }
    case DataType::kTrade: {
      const std::vector<UpbitTrade> tape = exchange.ledger().upbit_market_trades(code);
      if (subscription.realtime) {
        const auto [published, fresh] = published_trades.try_emplace(code);
        for (const UpbitTrade& trade : tape) {
          if (fresh) {
            published->second.insert(trade.uuid);
          } else if (!published->second.contains(trade.uuid)) {
            subscription.skipped_trades.insert(trade.uuid);
          }
        }
      }
      const auto candles = all_candles(model, code);
      if (!subscription.snapshot || tape.empty() || !candles) {
        return;
      }
      const Decimal prev_close = day_stats(*candles, model.now()).prev_close;
      const auto texts = built(trade_texts(code, tape.back(), sequential_ids(tape).back(), prev_close, book,
                                           StreamType::kSnapshot, now),
                               "trade", code);
      if (texts) {
        client.send(*texts, WsMessageKind::kSnapshot);
      }
      return;
    }
  }
}

std::uint64_t UpbitWebSocket::State::ticker_version(const std::string& code) {
  TickerTrack& track = tickers[code];
  const auto stats = exchange.market().ticker(Venue::kUpbit, code);
  if (stats && (!track.stats || !same_ticker(*track.stats, *stats))) {
    track.stats = *stats;
    ++track.version;
  }
  return track.version;
}

void UpbitWebSocket::State::publish_books(Timestamp now) {
  const MarketModel& model = exchange.market();
  std::map<BookKey, std::optional<Texts>> messages;
  for (auto& [id, client] : clients) {
    for (Subscription& subscription : client.subscriptions) {
      if (subscription.type != DataType::kOrderbook || !subscription.realtime) {
        continue;
      }
      const OrderBook& book = *model.book(Venue::kUpbit, subscription.code);
      if (book.update_id == subscription.book_id) {
        continue;
      }
      subscription.book_id = book.update_id;
      const auto [message, fresh] =
          messages.try_emplace(BookKey{subscription.code, subscription.depth, subscription.level.units()});
      if (fresh) {
        message->second = built(orderbook_texts(subscription.code, book, subscription.depth,
                                                subscription.level, StreamType::kRealtime, now),
                                "orderbook", subscription.code)
                              .value_or(std::nullopt);
      }
      if (message->second) {
        client.send(*message->second, WsMessageKind::kDelta);
      }
    }
  }
}

void UpbitWebSocket::State::publish_tickers(Timestamp now) {
  struct Current {
    std::uint64_t version = 0;
    std::optional<Texts> texts;  // built for the first subscriber behind on this version
  };
  std::map<std::string, Current, std::less<>> current;
  for (auto& [id, client] : clients) {
    for (Subscription& subscription : client.subscriptions) {
      if (subscription.type != DataType::kTicker || !subscription.realtime) {
        continue;
      }
      const auto [entry, fresh] = current.try_emplace(subscription.code);
      if (fresh) {
        entry->second.version = ticker_version(subscription.code);
      }
      if (entry->second.version == 0 || entry->second.version == subscription.ticker_version) {
        continue;
      }
      subscription.ticker_version = entry->second.version;
      if (!entry->second.texts) {
        entry->second.texts =
            built(ticker_texts(exchange.market(), subscription.code, StreamType::kRealtime, now), "ticker",
                  subscription.code);
      }
      if (entry->second.texts) {
        client.send(*entry->second.texts, WsMessageKind::kDelta);
      }
    }
  }
}

void UpbitWebSocket::State::publish_trades(Timestamp now) {
  const MarketModel& model = exchange.market();
  std::set<std::string> codes;
  for (const auto& [id, client] : clients) {
    for (const Subscription& subscription : client.subscriptions) {
      if (subscription.type == DataType::kTrade && subscription.realtime) {
        codes.insert(subscription.code);
      }
    }
  }
  for (const std::string& code : codes) {
    const std::vector<UpbitTrade> tape = exchange.ledger().upbit_market_trades(code);
    std::unordered_set<std::string>& published = published_trades[code];
    std::vector<std::size_t> fresh;
    for (std::size_t i = 0; i < tape.size(); ++i) {
      if (!published.contains(tape[i].uuid)) {
        fresh.push_back(i);
      }
    }
    const auto candles = all_candles(model, code);
    if (fresh.empty() || !candles) {
      continue;
    }
    const std::vector<std::int64_t> ids = sequential_ids(tape);
    const Decimal prev_close = day_stats(*candles, model.now()).prev_close;
    const OrderBook& book = *model.book(Venue::kUpbit, code);
    std::vector<std::pair<const std::string*, std::optional<Texts>>> messages;
    for (const std::size_t i : fresh) {
      messages.emplace_back(&tape[i].uuid, built(trade_texts(code, tape[i], ids[i], prev_close, book,
                                                             StreamType::kRealtime, now),
                                                 "trade", code));
      published.insert(tape[i].uuid);
    }
    for (auto& [id, client] : clients) {
      for (Subscription& subscription : client.subscriptions) {
        if (subscription.type != DataType::kTrade || !subscription.realtime || subscription.code != code) {
          continue;
        }
        for (const auto& [uuid, texts] : messages) {
          if (texts && !subscription.skipped_trades.contains(*uuid)) {
            client.send(*texts, WsMessageKind::kDelta);
          }
        }
        subscription.skipped_trades.clear();
      }
    }
  }
}

UpbitWebSocket::UpbitWebSocket(Exchange& exchange) : state_(std::make_unique<State>(exchange)) {}

UpbitWebSocket::~UpbitWebSocket() = default;

std::optional<HttpResponse> UpbitWebSocket::admit(const HttpRequest& /*upgrade*/) {
  const Timestamp now = state_->exchange.now();
  auto& upgrades = state_->upgrades;
  while (!upgrades.empty() && upgrades.front() <= now - kUpgradeWindow) {
    upgrades.pop_front();
  }
  if (upgrades.size() >= kMaxUpgradesPerWindow) {
    return HttpResponse::json(
        kTooManyRequests,
        UpbitError{kTooManyRequests, "too_many_requests", "Too many API requests."}.to_json());
  }
  upgrades.push_back(now);
  return std::nullopt;
}

void UpbitWebSocket::on_open(const std::shared_ptr<WsSession>& session) {
  session->set_idle_timeout(kIdleTimeout);
  state_->clients.insert_or_assign(session->id(), Client{session, Format::kDefault, {}});
}

void UpbitWebSocket::on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                                WsFrame /*frame*/) {
  const auto found = state_->clients.find(session->id());
  if (found == state_->clients.end()) {
    return;
  }
  Client& client = found->second;
  // Upbit reads requests and "PING" from text and binary frames alike, and writes binary frames only.
  if (message == kPing) {
    session->send(std::string(kStatusUp), WsFrame::kBinary, WsMessageKind::kControl);
    return;
  }
  auto request = parse_request(message);
  if (auto* refusal = std::get_if<Refusal>(&request)) {
    // A refused request leaves the session's subscriptions as they were.
    session->send(UpbitError{0, std::string(refusal->name), std::move(refusal->message)}.to_json(),
                  WsFrame::kBinary, WsMessageKind::kControl);
    return;
  }
  state_->subscribe(client, std::get<Request>(std::move(request)));
}

void UpbitWebSocket::on_close(const WsSession& session) {
  state_->clients.erase(session.id());
}

void UpbitWebSocket::publish() {
  const Timestamp now = state_->exchange.now();
  state_->publish_trades(now);
  state_->publish_tickers(now);
  state_->publish_books(now);
}

std::size_t UpbitWebSocket::sessions() const {
  return state_->clients.size();
}

}  // namespace kimp::sim
