// Bybit v5 public stream parsing on simdjson On-Demand: one pass over each frame, numbers read from
// their text in place, events built in reusable buffers.
#include "venues/bybit/parse_stream.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "core/text.hpp"

namespace kimp::venues::bybit {
namespace {

namespace od = simdjson::ondemand;

// Reserved once so that ordinary frames never grow them: the deepest stream, a large trade burst.
constexpr std::size_t kReservedLevels = 1000;
constexpr std::size_t kReservedTrades = 1024;
constexpr std::size_t kReservedKlines = 8;
constexpr std::size_t kReservedFrameBytes = std::size_t{64} * 1024;

// value.raw_json_token() cut to `input`, the frame it lies in. On a malformed frame the iterator can stand
// past the last token, where simdjson reports a length that runs beyond the buffer; that token is empty.
std::string_view raw_token(od::value& value, std::string_view input) {
  const std::string_view token = value.raw_json_token();
  const char* const end = input.data() + input.size();
  const std::less<const char*> before;
  if (before(token.data(), input.data()) || !before(token.data(), end)) {
    return {};
  }
  return token.substr(0, std::min(token.size(), static_cast<std::size_t>(end - token.data())));
}

// The text of a JSON string token without its quotes, or nullopt when the token is not a string or
// holds an escape (no field read this way has one in a well-formed frame). One scan up to the closing
// quote: the strings read here (prices, sizes, symbols) are a few characters long.
std::optional<std::string_view> string_token(od::value& value, std::string_view input) {
  const std::string_view token = raw_token(value, input);
  if (token.empty() || token.front() != '"') {
    return std::nullopt;
  }
  for (std::size_t at = 1; at < token.size(); ++at) {
    if (token[at] == '"') {
      return token.substr(1, at - 1);
    }
    if (token[at] == '\\') {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// The token as written, for error messages.
std::string_view token_text(od::value& value, std::string_view input) {
  const std::string_view token = raw_token(value, input);
  return token.substr(0, token.find_last_not_of(" \t\r\n") + 1);
}

// A string token of plain digits ("65123.6") into `out`; false for anything else, which the caller
// reads the general way. Bybit writes no space before the next token: when the token ends in a quote
// and what lies between the quotes is plain digits, it is a whole string without escapes. Tokens lie
// in the parser's input buffer, whose simdjson padding parse_plain_padded() may read into.
bool plain_decimal(od::value& value, Decimal& out, std::string_view input) {
  const std::string_view token = raw_token(value, input);
  return token.size() >= 2 && token.front() == '"' && token.back() == '"' &&
         Decimal::parse_plain_padded(token.substr(1, token.size() - 2), out);
}

// The value of the 1 to 16 digits at `at`, without a superfluous leading zero, into `out`; returns how
// many digits there are, or 0 for anything else. `at` lies in the padded input buffer, so 16 bytes may
// be read from it.
std::size_t scan_plain_integer(const char* at, std::uint64_t& out) {
  constexpr std::size_t kWordBytes = 8;
  constexpr std::uint64_t kUnitsOfHigh = 100'000'000;
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  std::memcpy(&low, at, sizeof low);
  std::memcpy(&high, at + kWordBytes, sizeof high);
  const std::uint64_t low_stops = decimal_detail::non_digit_bytes(low);
  const std::uint64_t high_stops = decimal_detail::non_digit_bytes(high);
  std::size_t length = 0;
  if (low_stops != 0) {
    length = static_cast<std::size_t>(std::countr_zero(low_stops)) / kWordBytes;
  } else if (high_stops != 0) {
    length = kWordBytes + static_cast<std::size_t>(std::countr_zero(high_stops)) / kWordBytes;
  }
  if (length == 0 || (length > 1 && at[0] == '0')) {
    return 0;
  }
  if (length <= kWordBytes) {
    out = decimal_detail::eight_digits(low << (kWordBytes * (kWordBytes - length)));
    return length;
  }
  // The leading length - 8 digits, then the last eight.
  const std::size_t leading = length - kWordBytes;
  std::uint64_t last = 0;
  std::memcpy(&last, at + leading, sizeof last);
  out = decimal_detail::eight_digits(low << (kWordBytes * (kWordBytes - leading))) * kUnitsOfHigh +
        decimal_detail::eight_digits(last);
  return length;
}

// A string literal as a template argument, for take(): its text as little-endian words, each with the
// mask of the bytes it holds.
template <std::size_t kSize>
struct Literal {
  static constexpr std::size_t kLength = kSize - 1;
  static constexpr std::size_t kWords = (kLength + 7) / 8;
  std::array<std::uint64_t, kWords> words{};
  std::array<std::uint64_t, kWords> masks{};
  constexpr Literal(const char (&literal)[kSize]) {  // NOLINT(google-explicit-constructor): a literal
    for (std::size_t index = 0; index < kLength; ++index) {
      words[index / 8] |= std::uint64_t{static_cast<unsigned char>(literal[index])} << (8 * (index % 8));
      masks[index / 8] |= std::uint64_t{0xFF} << (8 * (index % 8));
    }
  }
};

// `kLiteral` at `at`: moves past it and returns true, or returns false. `at` may stand past `end` (a
// scan of the padding behind the frame), which takes nothing. The text is compared a word at a time
// against constants; `at` lies in the padded input buffer, so whole words may be read.
template <Literal kLiteral>
[[gnu::always_inline]] inline bool take(const char*& at, const char* end) {
  constexpr std::size_t kLength = decltype(kLiteral)::kLength;
  if (at > end || static_cast<std::size_t>(end - at) < kLength) {
    return false;
  }
  std::uint64_t differ = 0;
  for (std::size_t index = 0; index < kLiteral.words.size(); ++index) {
    std::uint64_t word = 0;
    std::memcpy(&word, at + 8 * index, sizeof word);
    differ |= (word ^ kLiteral.words[index]) & kLiteral.masks[index];
  }
  if (differ != 0) {
    return false;
  }
  at += kLength;
  return true;
}

// Bit i set when at[i] is a double quote, for the 64 bytes from `at`, which lies in the padded input
// buffer.
std::uint64_t quote_bits(const char* at) {
  constexpr std::size_t kBlockBytes = 64;
#if defined(__SSE2__)
  constexpr std::size_t kChunkBytes = 16;
  const __m128i quotes = _mm_set1_epi8('"');
  std::uint64_t bits = 0;
  for (std::size_t chunk = 0; chunk < kBlockBytes; chunk += kChunkBytes) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + chunk));
    bits |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quotes)))}
            << chunk;
  }
  return bits;
