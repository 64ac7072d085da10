// Bybit orderbook frames of the shared capture: kimp's parse + book apply next to a bare simdjson
// On-Demand walk (the limit) and nlohmann::json (the common choice), with heap allocations counted.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "book_allocation_counter.hpp"
#include "market/capture_file.hpp"
#include "market/order_book.hpp"
#include "rate_reporter.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace {

namespace od = simdjson::ondemand;
using kimp::venues::bybit::BybitCategory;
using kimp::venues::bybit::BybitPublicParser;

constexpr std::size_t kBookCapacity = 256;  // orderbook.200 plus slack

// The capture's Bybit orderbook frames, in order, each with the parser and book it goes to.
struct BookFrames {
  std::vector<std::string> frames;
  std::vector<simdjson::padded_string> padded;  // the same bytes, padded once, for the bare walk
  std::vector<std::size_t> parser_of_frame;
  std::vector<std::size_t> book_of_frame;
  std::vector<BybitCategory> categories;  // one parser per connection
  std::vector<kimp::model::Symbol> book_symbols;
  std::size_t bytes = 0;
};

const BookFrames& book_frames() {
  static const BookFrames loaded = [] {
    const auto capture = kimp::market::read_capture(
        KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl");
    if (!capture) {
      std::fprintf(stderr, "%s\n", capture.error().describe().c_str());
      std::abort();
    }
    BookFrames out;
    std::vector<BybitPublicParser> parsers;
    for (const auto& connection : capture->connections) {
      out.categories.push_back(connection.address.ends_with("/spot") ? BybitCategory::kSpot
                                                                     : BybitCategory::kLinear);
      parsers.emplace_back(out.categories.back());
    }
    std::map<std::pair<std::size_t, std::string>, std::size_t> books;
    for (const auto& frame : capture->frames) {
      const auto message = parsers[frame.connection].parse(frame.data);
      const auto* update = message ? std::get_if<kimp::model::BookUpdate>(&*message) : nullptr;
      if (update == nullptr) {
        continue;
      }
      const auto [at, inserted] =
          books.try_emplace({frame.connection, std::string(update->symbol.view())}, out.book_symbols.size());
      if (inserted) {
        out.book_symbols.push_back(update->symbol);
      }
      out.frames.push_back(frame.data);
      out.padded.emplace_back(frame.data);
      out.parser_of_frame.push_back(frame.connection);
      out.book_of_frame.push_back(at->second);
      out.bytes += frame.data.size();
    }
    return out;
  }();
  return loaded;
}

// Messages per second of the three benchmarks, read by main() for the ratios.

void finish(benchmark::State& state, const BookFrames& input, std::uint64_t allocations) {
  const auto messages = static_cast<std::int64_t>(state.iterations() * input.frames.size());
  state.SetItemsProcessed(messages);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.bytes));
  state.counters["allocs_per_msg"] = static_cast<double>(allocations) / static_cast<double>(messages);
}

// The engine's path: BybitPublicParser::parse, then OrderBook::apply. One iteration is the whole
// capture; every book starts with its snapshot, so each iteration replays a valid sequence.
void BM_KimpParseApply(benchmark::State& state) {
  const BookFrames& input = book_frames();
  std::vector<BybitPublicParser> parsers(input.categories.begin(), input.categories.end());
  std::vector<kimp::market::OrderBook> books;
  for (const auto& symbol : input.book_symbols) {
    books.emplace_back(kimp::model::Venue::kBybit, symbol, kBookCapacity);
  }
  bool all_ok = true;
  const auto pass = [&] {
    for (std::size_t i = 0; i < input.frames.size(); ++i) {
      const auto message = parsers[input.parser_of_frame[i]].parse(input.frames[i]);
      const auto* update = message ? std::get_if<kimp::model::BookUpdate>(&*message) : nullptr;
      all_ok = all_ok && update != nullptr && books[input.book_of_frame[i]].apply(*update).has_value();
    }
  };
  pass();  // warm-up: buffers reach their largest size
  const std::uint64_t before = kimp::testing::allocation_count.load();
  for (auto _ : state) {
    pass();
  }
  finish(state, input, kimp::testing::allocation_count.load() - before);
  if (!all_ok) {
    state.SkipWithError("a frame failed to parse or apply");
  }
  benchmark::DoNotOptimize(books.front().best_bid());
}

