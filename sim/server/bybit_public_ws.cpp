// The emulated Bybit v5 public WebSocket: topic requests, book snapshots and deltas, tickers, trades and
// klines in the shapes of capture/bybit_v5_public_ws_2026-08-09.jsonl.
#include "sim/server/bybit_public_ws.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "sim/market/random.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

using std::chrono::milliseconds;
using std::chrono::seconds;

// Push intervals of websocket_public_orderbook.mdx, the same for linear and spot (the capture's spot
// orderbook.200 also arrives every 100 ms).
struct DepthSpec {
  std::size_t depth = 0;
  Duration interval;
};
constexpr std::array<DepthSpec, 4> kDepths{{
    {1, milliseconds(10)},
    {50, milliseconds(20)},
    {200, milliseconds(100)},
    {1000, milliseconds(200)},
}};
// Level 1 repeats its snapshot (same `u`) after this long without a change.
constexpr Duration kLevelOneRefresh = seconds(3);
// websocket_public_ticker.mdx: derivatives every 100 ms, spot every 50 ms.
constexpr Duration kLinearTickerInterval = milliseconds(100);
constexpr Duration kSpotTickerInterval = milliseconds(50);
// The capture's kline.1 messages come on whole seconds.
constexpr Duration kKlineInterval = seconds(1);
constexpr Duration kOneMinute = std::chrono::minutes(1);
// websocket_wss-authentication.mdx: "Spot can input up to 10 args for each subscription request".
constexpr std::size_t kSpotMaxArgs = 10;
// price24hPcnt: six decimals on linear ("0.001624"), four on spot ("0.0015").
constexpr Decimal kLinearPercentStep = Decimal::from_units(100);
constexpr Decimal kSpotPercentStep = Decimal::from_units(10'000);
constexpr Decimal kCent = Decimal::from_units(1'000'000);
// Spot trade ids are decimal numbers in the capture ("2280000001739247417").
constexpr std::uint64_t kSpotTradeIdBase = 2'280'000'000'000'000'000;

Duration scaled(Duration interval, double speed) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::nano>(interval) / speed);
}

// ---- number text ----
// bybit_api.cpp has the same decimals_of and fixed; both belong in a shared Bybit formatting header.

// Fraction digits of a step such as "0.001" (3); whole steps have none.
int decimals_of(Decimal step) {
  const auto text = step.to_string();
  const auto dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

// A double statistic with exactly `decimals` fraction digits (volumes are not money the ledger holds).
std::string fixed(double value, int decimals) {
  return fmt::format("{:.{}f}", value, decimals);
}

// As fixed(), with trailing fraction zeros dropped ("15.7", "0"), as spot and kline figures come.
std::string trimmed(double value, int decimals) {
  std::string text = fixed(value, decimals);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') {
      text.pop_back();
    }
  }
  return text == "-0" ? "0" : text;
}

// `value` with at least `decimals` fraction digits ("65114.2" -> "65114.20").
std::string padded(Decimal value, int decimals) {
  std::string text = value.to_string();
  if (decimals <= 0) {
    return text;
  }
  const auto dot = text.find('.');
  const int present = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  if (dot == std::string::npos) {
    text += '.';
  }
  text.append(static_cast<std::size_t>(std::max(0, decimals - present)), '0');
  return text;
}

// How one symbol's numbers are written on one stream: linear pads prices to priceScale and sizes to the
// qty step ("65114.20", "10.470"); spot writes the shortest exact text ("65140.4", "1.17"). A removed
// level's size is "0" on both.
struct NumberStyle {
  bool pad = false;
  int price_decimals = 0;
  int qty_decimals = 0;

  [[nodiscard]] std::string price(Decimal value) const {
    return pad ? padded(value, price_decimals) : value.to_string();
  }
  [[nodiscard]] std::string qty(Decimal value) const {
    return pad && !value.is_zero() ? padded(value, qty_decimals) : value.to_string();
  }
};

// ---- the tape: trades derived from the market model ----

enum class TickDirection : std::uint8_t { kPlus, kZeroPlus, kMinus, kZeroMinus };

std::string_view to_string(TickDirection direction) {
  switch (direction) {
    case TickDirection::kPlus: return "PlusTick";
    case TickDirection::kZeroPlus: return "ZeroPlusTick";
    case TickDirection::kMinus: return "MinusTick";
    case TickDirection::kZeroMinus: return "ZeroMinusTick";
  }
  return "ZeroPlusTick";
}

// Bybit's tick direction of a trade at `price` after one at `previous` whose direction was `last`.
TickDirection next_direction(Decimal previous, Decimal price, TickDirection last) {
  if (price > previous) {
    return TickDirection::kPlus;
  }
  if (price < previous) {
    return TickDirection::kMinus;
  }
  return last == TickDirection::kPlus || last == TickDirection::kZeroPlus ? TickDirection::kZeroPlus
                                                                          : TickDirection::kZeroMinus;
}

struct Trade {
  std::uint64_t serial = 0;  // per tape, from 1
  std::uint64_t id = 0;      // unique across the endpoint
  Timestamp at;
  Decimal price;
  Decimal size;
  bool buy = false;
  TickDirection direction = TickDirection::kZeroPlus;
  std::uint64_t seq = 0;
};

