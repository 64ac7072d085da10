// OrderBook: snapshot and delta application on sorted flat arrays, update-id chain checks, trimming.
#include "market/order_book.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace kimp::market {
namespace {

bool malformed(model::BookLevel level) {
  return !level.price.is_positive() || level.qty.is_negative();
}

}  // namespace

OrderBook::Side::Side(bool asks, std::size_t capacity)
    : negate_(asks ? -1 : 0), ranks_(capacity), qtys_(capacity) {
  assert(capacity > 0);  // a book that can hold no level is a construction bug
}

std::size_t OrderBook::Side::find(std::int64_t key, std::size_t limit) const {
  // Deltas name the levels near the top most often, and in order from the best down, so a short walk
  // down from `limit` usually finds the place; a branch-free binary search covers the rest of the side
  // (the comparisons of a search are unpredictable, and each mispredicted branch costs more than the
  // conditional move does).
  constexpr std::size_t kWalk = 8;
  const std::int64_t* const ranks = ranks_.data();
  const std::size_t stop = limit > kWalk ? limit - kWalk : 0;
  std::size_t at = limit;
  while (at > stop && ranks[at - 1] >= key) {
    --at;
  }
  if (at != stop || stop == 0) {
    return at;
  }
  // Every level from `stop` on ranks at or above `key`: the answer is in [0, stop].
  const std::int64_t* base = ranks;
  std::size_t length = stop;
  while (length > 1) {
    const std::size_t half = length / 2;
    base = base[half] < key ? base + half : base;
    length -= half;
  }
  return static_cast<std::size_t>(base - ranks) + (*base < key ? 1 : 0);
}

OrderBook::Side::SetResult OrderBook::Side::set(std::int64_t key, Decimal qty, std::size_t limit) {
  const std::size_t at = find(key, limit);
  const auto ranks = ranks_.begin();
  const auto qtys = qtys_.begin();
  const auto offset = [](std::size_t position) { return static_cast<std::ptrdiff_t>(position); };
  if (at != count_ && ranks_[at] == key) {
    if (qty.is_zero()) {
      std::move(ranks + offset(at + 1), ranks + offset(count_), ranks + offset(at));
      std::move(qtys + offset(at + 1), qtys + offset(count_), qtys + offset(at));
      --count_;
    } else {
      qtys_[at] = qty;
    }
    return {at, 0};
  }
  if (qty.is_zero()) {
    return {at, 0};  // removal of a level not held
  }
  if (count_ == ranks_.size()) {
    // Full: the worst level (position 0) gives way, unless the new one would be worse still.
    if (at == 0) {
      return {0, 1};
    }
    std::move(ranks + 1, ranks + offset(at), ranks);
    std::move(qtys + 1, qtys + offset(at), qtys);
    ranks_[at - 1] = key;
    qtys_[at - 1] = qty;
    return {at - 1, 1};
  }
  std::move_backward(ranks + offset(at), ranks + offset(count_), ranks + offset(count_ + 1));
  std::move_backward(qtys + offset(at), qtys + offset(count_), qtys + offset(count_ + 1));
  ranks_[at] = key;
  qtys_[at] = qty;
  ++count_;
  return {at, 0};
}

std::uint64_t OrderBook::Side::update(std::span<const model::BookLevel> levels) {
  std::uint64_t trimmed = 0;
  std::size_t limit = count_;
  std::int64_t previous = 0;
  for (std::size_t index = 0; index < levels.size(); ++index) {
    const std::int64_t key = rank(levels[index].price);
    // Only a level worse than the one before may start its search where that one ended.
    if (index == 0 || key >= previous) {
      limit = count_;
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
  if (!strictly_ordered(levels)) {
    // Out of order, repeated prices or zero quantities: level by level, as a delta would.
    return update(levels);
  }
  const std::size_t kept = std::min(levels.size(), ranks_.size());
  // Best first in, worst first held: the kept levels are the best `kept`, reversed.
  for (std::size_t index = 0; index < kept; ++index) {
    ranks_[kept - 1 - index] = rank(levels[index].price);
    qtys_[kept - 1 - index] = levels[index].qty;
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
  const auto bad_bid = std::find_if(update.bids.begin(), update.bids.end(), malformed);
  const auto bad_ask = std::find_if(update.asks.begin(), update.asks.end(), malformed);
  if (bad_bid != update.bids.end() || bad_ask != update.asks.end()) {
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
