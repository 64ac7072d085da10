// CoinSelector: which coins to monitor, from what both venues list and their 24 h turnovers, refreshed live.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/decimal.hpp"
#include "core/result.hpp"
#include "model/instrument.hpp"
#include "model/market_events.hpp"
#include "model/types.hpp"

namespace kimp::strategy {

// One coin as both venues list it, with 24 h turnovers.
struct ListedCoin {
  std::string coin;                         // "BTC"
  model::Symbol upbit_market;               // "KRW-BTC"
  model::Symbol bybit_symbol;               // "BTCUSDT"
  std::int64_t upbit_turnover_24h_krw = 0;  // whole KRW
  std::int64_t bybit_turnover_24h_krw = 0;  // Bybit turnover (USDT) × USD/KRW, whole KRW
  bool operator==(const ListedCoin&) const = default;
};

// What the venues list now: both instrument tables and the tickers carrying 24 h turnovers.
struct VenueListings {
  std::vector<model::Instrument> upbit;      // Upbit instruments (symbol "KRW-BTC", base "BTC", quote "KRW")
  std::vector<model::Instrument> bybit;      // Bybit linear instruments ("BTCUSDT", base "BTC", quote "USDT")
  std::vector<model::Ticker> upbit_tickers;  // turnover_24h_krw
  std::vector<model::Ticker> bybit_tickers;  // turnover_24h (Decimal USDT)
  Decimal usd_krw;                           // to compare Bybit turnover in KRW
};

// Coins listed on both venues: Upbit KRW market ∩ Bybit linear USDT perpetual, both `trading`, matched by
// base coin. An instrument counts only under the symbol the strategy trades ("KRW-" + base on Upbit,
// base + "USDT" on Bybit), which leaves out Bybit's dated USDT futures that share the perpetual's base.
// A coin without a ticker, or whose ticker lacks the turnover, has turnover 0; the Bybit turnover is
// converted at usd_krw (0 when usd_krw is not positive) and saturates at INT64_MAX. Sorted by coin. Pure.
std::vector<ListedCoin> listed_on_both(const VenueListings& listings);

struct CoinSelection {
  std::vector<ListedCoin> coins;  // what to monitor, in the order chosen
  // Why each coin that is listed on both but not selected was left out ("blacklisted", "24 h turnover ...
  // below ... on upbit", "beyond top_n ...", "not in strategy.coins ..."), and why each explicit coin not
  // listed on both venues was ("not listed on bybit", "not trading on upbit"...); ordered by coin.
  std::vector<std::pair<std::string, std::string>> excluded;
};

// The coins to monitor under `config`:
//  - explicit coins (config.coins) come first, in their configured order, whenever both venues list them,
//    whatever their turnover and top_n; a blacklisted one is left out (validation already forbids it);
//  - when coin_selection.enabled, the other coins listed on both with a 24 h turnover of at least
//    min_turnover_24h_krw on each venue and not blacklisted follow, by min(upbit, bybit) turnover
//    descending (ties by coin), until the selection holds top_n coins. Explicit coins count toward top_n;
//    when they alone reach it they are all still kept and nothing is added.
// Errors: kInvalidArgument when coin_selection is enabled and usd_krw is not positive (the Bybit turnover
// cannot be compared); kFailedPrecondition, with counts, when the selection would be empty.
Result<CoinSelection> select_coins(const config::StrategyConfig& config, const VenueListings& listings);

// What changed between two selections: coins to start and stop monitoring.
struct SelectionChange {
  std::vector<ListedCoin> added;     // in the order of the new selection
  std::vector<std::string> removed;  // in the order of the previous selection
  // Coins the new selection leaves out that stay monitored because the caller must keep them; not a change.
  std::vector<std::string> kept;
  [[nodiscard]] bool empty() const { return added.empty() && removed.empty(); }
};

// Keeps the current selection and applies periodic refreshes so monitored coins can change without a
// restart. A coin that must be kept (open position) is never removed: the caller passes those coins to
// refresh(); they stay monitored, and are reported as kept, even when the new selection would drop them.
class CoinSelector {
 public:
  explicit CoinSelector(config::StrategyConfig config);

  // First selection or a refresh: the new selection, then every coin of `keep` it leaves out that is
  // monitored now or listed on both venues (an open position found at start-up), with fresh turnovers when
  // both venues still list it, else as it was monitored. A coin of `keep` that is neither is not monitored:
  // there is nothing to monitor it with. Errors: those of select_coins; on error the current selection is
  // kept unchanged.
  Result<SelectionChange> refresh(const VenueListings& listings, std::span<const std::string> keep = {});

  [[nodiscard]] const std::vector<ListedCoin>& current() const { return current_; }
  // Why coins were left out by the last successful refresh (CoinSelection::excluded), for the log; a kept
  // coin appears here too, with why the selection alone would have dropped it.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& excluded() const { return excluded_; }

 private:
  config::StrategyConfig config_;
  std::vector<ListedCoin> current_;
  std::vector<std::pair<std::string, std::string>> excluded_;
};

}  // namespace kimp::strategy
