// The kimchi premium of one coin: Upbit's KRW price against Bybit's USDT price converted at USD/KRW.
#pragma once

#include <limits>

#include "core/decimal.hpp"

namespace kimp::market {

// upbit_krw / (bybit_usdt × usd_krw) − 1, as a fraction (0.012 is 1.2 %). A statistic, so a double;
// the money of a trade is always computed in Decimal from the fills. NaN when a price or the rate is
// not positive, which every comparison rejects.
inline double premium(double upbit_krw, double bybit_usdt, double usd_krw) {
  const double denominator = bybit_usdt * usd_krw;
  if (!(upbit_krw > 0.0 && denominator > 0.0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return upbit_krw / denominator - 1.0;
}
inline double premium(Decimal upbit_krw, Decimal bybit_usdt, Decimal usd_krw) {
  return premium(upbit_krw.to_double(), bybit_usdt.to_double(), usd_krw.to_double());
}

// The three premiums the strategy reads from one pair of books.
struct PremiumQuote {
  double entry = 0.0;  // Upbit ask against Bybit bid: what buying Upbit and selling Bybit costs now
  double exit = 0.0;   // Upbit bid against Bybit ask: what unwinding gives now
  double mid = 0.0;    // mid against mid: the series the statistics are kept on
};

// Best prices of both books; mids are (bid + ask) / 2.
inline PremiumQuote premium_quote(Decimal upbit_bid, Decimal upbit_ask, Decimal bybit_bid, Decimal bybit_ask,
                                  Decimal usd_krw) {
  const double rate = usd_krw.to_double();
  const double upbit_mid = (upbit_bid.to_double() + upbit_ask.to_double()) / 2.0;
  const double bybit_mid = (bybit_bid.to_double() + bybit_ask.to_double()) / 2.0;
  return {premium(upbit_ask, bybit_bid, usd_krw), premium(upbit_bid, bybit_ask, usd_krw),
          premium(upbit_mid, bybit_mid, rate)};
}

}  // namespace kimp::market
