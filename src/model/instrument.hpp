// Trading rules of one instrument on one venue: price tick, quantity step and minimums.
#pragma once

#include <string>

#include "core/decimal.hpp"
#include "model/types.hpp"

namespace kimp::model {

// Rules an order must satisfy before it is sent. Upbit's tick depends on the price band, so its
// instruments carry no fixed tick (tick_size zero) and the adapter rounds by its tick table instead.
struct Instrument {
  Venue venue = Venue::kBybit;
  Symbol symbol;        // "BTCUSDT", "KRW-BTC"
  std::string base;     // "BTC"
  std::string quote;    // "USDT", "KRW"
  bool trading = true;  // false when the venue has halted or delisted it
  Decimal tick_size;    // price step; zero when it depends on the price (Upbit KRW)
  Decimal qty_step;     // quantity step (Bybit qtyStep; Upbit 10^-8)
  Decimal min_qty;      // smallest order quantity
  Decimal max_qty;      // largest market-order quantity; zero when unbounded
  Decimal
      min_notional;  // smallest order value in the quote currency (Bybit minNotionalValue, Upbit 5,000 KRW)
  bool operator==(const Instrument&) const = default;
};

}  // namespace kimp::model