#else
  // Each word's quote bytes as their high bits, gathered into one byte by a multiply whose partial
  // products never overlap.
  constexpr std::uint64_t kQuotes = 0x2222222222222222;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  constexpr std::uint64_t kGather = 0x0102040810204080;
  constexpr std::size_t kWordBytes = 8;
  std::uint64_t bits = 0;
  for (std::size_t word_at = 0; word_at < kBlockBytes; word_at += kWordBytes) {
    std::uint64_t word = 0;
    std::memcpy(&word, at + word_at, sizeof word);
    const std::uint64_t high = ~decimal_detail::nonzero_bytes(word ^ kQuotes) & kHighBits;
    bits |= (((high >> 7U) * kGather) >> 56U) << word_at;
  }
  return bits;
#endif
}

// The double quotes from a position on, in order, found 64 bytes at a time: the position of each quote
// does not wait for the text before it to be read.
class QuoteCursor {
 public:
  QuoteCursor(const char* at, const char* end) : block_(at), end_(end), bits_(quote_bits(at)) {}

  // The next quote, or nullptr when none is left before `end`. A quote in the padding behind `end` may
  // come back: the caller checks that the last quote it takes lies before `end`.
  const char* next() {
    constexpr std::size_t kBlockBytes = 64;
    while (bits_ == 0) {
      block_ += kBlockBytes;
      if (block_ >= end_) {
        return nullptr;
      }
      bits_ = quote_bits(block_);
    }
    const char* const quote = block_ + std::countr_zero(bits_);
    bits_ &= bits_ - 1;
    return quote;
  }

 private:
  const char* block_;
  const char* end_;
  std::uint64_t bits_;
};

// A book side at `at` as Bybit writes it, [["65123.6","0.5"],...] with plain-digit numbers and no
// whitespace, into `out`; returns where it ends, or nullptr for anything else. Each level is four
// quotes with the separators between them checked byte by byte, and numbers that are digits and a dot
// only. `at` and `end` lie in the padded input buffer.
const char* scan_plain_levels(const char* at, const char* end, std::vector<model::BookLevel>& out) {
  out.clear();
  if (!take<"[">(at, end)) {
    return nullptr;
  }
  if (take<"]">(at, end)) {
    return at;
  }
  QuoteCursor quotes(at, end);
  while (at < end && at[0] == '[') {
    const char* const price_open = quotes.next();
    const char* const price_close = quotes.next();
    const char* const qty_open = quotes.next();
    const char* const qty_close = quotes.next();
    // Once the cursor has run out it stays out, and the quotes come in order: qty_close decides.
    if (qty_close == nullptr || qty_close >= end || price_open != at + 1 || price_close[1] != ',' ||
        qty_open != price_close + 2 || qty_close[1] != ']') {
      return nullptr;
    }
    model::BookLevel& level = out.emplace_back();
    const auto text = [](const char* open, const char* close) {
      return std::string_view(open + 1, static_cast<std::size_t>(close - open - 1));
    };
    if (!Decimal::parse_plain_pair_padded(text(price_open, price_close), text(qty_open, qty_close),
                                          level.price, level.qty)) {
      return nullptr;
    }
    at = qty_close + 2;
    if (*at == ']') {
      return at + 1;
    }
    if (*at != ',') {
      return nullptr;
    }
    ++at;
  }
  return nullptr;
}

