// CoinSelector: the venue intersection, the turnover filter and ranking, and the diff between refreshes.
#include "strategy/coin_selector.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "core/int128.hpp"

namespace kimp::strategy {
namespace {

constexpr std::string_view kUpbitQuote = "KRW";
constexpr std::string_view kBybitQuote = "USDT";

// `symbol` is exactly prefix + base + suffix.
bool spelled(std::string_view symbol, std::string_view prefix, std::string_view base,
             std::string_view suffix) {
  return symbol.size() == prefix.size() + base.size() + suffix.size() && symbol.starts_with(prefix) &&
         symbol.substr(prefix.size(), base.size()) == base && symbol.ends_with(suffix);
}

// The Upbit KRW market of its base coin. The symbol is checked as well as the quote because the symbol
// is what orders are sent for.
bool upbit_krw_market(const model::Instrument& instrument) {
  return !instrument.base.empty() && instrument.quote == kUpbitQuote &&
         spelled(instrument.symbol.view(), "KRW-", instrument.base, "");
}

// The Bybit USDT perpetual of its base coin. Bybit's linear category also holds dated USDT futures with
// the same base and quote ("BTCUSDT-26DEC25"); only the perpetual is spelled base + "USDT".
bool bybit_usdt_perpetual(const model::Instrument& instrument) {
  return !instrument.base.empty() && instrument.quote == kBybitQuote &&
         spelled(instrument.symbol.view(), "", instrument.base, kBybitQuote);
}

// Tradable instruments by base coin; the first wins should a venue list a base twice.
template <class Qualifies>
std::map<std::string_view, const model::Instrument*> by_base(
    const std::vector<model::Instrument>& instruments, Qualifies qualifies) {
  std::map<std::string_view, const model::Instrument*> found;
  for (const model::Instrument& instrument : instruments) {
    if (instrument.trading && qualifies(instrument)) {
      found.emplace(instrument.base, &instrument);
    }
  }
  return found;
}

// Bybit turnover in whole KRW, rounded down. Turnover reaches 9e10 USDT and the rate 1.5e3, so the
// product overflows Decimal: it is taken in 128 bits (two int64 unit counts multiply below 2^126) and,
// being a statistic, saturates rather than fails.
std::int64_t krw_turnover(Decimal usdt, Decimal usd_krw) {
  if (!usdt.is_positive() || !usd_krw.is_positive()) {
    return 0;
  }
  const Int128 product = Int128{usdt.units()} * Int128{usd_krw.units()};
  const Int128 whole = product / (Int128{Decimal::kUnitsPerOne} * Int128{Decimal::kUnitsPerOne});
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  return whole > Int128{kMax} ? kMax : static_cast<std::int64_t>(whole);
}

// 24 h turnover in whole KRW by symbol; a later ticker carrying the field replaces an earlier one.
std::map<std::string_view, std::int64_t> upbit_turnovers(const std::vector<model::Ticker>& tickers) {
  std::map<std::string_view, std::int64_t> turnovers;
  for (const model::Ticker& ticker : tickers) {
    if (ticker.turnover_24h_krw) {
      turnovers.insert_or_assign(ticker.symbol.view(), std::max<std::int64_t>(*ticker.turnover_24h_krw, 0));
    }
  }
  return turnovers;
}

std::map<std::string_view, std::int64_t> bybit_turnovers(const std::vector<model::Ticker>& tickers,
                                                         Decimal usd_krw) {
  std::map<std::string_view, std::int64_t> turnovers;
  for (const model::Ticker& ticker : tickers) {
    if (ticker.turnover_24h) {
      turnovers.insert_or_assign(ticker.symbol.view(), krw_turnover(*ticker.turnover_24h, usd_krw));
    }
  }
  return turnovers;
}

std::int64_t turnover_of(const std::map<std::string_view, std::int64_t>& turnovers,
                         const model::Symbol& symbol) {
  const auto found = turnovers.find(symbol.view());
  return found == turnovers.end() ? 0 : found->second;
}

std::int64_t ranking_turnover(const ListedCoin& coin) {
  return std::min(coin.upbit_turnover_24h_krw, coin.bybit_turnover_24h_krw);
}

bool contains(const std::vector<std::string>& coins, std::string_view coin) {
  return std::find(coins.begin(), coins.end(), coin) != coins.end();
}

const ListedCoin* find_coin(const std::vector<ListedCoin>& coins, std::string_view coin) {
  const auto found =
      std::find_if(coins.begin(), coins.end(), [&](const ListedCoin& listed) { return listed.coin == coin; });
  return found == coins.end() ? nullptr : &*found;
}

// Why `coin` is missing on one venue: "not listed on upbit" or "not trading on upbit"; empty when the
// venue trades it.
template <class Qualifies>
std::string absence_on(const std::vector<model::Instrument>& instruments, std::string_view coin,
                       std::string_view venue, Qualifies qualifies) {
  bool listed = false;
  for (const model::Instrument& instrument : instruments) {
    if (instrument.base == coin && qualifies(instrument)) {
      if (instrument.trading) {
        return {};
      }
      listed = true;
    }
  }
  return fmt::format("{} on {}", listed ? "not trading" : "not listed", venue);
}

// Why an explicit coin is not listed on both venues: "not listed on bybit", "not trading on upbit, not
// listed on bybit".
std::string absence_reason(const VenueListings& listings, std::string_view coin) {
  const std::string upbit = absence_on(listings.upbit, coin, "upbit", upbit_krw_market);
  const std::string bybit = absence_on(listings.bybit, coin, "bybit", bybit_usdt_perpetual);
  if (upbit.empty() || bybit.empty()) {
    return upbit + bybit;
  }
  return upbit + ", " + bybit;
}

// Why a coin listed on both fails the turnover minimum, naming each venue it fails on; empty when it passes.
std::string turnover_shortfall(const ListedCoin& coin, std::int64_t minimum) {
  std::string reason;
  const auto check = [&](std::int64_t turnover, std::string_view venue) {
    if (turnover >= minimum) {
      return;
    }
    if (!reason.empty()) {
      reason += ", ";
    }
    reason += fmt::format("24 h turnover {} KRW below {} on {}", turnover, minimum, venue);
  };
  check(coin.upbit_turnover_24h_krw, "upbit");
  check(coin.bybit_turnover_24h_krw, "bybit");
  return reason;
}

// How many coins were left out for each reason, for the error that reports an empty selection.
struct ExclusionCounts {
  std::size_t blacklisted = 0;
  std::size_t below_minimum = 0;
  std::size_t beyond_top_n = 0;
  std::size_t not_chosen = 0;        // listed on both, not explicit, coin selection disabled
  std::size_t explicit_missing = 0;  // explicit coins not listed on both venues
};

Error empty_selection(const config::StrategyConfig& config, const VenueListings& listings,
                      std::size_t listed_on_both_count, const ExclusionCounts& counts) {
  if (listed_on_both_count == 0) {
    return Error{
        ErrorCode::kFailedPrecondition,
        {},
        fmt::format("no coin to monitor: none is listed on both venues (upbit: {} trading KRW markets "
                    "among {} instruments, bybit: {} trading USDT perpetuals among {} instruments)",
                    by_base(listings.upbit, upbit_krw_market).size(), listings.upbit.size(),
                    by_base(listings.bybit, bybit_usdt_perpetual).size(), listings.bybit.size())};
  }
  std::string why = fmt::format("no coin to monitor: all {} coins listed on both venues were left out (",
                                listed_on_both_count);
  std::string parts;
  const auto part = [&](std::size_t count, const std::string& text) {
    if (count == 0) {
      return;
    }
    parts += parts.empty() ? "" : ", ";
    parts += fmt::format("{} {}", count, text);
  };
  part(counts.blacklisted, "blacklisted");
  part(counts.below_minimum,
       fmt::format("below the 24 h turnover minimum of {} KRW", config.coin_selection.min_turnover_24h_krw));
  part(counts.beyond_top_n, fmt::format("beyond top_n {}", config.coin_selection.top_n));
  part(counts.not_chosen, "not in strategy.coins with coin_selection disabled");
  why += parts + ")";
  if (!config.coins.empty()) {
    why += fmt::format("; {} of the {} coins in strategy.coins are not listed on both venues",
                       counts.explicit_missing, config.coins.size());
  }
  return Error{ErrorCode::kFailedPrecondition, {}, std::move(why)};
}

}  // namespace

std::vector<ListedCoin> listed_on_both(const VenueListings& listings) {
  const auto upbit = by_base(listings.upbit, upbit_krw_market);
  const auto bybit = by_base(listings.bybit, bybit_usdt_perpetual);
  const auto upbit_turnover = upbit_turnovers(listings.upbit_tickers);
  const auto bybit_turnover = bybit_turnovers(listings.bybit_tickers, listings.usd_krw);
  std::vector<ListedCoin> coins;
  // Both maps are ordered by base coin, so the result comes out sorted.
  for (const auto& [base, upbit_instrument] : upbit) {
    const auto found = bybit.find(base);
    if (found == bybit.end()) {
      continue;
    }
    const model::Instrument& bybit_instrument = *found->second;
    coins.push_back(ListedCoin{
        .coin = std::string(base),
        .upbit_market = upbit_instrument->symbol,
        .bybit_symbol = bybit_instrument.symbol,
        .upbit_turnover_24h_krw = turnover_of(upbit_turnover, upbit_instrument->symbol),
        .bybit_turnover_24h_krw = turnover_of(bybit_turnover, bybit_instrument.symbol),
    });
  }
  return coins;
}

Result<CoinSelection> select_coins(const config::StrategyConfig& config, const VenueListings& listings) {
  const config::CoinSelectionConfig& rules = config.coin_selection;
  if (rules.enabled && !listings.usd_krw.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("usd_krw {} is not positive: Bybit 24 h turnover cannot be compared in KRW",
                                  listings.usd_krw));
  }
  const std::vector<ListedCoin> both = listed_on_both(listings);
  CoinSelection selection;
  ExclusionCounts counts;
  const auto chosen = [&](std::string_view coin) { return find_coin(selection.coins, coin) != nullptr; };

