// Tests of OrderBook: snapshots, delta set/update/remove, gaps and recovery, restarts, trimming, crossing.
#include "market/order_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string_view>
#include <vector>

namespace kimp::market {
namespace {

using model::BookAction;
using model::BookLevel;
using model::BookUpdate;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

BookLevel lvl(std::string_view price, std::string_view qty) {
  return {dec(price), dec(qty)};
}

const model::Symbol btc = model::Symbol::create("BTCUSDT").value();

// Holds the level arrays a BookUpdate points into.
struct Message {
  BookAction action = BookAction::kDelta;
  std::uint64_t update_id = 0;
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
  model::Venue venue = model::Venue::kBybit;
  model::Symbol symbol = btc;

  [[nodiscard]] BookUpdate view() const {
    BookUpdate update;
    update.venue = venue;
    update.symbol = symbol;
    update.action = action;
    update.update_id = update_id;
    update.sequence = update_id * 10;
    update.ts_event = Timestamp::from_ns(static_cast<std::int64_t>(update_id) * 1'000'000);
    update.ts_recv = Timestamp::from_ns(static_cast<std::int64_t>(update_id) * 1'000'000 + 7);
    update.bids = bids;
    update.asks = asks;
    return update;
  }
};

std::vector<BookLevel> bids_of(const OrderBook& book) {
  std::vector<BookLevel> out;
  for (std::size_t i = 0; i < book.bid_count(); ++i) {
    out.push_back(book.bid(i));
  }
  return out;
}

std::vector<BookLevel> asks_of(const OrderBook& book) {
  std::vector<BookLevel> out;
  for (std::size_t i = 0; i < book.ask_count(); ++i) {
    out.push_back(book.ask(i));
  }
  return out;
}

Message snapshot(std::uint64_t update_id) {
  return {BookAction::kSnapshot,
          update_id,
          {lvl("100.0", "1"), lvl("99.5", "2"), lvl("99", "3")},
          {lvl("100.5", "4"), lvl("101", "5"), lvl("102", "6")}};
}

TEST(OrderBook, NewBook_IsEmptyAndInvalid) {
  const OrderBook book(model::Venue::kBybit, btc, 8);
  EXPECT_FALSE(book.valid());
  EXPECT_FALSE(book.best_bid());
  EXPECT_FALSE(book.best_ask());
  EXPECT_EQ(book.bid_count(), 0U);
  EXPECT_FALSE(book.crossed());
  EXPECT_EQ(book.capacity(), 8U);
}

TEST(OrderBook, Snapshot_ReplacesBookWithLevelsBestFirst) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(bids_of(book), (std::vector{lvl("100", "1"), lvl("99.5", "2"), lvl("99", "3")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("100.5", "4"), lvl("101", "5"), lvl("102", "6")}));
  EXPECT_EQ(book.best_bid(), lvl("100", "1"));
  EXPECT_EQ(book.best_ask(), lvl("100.5", "4"));
  EXPECT_EQ(book.update_id(), 41U);
  EXPECT_EQ(book.sequence(), 410U);
  EXPECT_EQ(book.ts_event(), Timestamp::from_ns(41'000'000));
  EXPECT_EQ(book.ts_recv(), Timestamp::from_ns(41'000'007));
  EXPECT_EQ(book.counters().snapshots, 1U);
  EXPECT_EQ(book.counters().updates, 1U);

