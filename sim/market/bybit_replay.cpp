// Parsing a Bybit capture's orderbook messages and applying them as snapshots and deltas.
#include "sim/market/bybit_replay.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include <boost/json.hpp>

namespace kimp::sim {
namespace {

const boost::json::string* string_at(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

Result<std::vector<BookLevel>> parse_levels(const boost::json::object& data, std::string_view key) {
  const auto* levels = data.if_contains(key);
  if (levels == nullptr || !levels->is_array()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("orderbook message has no {} array", key));
  }
  std::vector<BookLevel> out;
  out.reserve(levels->as_array().size());
  for (const auto& level : levels->as_array()) {
    const auto* pair = level.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "orderbook level is not a [price, size] pair of strings");
    }
    KIMP_TRY_ASSIGN(const Decimal price, Decimal::parse((*pair)[0].as_string()));
    KIMP_TRY_ASSIGN(const Decimal quantity, Decimal::parse((*pair)[1].as_string()));
    out.push_back({price, quantity});
  }
  return out;
}

template <class Side>
void apply_levels(Side& side, const std::vector<BookLevel>& levels) {
  for (const BookLevel& level : levels) {
    if (level.quantity.is_zero()) {
      side.erase(level.price);
    } else {
      side.insert_or_assign(level.price, level.quantity);
    }
  }
}

template <class Side>
std::vector<BookLevel> to_levels(const Side& side) {
  std::vector<BookLevel> out;
  out.reserve(side.size());
  for (const auto& [price, quantity] : side) {
    out.push_back({price, quantity});
  }
  return out;
}

}  // namespace

Result<BybitCaptureReplay> BybitCaptureReplay::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error(ErrorCode::kFailedPrecondition, fmt::format("cannot read capture {}", path));
  }
  BybitCaptureReplay replay;
  std::set<std::string, std::less<>> linear_connections;
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code error;
    const boost::json::value record = boost::json::parse(line, error);
    if (error || !record.is_object()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("capture {} has a line that is not a JSON object", path));
    }
    const auto& object = record.as_object();
    const auto* kind = string_at(object, "t");
    const auto* conn = string_at(object, "conn");
    if (kind == nullptr || conn == nullptr) {
      continue;  // the header line
    }
    if (*kind == "connect") {
      const auto* addr = string_at(object, "addr");
      if (addr != nullptr && addr->ends_with("/linear")) {
        linear_connections.emplace(*conn);
      }
      continue;
    }
    const auto* data = string_at(object, "data");
    if (*kind != "recv" || data == nullptr || !linear_connections.contains(std::string_view(*conn))) {
      continue;
    }
    const boost::json::value frame = boost::json::parse(*data, error);
    if (error || !frame.is_object()) {
      continue;  // not every frame is JSON worth reading (pongs are), and none of those are books
    }
    const auto& message = frame.as_object();
    const auto* topic = string_at(message, "topic");
    if (topic == nullptr || !topic->starts_with("orderbook.")) {
      continue;
    }
    const auto* type = string_at(message, "type");
    const auto* ts = message.if_contains("ts");
    const auto* payload = message.if_contains("data");
    if (type == nullptr || ts == nullptr || !ts->is_int64() || payload == nullptr || !payload->is_object()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("malformed orderbook message on {}", *topic));
    }
    const auto& body = payload->as_object();
    const auto* symbol = string_at(body, "s");
    const auto* update = body.if_contains("u");
    if (symbol == nullptr || update == nullptr || !update->is_int64()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("orderbook message on {} lacks s or u", *topic));
    }
    Message parsed;
    KIMP_TRY_ASSIGN(parsed.ts_event, Timestamp::from_ms(ts->as_int64()));
    parsed.snapshot = *type == "snapshot";
    parsed.update_id = static_cast<std::uint64_t>(update->as_int64());
    KIMP_TRY_ASSIGN(parsed.bids, parse_levels(body, "b"));
    KIMP_TRY_ASSIGN(parsed.asks, parse_levels(body, "a"));
    const auto known = std::find_if(replay.books_.begin(), replay.books_.end(),
                                    [&](const ReplayBook& book) { return book.symbol == *symbol; });
    parsed.book = static_cast<std::size_t>(known - replay.books_.begin());
    if (known == replay.books_.end()) {
      replay.books_.push_back(ReplayBook{std::string(*symbol), {}, {}, {}, false});
    }
    replay.messages_.push_back(std::move(parsed));
  }
  if (replay.messages_.empty()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("capture {} holds no linear orderbook message", path));
  }
  // Frames are logged in arrival order; stable sorting by exchange time keeps that order for equal stamps.
  std::stable_sort(replay.messages_.begin(), replay.messages_.end(),
                   [](const Message& a, const Message& b) { return a.ts_event < b.ts_event; });
  return replay;
}

std::vector<std::string> BybitCaptureReplay::symbols() const {
  std::vector<std::string> out;
  out.reserve(books_.size());
  for (const ReplayBook& book : books_) {
    out.push_back(book.symbol);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool BybitCaptureReplay::advance_to(Timestamp until) {
  std::vector<bool> touched(books_.size(), false);
  bool changed = false;
  for (; next_ < messages_.size() && messages_[next_].ts_event <= until; ++next_) {
    const Message& message = messages_[next_];
    ReplayBook& book = books_[message.book];
    if (!message.snapshot && !book.live) {
      continue;  // a delta means nothing without the snapshot it follows
    }
    apply(message);
    touched[message.book] = true;
    changed = true;
  }
  for (std::size_t i = 0; i < books_.size(); ++i) {
    if (touched[i]) {
      books_[i].view.bids = to_levels(books_[i].bids);
      books_[i].view.asks = to_levels(books_[i].asks);
    }
  }
  return changed;
}

void BybitCaptureReplay::apply(const Message& message) {
  ReplayBook& book = books_[message.book];
  if (message.snapshot) {
    book.bids.clear();
    book.asks.clear();
    book.live = true;
  }
  apply_levels(book.bids, message.bids);
  apply_levels(book.asks, message.asks);
  book.view.ts_event = message.ts_event;
  book.view.update_id = message.update_id;
}

const OrderBook* BybitCaptureReplay::book(std::string_view symbol) const {
  for (const ReplayBook& book : books_) {
    if (book.symbol == symbol) {
      return book.live ? &book.view : nullptr;
    }
  }
  return nullptr;
}

}  // namespace kimp::sim