// One symbol's public trades. The model records one trade per step into its one-minute candles (at the
// step's last price, buyers lifting the ask as it rises); the tape turns the growth of the candle volume
// since the last look into one trade at the candle's close, its size rounded to the qty step (growth
// below one step waits for the next look), its side whether it printed at the ask. Kept per symbol, so
// tickers and trades agree on the tick direction.
struct Tape {
  Timestamp candle_open;       // of the newest candle already turned into trades
  double candle_volume = 0.0;  // that candle's volume when it was last turned into trades
  Decimal last_price;
  TickDirection direction = TickDirection::kZeroPlus;
  std::optional<Trade> latest;
};

Result<Tape> open_tape(const MarketModel& market, const std::string& symbol) {
  KIMP_TRY_ASSIGN(const auto newest, market.candles(Venue::kBybit, symbol, 1));
  Tape tape;
  if (!newest.empty()) {
    tape.candle_open = newest.back().open_time;
    tape.candle_volume = newest.back().volume;
    tape.last_price = newest.back().close;
  }
  return tape;
}

// Adds the trade the model made since the last look, if any. `next_id` numbers trades endpoint-wide.
Status advance_tape(Tape& tape, const MarketModel& market, const std::string& symbol, int qty_decimals,
                    std::uint64_t& next_id) {
  KIMP_TRY_ASSIGN(const auto candles, market.candles(Venue::kBybit, symbol, 2));
  const OrderBook* book = market.book(Venue::kBybit, symbol);
  if (candles.empty() || book == nullptr) {
    return ok();
  }
  double growth = 0.0;
  for (const Candle& candle : candles) {
    if (candle.open_time > tape.candle_open) {
      growth += candle.volume;
    } else if (candle.open_time == tape.candle_open) {
      growth += candle.volume - tape.candle_volume;
    }
  }
  auto size = Decimal::parse(fixed(std::max(growth, 0.0), qty_decimals));
  if (!size || !size->is_positive()) {
    return ok();
  }
  const Candle& newest = candles.back();
  tape.candle_open = newest.open_time;
  tape.candle_volume = newest.volume;
  tape.direction = next_direction(tape.last_price, newest.close, tape.direction);
  tape.last_price = newest.close;
  Trade trade;
  trade.serial = tape.latest ? tape.latest->serial + 1 : 1;
  trade.id = next_id++;
  trade.at = market.now();
  trade.price = newest.close;
  trade.size = *size;
  trade.buy = !book->asks.empty() && newest.close >= book->asks.front().price;
  trade.direction = tape.direction;
  trade.seq = book->update_id;
  tape.latest = trade;
  return ok();
}

// ---- ticker figures ----

// What tickers report for one symbol, before formatting. BybitApi::tickers computes the same figures;
// they belong in one shared function.
struct TickerFigures {
  TickerStats stats;
  FundingState funding;
  Decimal prev_price_1h;
  Decimal change_ratio;  // last / open 24 h - 1
  Decimal open_interest;
  const OrderBook* book = nullptr;
};

Result<TickerFigures> ticker_figures(const Exchange& exchange, const std::string& symbol) {
  const auto& market = exchange.market();
  TickerFigures out;
  out.book = market.book(Venue::kBybit, symbol);
  if (out.book == nullptr || out.book->bids.empty() || out.book->asks.empty()) {
    return make_error(ErrorCode::kInternal, fmt::format("no book for {}", symbol));
  }
  KIMP_TRY_ASSIGN(out.funding, market.funding(symbol));
  KIMP_TRY_ASSIGN(out.stats, market.ticker(Venue::kBybit, symbol));
  KIMP_TRY_ASSIGN(const auto hour, market.candles(Venue::kBybit, symbol, 61));
  out.prev_price_1h = hour.empty() ? out.stats.last_price : hour.front().open;
  KIMP_TRY_ASSIGN(const auto change, out.stats.last_price.sub(out.stats.open_24h));
  KIMP_TRY_ASSIGN(out.change_ratio, change.div(out.stats.open_24h));
  KIMP_TRY_ASSIGN(out.open_interest, exchange.ledger().linear_open_interest(symbol));
  return out;
}

struct Field {
  std::string_view name;
  std::string value;

  bool operator==(const Field&) const = default;
};

// ---- feeds ----

// What one subscription topic sends; every subscriber of the topic gets the same text.
struct Message {
  std::string text;
  WsMessageKind kind = WsMessageKind::kSnapshot;
};

struct FeedContext {
  const Exchange& exchange;
  BybitCategory category;
  std::string topic;
  std::string symbol;
  const BybitInstrument& instrument;
  NumberStyle style;

  [[nodiscard]] bool linear() const { return category == BybitCategory::kLinear; }
};

class Feed {
 public:
  Feed() = default;
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;
  virtual ~Feed() = default;

  // What a new subscriber gets at once: the state last published, so the next push applies to it.
  // Errors: those of the market model.
  virtual Result<std::optional<Message>> snapshot(Timestamp now) = 0;
  // What every subscriber gets at `now`; nothing when nothing changed. Errors: those of the market model.
  virtual Result<std::optional<Message>> poll(Timestamp now) = 0;
};

