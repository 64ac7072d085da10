// OrderBook: snapshot and delta application on sorted flat arrays, update-id chain checks, trimming.
#include "market/order_book.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace kimp::market {
namespace {

// A price <= 0 or a negative quantity. `|`, not `||`: no branch, for the loop below.
bool malformed(model::BookLevel level) {
  const bool price_bad = !level.price.is_positive();
  const bool qty_bad = level.qty.is_negative();
  return price_bad | qty_bad;
}

// Whether any of `levels` is malformed, every level tested without a branch or an early exit: levels
// are almost never malformed, and the caller finds the culprit again to report it.
bool any_malformed(std::span<const model::BookLevel> levels) {
  bool bad = false;
  for (const model::BookLevel& level : levels) {
    bad |= malformed(level);
  }
  return bad;
}

}  // namespace

OrderBook::Side::Side(bool asks, std::size_t capacity)
    : negate_(asks ? -1 : 0),
      capacity_(capacity),
      ranks_(2 * capacity),
      qtys_(2 * capacity),
      begin_(capacity / 2) {
  assert(capacity > 0);  // a book that can hold no level is a construction bug
}

std::size_t OrderBook::Side::find(std::int64_t key, std::size_t limit) const {
  // Deltas name the levels near the top most often, and in order from the best down, so the place is
  // within a few levels below `limit` about three times in four: one comparison tells whether it lies
  // in the window of kWindow levels there, which is then counted, else a binary search covers the rest
  // of the side. Both are branch-free (the comparisons of a search are unpredictable, and each
  // mispredicted branch costs more than a comparison does).
  constexpr std::size_t kWindow = 16;
  const std::int64_t* const ranks = ranks_.data();
  std::size_t length = limit - begin_;
  if (length > kWindow) {
    if (ranks[limit - kWindow] < key) {
      // The place is in (limit - kWindow, limit]: below `limit` by the window's levels at or above `key`.
      std::size_t above = 0;
      for (std::size_t at = limit - kWindow + 1; at < limit; ++at) {
        above += ranks[at] >= key ? 1 : 0;
      }
      return limit - above;
    }
    length -= kWindow;  // every level from limit - kWindow on ranks at or above `key`
  }
  if (length == 0) {
    return limit;
  }
  // The answer is in [begin_, begin_ + length].
  const std::int64_t* base = ranks + begin_;
  while (length > 1) {
    const std::size_t half = length / 2;
    base = base[half] < key ? base + half : base;
    length -= half;
  }
  return static_cast<std::size_t>(base - ranks) + (*base < key ? 1 : 0);
}

void OrderBook::Side::shift(std::size_t from, std::size_t to, std::size_t destination) {
  const auto position = [](auto array, std::size_t at) { return array + static_cast<std::ptrdiff_t>(at); };
  const auto ranks = ranks_.begin();
  const auto qtys = qtys_.begin();
  if (destination < from) {
    std::move(position(ranks, from), position(ranks, to), position(ranks, destination));
    std::move(position(qtys, from), position(qtys, to), position(qtys, destination));
  } else {
    const std::size_t destination_end = destination + (to - from);
    std::move_backward(position(ranks, from), position(ranks, to), position(ranks, destination_end));
    std::move_backward(position(qtys, from), position(qtys, to), position(qtys, destination_end));
  }
}

std::size_t OrderBook::Side::recenter(std::size_t at) {
  const std::size_t middle = (ranks_.size() - count_) / 2;
  shift(begin_, begin_ + count_, middle);
  at = at - begin_ + middle;
  begin_ = middle;
  return at;
}

std::size_t OrderBook::Side::insert(std::size_t at, std::int64_t key, Decimal qty) {
  if (begin_ == 0 || begin_ + count_ == ranks_.size()) {
    // Without room on both ends the longer side might have to move, for every insertion from then on.
    at = recenter(at);
  }
  const std::size_t end = begin_ + count_;
  ++count_;
  if (at - begin_ < end - at) {
    shift(begin_, at, begin_ - 1);
    --begin_;
    --at;
  } else {
    shift(at, end, at + 1);
  }
  ranks_[at] = key;
  qtys_[at] = qty;
  return at;
}

std::size_t OrderBook::Side::remove(std::size_t at) {
  const std::size_t end = begin_ + count_;
  --count_;
  if (at - begin_ < end - at - 1) {
    shift(begin_, at, begin_ + 1);
    ++begin_;
    return at + 1;
  }
  shift(at + 1, end, at);
  return at;
}

OrderBook::Side::SetResult OrderBook::Side::set(std::int64_t key, Decimal qty, std::size_t limit) {
  const std::size_t at = find(key, limit);
  if (at != begin_ + count_ && ranks_[at] == key) {
    if (qty.is_zero()) {
      return {remove(at), 0};
    }
    qtys_[at] = qty;
    return {at, 0};
  }
  if (qty.is_zero()) {
    return {at, 0};  // removal of a level not held
  }
  if (count_ == capacity_) {
    // Full: the worst level (position begin_) gives way, unless the new one would be worse still.
    if (at == begin_) {
      return {at, 1};
    }
    ++begin_;
    --count_;
    return {insert(at, key, qty), 1};
  }
  return {insert(at, key, qty), 0};
}

