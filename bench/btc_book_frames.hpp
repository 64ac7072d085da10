// The shared capture's Bybit BTCUSDT linear orderbook frames, loaded once, and the engine's parse + apply
// of them: the per-update cost other benchmarks compare their hot-path figures with.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/timestamp.hpp"
#include "market/capture_file.hpp"
#include "market/order_book.hpp"
#include "strategy/entry_gate.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace kimp::bench {

using kimp::Timestamp;
using kimp::venues::bybit::BybitCategory;
using kimp::venues::bybit::BybitPublicParser;

inline constexpr std::size_t kBookCapacity = 256;  // orderbook.200 plus slack

// The capture's Bybit BTCUSDT linear orderbook frames, in order, with what the strategy sees after each
// has been applied: the top of its book, and the book itself in its final state (for sizing, which
// reads only that book's own levels).
struct BtcFrames {
  std::vector<std::string> frames;
  std::vector<Timestamp> ts_recv;
  std::vector<std::size_t> parser_of_frame;
  std::vector<std::size_t> book_of_frame;
  std::vector<BybitCategory> categories;  // one parser per connection
  std::size_t books = 0;
  std::vector<kimp::strategy::BookTop> tops;  // of the frame's book after the frame
  std::vector<kimp::market::OrderBook> final_books;
};

inline kimp::market::OrderBook bybit_btc_book() {
  return {kimp::model::Venue::kBybit, kimp::model::Symbol::create("BTCUSDT").value(), kBookCapacity};
}

inline const BtcFrames& btc_frames() {
  static const BtcFrames loaded = [] {
    const auto capture = kimp::market::read_capture(
        KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl");
    if (!capture) {
      std::fprintf(stderr, "%s\n", capture.error().describe().c_str());
      std::abort();
    }
    BtcFrames out;
    std::vector<BybitPublicParser> parsers;
    for (const auto& connection : capture->connections) {
      out.categories.push_back(connection.address.ends_with("/spot") ? BybitCategory::kSpot
                                                                     : BybitCategory::kLinear);
      parsers.emplace_back(out.categories.back());
    }
    std::map<std::size_t, std::size_t> book_of_connection;
    for (const auto& frame : capture->frames) {
      if (out.categories[frame.connection] != BybitCategory::kLinear) {
        continue;
      }
      const auto message = parsers[frame.connection].parse(frame.data);
      const auto* update = message ? std::get_if<kimp::model::BookUpdate>(&*message) : nullptr;
      if (update == nullptr || update->symbol.view() != "BTCUSDT") {
        continue;
      }
      const auto [at, inserted] = book_of_connection.try_emplace(frame.connection, out.final_books.size());
      if (inserted) {
        out.final_books.push_back(bybit_btc_book());
      }
      kimp::market::OrderBook& book = out.final_books[at->second];
      const bool applied = book.apply(*update).has_value();
      const auto bid = book.best_bid();
      const auto ask = book.best_ask();
      if (!applied || !bid || !ask) {
        std::fprintf(stderr, "BTCUSDT frame %zu does not apply to a book with both sides\n",
                     out.frames.size());
        std::abort();
      }
      out.tops.push_back({bid->price, ask->price, frame.ts_recv, book.valid()});
      out.frames.push_back(frame.data);
      out.ts_recv.push_back(frame.ts_recv);
      out.parser_of_frame.push_back(frame.connection);
      out.book_of_frame.push_back(at->second);
    }
    out.books = out.final_books.size();
    if (out.frames.empty()) {
      std::fprintf(stderr, "the capture has no BTCUSDT linear orderbook frame\n");
      std::abort();
    }
    return out;
  }();
  return loaded;
}

// BybitPublicParser::parse, then OrderBook::apply, over every frame (as bybit_book_bench's kimp case),
// with parsers and books of its own.
class BtcParseApply {
 public:
  explicit BtcParseApply(const BtcFrames& input)
      : input_(&input), parsers_(input.categories.begin(), input.categories.end()) {
    for (std::size_t i = 0; i < input.books; ++i) {
      books_.push_back(bybit_btc_book());
    }
  }
  // One pass over every frame, starting with its snapshot; false when a frame failed to parse or apply.
  bool pass() {
    bool all_ok = true;
    for (std::size_t i = 0; i < input_->frames.size(); ++i) {
      const auto message = parsers_[input_->parser_of_frame[i]].parse(input_->frames[i]);
      const auto* update = message ? std::get_if<kimp::model::BookUpdate>(&*message) : nullptr;
      all_ok = all_ok && update != nullptr && books_[input_->book_of_frame[i]].apply(*update).has_value();
    }
    return all_ok;
  }
  [[nodiscard]] const std::vector<kimp::market::OrderBook>& books() const { return books_; }

 private:
  const BtcFrames* input_;
  std::vector<BybitPublicParser> parsers_;
  std::vector<kimp::market::OrderBook> books_;
};

}  // namespace kimp::bench
