// OrderBook: one instrument's price levels in preallocated flat arrays, with update-id gap detection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"

namespace kimp::market {

struct OrderBookCounters {
  std::uint64_t updates = 0;         // messages applied (snapshots included)
  std::uint64_t snapshots = 0;       // of which snapshots, including `u` = 1 restarts
  std::uint64_t gaps = 0;            // deltas whose update id did not follow the last one
  std::uint64_t rejected = 0;        // messages refused: gap, no snapshot yet, malformed level, wrong book
  std::uint64_t trimmed_levels = 0;  // levels dropped because a side was full (the worst go first)
};

// The book of one (venue, symbol). Each side holds at most `capacity` levels in an array allocated at
// construction; applying a message never allocates.
//
// Validity: a book is valid after a snapshot and stays valid while every delta's update id is the last
// one + 1. A delta that breaks the chain is a gap: the book becomes invalid and refuses deltas until the
// next snapshot, because levels changed in the missed message would otherwise be wrong silently. The
// feed then resubscribes for a fresh snapshot. Venues without update ids (Upbit, update_id 0) send
// snapshots only; their deltas, if any, are applied without a chain check.
class OrderBook {
 public:
  // `capacity` levels per side: the stream's depth plus slack for levels that enter before the venue
  // drops others. Must be at least 1.
  OrderBook(model::Venue venue, model::Symbol symbol, std::size_t capacity);

  // Applies one snapshot or delta. A snapshot, or a message whose update id is 1 (Bybit's restart
  // snapshot), replaces the book and makes it valid. A delta sets the levels it names; a zero quantity
  // removes a level, and removing a level the book does not hold is ignored, as Bybit documents.
  // Errors, each counted under `rejected`, the book left invalid except for the first:
  //   kInvalidArgument     another venue's or symbol's message (the book is untouched);
  //   kFailedPrecondition  a delta before any snapshot, after a gap, or whose update id is not the last
  //                        one + 1 (a gap, also counted under `gaps`);
  //   kInvalidArgument     a level with a price <= 0 or a negative quantity (nothing of it is applied).
  Status apply(const model::BookUpdate& update);

  // Marks the book unusable until the next snapshot (the feed lost its connection, for instance).
  void invalidate() { valid_ = false; }

  [[nodiscard]] bool valid() const { return valid_; }
  // True when both sides hold levels and the best bid is at or above the best ask: such a book is wrong
  // and must not be traded on.
  [[nodiscard]] bool crossed() const;

  [[nodiscard]] std::optional<model::BookLevel> best_bid() const { return bids_.best(); }
  [[nodiscard]] std::optional<model::BookLevel> best_ask() const { return asks_.best(); }
  [[nodiscard]] std::size_t bid_count() const { return bids_.count(); }
  [[nodiscard]] std::size_t ask_count() const { return asks_.count(); }
  // The `index`-th level from the best (0 is the best). Precondition: index < bid_count() / ask_count().
  [[nodiscard]] model::BookLevel bid(std::size_t index) const { return bids_.level(index); }
  [[nodiscard]] model::BookLevel ask(std::size_t index) const { return asks_.level(index); }

  [[nodiscard]] model::Venue venue() const { return venue_; }
  [[nodiscard]] const model::Symbol& symbol() const { return symbol_; }
  [[nodiscard]] std::size_t capacity() const { return bids_.capacity(); }
  // Of the last applied message.
  [[nodiscard]] Timestamp ts_event() const { return ts_event_; }
  [[nodiscard]] Timestamp ts_recv() const { return ts_recv_; }
  [[nodiscard]] std::uint64_t update_id() const { return update_id_; }
  [[nodiscard]] std::uint64_t sequence() const { return sequence_; }
  [[nodiscard]] const OrderBookCounters& counters() const { return counters_; }

