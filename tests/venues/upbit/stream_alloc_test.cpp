// The Upbit book path allocates nothing per frame after warm-up: every SIMPLE orderbook frame of the
// capture parsed three times, with every heap allocation of the process counted.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "allocation_counter.hpp"
#include "venues/upbit/fixtures.hpp"
#include "venues/upbit/parse_stream.hpp"

namespace kimp::venues::upbit {
namespace {

TEST(UpbitStream, BooksAfterWarmUp_AllocateNothing) {
  const std::vector<std::string> frames = testing::simple_capture_frames();
  std::vector<std::string> books;
  std::copy_if(frames.begin(), frames.end(), std::back_inserter(books),
               [](const std::string& frame) { return frame.starts_with(R"({"ty":"orderbook")"); });
  books.push_back(testing::ws_fixture_message("OrderBook.txt"));
  ASSERT_EQ(books.size(), 146U);
  UpbitStreamParser parser;
  for (const std::string& frame : books) {  // warm-up: buffers grow to the largest frame
    ASSERT_TRUE(parser.parse(frame).has_value());
  }
  std::size_t levels_seen = 0;
  const std::uint64_t before = kimp::testing::allocation_count.load();
  for (int round = 0; round < 3; ++round) {
    for (const std::string& frame : books) {
      const auto message = parser.parse(frame);
      if (message && std::holds_alternative<model::BookUpdate>(*message)) {
        levels_seen += std::get<model::BookUpdate>(*message).bids.size();
      }
    }
  }
  EXPECT_EQ(kimp::testing::allocation_count.load() - before, 0U);
  EXPECT_EQ(levels_seen, 3U * (145U * 15U + 5U));
}

}  // namespace
}  // namespace kimp::venues::upbit
