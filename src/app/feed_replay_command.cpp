// `kimp feed-replay`: replays a capture's received frames through the venue parsers into order books, as
// fast as it can, and prints one JSON line with the throughput and the final books.
#include "app/feed_replay_command.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "app/exit_codes.hpp"
#include "market/capture_file.hpp"
#include "market/malformed_counter.hpp"
#include "market/order_book.hpp"
#include "model/market_events.hpp"
#include "venues/bybit/parse_stream.hpp"
#include "venues/upbit/parse_stream.hpp"

namespace kimp::app {
namespace {

using venues::bybit::BybitCategory;
using venues::bybit::BybitPublicParser;
using venues::upbit::UpbitStreamParser;

// Levels a book holds beyond the depth its stream promises: a level may enter before the venue removes
// the one it pushes out of the depth.
constexpr std::size_t kBookSlack = 56;

// The parser of one recorded connection, chosen by the URL it was opened to.
struct Route {
  std::string_view category;  // "linear", "spot"; empty when the connection is not replayed
  std::unique_ptr<BybitPublicParser> bybit;
  std::unique_ptr<UpbitStreamParser> upbit;
};

Route route_of(const market::CaptureConnection& connection) {
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
  return route;
}

struct Book {
  std::string_view category;
  market::OrderBook book;
};

// The books of the replay, one per (venue, category, symbol), in the order they first appeared.
class Books {
 public:
  market::OrderBook& of(std::string_view category, const model::BookUpdate& update) {
    for (Book& held : books_) {
      if (held.book.symbol() == update.symbol && held.book.venue() == update.venue &&
          held.category == category) {
        return held.book;
      }
    }
    books_.push_back(Book{
        category, market::OrderBook(update.venue, update.symbol, std::size_t{update.depth} + kBookSlack)});
    return books_.back().book;
  }
  [[nodiscard]] const std::vector<Book>& all() const { return books_; }

 private:
  std::vector<Book> books_;
};

struct Totals {
  std::uint64_t frames = 0;
  std::uint64_t skipped = 0;  // frames of connections that are not Bybit public or Upbit streams
  std::uint64_t malformed = 0;
  std::uint64_t rejected = 0;  // book updates the book refused (a gap, a delta before any snapshot)
};

void apply(Books& books, std::string_view category, model::BookUpdate& update, Timestamp ts_recv,
           Totals& totals) {
  update.ts_recv = ts_recv;
  if (!books.of(category, update).apply(update)) {
    ++totals.rejected;
  }
}

// One pass over the capture: parse every received frame with its connection's parser and apply the book
// updates. Malformed frames are counted (and logged once per kind) and skipped.
void replay(const market::Capture& capture, std::vector<Route>& routes, Books& books,
            market::MalformedCounter& malformed, Totals& totals) {
  for (const market::CaptureFrame& frame : capture.frames) {
    ++totals.frames;
    Route& route = routes[frame.connection];
    if (route.bybit) {
      auto message = route.bybit->parse(frame.data);
      if (!message) {
        ++totals.malformed;
        malformed.record(fmt::format("bybit.{}.{}", route.category, to_string(route.bybit->last_kind())),
                         message.error(), frame.data);
      } else if (auto* update = std::get_if<model::BookUpdate>(&*message)) {
        apply(books, route.category, *update, frame.ts_recv, totals);
      }
    } else if (route.upbit) {
      // The Upbit parser counts and logs its malformed frames itself.
      auto message = route.upbit->parse(frame.data);
      if (!message) {
        ++totals.malformed;
      } else if (auto* update = std::get_if<model::BookUpdate>(&*message)) {
        apply(books, route.category, *update, frame.ts_recv, totals);
      }
    } else {
      ++totals.skipped;
    }
  }
}

std::string level_json(const std::optional<model::BookLevel>& level) {
  if (!level) {
    return "null";
  }
  return fmt::format(R"({{"price":"{}","size":"{}"}})", level->price, level->qty);
}

std::string report_json(const Totals& totals, double seconds, const Books& books) {
  const double rate = seconds > 0 ? static_cast<double>(totals.frames) / seconds : 0.0;
  std::string out =
      fmt::format(R"({{"frames":{},"seconds":{:.6f},"frames_per_s":{:.0f},"malformed":{},"skipped":{},)"
                  R"("rejected":{},"books":[)",
                  totals.frames, seconds, rate, totals.malformed, totals.skipped, totals.rejected);
  bool first = true;
  for (const Book& held : books.all()) {
    const market::OrderBook& book = held.book;
    // Symbols are [0-9A-Za-z._-] and categories fixed words: nothing here needs JSON escaping.
    out += fmt::format(R"({}{{"venue":"{}","category":"{}","symbol":"{}","valid":{},"best_bid":{},)"
                       R"("best_ask":{},"bids":{},"asks":{},"updates":{},"gaps":{}}})",
                       first ? "" : ",", model::to_string(book.venue()), held.category, book.symbol().view(),
                       book.valid(), level_json(book.best_bid()), level_json(book.best_ask()),
                       book.bid_count(), book.ask_count(), book.counters().updates, book.counters().gaps);
    first = false;
  }
  out += "]}";
  return out;
}

int run_feed_replay(const std::string& file, std::uint32_t repeat) {
  auto capture = market::read_capture(file);
  if (!capture) {
    std::cerr << "kimp feed-replay: " << capture.error().describe() << '\n';
    return kExitFailure;
  }
  std::vector<Route> routes;
  routes.reserve(capture->connections.size());
  for (const market::CaptureConnection& connection : capture->connections) {
    routes.push_back(route_of(connection));
  }
  Books books;
  market::MalformedCounter malformed("feed-replay");
  Totals totals;
  // Timed: parsing every frame and applying its book update, as the feed does. Not timed: reading the
  // file and unescaping the frames from its lines.
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t pass = 0; pass < repeat; ++pass) {
    replay(*capture, routes, books, malformed, totals);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::cout << report_json(totals, elapsed.count(), books) << std::endl;
  return kExitOk;
}

}  // namespace

void add_feed_replay_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "feed-replay",
      "Replay a raw WebSocket capture (JSON lines) through the parsers and order books as fast as possible; "
      "print one JSON line: frames, seconds (parse + book only, not file reading), frames_per_s, "
      "malformed, books");
  auto file = std::make_shared<std::string>();
  auto repeat = std::make_shared<std::uint32_t>(1);
  command->add_option("FILE", *file, "Capture file (t/conn/ts/data lines, as in shared/data/capture)")
      ->required();
  command->add_option("--repeat", *repeat, "Replay the capture N times")
      ->check(CLI::Range(1U, 1'000'000U))
      ->capture_default_str();
  command->callback([file, repeat, &exit_code] { exit_code = run_feed_replay(*file, *repeat); });
}

}  // namespace kimp::app
