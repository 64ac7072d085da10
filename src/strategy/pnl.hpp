// Profit and loss of one pair trade in USDT: both legs' fills and fees, funding, and the KRW leg converted
// at the USDT/KRW rate of each fill.
#pragma once

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::strategy {

// One fill of one leg: quantity, average price and fee in the venue's quote currency (KRW on Upbit, USDT
// on Bybit), and the USDT/KRW rate in force when it filled (used for the KRW leg only).
struct LegFill {
  Decimal qty{};
  Decimal avg_price{};
  Decimal fee{};
  Timestamp at{};
  bool operator==(const LegFill&) const = default;
};

// The two legs of a pair as they were opened: long Upbit spot (KRW), short Bybit perpetual (USDT).
struct PairLegs {
  LegFill upbit{};
  LegFill bybit{};
  Decimal usdt_krw{};  // at the entry fills
  bool operator==(const PairLegs&) const = default;
};

struct PairPnl {
  Decimal upbit_usdt{};  // Upbit leg after its fees: KRW proceeds / rate at exit − KRW cost / rate at entry
  Decimal bybit_usdt{};  // Bybit leg after its fees: short entry − buy-back, times qty
  Decimal funding_usdt{};  // funding received (negative when paid)
  Decimal fees_usdt{};     // every fee of both legs, the KRW ones at their fill's rate
  Decimal gross_usdt{};    // price moves alone: net before fees and funding
  Decimal net_usdt{};      // upbit + bybit + funding
  bool operator==(const PairPnl&) const = default;
};

// The realised PnL of a closed pair: `entry` legs, `exit` legs (the Upbit sell and the Bybit buy-back) at
// `exit_usdt_krw`, and `funding_usdt` received while open.
// Errors: kInvalidArgument when a rate is not positive; kInvalidArgument (out of range) from Decimal.
Result<PairPnl> realised_pnl(const PairLegs& entry, const PairLegs& exit, Decimal funding_usdt);

// What closing now would give: the exit priced at `upbit_bid_krw` / `bybit_ask_usdt` with the configured
// taker fees (percent), converted at `usdt_krw`.
// Errors: as realised_pnl.
Result<PairPnl> unrealised_pnl(const PairLegs& entry, Decimal upbit_bid_krw, Decimal bybit_ask_usdt,
                               Decimal usdt_krw, Decimal upbit_fee_pct, Decimal bybit_fee_pct,
                               Decimal funding_usdt);

// qty × price × percent / 100: a taker fee.
Result<Decimal> fee_of(Decimal qty, Decimal price, Decimal fee_pct);

}  // namespace kimp::strategy