// Every field of every frame visited with simdjson On-Demand on pre-padded bytes: strings read as
// strings, integers as integers, levels as pairs of strings; nothing converted or stored.
std::uint64_t walk(od::parser& parser, const simdjson::padded_string& frame) {
  std::uint64_t touched = 0;
  od::document doc = parser.iterate(frame);
  for (auto field : doc.get_object()) {
    const std::string_view key = field.unescaped_key();
    if (key == "data") {
      for (auto data_field : field.value().get_object()) {
        const std::string_view data_key = data_field.unescaped_key();
        if (data_key == "b" || data_key == "a") {
          for (auto level : data_field.value().get_array()) {
            for (auto number : level.get_array()) {
              touched += std::string_view(number.get_string()).size();
            }
          }
        } else if (data_key == "s") {
          touched += std::string_view(data_field.value().get_string()).size();
        } else {
          touched += data_field.value().get_uint64();
        }
      }
    } else if (key == "topic" || key == "type") {
      touched += std::string_view(field.value().get_string()).size();
    } else {
      touched += field.value().get_uint64();
    }
  }
  return touched;
}

void BM_SimdjsonBareWalk(benchmark::State& state) {
  const BookFrames& input = book_frames();
  od::parser parser;
  std::uint64_t touched = 0;
  for (const auto& frame : input.padded) {
    touched += walk(parser, frame);
  }
  const std::uint64_t before = kimp::testing::allocation_count.load();
  for (auto _ : state) {
    for (const auto& frame : input.padded) {
      touched += walk(parser, frame);
    }
  }
  finish(state, input, kimp::testing::allocation_count.load() - before);
  benchmark::DoNotOptimize(touched);
}

// A DOM of every frame with nlohmann::json::parse; no field is even read afterwards.
void BM_NlohmannParse(benchmark::State& state) {
  const BookFrames& input = book_frames();
  const std::uint64_t before = kimp::testing::allocation_count.load();
  for (auto _ : state) {
    for (const auto& frame : input.frames) {
      auto document = nlohmann::json::parse(frame);
      benchmark::DoNotOptimize(document);
    }
  }
  finish(state, input, kimp::testing::allocation_count.load() - before);
}

BENCHMARK(BM_KimpParseApply)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimdjsonBareWalk)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NlohmannParse)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  const BookFrames& input = book_frames();
  std::printf("%zu Bybit orderbook frames, %zu bytes, per iteration\n", input.frames.size(), input.bytes);
  // Stage 1 and string unescaping run in the kernel picked at run time; the On-Demand walk itself is
  // inlined from the header and compiled for the kernel the compile flags allow.
  std::printf("simdjson %s: run-time kernel %s, On-Demand compiled as %s\n",
              SIMDJSON_STRINGIFY(SIMDJSON_VERSION), simdjson::get_active_implementation()->name().c_str(),
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  kimp::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const double kimp = reporter.rate("BM_KimpParseApply");
  const double bare = reporter.rate("BM_SimdjsonBareWalk");
  const double nlohmann = reporter.rate("BM_NlohmannParse");
  if (kimp > 0 && bare > 0 && nlohmann > 0) {
    std::printf(
        "kimp parse+apply: %.0f msg/s (goal >= 1000000); %.1f %% of the bare simdjson walk (goal >= 50 %%); "
        "%.1fx nlohmann::json (goal >= 5x)\n",
        kimp, 100.0 * kimp / bare, kimp / nlohmann);
  }
  return 0;
}