// What scan_book_rest() read.
struct BybitBookRest {
  std::uint64_t update_id = 0;
  std::uint64_t sequence = 0;
  std::optional<std::uint64_t> cts;
};

// An orderbook frame from its data object to its end, exactly as Bybit writes it:
// {"s":"BTCUSDT","b":[...],"a":[...],"u":1,"seq":2} then ,"cts":3} or }, nothing after. Returns false
// for anything else (other field orders, whitespace, escapes, numbers not plain digits, another
// symbol). Every byte is checked; `at` and `end` lie in the padded input buffer.
bool scan_book_rest(const char* at, const char* end, std::string_view symbol,
                    std::vector<model::BookLevel>& bids, std::vector<model::BookLevel>& asks,
                    BybitBookRest& out) {
  if (!take<R"({"s":")">(at, end) || static_cast<std::size_t>(end - at) < symbol.size() ||
      std::string_view(at, symbol.size()) != symbol) {
    return false;
  }
  at += symbol.size();
  if (!take<R"(","b":)">(at, end)) {
    return false;
  }
  at = scan_plain_levels(at, end, bids);
  if (at == nullptr || !take<R"(,"a":)">(at, end)) {
    return false;
  }
  at = scan_plain_levels(at, end, asks);
  if (at == nullptr || !take<R"(,"u":)">(at, end)) {
    return false;
  }
  std::size_t digits = scan_plain_integer(at, out.update_id);
  at += digits;
  if (digits == 0 || !take<R"(,"seq":)">(at, end)) {
    return false;
  }
  digits = scan_plain_integer(at, out.sequence);
  at += digits;
  if (digits == 0 || !take<"}">(at, end)) {
    return false;
  }
  if (take<R"(,"cts":)">(at, end)) {
    std::uint64_t cts = 0;
    digits = scan_plain_integer(at, cts);
    at += digits;
    if (digits == 0) {
      return false;
    }
    out.cts = cts;
  }
  return take<"}">(at, end) && at == end;
}

}  // namespace

std::string_view to_string(BybitMessageKind kind) {
  switch (kind) {
    case BybitMessageKind::kOrderbook: return "orderbook";
    case BybitMessageKind::kTrade: return "trade";
    case BybitMessageKind::kTicker: return "ticker";
    case BybitMessageKind::kKline: return "kline";
    case BybitMessageKind::kControl: return "control";
    case BybitMessageKind::kUnknown: return "unknown";
  }
  return "unknown";
}

// What the first pass over a frame found; views point into the input buffer or the parser's strings.
struct BybitPublicParser::Frame {
  std::string_view text;
  std::string_view input;  // the parser's copy of `text`, which the tokens point into
  std::string_view topic;
  std::string_view type;
  std::optional<std::uint64_t> ts;
  std::optional<std::uint64_t> cts;
  bool data_seen = false;
  bool data_parsed = false;
  model::Symbol symbol;
  std::uint32_t depth = 0;
  std::string_view interval;
  bool data_symbol_seen = false;
  std::optional<std::uint64_t> update_id;
  std::optional<std::uint64_t> sequence;
  std::string_view op;
  std::optional<bool> success;
  std::string_view ret_msg;
  std::string_view conn_id;
  std::string_view req_id;

  // kInvalidArgument saying which frame, what is wrong, and the offending text.
  [[nodiscard]] tl::unexpected<Error> error(std::string_view what, std::string_view offending) const {
    const std::string_view where = topic.empty() ? std::string_view("frame") : topic;
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("bybit {}: {}: {}", where, what, quote_input(offending)));
  }
  [[nodiscard]] tl::unexpected<Error> error(std::string_view what, simdjson::error_code code) const {
    return error(fmt::format("{} ({})", what, simdjson::error_message(code)), text);
  }

  // A string field holding an exact decimal.
  Result<Decimal> decimal(std::string_view name, od::value& value) const {
    Decimal plain;
    if (plain_decimal(value, plain, input)) {
      return plain;
    }
    return general_decimal(name, value);
  }

  // decimal() for a token plain_decimal() refused, errors included. Out of line, so that the fast
  // path stays small enough to be inlined into the level loop.
  [[gnu::noinline]] Result<Decimal> general_decimal(std::string_view name, od::value& value) const {
    const auto digits = string_token(value, input);
    if (!digits) {
      return error(fmt::format("{} is not a decimal string", name), token_text(value, input));
    }
    auto parsed = Decimal::parse(*digits);
    if (!parsed) {
      return error(fmt::format("{}: {}", name, parsed.error().message), *digits);
    }
    return *parsed;
  }

  // As decimal(), with "" (Bybit's "no value") as nullopt.
  Result<std::optional<Decimal>> optional_decimal(std::string_view name, od::value& value) const {
    if (const auto digits = string_token(value, input); digits && digits->empty()) {
      return std::optional<Decimal>();
    }
    KIMP_TRY_ASSIGN(const Decimal parsed, decimal(name, value));
    return std::optional<Decimal>(parsed);
  }

  Result<std::uint64_t> integer(std::string_view name, od::value& value) const {
    std::uint64_t number = 0;
    if (value.get_uint64().get(number) != simdjson::SUCCESS) {
      return error(fmt::format("{} is not an unsigned integer", name), token_text(value, input));
    }
    return number;
  }

  // Milliseconds since the epoch as a Timestamp.
  Result<Timestamp> millis(std::string_view name, std::uint64_t ms) const {
    auto at = ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                  ? Result<Timestamp>(make_error(ErrorCode::kInvalidArgument, "out of range"))
                  : Timestamp::from_ms(static_cast<std::int64_t>(ms));
    if (!at) {
      return error(fmt::format("{} is not a time in milliseconds", name), std::to_string(ms));
    }
    return *at;
  }

  // The symbol a data object names, which must be the topic's.
  Status check_symbol(std::string_view name, od::value& value) const {
    const auto name_text = string_token(value, input);
    if (!name_text || *name_text != symbol.view()) {
      return error(fmt::format("{} is not the topic's symbol", name), token_text(value, input));
    }
    return ok();
  }
};