  // A second snapshot drops every level of the first.
  Message second{BookAction::kSnapshot, 90, {lvl("98", "1")}, {lvl("103", "2")}};
  ASSERT_TRUE(book.apply(second.view()));
  EXPECT_EQ(bids_of(book), (std::vector{lvl("98", "1")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("103", "2")}));
}

TEST(OrderBook, UnsortedSnapshotWithZeroQty_IsSortedAndZeroLevelsDropped) {
  OrderBook book(model::Venue::kUpbit, btc, 8);
  Message message{BookAction::kSnapshot,
                  0,
                  {lvl("99", "3"), lvl("100", "1"), lvl("98", "0")},
                  {lvl("102", "6"), lvl("101", "5")}};
  message.venue = model::Venue::kUpbit;
  ASSERT_TRUE(book.apply(message.view()));
  EXPECT_EQ(bids_of(book), (std::vector{lvl("100", "1"), lvl("99", "3")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("101", "5"), lvl("102", "6")}));
}

TEST(OrderBook, Delta_InsertsUpdatesAndRemovesLevels) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  const Message delta{BookAction::kDelta,
                      42,
                      {lvl("100.2", "7"), lvl("99.5", "0"), lvl("99", "3.5"), lvl("97", "1")},
                      {lvl("100.5", "0"), lvl("101.5", "2")}};
  ASSERT_TRUE(book.apply(delta.view()));
  EXPECT_EQ(bids_of(book),
            (std::vector{lvl("100.2", "7"), lvl("100", "1"), lvl("99", "3.5"), lvl("97", "1")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("101", "5"), lvl("101.5", "2"), lvl("102", "6")}));
  EXPECT_EQ(book.best_bid(), lvl("100.2", "7"));
  EXPECT_EQ(book.best_ask(), lvl("101", "5"));
  EXPECT_EQ(book.update_id(), 42U);
  EXPECT_EQ(book.counters().updates, 2U);
}

TEST(OrderBook, RemovalOfAbsentLevel_IsIgnored) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  const Message delta{BookAction::kDelta, 42, {lvl("99.7", "0")}, {lvl("150", "0")}};
  ASSERT_TRUE(book.apply(delta.view()));
  EXPECT_EQ(bids_of(book), (std::vector{lvl("100", "1"), lvl("99.5", "2"), lvl("99", "3")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("100.5", "4"), lvl("101", "5"), lvl("102", "6")}));
  EXPECT_TRUE(book.valid());
}

TEST(OrderBook, DeltaSkippingAnUpdateId_IsAGapThatInvalidatesUntilSnapshot) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  const Message skipped{BookAction::kDelta, 43, {lvl("100.1", "1")}, {}};
  const auto gap = book.apply(skipped.view());
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(gap.error().message.find("update id 43 after 41"), std::string::npos) << gap.error().message;
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(book.counters().gaps, 1U);
  EXPECT_EQ(book.best_bid(), lvl("100", "1"));  // the gapped delta was not applied

  // Even the "right" next id is refused now: only a snapshot can make the book whole again.
  const Message next{BookAction::kDelta, 44, {lvl("100.1", "1")}, {}};
  const auto refused = book.apply(next.view());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(book.counters().gaps, 1U);
  EXPECT_EQ(book.counters().rejected, 2U);

  ASSERT_TRUE(book.apply(snapshot(60).view()));
  EXPECT_TRUE(book.valid());
  const Message after{BookAction::kDelta, 61, {lvl("100.1", "1")}, {}};
  ASSERT_TRUE(book.apply(after.view()));
  EXPECT_EQ(book.best_bid(), lvl("100.1", "1"));
}

TEST(OrderBook, RepeatedUpdateId_IsAGap) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  const Message duplicate{BookAction::kDelta, 41, {}, {}};
  EXPECT_FALSE(book.apply(duplicate.view()));
  EXPECT_FALSE(book.valid());
}

TEST(OrderBook, DeltaBeforeAnySnapshot_IsRefused) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  const Message delta{BookAction::kDelta, 42, {lvl("100", "1")}, {}};
  const auto refused = book.apply(delta.view());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(book.bid_count(), 0U);
  EXPECT_EQ(book.counters().gaps, 0U);
}

TEST(OrderBook, UpdateIdOne_ResetsBookEvenAsDeltaAndEvenAfterGap) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  ASSERT_FALSE(book.apply(Message{BookAction::kDelta, 50, {}, {}}.view()));
  ASSERT_FALSE(book.valid());
  // Bybit's service restart: u = 1 carries the whole book.
  const Message restart{BookAction::kDelta, 1, {lvl("90", "1")}, {lvl("91", "1")}};
  ASSERT_TRUE(book.apply(restart.view()));
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(bids_of(book), (std::vector{lvl("90", "1")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("91", "1")}));
  EXPECT_EQ(book.counters().snapshots, 2U);
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 2, {lvl("90", "2")}, {}}.view()));
  EXPECT_EQ(book.best_bid(), lvl("90", "2"));
}

