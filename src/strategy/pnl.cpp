// Pair PnL: exact Decimal arithmetic over both legs; the KRW leg is converted at each fill's rate.
#include "strategy/pnl.hpp"

#include <fmt/format.h>

namespace kimp::strategy {
namespace {

constexpr Decimal kHundred = Decimal::from_units(100 * Decimal::kUnitsPerOne);

}  // namespace

Result<Decimal> fee_of(Decimal qty, Decimal price, Decimal fee_pct) {
  KIMP_TRY_ASSIGN(const Decimal value, qty.mul(price));
  KIMP_TRY_ASSIGN(const Decimal scaled, value.mul(fee_pct));
  return scaled.div(kHundred);
}

Result<PairPnl> realised_pnl(const PairLegs& entry, const PairLegs& exit, Decimal funding_usdt) {
  if (!entry.usdt_krw.is_positive() || !exit.usdt_krw.is_positive()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("USDT/KRW rates must be positive (entry {}, exit {})", entry.usdt_krw, exit.usdt_krw));
  }
  // Upbit: bought entry.upbit.qty, paid price × qty + fee in KRW; sold exit.upbit.qty, got price × qty − fee.
  KIMP_TRY_ASSIGN(const Decimal bought, entry.upbit.qty.mul(entry.upbit.avg_price));
  KIMP_TRY_ASSIGN(const Decimal cost_krw, bought.add(entry.upbit.fee));
  KIMP_TRY_ASSIGN(const Decimal sold, exit.upbit.qty.mul(exit.upbit.avg_price));
  KIMP_TRY_ASSIGN(const Decimal proceeds_krw, sold.sub(exit.upbit.fee));
  KIMP_TRY_ASSIGN(const Decimal cost_usdt, cost_krw.div(entry.usdt_krw));
  KIMP_TRY_ASSIGN(const Decimal proceeds_usdt, proceeds_krw.div(exit.usdt_krw));
  PairPnl pnl;
  KIMP_TRY_ASSIGN(pnl.upbit_usdt, proceeds_usdt.sub(cost_usdt));
  // Bybit: sold entry.bybit.qty short, bought exit.bybit.qty back; fees in USDT.
  KIMP_TRY_ASSIGN(const Decimal shorted, entry.bybit.qty.mul(entry.bybit.avg_price));
  KIMP_TRY_ASSIGN(const Decimal covered, exit.bybit.qty.mul(exit.bybit.avg_price));
  KIMP_TRY_ASSIGN(const Decimal bybit_price_pnl, shorted.sub(covered));
  KIMP_TRY_ASSIGN(const Decimal bybit_fees, entry.bybit.fee.add(exit.bybit.fee));
  KIMP_TRY_ASSIGN(pnl.bybit_usdt, bybit_price_pnl.sub(bybit_fees));
  pnl.funding_usdt = funding_usdt;
  KIMP_TRY_ASSIGN(const Decimal upbit_entry_fee, entry.upbit.fee.div(entry.usdt_krw));
  KIMP_TRY_ASSIGN(const Decimal upbit_exit_fee, exit.upbit.fee.div(exit.usdt_krw));
  KIMP_TRY_ASSIGN(const Decimal upbit_fees, upbit_entry_fee.add(upbit_exit_fee));
  KIMP_TRY_ASSIGN(pnl.fees_usdt, upbit_fees.add(bybit_fees));
  KIMP_TRY_ASSIGN(const Decimal legs, pnl.upbit_usdt.add(pnl.bybit_usdt));
  KIMP_TRY_ASSIGN(pnl.net_usdt, legs.add(funding_usdt));
  KIMP_TRY_ASSIGN(pnl.gross_usdt, legs.add(pnl.fees_usdt));
  return pnl;
}

Result<PairPnl> unrealised_pnl(const PairLegs& entry, Decimal upbit_bid_krw, Decimal bybit_ask_usdt,
                               Decimal usdt_krw, Decimal upbit_fee_pct, Decimal bybit_fee_pct,
                               Decimal funding_usdt) {
  PairLegs exit{.usdt_krw = usdt_krw};
  exit.upbit = {.qty = entry.upbit.qty, .avg_price = upbit_bid_krw};
  exit.bybit = {.qty = entry.bybit.qty, .avg_price = bybit_ask_usdt};
  KIMP_TRY_ASSIGN(exit.upbit.fee, fee_of(entry.upbit.qty, upbit_bid_krw, upbit_fee_pct));
  KIMP_TRY_ASSIGN(exit.bybit.fee, fee_of(entry.bybit.qty, bybit_ask_usdt, bybit_fee_pct));
  return realised_pnl(entry, exit, funding_usdt);
}

}  // namespace kimp::strategy