BybitPublicParser::BybitPublicParser(BybitCategory category, BybitBookScan book_scan)
    : category_(category), book_scan_(book_scan) {
  input_.resize(kReservedFrameBytes + simdjson::SIMDJSON_PADDING);
  bids_.reserve(kReservedLevels);
  asks_.reserve(kReservedLevels);
  trades_.reserve(kReservedTrades);
  klines_.reserve(kReservedKlines);
  // simdjson sizes its internal buffers on the first document of each larger size; doing it here keeps
  // the first frames from paying for it.
  if (parser_.allocate(kReservedFrameBytes) != simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
}

namespace {

// Reads the topic into the frame: kind, symbol, depth or interval.
Status parse_topic(std::string_view topic, BybitMessageKind& kind, model::Symbol& symbol,
                   std::uint32_t& depth, std::string_view& interval) {
  const auto unknown = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("bybit: unknown topic {}", quote_input(topic)));
  };
  const std::size_t dot = topic.find('.');
  if (dot == std::string_view::npos) {
    return unknown();
  }
  const std::string_view family = topic.substr(0, dot);
  std::string_view rest = topic.substr(dot + 1);
  if (family == "orderbook" || family == "kline") {
    const std::size_t second = rest.find('.');
    if (second == std::string_view::npos || second == 0) {
      return unknown();
    }
    const std::string_view middle = rest.substr(0, second);
    rest = rest.substr(second + 1);
    if (family == "orderbook") {
      const auto [end, code] = std::from_chars(middle.data(), middle.data() + middle.size(), depth);
      if (code != std::errc() || end != middle.data() + middle.size() || depth == 0) {
        return unknown();
      }
      kind = BybitMessageKind::kOrderbook;
    } else {
      interval = middle;
      kind = BybitMessageKind::kKline;
    }
  } else if (family == "publicTrade") {
    kind = BybitMessageKind::kTrade;
  } else if (family == "tickers") {
    kind = BybitMessageKind::kTicker;
  } else {
    return unknown();
  }
  auto parsed = model::Symbol::create(rest);
  if (!parsed) {
    kind = BybitMessageKind::kUnknown;
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("bybit: topic {} names no valid symbol", quote_input(topic)));
  }
  symbol = *parsed;
  return ok();
}

BybitStreamOp op_of(std::string_view op) {
  if (op == "subscribe") {
    return BybitStreamOp::kSubscribe;
  }
  if (op == "unsubscribe") {
    return BybitStreamOp::kUnsubscribe;
  }
  if (op == "ping") {
    return BybitStreamOp::kPing;
  }
  if (op == "pong") {
    return BybitStreamOp::kPong;
  }
  if (op == "auth") {
    return BybitStreamOp::kAuth;
  }
  return BybitStreamOp::kOther;
}

}  // namespace

Status BybitPublicParser::read_topic(Frame& frame) {
  const std::string_view topic = frame.topic;
  for (const KnownTopic& known : known_topics_) {
    if (known.size == topic.size() && known.size != 0 &&
        std::memcmp(known.text.data(), topic.data(), known.size) == 0) {
      kind_ = known.kind;
      frame.symbol = known.symbol;
      frame.depth = known.depth;
      frame.interval = topic.substr(known.interval_at, known.interval_size);
      return ok();
    }
  }
  // A frame may name a topic twice: nothing of an earlier one may stay.
  frame.depth = 0;
  frame.interval = {};
  KIMP_TRY(parse_topic(topic, kind_, frame.symbol, frame.depth, frame.interval));
  if (topic.size() <= KnownTopic::kMaxBytes) {
    KnownTopic& known = known_topics_[next_known_topic_];
    next_known_topic_ = (next_known_topic_ + 1) % kKnownTopics;
    std::memcpy(known.text.data(), topic.data(), topic.size());
    known.size = topic.size();
    known.kind = kind_;
    known.symbol = frame.symbol;
    known.depth = frame.depth;
    known.interval_at =
        frame.interval.empty() ? 0 : static_cast<std::size_t>(frame.interval.data() - topic.data());
    known.interval_size = frame.interval.size();
  }
  return ok();
}

