// Instrument rules and fee settings the ledger enforces, given as plain values so callers and tests state
// them.
#pragma once

#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "sim/market/instruments.hpp"

namespace kimp::sim {

struct UpbitMarketRules {
  std::vector<UpbitTickBand> tick_bands;  // ascending by min_price; the first starts at 0
  Decimal min_total;                      // smallest order value in the quote currency (5,000 KRW)

  // The tick of the band `price` falls in. Errors: kInvalidArgument when no band covers `price`.
  [[nodiscard]] Result<Decimal> tick_for(Decimal price) const;
};

// Bybit linear instrument rules, as instruments-info reports them (lotSizeFilter, priceFilter,
// leverageFilter), plus the maintenance margin rate of the first risk-limit tier for liqPrice.
struct LinearInstrumentRules {
  Decimal tick_size;
  Decimal qty_step;
  Decimal min_order_qty;
  Decimal min_notional;
  Decimal max_leverage;
  Decimal maintenance_margin_rate;
};

struct LedgerFees {
  Decimal upbit_rate = Decimal::from_units(50'000);         // 0.05 %, charged in the quote currency
  Decimal linear_taker_rate = Decimal::from_units(55'000);  // 0.055 %
  Decimal linear_maker_rate = Decimal::from_units(20'000);  // 0.02 %
  Decimal default_leverage =
      Decimal::from_units(10 * Decimal::kUnitsPerOne);  // Bybit's default for a new symbol
};

}  // namespace kimp::sim
