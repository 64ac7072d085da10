// Book walks for sizing and simulated fills.
#include "market/book_walk.hpp"

#include <algorithm>

namespace kimp::market {

Result<BookWalk> walk_book(const OrderBook& book, model::Side taker, Decimal qty, Decimal limit) {
  const bool buy = taker == model::Side::kBuy;
  const std::size_t count = buy ? book.ask_count() : book.bid_count();
  BookWalk walk;
  Decimal left = qty;
  for (std::size_t i = 0; i < count && left.is_positive(); ++i) {
    const model::BookLevel level = buy ? book.ask(i) : book.bid(i);
    if (buy ? level.price > limit : level.price < limit) {
      break;
    }
    const Decimal take = std::min(left, level.qty);
    KIMP_TRY_ASSIGN(const Decimal value, take.mul(level.price));
    KIMP_TRY_ASSIGN(walk.cost, walk.cost.add(value));
    KIMP_TRY_ASSIGN(left, left.sub(take));
    walk.worst = level.price;
  }
  KIMP_TRY_ASSIGN(walk.qty, qty.sub(left));
  return walk;
}

Result<Decimal> slippage_limit(Decimal best, model::Side taker, Decimal pct) {
  const Decimal hundred = Decimal::from_units(100 * Decimal::kUnitsPerOne);
  // The share is rounded down for both sides, which keeps the limit on the best price's side of exact.
  KIMP_TRY_ASSIGN(const Decimal move, best.mul(pct, RoundingMode::kDown));
  KIMP_TRY_ASSIGN(const Decimal share, move.div(hundred, RoundingMode::kDown));
  return taker == model::Side::kBuy ? best.add(share) : best.sub(share);
}

}  // namespace kimp::market
