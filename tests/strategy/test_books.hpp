// Order books and instrument rules built from literal levels, for the strategy tests.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/decimal.hpp"
#include "market/order_book.hpp"
#include "model/instrument.hpp"
#include "model/market_events.hpp"

namespace kimp::strategy::testing {

inline Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

using Levels = std::initializer_list<std::pair<const char*, const char*>>;

// A valid book holding exactly `bids` and `asks` (best first).
inline market::OrderBook book(model::Venue venue, const char* symbol, Levels bids, Levels asks) {
  std::vector<model::BookLevel> bid_levels;
  std::vector<model::BookLevel> ask_levels;
  for (const auto& [price, qty] : bids) {
    bid_levels.push_back({dec(price), dec(qty)});
  }
  for (const auto& [price, qty] : asks) {
    ask_levels.push_back({dec(price), dec(qty)});
  }
  market::OrderBook result(venue, model::Symbol::create(symbol).value(), 50);
  model::BookUpdate update;
  update.venue = venue;
  update.symbol = model::Symbol::create(symbol).value();
  update.action = model::BookAction::kSnapshot;
  update.update_id = 1;
  update.bids = bid_levels;
  update.asks = ask_levels;
  (void)result.apply(update);
  return result;
}

// Upbit KRW market rules: 10^-8 lot, 5,000 KRW minimum order total.
inline model::Instrument upbit_rules() {
  model::Instrument rules;
  rules.venue = model::Venue::kUpbit;
  rules.symbol = model::Symbol::create("KRW-BTC").value();
  rules.base = "BTC";
  rules.quote = "KRW";
  rules.qty_step = dec("0.00000001");
  rules.min_qty = dec("0.00000001");
  rules.min_notional = dec("5000");
  return rules;
}

// Bybit BTCUSDT rules as instruments-info gives them: qtyStep 0.001, minOrderQty 0.001, minNotionalValue 5.
inline model::Instrument bybit_rules() {
  model::Instrument rules;
  rules.venue = model::Venue::kBybit;
  rules.symbol = model::Symbol::create("BTCUSDT").value();
  rules.base = "BTC";
  rules.quote = "USDT";
  rules.tick_size = dec("0.1");
  rules.qty_step = dec("0.001");
  rules.min_qty = dec("0.001");
  rules.max_qty = dec("119.3");
  rules.min_notional = dec("5");
  return rules;
}

}  // namespace kimp::strategy::testing