// Levels of `after` that are new or resized and levels of `before` that are gone (size 0), in book
// order; `descending` for bids.
std::vector<BookLevel> level_changes(const std::vector<BookLevel>& before,
                                     const std::vector<BookLevel>& after, bool descending) {
  const auto ahead = [descending](Decimal a, Decimal b) { return descending ? a > b : a < b; };
  std::vector<BookLevel> out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < before.size() || j < after.size()) {
    if (i == before.size() || (j < after.size() && ahead(after[j].price, before[i].price))) {
      out.push_back(after[j++]);
    } else if (j == after.size() || ahead(before[i].price, after[j].price)) {
      out.push_back({before[i++].price, Decimal{}});
    } else {
      if (before[i].quantity != after[j].quantity) {
        out.push_back(after[j]);
      }
      ++i;
      ++j;
    }
  }
  return out;
}

std::vector<BookLevel> top(const std::vector<BookLevel>& levels, std::size_t depth) {
  return {levels.begin(), levels.begin() + static_cast<std::ptrdiff_t>(std::min(depth, levels.size()))};
}

// orderbook.DEPTH.SYMBOL: the top `depth` levels per side as last published, `u` counting messages.
class BookFeed final : public Feed {
 public:
  BookFeed(FeedContext context, const OrderBook& book, std::size_t depth, Duration refresh, Timestamp now)
      : context_(std::move(context)),
        depth_(depth),
        refresh_(refresh),
        bids_(top(book.bids, depth)),
        asks_(top(book.asks, depth)),
        seq_(book.update_id),
        cts_(book.ts_event),
        seen_update_id_(book.update_id),
        last_push_(now) {}

  Result<std::optional<Message>> snapshot(Timestamp now) override {
    return Message{text("snapshot", now, bids_, asks_), WsMessageKind::kSnapshot};
  }

  Result<std::optional<Message>> poll(Timestamp now) override {
    const OrderBook* book = context_.exchange.market().book(Venue::kBybit, context_.symbol);
    if (book == nullptr) {
      return make_error(ErrorCode::kInternal, fmt::format("no book for {}", context_.symbol));
    }
    if (book->update_id != seen_update_id_) {
      seen_update_id_ = book->update_id;
      auto bids = top(book->bids, depth_);
      auto asks = top(book->asks, depth_);
      auto bid_changes = level_changes(bids_, bids, true);
      auto ask_changes = level_changes(asks_, asks, false);
      if (!bid_changes.empty() || !ask_changes.empty()) {
        ++u_;
        seq_ = book->update_id;
        cts_ = book->ts_event;
        bids_ = std::move(bids);
        asks_ = std::move(asks);
        last_push_ = now;
        if (depth_ == 1) {
          return snapshot(now);
        }
        return Message{text("delta", now, bid_changes, ask_changes), WsMessageKind::kDelta};
      }
    }
    if (depth_ == 1 && now - last_push_ >= refresh_) {
      last_push_ = now;
      return snapshot(now);
    }
    return std::optional<Message>{};
  }

 private:
  [[nodiscard]] std::string text(std::string_view type, Timestamp now, const std::vector<BookLevel>& bids,
                                 const std::vector<BookLevel>& asks) const {
    json::object out;
    out["topic"] = context_.topic;
    // Spot (all depths) and linear level 1 put "ts" before "type"; linear's deeper books after it.
    if (!context_.linear() || depth_ == 1) {
      out["ts"] = now.ms();
      out["type"] = type;
    } else {
      out["type"] = type;
      out["ts"] = now.ms();
    }
    out["data"] = json::object{
        {"s", context_.symbol}, {"b", levels(bids)}, {"a", levels(asks)}, {"u", u_}, {"seq", seq_}};
    out["cts"] = cts_.ms();
    return json::serialize(out);
  }

  [[nodiscard]] json::array levels(const std::vector<BookLevel>& side) const {
    json::array out;
    out.reserve(side.size());
    for (const BookLevel& level : side) {
      out.push_back(json::array{json::string(context_.style.price(level.price)),
                                json::string(context_.style.qty(level.quantity))});
    }
    return out;
  }

  FeedContext context_;
  std::size_t depth_;
  Duration refresh_;
  std::vector<BookLevel> bids_;
  std::vector<BookLevel> asks_;
  std::uint64_t u_ = 1;
  std::uint64_t seq_;
  Timestamp cts_;
  std::uint64_t seen_update_id_;
  Timestamp last_push_;
};

// tickers.SYMBOL: linear sends the snapshot of the last published fields to a new subscriber, then the
// fields that changed; spot sends every change as a full snapshot.
class TickerFeed final : public Feed {
 public:
  TickerFeed(FeedContext context, const Tape& tape) : context_(std::move(context)), tape_(tape) {}

  // Takes the current figures as the published state. Errors: those of the market model and ledger.
  Status start() {
    KIMP_TRY_ASSIGN(fields_, current());
    return ok();
  }

  Result<std::optional<Message>> snapshot(Timestamp now) override {
    return Message{text("snapshot", now, fields_), WsMessageKind::kSnapshot};
  }

  Result<std::optional<Message>> poll(Timestamp now) override {
    KIMP_TRY_ASSIGN(auto fields, current());
    if (fields == fields_) {
      return std::optional<Message>{};
    }
    if (!context_.linear()) {
      fields_ = std::move(fields);
      return snapshot(now);
    }
    std::vector<Field> changed{fields.front()};  // the symbol names the delta
    for (std::size_t i = 1; i < fields.size(); ++i) {
      if (fields[i] != fields_[i]) {
        changed.push_back(fields[i]);
      }
    }
    fields_ = std::move(fields);
    return Message{text("delta", now, changed), WsMessageKind::kDelta};
  }

