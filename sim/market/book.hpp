// Order books of the emulated venues, as the market model produces them and the matching engine reads them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::sim {

struct BookLevel {
  Decimal price;
  Decimal quantity;  // base-coin quantity resting at this price, > 0

  bool operator==(const BookLevel&) const = default;
};

// One instrument's book: bids best (highest) first, asks best (lowest) first, no crossed or empty
// levels. `update_id` grows by one each time the book changes.
struct OrderBook {
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
  Timestamp ts_event;
  std::uint64_t update_id = 0;

  bool operator==(const OrderBook&) const = default;
};

}  // namespace kimp::sim
