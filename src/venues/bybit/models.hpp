// Bybit v5 wire types for what the domain model does not cover: REST envelopes, pages, acks and limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "model/account_events.hpp"
#include "model/instrument.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"

namespace kimp::venues::bybit {

// One page of /v5/market/instruments-info. An empty cursor means this was the last page.
struct BybitInstrumentsPage {
  std::vector<model::Instrument> instruments;
  std::string next_page_cursor;
  bool operator==(const BybitInstrumentsPage&) const = default;
};

// The /v5/market/orderbook answer. It owns its levels (best first on both sides); as_update() views them
// as the BookUpdate snapshot the book consumes, valid while this object lives unchanged.
struct BybitOrderbookSnapshot {
  model::Symbol symbol;
  Timestamp ts_event;           // `ts`: when the matching engine produced the book
  std::uint64_t update_id = 0;  // `u`
  std::uint64_t sequence = 0;   // `seq`
  std::vector<model::BookLevel> bids;
  std::vector<model::BookLevel> asks;

  [[nodiscard]] model::BookUpdate as_update() const {
    model::BookUpdate update;
    update.venue = model::Venue::kBybit;
    update.symbol = symbol;
    update.action = model::BookAction::kSnapshot;
    update.ts_event = ts_event;
    update.update_id = update_id;
    update.sequence = sequence;
    update.depth = static_cast<std::uint32_t>(bids.size() > asks.size() ? bids.size() : asks.size());
    update.bids = bids;
    update.asks = asks;
    return update;
  }
};

// The account-wide figures of a UNIFIED wallet (USD), next to the per-coin balances. Bybit leaves them ""
// where they do not apply (isolated margin, portfolio margin; the emulator's maintenance figures), so each
// is nullopt when empty: they are diagnostics, the per-coin equity is the ground truth.
struct BybitWalletBalance {
  std::string account_type;  // "UNIFIED"
  std::optional<Decimal> total_equity;
  std::optional<Decimal> total_wallet_balance;
  std::optional<Decimal> total_margin_balance;
  std::optional<Decimal> total_available_balance;
  std::optional<Decimal> total_perp_upl;
  std::optional<Decimal> total_initial_margin;
  std::optional<Decimal> total_maintenance_margin;
  std::optional<Decimal> account_im_rate;
  std::optional<Decimal> account_mm_rate;
  // One per coin, mapped as 0013 LD-0001 fixes: total = equity, locked = `locked`,
  // available = walletBalance, coin_value = unrealisedPnl (availableToWithdraw is never read).
  std::vector<model::Balance> coins;
  bool operator==(const BybitWalletBalance&) const = default;
};

// The trading fee rates of one symbol, as fractions (0.0006 = 0.06 %). A negative maker rate is a rebate.
struct BybitFeeRate {
  model::Symbol symbol;
  Decimal taker;
  Decimal maker;
  bool operator==(const BybitFeeRate&) const = default;
};

// One settled funding rate of /v5/market/funding/history.
struct BybitFundingRate {
  model::Symbol symbol;
  Decimal rate;          // fraction paid by longs to shorts when positive
  Timestamp settled_at;  // fundingRateTimestamp
  bool operator==(const BybitFundingRate&) const = default;
};

// What /v5/order/create and /v5/order/cancel answer: the venue's id and ours.
struct BybitOrderAck {
  std::string order_id;
  std::string order_link_id;
  bool operator==(const BybitOrderAck&) const = default;
};

// One page of /v5/order/realtime or /v5/order/history.
struct BybitOrdersPage {
  std::vector<model::OrderReport> orders;
  std::string next_page_cursor;
  bool operator==(const BybitOrdersPage&) const = default;
};

// One page of /v5/execution/list (fills only; funding settlements are not executions of orders).
struct BybitExecutionsPage {
  std::vector<model::Execution> executions;
  std::string next_page_cursor;
  bool operator==(const BybitExecutionsPage&) const = default;
};

// One page of /v5/position/list.
struct BybitPositionsPage {
  std::vector<model::PositionReport> positions;
  std::string next_page_cursor;
  bool operator==(const BybitPositionsPage&) const = default;
};

// The X-Bapi-Limit* response headers of one endpoint, for the rate limiter.
struct BybitRateLimitStatus {
  std::int64_t limit = 0;      // X-Bapi-Limit: requests allowed per window
  std::int64_t remaining = 0;  // X-Bapi-Limit-Status: requests left in the current window
  Timestamp reset_at;          // X-Bapi-Limit-Reset-Timestamp: when the window refills (ms precision)
  bool operator==(const BybitRateLimitStatus&) const = default;
};

}  // namespace kimp::venues::bybit
