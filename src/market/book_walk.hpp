// Walking one side of an order book: what a taker order of some size would fill, and at what cost.
#pragma once

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "market/order_book.hpp"
#include "model/types.hpp"

namespace kimp::market {

struct BookWalk {
  Decimal qty;    // filled: the quantity asked for, or less when the levels within the limit run out
  Decimal cost;   // sum of price × qty over the levels taken
  Decimal worst;  // the price of the last level taken; zero when nothing filled
};

// A buy takes the asks from the best up to `limit`; a sell takes the bids down to it (both inclusive).
// Errors: kInvalidArgument (out of range) from Decimal arithmetic.
Result<BookWalk> walk_book(const OrderBook& book, model::Side taker, Decimal qty, Decimal limit);

// The worst price a taker accepts: best × (1 + pct / 100) for a buy, best × (1 − pct / 100) for a sell,
// rounded toward the best price.
// Errors: kInvalidArgument (out of range) from Decimal arithmetic.
Result<Decimal> slippage_limit(Decimal best, model::Side taker, Decimal pct);

}  // namespace kimp::market
