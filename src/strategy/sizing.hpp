// Entry sizing: how much of a coin both books can fill within the slippage limit, rounded to both venues'
// lot rules.
#pragma once

#include <string>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "market/order_book.hpp"
#include "model/instrument.hpp"

namespace kimp::strategy {

// A size both venues accept, with the prices it is expected to fill at.
struct SizedEntry {
  Decimal qty{};                  // coins on each leg
  Decimal upbit_avg_krw{};        // volume-weighted Upbit ask over qty (or the given price)
  Decimal bybit_avg_usdt{};       // volume-weighted Bybit bid over qty (or the given price)
  Decimal upbit_worst_krw{};      // the last Upbit level qty reaches
  Decimal bybit_worst_usdt{};     // the last Bybit level qty reaches
  Decimal upbit_cost_krw{};       // qty × upbit_avg_krw, before fees
  Decimal bybit_notional_usdt{};  // qty × bybit_avg_usdt
  bool operator==(const SizedEntry&) const = default;
};

// What sizing may use: the slippage limit and the size cap of one pair.
struct SizingLimits {
  Decimal max_slippage_pct{};   // levels beyond best × (1 ± this %) are not counted
  Decimal max_position_usdt{};  // the pair's Bybit notional at the best bid is capped here
};

// `qty` rounded down to a multiple of both lot steps and checked against both venues' minimums:
// Bybit minOrderQty, Bybit minNotionalValue at `bybit_price`, Upbit's minimum order total at `upbit_price`;
// capped by Bybit's maximum market-order quantity when it has one.
// Errors: kFailedPrecondition saying which rule the size fails (the figures quoted); kInvalidArgument when
// a lot step is not positive or the steps have no common multiple at 10^-8.
Result<Decimal> round_to_both_venues(Decimal qty, Decimal upbit_price, Decimal bybit_price,
                                     const model::Instrument& upbit, const model::Instrument& bybit);

// Walks the Upbit asks (buy leg) and Bybit bids (sell leg) down to the slippage limit and sizes the pair
// to what both can fill, at most `limits.max_position_usdt` of Bybit notional, then rounds it.
// Errors: kFailedPrecondition when a book has no level on its side or the size fails a venue rule (see
// round_to_both_venues); kInvalidArgument for bad rules.
Result<SizedEntry> size_from_books(const market::OrderBook& upbit_book, const market::OrderBook& bybit_book,
                                   const model::Instrument& upbit, const model::Instrument& bybit,
                                   const SizingLimits& limits);

// Sizes by the configured notional alone, at fixed prices (candle replays, which have no depth).
// Errors: as round_to_both_venues, and kInvalidArgument for a price that is not positive.
Result<SizedEntry> size_from_notional(Decimal upbit_price_krw, Decimal bybit_price_usdt,
                                      const model::Instrument& upbit, const model::Instrument& bybit,
                                      Decimal max_position_usdt);

}  // namespace kimp::strategy
