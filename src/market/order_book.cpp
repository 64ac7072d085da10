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

OrderBook::Side::Side(bool asks, std::size_t capacity) : negate_(asks ? -1 : 0), levels_(capacity) {
  assert(capacity > 0);  // a book that can hold no level is a construction bug
}

std::uint64_t OrderBook::Side::set(model::BookLevel level) {
  const std::int64_t key = rank(level.price);
  const auto begin = levels_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(count_);
  auto at = std::lower_bound(begin, end, key, [this](const model::BookLevel& held, std::int64_t wanted) {
    return rank(held.price) < wanted;
  });
  if (at != end && at->price == level.price) {
    if (level.qty.is_zero()) {
      std::move(at + 1, end, at);
      --count_;
    } else {
      at->qty = level.qty;
    }
    return 0;
  }
  if (level.qty.is_zero()) {
    return 0;  // removal of a level not held
  }
  if (count_ == levels_.size()) {
    // Full: the worst level (index 0) gives way, unless the new one would be worse still.
    if (at == begin) {
      return 1;
    }
    std::move(begin + 1, at, begin);
    --at;
    *at = level;
    return 1;
  }
  std::move_backward(at, end, end + 1);
  *at = level;
  ++count_;
  return 0;
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
    std::uint64_t trimmed = 0;
    for (const model::BookLevel& level : levels) {
      trimmed += set(level);
    }
    return trimmed;
  }
  const std::size_t kept = std::min(levels.size(), levels_.size());
  // Best first in, worst first held: the kept levels are the best `kept`, reversed.
  std::reverse_copy(levels.begin(), levels.begin() + static_cast<std::ptrdiff_t>(kept), levels_.begin());
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
    for (const model::BookLevel& level : update.bids) {
      counters_.trimmed_levels += bids_.set(level);
    }
    for (const model::BookLevel& level : update.asks) {
      counters_.trimmed_levels += asks_.set(level);
    }
  }
  update_id_ = update.update_id;
  sequence_ = update.sequence;
  ts_event_ = update.ts_event;
  ts_recv_ = update.ts_recv;
  ++counters_.updates;
  return ok();
}

}  // namespace kimp::market
