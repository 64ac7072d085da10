// Upbit wire records that have no domain type of their own: order chance, market list entries, REST books.
#pragma once

#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "model/account_events.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"

namespace kimp::venues::upbit {

// GET /v1/orders/chance: fee rates (fractions: 0.0005 = 0.05 %), order minimums and the two balances.
struct UpbitOrderChance {
  model::Symbol market;
  Decimal bid_fee;
  Decimal ask_fee;
  Decimal maker_bid_fee;
  Decimal maker_ask_fee;
  Decimal bid_min_total;       // KRW
  Decimal ask_min_total;       // KRW
  Decimal max_total;           // KRW; zero when Upbit gives none
  model::Balance bid_account;  // the quote currency (KRW)
  model::Balance ask_account;  // the coin
  bool operator==(const UpbitOrderChance&) const = default;
};

// One KRW market of GET /v1/market/all.
struct UpbitMarket {
  model::Symbol market;  // "KRW-BTC"
  std::string base;      // "BTC"
  std::string english_name;
  bool warning = false;  // 유의 종목 (investment warning): market_event.warning or market_warning "CAUTION"
  bool operator==(const UpbitMarket&) const = default;
};

// One market of GET /v1/orderbook/instruments. Upbit's KRW tick depends on the price band, so this is the
// tick at the current price.
struct UpbitTickSize {
  model::Symbol market;
  Decimal tick_size;
  bool operator==(const UpbitTickSize&) const = default;
};

// The books of one GET /v1/orderbook answer. Each BookUpdate's spans point into `levels`, which this
// object owns: moving it keeps them valid, copying would not, so it is move-only.
struct UpbitOrderbookSnapshots {
  UpbitOrderbookSnapshots() = default;
  UpbitOrderbookSnapshots(UpbitOrderbookSnapshots&&) = default;
  UpbitOrderbookSnapshots& operator=(UpbitOrderbookSnapshots&&) = default;
  UpbitOrderbookSnapshots(const UpbitOrderbookSnapshots&) = delete;
  UpbitOrderbookSnapshots& operator=(const UpbitOrderbookSnapshots&) = delete;
  ~UpbitOrderbookSnapshots() = default;

  std::vector<model::BookUpdate> books;
  std::vector<model::BookLevel> levels;
};

}  // namespace kimp::venues::upbit
