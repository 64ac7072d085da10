// Upbit's KRW-market price steps by price band (the table in force since 2025-07-31).
#pragma once

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "model/types.hpp"

namespace kimp::venues::upbit {

// The price step of `market` at `price` (docs.upbit.com/kr/docs/krw-market-info): 1,000 KRW from
// 1,000,000, 500 from 500,000, 100 from 100,000, 50 from 50,000, 10 from 10,000, 5 from 5,000, 1 from 100,
// 0.1 from 10, 0.01 from 1, and a tenth as much for each decade below, down to 10^-8 under 0.00001.
// KRW-USDT and KRW-USDC move in 0.5 KRW steps from 1,000 to 10,000 (Upbit notice of 2025-03-21).
// Non-positive prices get the smallest step.
Decimal upbit_tick_size(const model::Symbol& market, Decimal price);

// `price` moved onto `market`'s tick in direction `mode` (a buy limit rounds down, a sell limit up, to
// stay on the safe side). The step is that of the band `price` lies in; when rounding up crosses into a
// band with a coarser step, the result is rounded again on that step.
// Errors: kInvalidArgument when `price` is not positive or the result does not fit in a Decimal.
Result<Decimal> round_to_upbit_tick(const model::Symbol& market, Decimal price, RoundingMode mode);

}  // namespace kimp::venues::upbit