 private:
  Result<std::vector<Field>> current() {
    KIMP_TRY_ASSIGN(const auto figures, ticker_figures(context_.exchange, context_.symbol));
    cs_ = figures.book->update_id;
    return context_.linear() ? linear_fields(figures) : spot_fields(figures);
  }

  [[nodiscard]] Result<std::vector<Field>> linear_fields(const TickerFigures& figures) const {
    const NumberStyle& style = context_.style;
    const TickerStats& stats = figures.stats;
    const BookLevel& bid = figures.book->bids.front();
    const BookLevel& ask = figures.book->asks.front();
    const Decimal qty_step = context_.instrument.qty_step;
    KIMP_TRY_ASSIGN(const auto pcnt,
                    figures.change_ratio.round_to_step(kLinearPercentStep, RoundingMode::kHalfEven));
    KIMP_TRY_ASSIGN(const auto oi_value, figures.open_interest.mul(figures.funding.mark_price));
    KIMP_TRY_ASSIGN(const auto half_oi,
                    figures.open_interest.div(Decimal::from_units(2 * Decimal::kUnitsPerOne)));
    KIMP_TRY_ASSIGN(const auto single_oi, half_oi.round_to_step(qty_step, RoundingMode::kHalfEven));
    KIMP_TRY_ASSIGN(const auto single_oi_value, single_oi.mul(figures.funding.mark_price));
    KIMP_TRY_ASSIGN(const auto oi_value_cents, oi_value.round_to_step(kCent, RoundingMode::kHalfEven));
    KIMP_TRY_ASSIGN(const auto single_value_cents,
                    single_oi_value.round_to_step(kCent, RoundingMode::kHalfEven));
    return std::vector<Field>{
        {"symbol", context_.symbol},
        {"tickDirection", std::string(to_string(tape_.direction))},
        {"price24hPcnt", pcnt.to_string()},
        {"lastPrice", style.price(stats.last_price)},
        {"prevPrice24h", style.price(stats.open_24h)},
        {"highPrice24h", style.price(stats.high_24h)},
        {"lowPrice24h", style.price(stats.low_24h)},
        {"prevPrice1h", style.price(figures.prev_price_1h)},
        {"markPrice", style.price(figures.funding.mark_price)},
        {"indexPrice", style.price(figures.funding.index_price)},
        {"openInterest", style.qty(figures.open_interest)},
        {"openInterestValue", padded(oi_value_cents, 2)},
        {"turnover24h", fixed(stats.turnover_24h, 4)},
        {"volume24h", fixed(stats.volume_24h, 4)},
        {"fundingIntervalHour", std::to_string(figures.funding.interval_minutes / 60)},
        {"fundingCap", context_.instrument.upper_funding_rate.to_string()},
        {"singleOpenInterest", single_oi.to_string()},
        {"singleOpenInterestValue", padded(single_value_cents, 2)},
        {"nextFundingTime", std::to_string(figures.funding.next_funding_time.ms())},
        {"fundingRate", figures.funding.funding_rate.to_string()},
        {"bid1Price", style.price(bid.price)},
        {"bid1Size", style.qty(bid.quantity)},
        {"ask1Price", style.price(ask.price)},
        {"ask1Size", style.qty(ask.quantity)},
        {"preOpenPrice", ""},
        {"preQty", ""},
        {"curPreListingPhase", ""},
    };
  }

  [[nodiscard]] Result<std::vector<Field>> spot_fields(const TickerFigures& figures) const {
    const TickerStats& stats = figures.stats;
    KIMP_TRY_ASSIGN(const auto pcnt,
                    figures.change_ratio.round_to_step(kSpotPercentStep, RoundingMode::kHalfEven));
    return std::vector<Field>{
        {"symbol", context_.symbol},
        {"lastPrice", stats.last_price.to_string()},
        {"highPrice24h", stats.high_24h.to_string()},
        {"lowPrice24h", stats.low_24h.to_string()},
        {"prevPrice24h", stats.open_24h.to_string()},
        {"volume24h", trimmed(stats.volume_24h, context_.style.qty_decimals)},
        {"turnover24h", trimmed(stats.turnover_24h, Decimal::kScale)},
        {"price24hPcnt", pcnt.to_string()},
        {"usdIndexPrice", figures.funding.index_price.to_string()},
    };
  }

  [[nodiscard]] std::string text(std::string_view type, Timestamp now,
                                 const std::vector<Field>& fields) const {
    json::object data;
    for (const Field& field : fields) {
      data[field.name] = field.value;
    }
    json::object out;
    out["topic"] = context_.topic;
    if (context_.linear()) {
      out["type"] = type;
      out["data"] = std::move(data);
      out["cs"] = cs_;
      out["ts"] = now.ms();
    } else {
      out["ts"] = now.ms();
      out["type"] = type;
      out["cs"] = cs_;
      out["data"] = std::move(data);
    }
    return json::serialize(out);
  }

  FeedContext context_;
  const Tape& tape_;
  std::vector<Field> fields_;
  std::uint64_t cs_ = 0;
};

// publicTrade.SYMBOL: the tape's newest trade, once; nothing on subscribe (Bybit sends trades as they
// happen).
class TradeFeed final : public Feed {
 public:
  TradeFeed(FeedContext context, const Tape& tape)
      : context_(std::move(context)), tape_(tape), sent_serial_(tape.latest ? tape.latest->serial : 0) {}

  Result<std::optional<Message>> snapshot(Timestamp) override { return std::optional<Message>{}; }