Result<BybitPublicMessage> BybitPublicParser::parse(std::string_view text) {
  kind_ = BybitMessageKind::kUnknown;
  Frame frame;
  frame.text = text;
  if (text.empty()) {
    return frame.error("empty frame", text);
  }
  if (text.size() > kMaxFrameBytes) {
    return frame.error(
        fmt::format("frame of {} bytes exceeds the {} byte limit", text.size(), kMaxFrameBytes), text);
  }
  if (input_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
    input_.resize(text.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(input_.data(), text.data(), text.size());
  frame.input = std::string_view(input_.data(), text.size());

  if (book_scan_ == BybitBookScan::kExactForm && scan_book_frame(frame)) {
    return assemble(frame);
  }
  frame = Frame{};
  frame.text = text;
  frame.input = std::string_view(input_.data(), text.size());
  return parse_document(frame);
}

bool BybitPublicParser::scan_book_frame(Frame& frame) {
  // {"topic":"orderbook.200.BTCUSDT","type":"delta","ts":1,"data":{...},"cts":2}: a topic read_topic()
  // takes as an orderbook's is letters, digits, dots, dashes and underscores, so it ends at the first
  // quote.
  const char* at = frame.input.data();
  const char* const end = at + frame.input.size();
  if (!take<R"({"topic":")">(at, end)) {
    return false;
  }
  const auto* const quote =
      static_cast<const char*>(std::memchr(at, '"', static_cast<std::size_t>(end - at)));
  if (quote == nullptr) {
    return false;
  }
  frame.topic = std::string_view(at, static_cast<std::size_t>(quote - at));
  if (!read_topic(frame) || kind_ != BybitMessageKind::kOrderbook) {
    return false;
  }
  at = quote;
  // Linear streams write the type before ts, spot streams after it.
  const auto type = [&] {
    if (take<R"("type":"delta")">(at, end)) {
      frame.type = "delta";
    } else if (take<R"("type":"snapshot")">(at, end)) {
      frame.type = "snapshot";
    } else {
      return false;
    }
    return true;
  };
  std::uint64_t ts = 0;
  const auto time = [&] {
    if (!take<R"("ts":)">(at, end)) {
      return false;
    }
    const std::size_t digits = scan_plain_integer(at, ts);
    at += digits;
    return digits != 0;
  };
  if (!take<R"(",)">(at, end)) {
    return false;
  }
  const bool type_first = at[1] == 't' && at[2] == 'y';
  if (!(type_first ? type() && take<",">(at, end) && time() : time() && take<",">(at, end) && type())) {
    return false;
  }
  BybitBookRest rest;
  if (!take<R"(,"data":)">(at, end) || !scan_book_rest(at, end, frame.symbol.view(), bids_, asks_, rest)) {
    return false;
  }
  frame.ts = ts;
  frame.cts = rest.cts;
  frame.update_id = rest.update_id;
  frame.sequence = rest.sequence;
  frame.data_seen = true;
  frame.data_parsed = true;
  frame.data_symbol_seen = true;
  return true;
}