  for (const std::string& coin : config.coins) {
    // A repeated coin is refused by config validation; here it is simply taken once.
    if (chosen(coin) || std::any_of(selection.excluded.begin(), selection.excluded.end(),
                                    [&](const auto& entry) { return entry.first == coin; })) {
      continue;
    }
    if (contains(rules.blacklist, coin)) {
      selection.excluded.emplace_back(coin, "blacklisted");
      ++counts.blacklisted;
    } else if (const ListedCoin* listed = find_coin(both, coin); listed != nullptr) {
      selection.coins.push_back(*listed);
    } else {
      selection.excluded.emplace_back(coin, absence_reason(listings, coin));
      ++counts.explicit_missing;
    }
  }

  std::vector<const ListedCoin*> candidates;
  for (const ListedCoin& listed : both) {
    if (contains(config.coins, listed.coin)) {
      continue;  // taken or left out above
    }
    if (contains(rules.blacklist, listed.coin)) {
      selection.excluded.emplace_back(listed.coin, "blacklisted");
      ++counts.blacklisted;
    } else if (!rules.enabled) {
      selection.excluded.emplace_back(listed.coin, "not in strategy.coins and coin_selection is disabled");
      ++counts.not_chosen;
    } else if (std::string shortfall = turnover_shortfall(listed, rules.min_turnover_24h_krw);
               !shortfall.empty()) {
      selection.excluded.emplace_back(listed.coin, std::move(shortfall));
      ++counts.below_minimum;
    } else {
      candidates.push_back(&listed);
    }
  }
  // `both` is sorted by coin, so a stable sort by turnover breaks ties by coin.
  std::stable_sort(candidates.begin(), candidates.end(), [](const ListedCoin* left, const ListedCoin* right) {
    return ranking_turnover(*left) > ranking_turnover(*right);
  });
  const auto top_n = static_cast<std::size_t>(std::max<std::int32_t>(rules.top_n, 0));
  for (const ListedCoin* candidate : candidates) {
    if (selection.coins.size() < top_n) {
      selection.coins.push_back(*candidate);
    } else {
      selection.excluded.emplace_back(
          candidate->coin,
          fmt::format("beyond top_n {} (24 h turnover {} KRW)", rules.top_n, ranking_turnover(*candidate)));
      ++counts.beyond_top_n;
    }
  }