  Result<std::optional<Message>> poll(Timestamp now) override {
    if (!tape_.latest || tape_.latest->serial == sent_serial_) {
      return std::optional<Message>{};
    }
    const Trade& trade = *tape_.latest;
    sent_serial_ = trade.serial;
    const std::string side = trade.buy ? "Buy" : "Sell";
    json::object entry;
    json::object out;
    out["topic"] = context_.topic;
    if (context_.linear()) {
      entry = json::object{{"T", trade.at.ms()},
                           {"s", context_.symbol},
                           {"S", side},
                           {"v", context_.style.qty(trade.size)},
                           {"p", context_.style.price(trade.price)},
                           {"L", to_string(trade.direction)},
                           {"i", linear_trade_id(trade.id)},
                           {"BT", false},
                           {"RPI", false},
                           {"seq", trade.seq}};
      out["type"] = "snapshot";
      out["ts"] = now.ms();
    } else {
      entry = json::object{{"i", std::to_string(kSpotTradeIdBase + trade.id)},
                           {"T", trade.at.ms()},
                           {"p", context_.style.price(trade.price)},
                           {"v", context_.style.qty(trade.size)},
                           {"S", side},
                           {"seq", trade.seq},
                           {"s", context_.symbol},
                           {"BT", false},
                           {"RPI", false}};
      out["ts"] = now.ms();
      out["type"] = "snapshot";
    }
    out["data"] = json::array{std::move(entry)};
    // A trade is an event, not a state: losing one loses it for good, as with a book delta.
    return Message{json::serialize(out), WsMessageKind::kDelta};
  }

 private:
  // Linear trade ids are UUIDs ("20f43950-d8dd-5b31-9112-a178eb6023af"); these are version 5 shaped and
  // depend only on the trade's number.
  static std::string linear_trade_id(std::uint64_t id) {
    const std::uint64_t high = splitmix64(id * 2);
    const std::uint64_t low = splitmix64(id * 2 + 1);
    return fmt::format("{:08x}-{:04x}-5{:03x}-{:04x}-{:012x}", high >> 32U, (high >> 16U) & 0xffffU,
                       high & 0xfffU, 0x8000U | ((low >> 48U) & 0x3fffU), low & 0xffffffffffffU);
  }

  FeedContext context_;
  const Tape& tape_;
  std::uint64_t sent_serial_;
};

// kline.1.SYMBOL: the newest one-minute candle whenever it changed (confirm false); when the minute
// rolls over, the closed candle once with confirm true (linear in one message with the new candle, as
// the capture shows; spot alone, the new candle on the next push).
class KlineFeed final : public Feed {
 public:
  explicit KlineFeed(FeedContext context) : context_(std::move(context)) {}

  Result<std::optional<Message>> snapshot(Timestamp) override { return std::optional<Message>{}; }

  Result<std::optional<Message>> poll(Timestamp now) override {
    KIMP_TRY_ASSIGN(const auto candles,
                    context_.exchange.market().candles(Venue::kBybit, context_.symbol, 2));
    if (candles.empty()) {
      return std::optional<Message>{};
    }
    const Candle& newest = candles.back();
    if (!published_ || newest.open_time == published_->open_time) {
      if (published_ && newest == *published_) {
        return std::optional<Message>{};
      }
      published_ = newest;
      return message(now, {{newest, false}});
    }
    if (closed_) {  // spot, the push after the closing one
      closed_ = false;
      published_ = newest;
      return message(now, {{newest, false}});
    }
    // The closed candle's final figures, when the model still holds it.
    const Candle closed = candles.size() == 2 && candles.front().open_time == published_->open_time
                              ? candles.front()
                              : *published_;
    if (context_.linear()) {
      published_ = newest;
      return message(now, {{closed, true}, {newest, false}});
    }
    closed_ = true;
    published_ = closed;
    return message(now, {{closed, true}});
  }

 private:
  [[nodiscard]] Message message(Timestamp now, const std::vector<std::pair<Candle, bool>>& candles) const {
    // Kline figures come unpadded on both categories ("65119.9", "15.7").
    const int turnover_decimals = context_.linear() ? 4 : Decimal::kScale;
    json::array data;
    for (const auto& [candle, confirm] : candles) {
      data.push_back(json::object{{"start", candle.open_time.ms()},
                                  {"end", (candle.open_time + kOneMinute).ms() - 1},
                                  {"interval", "1"},
                                  {"open", candle.open.to_string()},
                                  {"close", candle.close.to_string()},
                                  {"high", candle.high.to_string()},
                                  {"low", candle.low.to_string()},
                                  {"volume", trimmed(candle.volume, context_.style.qty_decimals)},
                                  {"turnover", trimmed(candle.turnover, turnover_decimals)},
                                  {"confirm", confirm},
                                  {"timestamp", now.ms()}});
    }
    json::object out;
    if (context_.linear()) {
      out = json::object{
          {"topic", context_.topic}, {"data", std::move(data)}, {"ts", now.ms()}, {"type", "snapshot"}};
    } else {
      out = json::object{
          {"type", "snapshot"}, {"topic", context_.topic}, {"data", std::move(data)}, {"ts", now.ms()}};
    }
    return {json::serialize(out), WsMessageKind::kSnapshot};
  }

  FeedContext context_;
  std::optional<Candle> published_;
  bool closed_ = false;
};