Result<BybitPublicMessage> BybitPublicParser::parse_document(Frame& frame) {
  kind_ = BybitMessageKind::kUnknown;
  const std::string_view text = frame.text;
  od::document doc;
  if (const auto code = parser_.iterate(input_.data(), text.size(), input_.size()).get(doc); code) {
    return frame.error("not JSON", code);
  }
  od::object root;
  if (const auto code = doc.get_object().get(root); code) {
    return frame.error("not a JSON object", code);
  }
  for (auto entry : root) {
    od::field field;
    if (const auto code = std::move(entry).get(field); code) {
      return frame.error("malformed object", code);
    }
    const od::raw_json_string key = field.key();
    od::value& value = field.value();
    if (key == "topic") {
      const auto topic = string_token(value, frame.input);
      if (!topic) {
        return frame.error("topic is not a string", token_text(value, frame.input));
      }
      frame.topic = *topic;
      KIMP_TRY(read_topic(frame));
    } else if (key == "type") {
      const auto type = string_token(value, frame.input);
      if (!type) {
        return frame.error("type is not a string", token_text(value, frame.input));
      }
      frame.type = *type;
    } else if (key == "ts") {
      KIMP_TRY_ASSIGN(frame.ts, frame.integer("ts", value));
    } else if (key == "cts") {
      KIMP_TRY_ASSIGN(frame.cts, frame.integer("cts", value));
    } else if (key == "data") {
      frame.data_seen = true;
      if (!frame.topic.empty()) {
        KIMP_TRY(parse_data(frame, value));
        frame.data_parsed = true;
      }
    } else if (key == "op") {
      if (value.get_string().get(frame.op) != simdjson::SUCCESS) {
        return frame.error("op is not a string", token_text(value, frame.input));
      }
      if (frame.topic.empty()) {
        kind_ = BybitMessageKind::kControl;
      }
    } else if (key == "success") {
      bool success = false;
      if (value.get_bool().get(success) != simdjson::SUCCESS) {
        return frame.error("success is not a boolean", token_text(value, frame.input));
      }
      frame.success = success;
    } else if (key == "ret_msg" || key == "conn_id" || key == "req_id") {
      std::string_view string;
      if (value.get_string().get(string) != simdjson::SUCCESS) {
        return frame.error("ret_msg, conn_id and req_id must be strings", token_text(value, frame.input));
      }
      (key == "ret_msg" ? frame.ret_msg : key == "conn_id" ? frame.conn_id : frame.req_id) = string;
    }
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when the iteration consumed every token.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return frame.error("trailing content after the object", text);
  }
  if (frame.data_seen && !frame.data_parsed && !frame.topic.empty()) {
    // "data" came before "topic": read it again now that its shape is known.
    doc.rewind();
    od::value data;
    if (const auto code = doc.find_field_unordered("data").get(data); code) {
      return frame.error("data", code);
    }
    KIMP_TRY(parse_data(frame, data));
  }
  return assemble(frame);
}

Status BybitPublicParser::parse_data(Frame& frame, od::value& data) {
  switch (kind_) {
    case BybitMessageKind::kOrderbook: return parse_book(frame, data);
    case BybitMessageKind::kTrade: return parse_trades(frame, data);
    case BybitMessageKind::kTicker: return parse_ticker(frame, data);
    case BybitMessageKind::kKline: return parse_klines(frame, data);
    case BybitMessageKind::kControl:
    case BybitMessageKind::kUnknown: break;
  }
  return frame.error("data without a known topic", frame.text);
}

Status BybitPublicParser::parse_levels(Frame& frame, od::value& side, std::vector<model::BookLevel>& out) {
  out.clear();
  od::array levels;
  if (side.get_array().get(levels) != simdjson::SUCCESS) {
    return frame.error("book side is not an array", token_text(side, frame.input));
  }
  for (auto entry : levels) {
    od::array level;
    if (entry.get_array().get(level) != simdjson::SUCCESS) {
      return frame.error("book level is not a [price, size] array", frame.text);
    }
    // Read in place: a level assembled on the stack and then copied is stored as two halves and
    // reloaded whole, which stalls the store forwarding of every level.
    model::BookLevel& parsed = out.emplace_back();
    std::size_t count = 0;
    for (auto element : level) {
      if (const auto code = element.error(); code) {
        return frame.error("malformed book level", code);
      }
      od::value& number = element.value_unsafe();
      if (count < 2) {
        Decimal& target = count == 0 ? parsed.price : parsed.qty;
        if (!plain_decimal(number, target, frame.input)) {
          KIMP_TRY_ASSIGN(target, frame.general_decimal(count == 0 ? "level price" : "level size", number));
        }
      }
      ++count;
    }
    if (count != 2) {
      return frame.error(fmt::format("book level has {} elements, not [price, size]", count), frame.text);
    }
  }
  return ok();
}

Status BybitPublicParser::parse_book(Frame& frame, od::value& data) {
  od::object object;
  if (data.get_object().get(object) != simdjson::SUCCESS) {
    return frame.error("data is not an object", token_text(data, frame.input));
  }
  bool bids_seen = false;
  bool asks_seen = false;
  for (auto entry : object) {
    od::field field;
    if (const auto code = std::move(entry).get(field); code) {
      return frame.error("malformed data", code);
    }
    const od::raw_json_string key = field.key();
    od::value& value = field.value();
    if (key == "b") {
      KIMP_TRY(parse_levels(frame, value, bids_));
      bids_seen = true;
    } else if (key == "a") {
      KIMP_TRY(parse_levels(frame, value, asks_));
      asks_seen = true;
    } else if (key == "u") {
      KIMP_TRY_ASSIGN(frame.update_id, frame.integer("u", value));
    } else if (key == "seq") {
      KIMP_TRY_ASSIGN(frame.sequence, frame.integer("seq", value));
    } else if (key == "s") {
      KIMP_TRY(frame.check_symbol("s", value));
      frame.data_symbol_seen = true;
    }
  }
  if (!bids_seen || !asks_seen || !frame.update_id || !frame.sequence || !frame.data_symbol_seen) {
    return frame.error("book data needs s, b, a, u and seq", frame.text);
  }
  return ok();
}

