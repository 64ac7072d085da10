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
#include "market/order_book.hpp"
#include "model/market_events.hpp"
#include "runtime/capture_books.hpp"

namespace kimp::app {
namespace {

// One pass over the capture: every received frame through its connection's parser into the books.
void replay(const market::Capture& capture, runtime::CaptureBooks& books) {
  for (const market::CaptureFrame& frame : capture.frames) {
    books.replay(frame);
  }
}

std::string level_json(const std::optional<model::BookLevel>& level) {
  if (!level) {
    return "null";
  }
  return fmt::format(R"({{"price":"{}","size":"{}"}})", level->price, level->qty);
}

std::string report_json(const runtime::CaptureTotals& totals, double seconds,
                        const runtime::CaptureBooks& books) {
  const double rate = seconds > 0 ? static_cast<double>(totals.frames) / seconds : 0.0;
  std::string out =
      fmt::format(R"({{"frames":{},"seconds":{:.6f},"frames_per_s":{:.0f},"malformed":{},"skipped":{},)"
                  R"("rejected":{},"books":[)",
                  totals.frames, seconds, rate, totals.malformed, totals.skipped, totals.rejected);
  bool first = true;
  for (const runtime::CaptureBook& held : books.books()) {
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
  runtime::CaptureBooks books(*capture, "feed-replay");
  // Timed: parsing every frame and applying its book update, as the feed does. Not timed: reading the
  // file and unescaping the frames from its lines.
  const auto start = std::chrono::steady_clock::now();
  for (std::uint32_t pass = 0; pass < repeat; ++pass) {
    replay(*capture, books);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::cout << report_json(books.totals(), elapsed.count(), books) << std::endl;
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
