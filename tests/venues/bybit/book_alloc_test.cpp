// The Bybit book path allocates nothing per frame after warm-up: parse + apply over the whole capture,
// with every heap allocation of the process counted.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "allocation_counter.hpp"
#include "market/order_book.hpp"
#include "stream_fixtures.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace kimp::venues::bybit {
namespace {

TEST(BybitBookAllocations, ParseAndApplyOfEveryCaptureFrame_AllocatesNothingAfterWarmUp) {
  const market::Capture& capture = testing::capture();
  std::vector<BybitPublicParser> parsers;
  for (const auto& connection : capture.connections) {
    parsers.emplace_back(testing::category_of(connection));
  }
  // Books by (connection, symbol), created before counting as the engine creates them at start-up.
  std::map<std::pair<std::uint32_t, std::string>, market::OrderBook> books;
  for (const auto& frame : capture.frames) {
    const auto message = parsers[frame.connection].parse(frame.data);
    ASSERT_TRUE(message) << message.error().describe();
    if (const auto* update = std::get_if<model::BookUpdate>(&*message)) {
      books.try_emplace({frame.connection, std::string(update->symbol.view())}, model::Venue::kBybit,
                        update->symbol, 256);
    }
  }
  std::vector<market::OrderBook*> book_of_frame;
  for (const auto& frame : capture.frames) {
    const auto message = parsers[frame.connection].parse(frame.data);
    const auto* update = std::get_if<model::BookUpdate>(&*message);
    book_of_frame.push_back(
        update == nullptr ? nullptr : &books.at({frame.connection, std::string(update->symbol.view())}));
  }

  // The pass above was the warm-up; this one is counted.
  const std::uint64_t before = kimp::testing::allocation_count.load();
  std::size_t applied = 0;
  bool all_ok = true;
  for (std::size_t i = 0; i < capture.frames.size(); ++i) {
    const auto& frame = capture.frames[i];
    const auto message = parsers[frame.connection].parse(frame.data);
    all_ok = all_ok && message.has_value();
    if (const auto* update = message ? std::get_if<model::BookUpdate>(&*message) : nullptr) {
      all_ok = all_ok && book_of_frame[i]->apply(*update).has_value();
      ++applied;
    }
  }
  const std::uint64_t allocations = kimp::testing::allocation_count.load() - before;
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(applied, 2148U);
  EXPECT_EQ(allocations, 0U) << "over " << capture.frames.size() << " frames";
}

TEST(BybitBookAllocations, Counter_SeesAnAllocation) {
  const std::uint64_t before = kimp::testing::allocation_count.load();
  auto* held = new std::string(100, 'x');
  const std::uint64_t after = kimp::testing::allocation_count.load();
  delete held;
  EXPECT_GE(after - before, 1U);
}

}  // namespace
}  // namespace kimp::venues::bybit