 private:
  // One side, stored worst level first in a buffer of twice the capacity, the levels in use
  // [begin_, begin_ + count_) kept clear of both ends (moved back to the middle when an insertion
  // finds them at one): an insertion or removal moves the levels on its shorter side, so that removing
  // the worst level (what a full book of fixed depth does for each new level) moves none. Levels are ordered
  // by rank: the price for bids, minus the price for asks. Ranks and quantities are held in separate arrays:
  // searches read the ranks alone, densely.
  class Side {
   public:
    Side(bool asks, std::size_t capacity);

    void clear() { count_ = 0; }
    // Sets (qty > 0) or removes (qty == 0) each of a delta's levels in turn; returns the levels trimmed.
    std::uint64_t update(std::span<const model::BookLevel> levels);
    // Replaces the side with `levels` (best first); returns the levels trimmed.
    std::uint64_t assign(std::span<const model::BookLevel> levels);

    [[nodiscard]] std::size_t count() const { return count_; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] model::BookLevel level(std::size_t index) const {
      return held(begin_ + count_ - 1 - index);
    }
    [[nodiscard]] std::optional<model::BookLevel> best() const {
      return count_ == 0 ? std::nullopt : std::optional(held(begin_ + count_ - 1));
    }

   private:
    // Where set() left a level, and whether the side was full for it (0/1 trimmed).
    struct SetResult {
      std::size_t position;
      std::uint64_t trimmed;
    };

    // Branch-free (x ^ -1) - -1 == -x; its own inverse. Prices are positive, so -x never overflows.
    [[nodiscard]] std::int64_t rank(Decimal price) const { return (price.units() ^ negate_) - negate_; }
    [[nodiscard]] model::BookLevel held(std::size_t position) const {
      return {Decimal::from_units((ranks_[position] ^ negate_) - negate_), qtys_[position]};
    }
    // The first position in [begin_, limit) whose level ranks at or above `key`, or `limit`; the
    // caller knows that every level from `limit` on ranks above `key`.
    [[nodiscard]] std::size_t find(std::int64_t key, std::size_t limit) const;
    // Sets (qty > 0) or removes (qty == 0) the level of rank `key`, searching below `limit` only (as
    // find()). The result's position bounds the search of a worse level next.
    SetResult set(std::int64_t key, Decimal qty, std::size_t limit);
    // Moves the levels to the middle of the buffer, a side that drifted to one of its ends (a market
    // moving one way inserts at one end of the side and removes at the other); returns where the
    // level at `at` went.
    std::size_t recenter(std::size_t at);
    // Moves the levels at [from, to) of both arrays to start at `destination`; the ranges may overlap.
    void shift(std::size_t from, std::size_t to, std::size_t destination);
    // Inserts a level before position `at` (the side has room for one more); returns its position.
    std::size_t insert(std::size_t at, std::int64_t key, Decimal qty);
    // Removes the level at `at`; returns the position that bounds the search of a worse level next.
    std::size_t remove(std::size_t at);
    // True when `levels` (best first) are strictly ordered with positive quantities.
    [[nodiscard]] bool strictly_ordered(std::span<const model::BookLevel> levels) const;

    std::int64_t negate_;              // -1 for asks, 0 for bids
    std::size_t capacity_;             // levels held at most
    std::vector<std::int64_t> ranks_;  // sized once, twice the capacity; [begin_, begin_ + count_) in use
    std::vector<Decimal> qtys_;        // the quantity at each rank
    std::size_t begin_ = 0;
    std::size_t count_ = 0;
  };

  Status reject(Status status);
  void replace(const model::BookUpdate& update);

  model::Venue venue_;
  model::Symbol symbol_;
  Side bids_;
  Side asks_;
  bool valid_ = false;
  Timestamp ts_event_;
  Timestamp ts_recv_;
  std::uint64_t update_id_ = 0;
  std::uint64_t sequence_ = 0;
  OrderBookCounters counters_;
};

}  // namespace kimp::market
