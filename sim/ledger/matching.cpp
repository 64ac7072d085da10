// Book walking for taker orders over an immutable book snapshot.
#include "sim/ledger/matching.hpp"

#include <algorithm>

namespace kimp::sim {
namespace {

bool crosses(TakerSide side, Decimal level_price, std::optional<Decimal> limit) {
  if (!limit) {
    return true;
  }
  return side == TakerSide::kBuy ? level_price <= *limit : level_price >= *limit;
}

}  // namespace

Result<std::vector<FillSlice>> take_quantity(const std::vector<BookLevel>& levels, TakerSide side,
                                             Decimal quantity, std::optional<Decimal> limit) {
  if (!quantity.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, "taker quantity must be positive");
  }
  std::vector<FillSlice> slices;
  Decimal remaining = quantity;
  for (const BookLevel& level : levels) {
    if (remaining.is_zero() || !crosses(side, level.price, limit)) {
      break;
    }
    const Decimal taken = std::min(remaining, level.quantity);
    slices.push_back(FillSlice{level.price, taken});
    KIMP_TRY_ASSIGN(remaining, remaining.sub(taken));
  }
  return slices;
}

Result<std::vector<FillSlice>> take_amount(const std::vector<BookLevel>& asks, Decimal amount) {
  if (!amount.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, "amount to spend must be positive");
  }
  std::vector<FillSlice> slices;
  Decimal remaining = amount;
  for (const BookLevel& level : asks) {
    KIMP_TRY_ASSIGN(const Decimal affordable, remaining.div(level.price, RoundingMode::kDown));
    const Decimal taken = std::min(affordable, level.quantity);
    if (taken.is_zero()) {
      break;
    }
    const FillSlice slice{level.price, taken};
    // The exact spend is at most `remaining`, which lies on the 10^-8 grid, so rounding it keeps it there.
    KIMP_TRY_ASSIGN(const Decimal spent, slice_value(slice));
    slices.push_back(slice);
    KIMP_TRY_ASSIGN(remaining, remaining.sub(spent));
  }
  return slices;
}

Result<Decimal> total_quantity(const std::vector<FillSlice>& slices) {
  Decimal total;
  for (const FillSlice& slice : slices) {
    KIMP_TRY_ASSIGN(total, total.add(slice.quantity));
  }
  return total;
}

Result<Decimal> slice_value(const FillSlice& slice) {
  return slice.price.mul(slice.quantity, RoundingMode::kHalfEven);
}

}  // namespace kimp::sim