TEST(OrderBook, VenueWithoutUpdateIds_AppliesDeltasWithoutChainCheck) {
  OrderBook book(model::Venue::kUpbit, btc, 8);
  Message first = snapshot(0);
  first.venue = model::Venue::kUpbit;
  ASSERT_TRUE(book.apply(first.view()));
  Message delta{BookAction::kDelta, 0, {lvl("100", "9")}, {}};
  delta.venue = model::Venue::kUpbit;
  ASSERT_TRUE(book.apply(delta.view()));
  ASSERT_TRUE(book.apply(delta.view()));
  EXPECT_EQ(book.best_bid(), lvl("100", "9"));
  EXPECT_TRUE(book.valid());
}

TEST(OrderBook, OtherSymbolOrVenue_IsRefusedAndBookUntouched) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  Message other = snapshot(1);
  other.symbol = model::Symbol::create("ETHUSDT").value();
  other.bids = {lvl("1", "1")};
  const auto refused = book.apply(other.view());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  other.symbol = btc;
  other.venue = model::Venue::kUpbit;
  EXPECT_FALSE(book.apply(other.view()));
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(book.best_bid(), lvl("100", "1"));
  EXPECT_EQ(book.update_id(), 41U);
}

TEST(OrderBook, MalformedLevel_RejectsWholeMessageAndInvalidates) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  const Message bad{BookAction::kDelta, 42, {lvl("100.1", "1")}, {lvl("0", "1")}};
  const auto refused = book.apply(bad.view());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(book.best_bid(), lvl("100", "1"));  // nothing of it applied

  const Message negative{BookAction::kSnapshot, 50, {lvl("100", "-1")}, {}};
  EXPECT_FALSE(book.apply(negative.view()));
  EXPECT_FALSE(book.valid());
}

TEST(OrderBook, Crossed_WhenBestBidReachesBestAsk) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  EXPECT_FALSE(book.crossed());
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 42, {lvl("100.5", "1")}, {}}.view()));
  EXPECT_TRUE(book.crossed());  // equal prices cross
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 43, {lvl("100.5", "0")}, {}}.view()));
  EXPECT_FALSE(book.crossed());
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 44, {}, {lvl("99.9", "1")}}.view()));
  EXPECT_TRUE(book.crossed());
}

TEST(OrderBook, FullSide_DropsWorstLevelOrTheNewOneWhenItIsWorst) {
  OrderBook book(model::Venue::kBybit, btc, 3);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  // Better than the worst bid (99): 99 is dropped.
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 42, {lvl("99.8", "8")}, {}}.view()));
  EXPECT_EQ(bids_of(book), (std::vector{lvl("100", "1"), lvl("99.8", "8"), lvl("99.5", "2")}));
  EXPECT_EQ(book.counters().trimmed_levels, 1U);
  // Worse than every held ask: the new level itself is dropped.
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 43, {}, {lvl("105", "1")}}.view()));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("100.5", "4"), lvl("101", "5"), lvl("102", "6")}));
  EXPECT_EQ(book.counters().trimmed_levels, 2U);
  // A new best ask pushes out the worst one.
  ASSERT_TRUE(book.apply(Message{BookAction::kDelta, 44, {}, {lvl("100.2", "1")}}.view()));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("100.2", "1"), lvl("100.5", "4"), lvl("101", "5")}));
  EXPECT_EQ(book.counters().trimmed_levels, 3U);
}

TEST(OrderBook, SnapshotDeeperThanCapacity_KeepsTheBestLevels) {
  OrderBook book(model::Venue::kBybit, btc, 2);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  EXPECT_EQ(bids_of(book), (std::vector{lvl("100", "1"), lvl("99.5", "2")}));
  EXPECT_EQ(asks_of(book), (std::vector{lvl("100.5", "4"), lvl("101", "5")}));
  EXPECT_EQ(book.counters().trimmed_levels, 2U);
}

TEST(OrderBook, Invalidate_RefusesDeltasUntilSnapshot) {
  OrderBook book(model::Venue::kBybit, btc, 8);
  ASSERT_TRUE(book.apply(snapshot(41).view()));
  book.invalidate();
  EXPECT_FALSE(book.valid());
  EXPECT_FALSE(book.apply(Message{BookAction::kDelta, 42, {}, {}}.view()));
  ASSERT_TRUE(book.apply(snapshot(50).view()));
  EXPECT_TRUE(book.valid());
}

