// Ladder construction for synthetic books on banded or fixed tick grids.
#include "sim/market/book_builder.hpp"

#include <cmath>

#include "sim/market/instruments.hpp"
#include "sim/market/random.hpp"

namespace kimp::sim {
namespace {

// Values from here on cannot be scaled to Decimal units (int64 / 10^8, about 9.22e10) with room to round.
constexpr double kMaxValue = 9.2e10;

Result<Decimal> quantity_on_lot(double quantity, Decimal lot) {
  const double lots = std::max(1.0, std::round(quantity / lot.to_double()));
  if (lots * lot.to_double() >= kMaxValue) {
    return make_error(ErrorCode::kInvalidArgument, "book quantity too large for a Decimal");
  }
  return Decimal::from_units(static_cast<std::int64_t>(lots) * lot.units());
}

}  // namespace

Decimal TickGrid::tick_at(Decimal price) const {
  return upbit_market_.empty() ? tick_ : upbit_tick_size(upbit_market_, price);
}

Decimal TickGrid::tick_below(Decimal price) const {
  return upbit_market_.empty() ? tick_
                               : upbit_tick_size(upbit_market_, Decimal::from_units(price.units() - 1));
}

Result<Decimal> TickGrid::floor(double price) const {
  if (!(price > 0.0) || price >= kMaxValue) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("price {} is not a representable positive price", price));
  }
  const auto approx = Decimal::from_units(std::llround(price * static_cast<double>(Decimal::kUnitsPerOne)));
  // Band edges are multiples of the ticks on both sides, so flooring within the band of `approx` stays on the
  // grid.
  return approx.round_to_step(tick_at(approx), RoundingMode::kDown);
}

Result<BestPrices> best_prices(double mid, const TickGrid& grid) {
  KIMP_TRY_ASSIGN(Decimal bid, grid.floor(mid));
  if (bid.is_zero()) {
    bid = grid.tick_at(bid);
  }
  KIMP_TRY_ASSIGN(const Decimal ask, bid.add(grid.tick_at(bid)));
  return BestPrices{bid, ask};
}

Result<OrderBook> build_book(double mid, const TickGrid& grid, const LadderSpec& spec,
                             const LadderSeed& seed) {
  KIMP_TRY_ASSIGN(const BestPrices best, best_prices(mid, grid));
  OrderBook book;
  book.bids.reserve(static_cast<std::size_t>(spec.levels));
  book.asks.reserve(static_cast<std::size_t>(spec.levels));
  Decimal bid = best.bid;
  Decimal ask = best.ask;
  for (std::int32_t level = 0; level < spec.levels; ++level) {
    const double mean = spec.top_quantity * (1.0 + spec.growth_per_level * level);
    const auto draw = [&](std::uint64_t side) {
      const double u =
          hash_uniform(seed.seed, seed.book_index, seed.step, static_cast<std::uint64_t>(level) * 2 + side);
      return mean * (0.4 + 1.2 * u);
    };
    if (!bid.is_positive()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("mid {} too low for {} bid levels", mid, spec.levels));
    }
    KIMP_TRY_ASSIGN(const Decimal bid_qty, quantity_on_lot(draw(0), spec.qty_step));
    KIMP_TRY_ASSIGN(const Decimal ask_qty, quantity_on_lot(draw(1), spec.qty_step));
    book.bids.push_back({bid, bid_qty});
    book.asks.push_back({ask, ask_qty});
    KIMP_TRY_ASSIGN(bid, bid.sub(grid.tick_below(bid)));
    KIMP_TRY_ASSIGN(ask, ask.add(grid.tick_at(ask)));
  }
  return book;
}

}  // namespace kimp::sim
