// CaptureBooks: parser routing by connection URL and the books of a capture.
#include "runtime/capture_books.hpp"

#include <variant>

#include <fmt/format.h>

namespace kimp::runtime {

using venues::bybit::BybitCategory;
using venues::bybit::BybitPublicParser;
using venues::upbit::UpbitStreamParser;

CaptureBooks::CaptureBooks(const market::Capture& capture, const std::string& component)
    : malformed_(component) {
  routes_.reserve(capture.connections.size());
  for (const market::CaptureConnection& connection : capture.connections) {
    Route route;
    const std::string_view address = connection.address;
    if (address.find("/v5/public/linear") != std::string_view::npos) {
      route.category = "linear";
      route.bybit = std::make_unique<BybitPublicParser>(BybitCategory::kLinear);
    } else if (address.find("/v5/public/spot") != std::string_view::npos) {
      route.category = "spot";
      route.bybit = std::make_unique<BybitPublicParser>(BybitCategory::kSpot);
    } else if (address.find("upbit.com/websocket") != std::string_view::npos) {
      route.category = "spot";
      route.upbit = std::make_unique<UpbitStreamParser>();
    }
    routes_.push_back(std::move(route));
  }
}

CaptureBook& CaptureBooks::book_of(std::string_view category, const model::BookUpdate& update) {
  for (CaptureBook& held : books_) {
    if (held.book.symbol() == update.symbol && held.book.venue() == update.venue &&
        held.category == category) {
      return held;
    }
  }
  books_.push_back(CaptureBook{
      category, market::OrderBook(update.venue, update.symbol, std::size_t{update.depth} + kBookSlack)});
  return books_.back();
}

const market::OrderBook* CaptureBooks::find(model::Venue venue, std::string_view category,
                                            const model::Symbol& symbol) const {
  for (const CaptureBook& held : books_) {
    if (held.book.symbol() == symbol && held.book.venue() == venue && held.category == category) {
      return &held.book;
    }
  }
  return nullptr;
}

void CaptureBooks::apply(std::string_view category, model::BookUpdate& update, Timestamp ts_recv,
                         const CaptureListeners& listeners) {
  update.ts_recv = ts_recv;
  CaptureBook& held = book_of(category, update);
  if (!held.book.apply(update)) {
    ++totals_.rejected;
  } else if (listeners.on_book) {
    listeners.on_book(held);
  }
}

void CaptureBooks::replay(const market::CaptureFrame& frame, const CaptureListeners& listeners) {
  ++totals_.frames;
  Route& route = routes_[frame.connection];
  const auto deliver = [&](auto& message) {
    if (auto* update = std::get_if<model::BookUpdate>(&message)) {
      apply(route.category, *update, frame.ts_recv, listeners);
    } else if (auto* ticker = std::get_if<model::Ticker>(&message);
               ticker != nullptr && listeners.on_ticker) {
      ticker->ts_recv = frame.ts_recv;
      listeners.on_ticker(route.category, *ticker);
    }
  };
  if (route.bybit) {
    auto message = route.bybit->parse(frame.data);
    if (!message) {
      ++totals_.malformed;
      malformed_.record(fmt::format("bybit.{}.{}", route.category, to_string(route.bybit->last_kind())),
                        message.error(), frame.data);
    } else {
      deliver(*message);
    }
  } else if (route.upbit) {
    // The Upbit parser counts and logs its malformed frames itself.
    auto message = route.upbit->parse(frame.data);
    if (!message) {
      ++totals_.malformed;
    } else {
      deliver(*message);
    }
  } else {
    ++totals_.skipped;
  }
}

}  // namespace kimp::runtime