// A side as a sorted map (best first by `better`), trimmed the way OrderBook documents: when full, the
// worst level gives way to a better new one, and a new level worse than all is dropped.
template <class Better>
class ReferenceSide {
 public:
  explicit ReferenceSide(std::size_t capacity) : capacity_(capacity) {}

  void set(BookLevel level) {
    const auto held = levels_.find(level.price);
    if (held != levels_.end()) {
      if (level.qty.is_zero()) {
        levels_.erase(held);
      } else {
        held->second = level.qty;
      }
      return;
    }
    if (level.qty.is_zero()) {
      return;
    }
    if (levels_.size() == capacity_) {
      ++trimmed_;
      const auto worst = std::prev(levels_.end());
      if (Better()(worst->first, level.price)) {
        return;
      }
      levels_.erase(worst);
    }
    levels_.emplace(level.price, level.qty);
  }

  [[nodiscard]] std::vector<BookLevel> levels() const {
    std::vector<BookLevel> out;
    for (const auto& [price, qty] : levels_) {
      out.push_back({price, qty});
    }
    return out;
  }
  [[nodiscard]] std::uint64_t trimmed() const { return trimmed_; }

 private:
  std::size_t capacity_;
  std::map<Decimal, Decimal, Better> levels_;
  std::uint64_t trimmed_ = 0;
};

// One random run: `capacity` levels a side, prices on a grid of `ticks` ticks so that updates,
// removals and inserts of every depth occur; three deltas in four sorted best first as Bybit sends them.
void expect_random_deltas_match_reference(std::size_t capacity, std::int64_t ticks) {
  std::mt19937_64 engine(0x626f6f6b + capacity);
  OrderBook book(model::Venue::kBybit, btc, capacity);
  ReferenceSide<std::greater<>> bids(capacity);
  ReferenceSide<std::less<>> asks(capacity);
  ASSERT_TRUE(book.apply(Message{BookAction::kSnapshot, 1, {}, {}}.view()));
  const auto random_levels = [&](bool bid_side) {
    std::vector<BookLevel> levels(engine() % 12);
    for (BookLevel& level : levels) {
      // Bids at or below 1000, asks above: the book stays uncrossed, though a side does not care.
      const auto tick = static_cast<std::int64_t>(engine() % static_cast<std::uint64_t>(ticks));
      level.price = Decimal::from_units((bid_side ? 1000 - tick : 1001 + tick) * Decimal::kUnitsPerOne);
      level.qty = Decimal::from_units(engine() % 3 == 0 ? 0 : static_cast<std::int64_t>(engine() % 1000 + 1));
    }
    if (engine() % 4 != 0) {
      std::sort(levels.begin(), levels.end(),
                [&](BookLevel a, BookLevel b) { return bid_side ? a.price > b.price : a.price < b.price; });
      levels.erase(std::unique(levels.begin(), levels.end(),
                               [](BookLevel a, BookLevel b) { return a.price == b.price; }),
                   levels.end());
    }
    return levels;
  };
  for (std::uint64_t update_id = 2; update_id < 20'000; ++update_id) {
    const Message delta{BookAction::kDelta, update_id, random_levels(true), random_levels(false)};
    ASSERT_TRUE(book.apply(delta.view()));
    for (const BookLevel& level : delta.bids) {
      bids.set(level);
    }
    for (const BookLevel& level : delta.asks) {
      asks.set(level);
    }
    ASSERT_EQ(bids_of(book), bids.levels()) << "capacity " << capacity << ", after update " << update_id;
    ASSERT_EQ(asks_of(book), asks.levels()) << "capacity " << capacity << ", after update " << update_id;
    ASSERT_EQ(book.counters().trimmed_levels, bids.trimmed() + asks.trimmed())
        << "capacity " << capacity << ", after update " << update_id;
  }
  EXPECT_GT(book.counters().trimmed_levels, 100U) << capacity;  // the sides were full often
}

TEST(OrderBook, RandomDeltasSortedOrNot_MatchAReferenceMapIncludingTrimming) {
  expect_random_deltas_match_reference(12, 40);    // mostly within the short walk from the top
  expect_random_deltas_match_reference(200, 400);  // deep books: the binary search
}

}  // namespace
}  // namespace kimp::market