// allLiquidation.SYMBOL: accepted, never pushes (no account of the emulated market is liquidated).
class SilentFeed final : public Feed {
 public:
  Result<std::optional<Message>> snapshot(Timestamp) override { return std::optional<Message>{}; }
  Result<std::optional<Message>> poll(Timestamp) override { return std::optional<Message>{}; }
};

// ---- requests ----

enum class TopicKind : std::uint8_t { kBook, kTicker, kTrade, kKline, kLiquidation };

struct TopicSpec {
  TopicKind kind = TopicKind::kBook;
  std::string symbol;
  std::size_t depth = 0;
  Duration interval;  // before ÷ speed
};

// The kind of `topic` when this stream serves it, whatever the symbol; nullopt when Bybit answers
// "handler not found" for its name (orderbook.30.X, kline.5.X on this emulator, private topics).
std::optional<TopicSpec> parse_topic(std::string_view topic, BybitCategory category) {
  const auto after = [&topic](std::string_view prefix) -> std::optional<std::string> {
    if (topic.size() > prefix.size() && topic.substr(0, prefix.size()) == prefix) {
      return std::string(topic.substr(prefix.size()));
    }
    return std::nullopt;
  };
  for (const DepthSpec& spec : kDepths) {
    if (auto symbol = after(fmt::format("orderbook.{}.", spec.depth))) {
      return TopicSpec{TopicKind::kBook, std::move(*symbol), spec.depth, spec.interval};
    }
  }
  const bool linear = category == BybitCategory::kLinear;
  if (auto symbol = after("tickers.")) {
    return TopicSpec{TopicKind::kTicker, std::move(*symbol), 0,
                     linear ? kLinearTickerInterval : kSpotTickerInterval};
  }
  if (auto symbol = after("publicTrade.")) {
    return TopicSpec{TopicKind::kTrade, std::move(*symbol), 0, Duration{}};
  }
  if (auto symbol = after("kline.1.")) {
    return TopicSpec{TopicKind::kKline, std::move(*symbol), 0, kKlineInterval};
  }
  if (auto symbol = after("allLiquidation."); symbol && linear) {
    return TopicSpec{TopicKind::kLiquidation, std::move(*symbol), 0, Duration{}};
  }
  return std::nullopt;
}

struct Request {
  std::string op;
  std::optional<std::string> req_id;
  std::vector<std::string> args;
};

// Bybit decodes requests with Go's jsoniter; its refusal of a frame that is not a JSON object reads
// "readObjectStart: expect { or n, but found h, error found in #1 byte of ...|hello|..., bigger context
// ...|hello|..." (10 and 50 bytes around the offending one).
std::string object_start_error(std::string_view text, std::size_t at) {
  const std::size_t head = at + 1;
  const auto around = [&](std::size_t reach) {
    const std::size_t from = head > reach ? head - reach : 0;
    return text.substr(from, std::min(text.size(), head + reach) - from);
  };
  const std::string found = at < text.size() ? std::string(1, text[at]) : std::string("\\x00");
  return fmt::format(
      "Failed to decode incoming data:readObjectStart: expect {{ or n, but found {}, error found in #{} "
      "byte of ...|{}|..., bigger context ...|{}|...",
      found, head - (head > 10 ? head - 10 : 0), around(10), around(50));
}

// Errors (kInvalidArgument, message as Bybit's ret_msg): a frame that is not a JSON object or whose op,
// req_id or args have the wrong type.
Result<Request> parse_request(std::string_view text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || (text[start] != '{' && text[start] != 'n')) {
    return make_error(ErrorCode::kInvalidArgument,
                      object_start_error(text, start == std::string_view::npos ? text.size() : start));
  }
  boost::system::error_code error;
  const json::value value = json::parse(text, error);
  if (error) {
    return make_error(ErrorCode::kInvalidArgument, "Failed to decode incoming data:" + error.message());
  }
  Request request;
  if (value.is_null()) {
    return request;  // jsoniter decodes null into an empty request
  }
  if (!value.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, object_start_error(text, start));
  }
  const auto wrong_type = [](std::string_view field, std::string_view expected) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("Failed to decode incoming data:{}: expect {}", field, expected));
  };
  const json::object& object = value.as_object();
  if (const auto* op = object.if_contains("op"); op != nullptr && !op->is_null()) {
    if (!op->is_string()) {
      return wrong_type("op", "string");
    }
    request.op = std::string(op->as_string());
  }
  if (const auto* req_id = object.if_contains("req_id"); req_id != nullptr && !req_id->is_null()) {
    if (!req_id->is_string()) {
      return wrong_type("req_id", "string");
    }
    request.req_id = std::string(req_id->as_string());
  }
  if (const auto* args = object.if_contains("args"); args != nullptr && !args->is_null()) {
    if (!args->is_array()) {
      return wrong_type("args", "array");
    }
    for (const json::value& arg : args->as_array()) {
      if (!arg.is_string()) {
        return wrong_type("args", "array of strings");
      }
      request.args.emplace_back(arg.as_string());
    }
  }
  return request;
}

// Connection ids look like Bybit's ("d8bu1olkndm7crnfs1e0-j6akw": 20 base-32 digits, a dash, 5 more)
// and depend only on the session id.
std::string connection_id(std::uint64_t session_id) {
  constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 25; ++i) {
    if (i % 12 == 0) {
      bits = splitmix64(session_id * 3 + i / 12);
    }
    if (i == 20) {
      out += '-';
    }
    out += kDigits[bits & 31U];
    bits >>= 5U;
  }
  return out;
}

}  // namespace

