// Entry sizing: depth walks to the slippage limit, then lot rounding and the venues' minimums.
#include "strategy/sizing.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "market/book_walk.hpp"

namespace kimp::strategy {

Result<Decimal> round_to_both_venues(Decimal qty, Decimal upbit_price, Decimal bybit_price,
                                     const model::Instrument& upbit, const model::Instrument& bybit) {
  if (!upbit.qty_step.is_positive() || !bybit.qty_step.is_positive()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("lot steps must be positive (upbit {}, bybit {})", upbit.qty_step, bybit.qty_step));
  }
  Decimal capped = qty;
  if (bybit.max_qty.is_positive()) {
    capped = std::min(capped, bybit.max_qty);
  }
  const Decimal coarse = std::max(upbit.qty_step, bybit.qty_step);
  const Decimal fine = std::min(upbit.qty_step, bybit.qty_step);
  if (coarse.units() % fine.units() != 0) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("lot steps {} and {} have no common multiple the engine uses", coarse, fine));
  }
  KIMP_TRY_ASSIGN(const Decimal rounded, capped.round_to_step(coarse, RoundingMode::kDown));
  if (rounded < bybit.min_qty || !rounded.is_positive() || rounded < upbit.min_qty) {
    return make_error(
        ErrorCode::kFailedPrecondition,
        fmt::format("size {} (from {}, lot step {}) is below the minimum quantity (bybit {}, upbit {})",
                    rounded, qty, coarse, bybit.min_qty, upbit.min_qty));
  }
  KIMP_TRY_ASSIGN(const Decimal bybit_value, rounded.mul(bybit_price));
  if (bybit_value < bybit.min_notional) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("size {} is worth {} USDT on bybit, below its minimum order value {}",
                                  rounded, bybit_value, bybit.min_notional));
  }
  KIMP_TRY_ASSIGN(const Decimal upbit_value, rounded.mul(upbit_price));
  if (upbit_value < upbit.min_notional) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("size {} is worth {} KRW on upbit, below its minimum order total {}",
                                  rounded, upbit_value, upbit.min_notional));
  }
  return rounded;
}

Result<SizedEntry> size_from_books(const market::OrderBook& upbit_book, const market::OrderBook& bybit_book,
                                   const model::Instrument& upbit, const model::Instrument& bybit,
                                   const SizingLimits& limits) {
  const std::optional<model::BookLevel> best_ask = upbit_book.best_ask();
  const std::optional<model::BookLevel> best_bid = bybit_book.best_bid();
  if (!best_ask || !best_bid) {
    return make_error(ErrorCode::kFailedPrecondition,
                      !best_ask ? "the upbit book has no ask" : "the bybit book has no bid");
  }
  KIMP_TRY_ASSIGN(const Decimal ask_limit,
                  market::slippage_limit(best_ask->price, model::Side::kBuy, limits.max_slippage_pct));
  KIMP_TRY_ASSIGN(const Decimal bid_limit,
                  market::slippage_limit(best_bid->price, model::Side::kSell, limits.max_slippage_pct));
  KIMP_TRY_ASSIGN(const Decimal cap_qty, limits.max_position_usdt.div(best_bid->price, RoundingMode::kDown));
  KIMP_TRY_ASSIGN(const market::BookWalk upbit_depth,
                  market::walk_book(upbit_book, model::Side::kBuy, cap_qty, ask_limit));
  KIMP_TRY_ASSIGN(const market::BookWalk bybit_depth,
                  market::walk_book(bybit_book, model::Side::kSell, cap_qty, bid_limit));
  KIMP_TRY_ASSIGN(const Decimal qty, round_to_both_venues(std::min(upbit_depth.qty, bybit_depth.qty),
                                                          best_ask->price, best_bid->price, upbit, bybit));
  KIMP_TRY_ASSIGN(const market::BookWalk upbit_fill,
                  market::walk_book(upbit_book, model::Side::kBuy, qty, ask_limit));
  KIMP_TRY_ASSIGN(const market::BookWalk bybit_fill,
                  market::walk_book(bybit_book, model::Side::kSell, qty, bid_limit));
  SizedEntry sized{.qty = qty,
                   .upbit_worst_krw = upbit_fill.worst,
                   .bybit_worst_usdt = bybit_fill.worst,
                   .upbit_cost_krw = upbit_fill.cost,
                   .bybit_notional_usdt = bybit_fill.cost};
  KIMP_TRY_ASSIGN(sized.upbit_avg_krw, upbit_fill.cost.div(qty));
  KIMP_TRY_ASSIGN(sized.bybit_avg_usdt, bybit_fill.cost.div(qty));
  return sized;
}

Result<SizedEntry> size_from_notional(Decimal upbit_price_krw, Decimal bybit_price_usdt,
                                      const model::Instrument& upbit, const model::Instrument& bybit,
                                      Decimal max_position_usdt) {
  if (!upbit_price_krw.is_positive() || !bybit_price_usdt.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("prices must be positive (upbit {}, bybit {})",
                                                               upbit_price_krw, bybit_price_usdt));
  }
  KIMP_TRY_ASSIGN(const Decimal wanted, max_position_usdt.div(bybit_price_usdt, RoundingMode::kDown));
  KIMP_TRY_ASSIGN(const Decimal qty,
                  round_to_both_venues(wanted, upbit_price_krw, bybit_price_usdt, upbit, bybit));
  SizedEntry sized{.qty = qty,
                   .upbit_avg_krw = upbit_price_krw,
                   .bybit_avg_usdt = bybit_price_usdt,
                   .upbit_worst_krw = upbit_price_krw,
                   .bybit_worst_usdt = bybit_price_usdt};
  KIMP_TRY_ASSIGN(sized.upbit_cost_krw, qty.mul(upbit_price_krw));
  KIMP_TRY_ASSIGN(sized.bybit_notional_usdt, qty.mul(bybit_price_usdt));
  return sized;
}

}  // namespace kimp::strategy
