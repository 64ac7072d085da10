// Upbit tick lookup by price band.
#include "sim/ledger/rules.hpp"

#include <fmt/format.h>

namespace kimp::sim {

Result<Decimal> UpbitMarketRules::tick_for(Decimal price) const {
  const UpbitTickBand* band = find_tick_band(tick_bands, price);
  if (band == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("no tick band covers price {}", price));
  }
  return band->tick;
}

}  // namespace kimp::sim