Status BybitPublicParser::parse_trades(Frame& frame, od::value& data) {
  trades_.clear();
  od::array array;
  if (data.get_array().get(array) != simdjson::SUCCESS) {
    return frame.error("data is not an array", token_text(data, frame.input));
  }
  for (auto entry : array) {
    od::object object;
    if (entry.get_object().get(object) != simdjson::SUCCESS) {
      return frame.error("trade is not an object", frame.text);
    }
    model::Trade trade;
    trade.venue = model::Venue::kBybit;
    trade.symbol = frame.symbol;
    bool time_seen = false;
    bool side_seen = false;
    bool price_seen = false;
    bool qty_seen = false;
    bool symbol_seen = false;
    for (auto field_entry : object) {
      od::field field;
      if (const auto code = std::move(field_entry).get(field); code) {
        return frame.error("malformed trade", code);
      }
      const od::raw_json_string key = field.key();
      od::value& value = field.value();
      if (key == "T") {
        KIMP_TRY_ASSIGN(const std::uint64_t ms, frame.integer("T", value));
        KIMP_TRY_ASSIGN(trade.ts_event, frame.millis("T", ms));
        time_seen = true;
      } else if (key == "S") {
        const auto side = string_token(value, frame.input);
        if (!side || (*side != "Buy" && *side != "Sell")) {
          return frame.error("S is not Buy or Sell", token_text(value, frame.input));
        }
        trade.taker_side = *side == "Buy" ? model::Side::kBuy : model::Side::kSell;
        side_seen = true;
      } else if (key == "p") {
        KIMP_TRY_ASSIGN(trade.price, frame.decimal("p", value));
        price_seen = true;
      } else if (key == "v") {
        KIMP_TRY_ASSIGN(trade.qty, frame.decimal("v", value));
        qty_seen = true;
      } else if (key == "s") {
        KIMP_TRY(frame.check_symbol("s", value));
        symbol_seen = true;
      }
    }
    if (!time_seen || !side_seen || !price_seen || !qty_seen || !symbol_seen) {
      return frame.error("trade needs T, s, S, v and p", frame.text);
    }
    if (!trade.price.is_positive() || !trade.qty.is_positive()) {
      return frame.error("trade price and size must be positive", frame.text);
    }
    trades_.push_back(trade);
  }
  return ok();
}

Status BybitPublicParser::parse_ticker(Frame& frame, od::value& data) {
  od::object object;
  if (data.get_object().get(object) != simdjson::SUCCESS) {
    return frame.error("data is not an object", token_text(data, frame.input));
  }
  ticker_ = model::Ticker{};
  ticker_.venue = model::Venue::kBybit;
  ticker_.symbol = frame.symbol;
  bool symbol_seen = false;
  for (auto entry : object) {
    od::field field;
    if (const auto code = std::move(entry).get(field); code) {
      return frame.error("malformed data", code);
    }
    const od::raw_json_string key = field.key();
    od::value& value = field.value();
    std::optional<Decimal>* target = nullptr;
    std::string_view name;
    if (key == "lastPrice") {
      target = &ticker_.last_price, name = "lastPrice";
    } else if (key == "bid1Price") {
      target = &ticker_.bid_price, name = "bid1Price";
    } else if (key == "ask1Price") {
      target = &ticker_.ask_price, name = "ask1Price";
    } else if (key == "markPrice") {
      target = &ticker_.mark_price, name = "markPrice";
    } else if (key == "indexPrice") {
      target = &ticker_.index_price, name = "indexPrice";
    } else if (key == "fundingRate") {
      target = &ticker_.funding_rate, name = "fundingRate";
    } else if (key == "volume24h") {
      target = &ticker_.volume_24h, name = "volume24h";
    } else if (key == "turnover24h") {
      target = &ticker_.turnover_24h, name = "turnover24h";
    } else if (key == "nextFundingTime") {
      const auto text = string_token(value, frame.input);
      std::uint64_t ms = 0;
      if (!text) {
        return frame.error("nextFundingTime is not a string", token_text(value, frame.input));
      }
      if (text->empty()) {
        continue;
      }
      const auto [end, code] = std::from_chars(text->data(), text->data() + text->size(), ms);
      if (code != std::errc() || end != text->data() + text->size()) {
        return frame.error("nextFundingTime is not milliseconds", *text);
      }
      KIMP_TRY_ASSIGN(ticker_.next_funding_time, frame.millis("nextFundingTime", ms));
    } else if (key == "symbol") {
      KIMP_TRY(frame.check_symbol("symbol", value));
      symbol_seen = true;
    }
    if (target != nullptr) {
      KIMP_TRY_ASSIGN(*target, frame.optional_decimal(name, value));
    }
  }
  if (!symbol_seen) {
    return frame.error("ticker data needs symbol", frame.text);
  }
  return ok();
}