struct BybitPublicWebSocket::State {
  struct Session {
    std::shared_ptr<WsSession> ws;
    std::string conn_id;
    std::set<std::string, std::less<>> topics;
  };
  struct Topic {
    std::unique_ptr<Feed> feed;
    Duration interval;
    Timestamp next_due;
    std::map<std::uint64_t, std::shared_ptr<WsSession>> subscribers;
  };

  State(Exchange& exchange_ref, BybitCategory category_value, double speed_value)
      : exchange(exchange_ref), category(category_value), speed(speed_value) {}

  [[nodiscard]] bool linear() const { return category == BybitCategory::kLinear; }

  void subscribe(Session& session, const Request& request);
  void unsubscribe(Session& session, const Request& request);
  void reply(const Session& session, bool success, std::string_view ret_msg,
             const std::optional<std::string>& req_id, std::string_view op) const;
  // The refusal of a topic this stream does not serve, or nullopt when it does.
  [[nodiscard]] std::optional<std::string> refusal(std::string_view topic) const;
  Result<Topic> open_topic(const std::string& name);
  Result<Tape*> tape(const std::string& symbol);
  void drop_subscriber(const std::string& name, std::uint64_t session_id);

  Exchange& exchange;
  BybitCategory category;
  double speed;
  log::Logger log{"bybit.public_ws"};
  std::map<std::uint64_t, Session> sessions;
  std::map<std::string, Topic, std::less<>> topics;
  // Per symbol, kept once opened: trade ids and tick directions continue across resubscriptions.
  std::map<std::string, Tape, std::less<>> tapes;
  std::uint64_t next_trade_id = 1;
};

BybitPublicWebSocket::BybitPublicWebSocket(Exchange& exchange, BybitCategory category, double speed)
    : state_(std::make_unique<State>(exchange, category, speed)) {
  assert(speed > 0.0);  // StreamConfig validation keeps speed within [0.01, 1000]
}

BybitPublicWebSocket::~BybitPublicWebSocket() = default;

std::optional<HttpResponse> BybitPublicWebSocket::admit(const HttpRequest&) {
  return std::nullopt;
}

void BybitPublicWebSocket::on_open(const std::shared_ptr<WsSession>& session) {
  state_->sessions[session->id()] = State::Session{session, connection_id(session->id()), {}};
}

void BybitPublicWebSocket::on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                                      WsFrame) {
  const auto found = state_->sessions.find(session->id());
  if (found == state_->sessions.end()) {
    return;
  }
  State::Session& entry = found->second;
  const auto request = parse_request(message);
  if (!request) {
    state_->reply(entry, false, request.error().message, std::nullopt, "");
    return;
  }
  if (request->op == "ping") {
    state_->reply(entry, true, "pong", request->req_id, request->op);
  } else if (request->op == "subscribe") {
    state_->subscribe(entry, *request);
  } else if (request->op == "unsubscribe") {
    state_->unsubscribe(entry, *request);
  } else {
    state_->reply(entry, false, "error:invalid op", request->req_id, request->op);
  }
}

void BybitPublicWebSocket::on_close(const WsSession& session) {
  const auto found = state_->sessions.find(session.id());
  if (found == state_->sessions.end()) {
    return;
  }
  for (const std::string& name : found->second.topics) {
    state_->drop_subscriber(name, session.id());
  }
  state_->sessions.erase(found);
}

void BybitPublicWebSocket::publish(Timestamp now) {
  State& state = *state_;
  const MarketModel& market = state.exchange.market();
  for (auto& [symbol, tape] : state.tapes) {
    const BybitInstrument* instrument = market.instruments().find(symbol);
    const int qty_decimals = instrument != nullptr ? decimals_of(instrument->qty_step) : Decimal::kScale;
    if (auto advanced = advance_tape(tape, market, symbol, qty_decimals, state.next_trade_id); !advanced) {
      state.log.error("trade tape failed", {{"symbol", symbol}, {"error", advanced.error().describe()}});
    }
  }
  for (auto& [name, topic] : state.topics) {
    if (now < topic.next_due) {
      continue;
    }
    topic.next_due = now + topic.interval;
    auto message = topic.feed->poll(now);
    if (!message) {
      state.log.error("topic push failed", {{"topic", name}, {"error", message.error().describe()}});
      continue;
    }
    if (!*message) {
      continue;
    }
    for (const auto& [id, ws] : topic.subscribers) {
      ws->send((*message)->text, WsFrame::kText, (*message)->kind);
    }
  }
}

std::size_t BybitPublicWebSocket::sessions() const {
  return state_->sessions.size();
}

void BybitPublicWebSocket::State::reply(const Session& session, bool success, std::string_view ret_msg,
                                        const std::optional<std::string>& req_id, std::string_view op) const {
  // Linear always carries req_id ("" when the request had none); spot only echoes one it was given.
  json::object out{{"success", success}, {"ret_msg", ret_msg}, {"conn_id", session.conn_id}};
  if (linear() || req_id) {
    out["req_id"] = req_id.value_or("");
  }
  out["op"] = op;
  session.ws->send(json::serialize(out), WsFrame::kText, WsMessageKind::kControl);
}

