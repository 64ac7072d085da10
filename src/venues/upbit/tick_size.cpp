// Upbit's KRW tick table and rounding onto it.
#include "venues/upbit/tick_size.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace kimp::venues::upbit {
namespace {

constexpr std::int64_t kOne = Decimal::kUnitsPerOne;

struct TickBand {
  std::int64_t min_units;  // prices at or above this move in steps of tick_units
  std::int64_t tick_units;
};

// Highest band first; the last one starts at zero.
constexpr std::array<TickBand, 15> kKrwTickBands{{
    {1'000'000 * kOne, 1'000 * kOne},
    {500'000 * kOne, 500 * kOne},
    {100'000 * kOne, 100 * kOne},
    {50'000 * kOne, 50 * kOne},
    {10'000 * kOne, 10 * kOne},
    {5'000 * kOne, 5 * kOne},
    {100 * kOne, kOne},
    {10 * kOne, kOne / 10},
    {kOne, kOne / 100},
    {kOne / 10, kOne / 1'000},
    {kOne / 100, kOne / 10'000},
    {kOne / 1'000, kOne / 100'000},
    {kOne / 10'000, kOne / 1'000'000},
    {kOne / 100'000, kOne / 10'000'000},
    {0, 1},
}};

// The stablecoin markets' half-won band.
constexpr TickBand kStablecoinBand{1'000 * kOne, kOne / 2};
constexpr std::int64_t kStablecoinBandEnd = 10'000 * kOne;

bool is_stablecoin(const model::Symbol& market) {
  return market.view() == "KRW-USDT" || market.view() == "KRW-USDC";
}

}  // namespace

Decimal upbit_tick_size(const model::Symbol& market, Decimal price) {
  const std::int64_t units = price.units();
  if (is_stablecoin(market) && units >= kStablecoinBand.min_units && units < kStablecoinBandEnd) {
    return Decimal::from_units(kStablecoinBand.tick_units);
  }
  for (const TickBand& band : kKrwTickBands) {
    if (units >= band.min_units) {
      return Decimal::from_units(band.tick_units);
    }
  }
  return Decimal::from_units(kKrwTickBands.back().tick_units);
}

Result<Decimal> round_to_upbit_tick(const model::Symbol& market, Decimal price, RoundingMode mode) {
  if (!price.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{} price {} is not positive", market.view(), price));
  }
  KIMP_TRY_ASSIGN(const Decimal rounded, price.round_to_step(upbit_tick_size(market, price), mode));
  // Rounding up can land on the next band's lower edge or past it (9,999.9 up to 10,000 is fine; a step
  // that does not divide the next band's bounds would not be), so settle on the band of the result.
  return rounded.round_to_step(upbit_tick_size(market, rounded), mode);
}

}  // namespace kimp::venues::upbit