std::uint64_t OrderBook::Side::update(std::span<const model::BookLevel> levels) {
  std::uint64_t trimmed = 0;
  std::size_t limit = begin_ + count_;
  std::int64_t previous = 0;
  for (std::size_t index = 0; index < levels.size(); ++index) {
    const std::int64_t key = rank(levels[index].price);
    // Only a level worse than the one before may start its search where that one ended.
    if (index == 0 || key >= previous) {
      limit = begin_ + count_;
    }
    const SetResult result = set(key, levels[index].qty, limit);
    limit = result.position;
    trimmed += result.trimmed;
    previous = key;
  }
  return trimmed;
}

bool OrderBook::Side::strictly_ordered(std::span<const model::BookLevel> levels) const {
  for (std::size_t index = 0; index < levels.size(); ++index) {
    if (!levels[index].qty.is_positive() ||
        (index > 0 && rank(levels[index].price) >= rank(levels[index - 1].price))) {
      return false;
    }
  }
  return true;
}

std::uint64_t OrderBook::Side::assign(std::span<const model::BookLevel> levels) {
  count_ = 0;
  begin_ = capacity_ / 2;
  if (!strictly_ordered(levels)) {
    // Out of order, repeated prices or zero quantities: level by level, as a delta would.
    return update(levels);
  }
  const std::size_t kept = std::min(levels.size(), capacity_);
  // Best first in, worst first held: the kept levels are the best `kept`, reversed.
  for (std::size_t index = 0; index < kept; ++index) {
    ranks_[begin_ + kept - 1 - index] = rank(levels[index].price);
    qtys_[begin_ + kept - 1 - index] = levels[index].qty;
  }
  count_ = kept;
  return levels.size() - kept;
}

OrderBook::OrderBook(model::Venue venue, model::Symbol symbol, std::size_t capacity)
    : venue_(venue), symbol_(symbol), bids_(false, capacity), asks_(true, capacity) {}

bool OrderBook::crossed() const {
  const auto bid = best_bid();
  const auto ask = best_ask();
  return bid && ask && bid->price >= ask->price;
}

Status OrderBook::reject(Status status) {
  ++counters_.rejected;
  return status;
}

void OrderBook::replace(const model::BookUpdate& update) {
  counters_.trimmed_levels += bids_.assign(update.bids);
  counters_.trimmed_levels += asks_.assign(update.asks);
  ++counters_.snapshots;
  valid_ = true;
}

Status OrderBook::apply(const model::BookUpdate& update) {
  if (update.venue != venue_ || update.symbol != symbol_) {
    return reject(
        make_error(ErrorCode::kInvalidArgument,
                   fmt::format("{} {} update offered to the {} {} book", model::to_string(update.venue),
                               update.symbol.view(), model::to_string(venue_), symbol_.view())));
  }
  if (any_malformed(update.bids) || any_malformed(update.asks)) {
    const auto bad_bid = std::find_if(update.bids.begin(), update.bids.end(), malformed);
    const auto bad_ask = std::find_if(update.asks.begin(), update.asks.end(), malformed);
    // Skipping the message would leave the book missing it: it is as good as a gap.
    valid_ = false;
    const model::BookLevel bad = bad_bid != update.bids.end() ? *bad_bid : *bad_ask;
    return reject(make_error(ErrorCode::kInvalidArgument,
                             fmt::format("{} {} book: level {} x {} (price must be positive, quantity not "
                                         "negative); book invalid until the next snapshot",
                                         model::to_string(venue_), symbol_.view(), bad.price, bad.qty)));
  }
  if (update.action == model::BookAction::kSnapshot || update.update_id == 1) {
    replace(update);
  } else {
    if (!valid_) {
      return reject(make_error(ErrorCode::kFailedPrecondition,
                               fmt::format("{} {} book: delta {} without a snapshot since the last gap",
                                           model::to_string(venue_), symbol_.view(), update.update_id)));
    }
    if (update.update_id != 0 && update.update_id != update_id_ + 1) {
      valid_ = false;
      ++counters_.gaps;
      return reject(
          make_error(ErrorCode::kFailedPrecondition,
                     fmt::format("{} {} book: gap, update id {} after {}; book invalid until the "
                                 "next snapshot",
                                 model::to_string(venue_), symbol_.view(), update.update_id, update_id_)));
    }
    counters_.trimmed_levels += bids_.update(update.bids);
    counters_.trimmed_levels += asks_.update(update.asks);
  }
  update_id_ = update.update_id;
  sequence_ = update.sequence;
  ts_event_ = update.ts_event;
  ts_recv_ = update.ts_recv;
  ++counters_.updates;
  return ok();
}

}  // namespace kimp::market
