// Book walking for taker orders: which levels an order takes and how much, read from a snapshot it never
// changes.
#pragma once

#include <optional>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "sim/market/book.hpp"

namespace kimp::sim {

// Which way the taker trades: a buy takes asks (lowest first), a sell takes bids (highest first).
enum class TakerSide : std::uint8_t { kBuy, kSell };

// One piece of a fill: `quantity` taken at `price`.
struct FillSlice {
  Decimal price;
  Decimal quantity;

  bool operator==(const FillSlice&) const = default;
};

// The levels a taker of `quantity` takes from `levels` (the opposite side, best first), stopping at
// `limit` (a buy takes no level above it, a sell none below it) or when the side runs out. The slices
// may add up to less than `quantity`. Errors: kInvalidArgument when quantity <= 0 or on overflow.
Result<std::vector<FillSlice>> take_quantity(const std::vector<BookLevel>& levels, TakerSide side,
                                             Decimal quantity, std::optional<Decimal> limit);

// The asks bought by spending at most `amount` of the quote currency (Upbit's `price` order): each level
// gives min(its quantity, remaining amount / price rounded down to 10^-8), so the spend never exceeds
// `amount`. Stops when the asks run out or the remainder buys less than 10^-8 of the next level.
// Errors: kInvalidArgument when amount <= 0 or on overflow.
Result<std::vector<FillSlice>> take_amount(const std::vector<BookLevel>& asks, Decimal amount);

// Sum of quantities of `slices`. Errors: kInvalidArgument on overflow.
Result<Decimal> total_quantity(const std::vector<FillSlice>& slices);

// price × quantity rounded half-even to 10^-8. Errors: kInvalidArgument on overflow.
Result<Decimal> slice_value(const FillSlice& slice);

}  // namespace kimp::sim
