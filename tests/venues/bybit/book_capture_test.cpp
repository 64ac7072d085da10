// Acceptance test of the Bybit book path on the shared capture: every orderbook.200 delta applies
// without a gap, no book is ever crossed, and the final books equal an independent reconstruction
// (Boost.JSON + std::map) at every level.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "market/order_book.hpp"
#include "stream_fixtures.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace kimp::venues::bybit {
namespace {

namespace json = boost::json;

constexpr std::size_t kBookCapacity = 256;  // depth 200 plus slack

// A book kept the simplest way: price -> size per side, applied from Boost.JSON's reading of the frame.
struct MapBook {
  std::map<Decimal, Decimal, std::greater<>> bids;
  std::map<Decimal, Decimal> asks;
};

template <class Map>
void apply_side(Map& side, const json::array& levels) {
  for (const auto& level : levels) {
    const Decimal price = Decimal::parse(level.as_array().at(0).as_string()).value();
    const Decimal qty = Decimal::parse(level.as_array().at(1).as_string()).value();
    if (qty.is_zero()) {
      side.erase(price);
    } else {
      side[price] = qty;
    }
  }
}

// Connection index and topic identify a book: linear and spot both have a BTCUSDT.
using BookKey = std::pair<std::uint32_t, std::string>;

TEST(BybitBookCapture, AllDeltasApplyWithoutGap_NeverCrossed_AndEqualMapReconstruction) {
  const market::Capture& capture = testing::capture();
  std::vector<BybitPublicParser> parsers;
  for (const auto& connection : capture.connections) {
    parsers.emplace_back(testing::category_of(connection));
  }
  std::map<BookKey, market::OrderBook> books;
  std::map<BookKey, MapBook> reference;
  std::size_t deltas = 0;
  std::size_t snapshots = 0;

  for (const auto& frame : capture.frames) {
    const auto message = parsers[frame.connection].parse(frame.data);
    ASSERT_TRUE(message) << message.error().describe();
    const auto* update = std::get_if<model::BookUpdate>(&*message);
    if (update == nullptr) {
      continue;
    }
    const json::value parsed = json::parse(frame.data);
    const std::string topic(parsed.at("topic").as_string());
    const BookKey key{frame.connection, topic};
    const json::object& data = parsed.at("data").as_object();
    MapBook& expected = reference[key];
    if (parsed.at("type") == "snapshot") {
      expected = MapBook{};
      ++snapshots;
    } else {
      ++deltas;
    }
    apply_side(expected.bids, data.at("b").as_array());
    apply_side(expected.asks, data.at("a").as_array());

    auto [at, inserted] = books.try_emplace(key, model::Venue::kBybit, update->symbol, kBookCapacity);
    market::OrderBook& book = at->second;
    const auto applied = book.apply(*update);
    ASSERT_TRUE(applied) << topic << ": " << applied.error().describe();
    ASSERT_TRUE(book.valid());
    ASSERT_FALSE(book.crossed()) << topic << " u=" << update->update_id;
    // The top of the book agrees after every message, not only at the end.
    ASSERT_EQ(book.best_bid()->price, expected.bids.begin()->first) << topic;
    ASSERT_EQ(book.best_ask()->price, expected.asks.begin()->first) << topic;
  }

  EXPECT_EQ(deltas, 2142U);
  EXPECT_EQ(snapshots, 6U);
  ASSERT_EQ(books.size(), 6U);
  for (const auto& [key, book] : books) {
    const MapBook& expected = reference.at(key);
    EXPECT_EQ(book.counters().gaps, 0U);
    EXPECT_EQ(book.counters().rejected, 0U);
    EXPECT_EQ(book.counters().trimmed_levels, 0U);
    ASSERT_EQ(book.bid_count(), expected.bids.size()) << key.second;
    ASSERT_EQ(book.ask_count(), expected.asks.size()) << key.second;
    std::size_t index = 0;
    for (const auto& [price, qty] : expected.bids) {
      EXPECT_EQ(book.bid(index), (model::BookLevel{price, qty})) << key.second << " bid " << index;
      ++index;
    }
    index = 0;
    for (const auto& [price, qty] : expected.asks) {
      EXPECT_EQ(book.ask(index), (model::BookLevel{price, qty})) << key.second << " ask " << index;
      ++index;
    }
  }
  // The linear BTCUSDT book after the last frame (figures the feed-replay test also checks).
  const market::OrderBook& btc = books.at({0, "orderbook.200.BTCUSDT"});
  EXPECT_EQ(btc.best_bid(),
            (model::BookLevel{Decimal::parse("65114.20").value(), Decimal::parse("5.974").value()}));
  EXPECT_EQ(btc.best_ask(),
            (model::BookLevel{Decimal::parse("65114.30").value(), Decimal::parse("9.060").value()}));
  EXPECT_EQ(btc.bid_count(), 200U);
  EXPECT_EQ(btc.ask_count(), 200U);
}

TEST(BybitBookCapture, DroppedDelta_IsDetectedAsGapAndSnapshotRecovers) {
  const market::Capture& capture = testing::capture();
  BybitPublicParser parser(BybitCategory::kLinear);
  market::OrderBook book(model::Venue::kBybit, model::Symbol::create("ETHUSDT").value(), kBookCapacity);
  std::size_t seen = 0;
  std::string snapshot;
  for (const auto& frame : capture.frames) {
    if (frame.connection != 0 || frame.data.find(R"("topic":"orderbook.200.ETHUSDT")") == std::string::npos) {
      continue;
    }
    if (snapshot.empty()) {
      snapshot = frame.data;
    }
    ++seen;
    if (seen == 10) {
      continue;  // lost on the way
    }
    const auto message = parser.parse(frame.data);
    ASSERT_TRUE(message);
    const auto applied = book.apply(std::get<model::BookUpdate>(*message));
    if (seen < 10) {
      ASSERT_TRUE(applied);
    } else {
      ASSERT_FALSE(applied);
      EXPECT_EQ(applied.error().code, ErrorCode::kFailedPrecondition);
      EXPECT_FALSE(book.valid());
    }
  }
  EXPECT_EQ(book.counters().gaps, 1U);
  const auto message = parser.parse(snapshot);
  ASSERT_TRUE(message);
  ASSERT_TRUE(book.apply(std::get<model::BookUpdate>(*message)));
  EXPECT_TRUE(book.valid());
}

}  // namespace
}  // namespace kimp::venues::bybit