  if (selection.coins.empty()) {
    return tl::unexpected<Error>(empty_selection(config, listings, both.size(), counts));
  }
  std::stable_sort(selection.excluded.begin(), selection.excluded.end(),
                   [](const auto& left, const auto& right) { return left.first < right.first; });
  return selection;
}

CoinSelector::CoinSelector(config::StrategyConfig config) : config_(std::move(config)) {}

Result<SelectionChange> CoinSelector::refresh(const VenueListings& listings,
                                              std::span<const std::string> keep) {
  KIMP_TRY_ASSIGN(CoinSelection selection, select_coins(config_, listings));
  std::vector<ListedCoin> next = std::move(selection.coins);
  SelectionChange change;
  if (!keep.empty()) {
    const std::vector<ListedCoin> both = listed_on_both(listings);
    for (const std::string& coin : keep) {
      if (find_coin(next, coin) != nullptr) {
        continue;
      }
      // Fresh turnovers when both venues still list it; otherwise the entry it was monitored with, since a
      // position must be closable even after a venue halts or delists the coin.
      const ListedCoin* listed = find_coin(both, coin);
      const ListedCoin* monitored = find_coin(current_, coin);
      if (listed == nullptr && monitored == nullptr) {
        continue;
      }
      next.push_back(listed != nullptr ? *listed : *monitored);
      change.kept.push_back(coin);
    }
  }
  for (const ListedCoin& coin : next) {
    if (find_coin(current_, coin.coin) == nullptr) {
      change.added.push_back(coin);
    }
  }
  for (const ListedCoin& coin : current_) {
    if (find_coin(next, coin.coin) == nullptr) {
      change.removed.push_back(coin.coin);
    }
  }
  current_ = std::move(next);
  excluded_ = std::move(selection.excluded);
  return change;
}

}  // namespace kimp::strategy
