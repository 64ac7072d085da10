// CaptureBooks: a raw WebSocket capture's frames through the venue parsers (chosen by each connection's
// URL) into one order book per venue, category and symbol — shared by `kimp feed-replay` and capture
// replays of the strategy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "market/capture_file.hpp"
#include "market/malformed_counter.hpp"
#include "market/order_book.hpp"
#include "model/market_events.hpp"
#include "venues/bybit/parse_stream.hpp"
#include "venues/upbit/parse_stream.hpp"

namespace kimp::runtime {

// A book of the replay and the stream category it came from ("linear", "spot").
struct CaptureBook {
  std::string_view category;
  market::OrderBook book;
};

struct CaptureTotals {
  std::uint64_t frames = 0;
  std::uint64_t skipped = 0;  // frames of connections that are not Bybit public or Upbit streams
  std::uint64_t malformed = 0;
  std::uint64_t rejected = 0;  // book updates the book refused (a gap, a delta before any snapshot)
};

// What a frame produced: the book it changed, or a ticker.
struct CaptureListeners {
  std::function<void(const CaptureBook& book)> on_book;
  std::function<void(std::string_view category, const model::Ticker& ticker)> on_ticker;
};

class CaptureBooks {
 public:
  // Routes by connection address: Bybit /v5/public/linear and /v5/public/spot, and Upbit's websocket.
  // Malformed frames are logged under `component`.
  CaptureBooks(const market::Capture& capture, const std::string& component);

  // Parses one frame with its connection's parser and applies a book update to its book (stamped with the
  // frame's ts_recv). Malformed frames are counted (and logged once per kind) and skipped.
  void replay(const market::CaptureFrame& frame, const CaptureListeners& listeners = {});

  [[nodiscard]] const std::vector<CaptureBook>& books() const { return books_; }
  // The book of (venue, category, symbol); nullptr before its first update. Valid until the next replay().
  [[nodiscard]] const market::OrderBook* find(model::Venue venue, std::string_view category,
                                              const model::Symbol& symbol) const;
  [[nodiscard]] const CaptureTotals& totals() const { return totals_; }

 private:
  // Levels a book holds beyond the depth its stream promises: a level may enter before the venue removes
  // the one it pushes out of the depth.
  static constexpr std::size_t kBookSlack = 56;

  struct Route {
    std::string_view category;  // empty when the connection is not replayed
    std::unique_ptr<venues::bybit::BybitPublicParser> bybit;
    std::unique_ptr<venues::upbit::UpbitStreamParser> upbit;
  };

  CaptureBook& book_of(std::string_view category, const model::BookUpdate& update);
  void apply(std::string_view category, model::BookUpdate& update, Timestamp ts_recv,
             const CaptureListeners& listeners);

  std::vector<Route> routes_;
  std::vector<CaptureBook> books_;  // in the order they first appeared; stable addresses not promised
  market::MalformedCounter malformed_;
  CaptureTotals totals_;
};

}  // namespace kimp::runtime