std::optional<std::string> BybitPublicWebSocket::State::refusal(std::string_view topic) const {
  const auto spec = parse_topic(topic, category);
  if (spec && exchange.market().book(Venue::kBybit, spec->symbol) != nullptr &&
      exchange.market().instruments().find(spec->symbol) != nullptr) {
    return std::nullopt;
  }
  if (spec && !linear()) {
    return fmt::format("Invalid symbol :[{}]", topic);
  }
  return fmt::format("error:handler not found,topic:{}", topic);
}

void BybitPublicWebSocket::State::subscribe(Session& session, const Request& request) {
  if (!linear() && request.args.size() > kSpotMaxArgs) {
    reply(session, false, fmt::format("args size >{}", kSpotMaxArgs), request.req_id, request.op);
    return;
  }
  // Nothing is subscribed unless every topic of the request can be.
  std::set<std::string, std::less<>> wanted;
  std::map<std::string, Topic, std::less<>> opened;
  for (const std::string& name : request.args) {
    if (auto refused = refusal(name)) {
      reply(session, false, *refused, request.req_id, request.op);
      return;
    }
    if (session.topics.contains(name) || wanted.contains(name)) {
      reply(session, false, fmt::format("error:already subscribed,topic:{}", name), request.req_id,
            request.op);
      return;
    }
    if (!topics.contains(name)) {
      auto topic = open_topic(name);
      if (!topic) {
        log.error("topic open failed", {{"topic", name}, {"error", topic.error().describe()}});
        reply(session, false, "error:" + topic.error().message, request.req_id, request.op);
        return;
      }
      opened.emplace(name, std::move(*topic));
    }
    wanted.insert(name);
  }
  topics.merge(opened);
  reply(session, true, linear() ? "" : "subscribe", request.req_id, request.op);
  const Timestamp now = exchange.now();
  for (const std::string& name : request.args) {  // snapshots in the order asked
    Topic& topic = topics.find(name)->second;
    topic.subscribers[session.ws->id()] = session.ws;
    session.topics.insert(name);
    auto snapshot = topic.feed->snapshot(now);
    if (!snapshot) {
      log.error("topic snapshot failed", {{"topic", name}, {"error", snapshot.error().describe()}});
    } else if (*snapshot) {
      session.ws->send(std::move((*snapshot)->text), WsFrame::kText, (*snapshot)->kind);
    }
  }
}

void BybitPublicWebSocket::State::unsubscribe(Session& session, const Request& request) {
  for (const std::string& name : request.args) {
    if (auto refused = refusal(name)) {
      reply(session, false, *refused, request.req_id, request.op);
      return;
    }
  }
  for (const std::string& name : request.args) {
    if (session.topics.erase(name) > 0) {
      drop_subscriber(name, session.ws->id());
    }
  }
  reply(session, true, linear() ? "" : "unsubscribe", request.req_id, request.op);
}

Result<BybitPublicWebSocket::State::Topic> BybitPublicWebSocket::State::open_topic(const std::string& name) {
  const auto spec = parse_topic(name, category);
  const MarketModel& market = exchange.market();
  const OrderBook* book = spec ? market.book(Venue::kBybit, spec->symbol) : nullptr;
  const BybitInstrument* instrument = spec ? market.instruments().find(spec->symbol) : nullptr;
  if (book == nullptr || instrument == nullptr) {
    return make_error(ErrorCode::kInternal, fmt::format("topic {} has no book or instrument", name));
  }
  FeedContext context{exchange,    category,
                      name,        spec->symbol,
                      *instrument, {linear(), instrument->price_scale, decimals_of(instrument->qty_step)}};
  Topic topic;
  topic.interval = scaled(spec->interval, speed);
  topic.next_due = exchange.now() + topic.interval;
  switch (spec->kind) {
    case TopicKind::kBook:
      topic.feed = std::make_unique<BookFeed>(std::move(context), *book, spec->depth,
                                              scaled(kLevelOneRefresh, speed), exchange.now());
      break;
    case TopicKind::kTicker: {
      KIMP_TRY_ASSIGN(const Tape* symbol_tape, tape(spec->symbol));
      auto feed = std::make_unique<TickerFeed>(std::move(context), *symbol_tape);
      KIMP_TRY(feed->start());
      topic.feed = std::move(feed);
      break;
    }
    case TopicKind::kTrade: {
      KIMP_TRY_ASSIGN(const Tape* symbol_tape, tape(spec->symbol));
      topic.feed = std::make_unique<TradeFeed>(std::move(context), *symbol_tape);
      break;
    }
    case TopicKind::kKline: topic.feed = std::make_unique<KlineFeed>(std::move(context)); break;
    case TopicKind::kLiquidation: topic.feed = std::make_unique<SilentFeed>(); break;
  }
  return topic;
}

Result<Tape*> BybitPublicWebSocket::State::tape(const std::string& symbol) {
  auto found = tapes.find(symbol);
  if (found == tapes.end()) {
    KIMP_TRY_ASSIGN(auto opened, open_tape(exchange.market(), symbol));
    found = tapes.emplace(symbol, opened).first;
  }
  return &found->second;
}

void BybitPublicWebSocket::State::drop_subscriber(const std::string& name, std::uint64_t session_id) {
  const auto found = topics.find(name);
  if (found == topics.end()) {
    return;
  }
  found->second.subscribers.erase(session_id);
  if (found->second.subscribers.empty()) {
    topics.erase(found);
  }
}

}  // namespace kimp::sim