Status BybitPublicParser::parse_klines(Frame& frame, od::value& data) {
  klines_.clear();
  od::array array;
  if (data.get_array().get(array) != simdjson::SUCCESS) {
    return frame.error("data is not an array", token_text(data, frame.input));
  }
  for (auto entry : array) {
    od::object object;
    if (entry.get_object().get(object) != simdjson::SUCCESS) {
      return frame.error("kline is not an object", frame.text);
    }
    BybitKline bar;
    unsigned seen = 0;  // one bit per required field
    for (auto field_entry : object) {
      od::field field;
      if (const auto code = std::move(field_entry).get(field); code) {
        return frame.error("malformed kline", code);
      }
      const od::raw_json_string key = field.key();
      od::value& value = field.value();
      const auto time = [&](std::string_view name, Timestamp& out, unsigned bit) -> Status {
        KIMP_TRY_ASSIGN(const std::uint64_t ms, frame.integer(name, value));
        KIMP_TRY_ASSIGN(out, frame.millis(name, ms));
        seen |= bit;
        return ok();
      };
      const auto number = [&](std::string_view name, Decimal& out, unsigned bit) -> Status {
        KIMP_TRY_ASSIGN(out, frame.decimal(name, value));
        seen |= bit;
        return ok();
      };
      if (key == "start") {
        KIMP_TRY(time("start", bar.start, 1U << 0U));
      } else if (key == "end") {
        KIMP_TRY(time("end", bar.end, 1U << 1U));
      } else if (key == "timestamp") {
        KIMP_TRY(time("timestamp", bar.ts_event, 1U << 2U));
      } else if (key == "open") {
        KIMP_TRY(number("open", bar.open, 1U << 3U));
      } else if (key == "high") {
        KIMP_TRY(number("high", bar.high, 1U << 4U));
      } else if (key == "low") {
        KIMP_TRY(number("low", bar.low, 1U << 5U));
      } else if (key == "close") {
        KIMP_TRY(number("close", bar.close, 1U << 6U));
      } else if (key == "volume") {
        KIMP_TRY(number("volume", bar.volume, 1U << 7U));
      } else if (key == "turnover") {
        KIMP_TRY(number("turnover", bar.turnover, 1U << 8U));
      } else if (key == "confirm") {
        if (value.get_bool().get(bar.confirm) != simdjson::SUCCESS) {
          return frame.error("confirm is not a boolean", token_text(value, frame.input));
        }
        seen |= 1U << 9U;
      }
    }
    constexpr unsigned kAllFields = (1U << 10U) - 1;
    if (seen != kAllFields) {
      return frame.error(
          "kline needs start, end, timestamp, open, high, low, close, volume, turnover and "
          "confirm",
          frame.text);
    }
    klines_.push_back(bar);
  }
  return ok();
}

Result<BybitPublicMessage> BybitPublicParser::assemble(Frame& frame) {
  if (frame.topic.empty()) {
    if (frame.op.empty()) {
      return frame.error("neither a topic nor an op", frame.text);
    }
    BybitStreamControl control;
    control.op = op_of(frame.op);
    if (!frame.success && control.op != BybitStreamOp::kPong) {
      return frame.error("reply without success", frame.text);
    }
    control.success = frame.success.value_or(true);
    control.ret_msg = frame.ret_msg;
    control.conn_id = frame.conn_id;
    control.req_id = frame.req_id;
    return control;
  }
  if (!frame.data_seen) {
    return frame.error("missing data", frame.text);
  }
  if (!frame.ts) {
    return frame.error("missing ts", frame.text);
  }
  KIMP_TRY_ASSIGN(const Timestamp ts, frame.millis("ts", *frame.ts));
  const bool snapshot = frame.type == "snapshot";
  if (!snapshot && frame.type != "delta") {
    return frame.error("type is not snapshot or delta", frame.type);
  }
  switch (kind_) {
    case BybitMessageKind::kOrderbook: {
      model::BookUpdate book;
      book.venue = model::Venue::kBybit;
      book.symbol = frame.symbol;
      book.action = snapshot ? model::BookAction::kSnapshot : model::BookAction::kDelta;
      book.ts_event = ts;
      if (frame.cts) {
        KIMP_TRY_ASSIGN(book.ts_event, frame.millis("cts", *frame.cts));
      }
      book.update_id = *frame.update_id;
      book.sequence = *frame.sequence;
      book.depth = frame.depth;
      book.bids = bids_;
      book.asks = asks_;
      return book;
    }
    case BybitMessageKind::kTrade: {
      if (!snapshot) {
        return frame.error("publicTrade type is not snapshot", frame.type);
      }
      return BybitTradeBatch{frame.symbol, ts, trades_};
    }
    case BybitMessageKind::kTicker: {
      ticker_.ts_event = ts;
      return ticker_;
    }
    case BybitMessageKind::kKline: {
      return BybitKlineBatch{frame.symbol, frame.interval, klines_};
    }
    case BybitMessageKind::kControl:
    case BybitMessageKind::kUnknown: break;
  }
  return frame.error("unknown topic", frame.topic);
}

}  // namespace kimp::venues::bybit
