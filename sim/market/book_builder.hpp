// Synthetic order books: a ladder of levels on an instrument's tick and lot grid around a model mid price.
#pragma once

#include <cstdint>
#include <string>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "sim/market/book.hpp"

namespace kimp::sim {

// The prices an instrument may trade at: one fixed step (Bybit), or Upbit's banded KRW table.
class TickGrid {
 public:
  static TickGrid fixed(Decimal tick) { return TickGrid(tick, {}); }
  static TickGrid upbit(std::string market) { return TickGrid(Decimal(), std::move(market)); }

  // The step from `price` to the next grid price above it.
  [[nodiscard]] Decimal tick_at(Decimal price) const;
  // The step from `price` to the next grid price below it (smaller than tick_at() at a band's lower edge).
  [[nodiscard]] Decimal tick_below(Decimal price) const;
  // The highest grid price at or below `price`. Errors: kInvalidArgument when `price` is not positive
  // or too large for a Decimal.
  [[nodiscard]] Result<Decimal> floor(double price) const;

 private:
  TickGrid(Decimal tick, std::string upbit_market) : tick_(tick), upbit_market_(std::move(upbit_market)) {}
  Decimal tick_;              // used when upbit_market_ is empty
  std::string upbit_market_;  // "KRW-BTC"
};

struct BestPrices {
  Decimal bid;
  Decimal ask;
};

// The best bid and ask of a one-tick-wide book around `mid`: the bid is the grid price at or below it.
// Errors: as TickGrid::floor.
Result<BestPrices> best_prices(double mid, const TickGrid& grid);

// How deep and how regular a synthetic book is.
struct LadderSpec {
  std::int32_t levels = 30;        // per side
  double top_quantity = 1.0;       // mean base-coin quantity at the best level
  double growth_per_level = 0.08;  // the mean quantity grows by this fraction of top_quantity per level out
  Decimal qty_step;                // lot size; every level holds at least one lot
};

// Which pseudo-random draws a book uses, so its quantities are a pure function of these numbers.
struct LadderSeed {
  std::uint64_t seed = 0;
  std::uint64_t book_index = 0;
  std::uint64_t step = 0;
};

// A book of `spec.levels` consecutive grid prices per side around `mid` (spread one tick), each level's
// quantity drawn around the spec's mean. ts_event and update_id are left for the caller.
// Errors: kInvalidArgument when `mid` is not a representable positive price or the bid side would
// reach zero before it has all its levels.
Result<OrderBook> build_book(double mid, const TickGrid& grid, const LadderSpec& spec,
                             const LadderSeed& seed);

}  // namespace kimp::sim
