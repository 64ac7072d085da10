// Wiring of the emulator's market and ledger: configuration mapping, accounts, and catching up with time.
#include "sim/server/exchange.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace kimp::sim {
namespace {

double fraction_of_percent(Decimal percent) {
  return percent.to_double() / 100.0;
}

// The model's configuration from the sim config: coins keep their built-in profiles (price, volatility,
// depth), the processes take the configured means and spreads.
Result<MarketConfig> market_config(const SimConfig& config, Timestamp start) {
  const auto& section = config.market;
  MarketConfig market;
  market.seed = section.seed;
  market.start = start;
  market.step = section.step;
  market.coins.clear();
  const auto profiles = default_coins();
  for (const auto& coin : section.coins) {
    const auto profile = std::find_if(profiles.begin(), profiles.end(),
                                      [&coin](const CoinSpec& spec) { return spec.coin == coin; });
    if (profile == profiles.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("the emulator has no market profile for coin {}", coin));
    }
    market.coins.push_back(*profile);
  }
  market.usd_krw_start = section.usd_krw_start.to_double();
  market.premium.mean = fraction_of_percent(section.premium_mean_pct);
  market.premium.daily_sigma = fraction_of_percent(section.premium_daily_sigma_pct);
  market.premium.half_life = section.premium_half_life;
  market.tether_premium.mean = fraction_of_percent(section.tether_premium_pct);
  market.upbit_levels = section.book_levels;
  market.bybit_levels = std::max(section.book_levels, market.bybit_levels);
  if (section.mode == MarketMode::kReplay) {
    market.replay.bybit_capture = section.replay_bybit_capture;
    market.replay.upbit_candles = section.replay_upbit_candles;
  }
  return market;
}

Result<Decimal> rate_of_percent(Decimal percent) {
  return percent.div(Decimal::from_units(100 * Decimal::kUnitsPerOne));
}

Result<LedgerFees> ledger_fees(const FeeConfig& fees) {
  LedgerFees out;
  KIMP_TRY_ASSIGN(out.upbit_rate, rate_of_percent(fees.upbit_pct));
  KIMP_TRY_ASSIGN(out.linear_taker_rate, rate_of_percent(fees.bybit_taker_pct));
  KIMP_TRY_ASSIGN(out.linear_maker_rate, rate_of_percent(fees.bybit_maker_pct));
  return out;
}

UpbitMarketRules upbit_market_rules(std::string_view market) {
  return UpbitMarketRules{upbit_tick_bands(market), kUpbitMinOrderKrw};
}

// Bybit's first risk-limit tier keeps 0.5 % maintenance margin for the major perpetuals; the emulator
// uses it for every symbol's liquidation price.
constexpr Decimal kMaintenanceMarginRate = Decimal::from_units(500'000);

LinearInstrumentRules linear_rules(const BybitInstrument& instrument) {
  return LinearInstrumentRules{instrument.tick_size,     instrument.qty_step,
                               instrument.min_order_qty, instrument.min_notional_value,
                               instrument.max_leverage,  kMaintenanceMarginRate};
}

}  // namespace

Exchange::Exchange(SimConfig config, const Clock& clock, std::unique_ptr<MarketModel> market, Ledger ledger)
    : config_(std::move(config)),
      clock_(clock),
      started_at_(clock.now()),
      model_start_(market->now()),
      market_(std::move(market)),
      ledger_(std::move(ledger)) {}

Result<std::unique_ptr<Exchange>> Exchange::create(const SimConfig& config, const Clock& clock) {
  KIMP_TRY_ASSIGN(auto model_config, market_config(config, clock.now()));
  KIMP_TRY_ASSIGN(auto model, MarketModel::create(std::move(model_config)));
  KIMP_TRY_ASSIGN(const auto fees, ledger_fees(config.fees));
  Ledger ledger(fees);
  for (const auto& symbol : model.symbols(Venue::kUpbit)) {
    ledger.set_upbit_market(symbol, upbit_market_rules(symbol));
  }
  for (const auto& symbol : model.symbols(Venue::kBybit)) {
    const BybitInstrument* instrument = model.instruments().find(symbol);
    if (instrument == nullptr) {
      return make_error(ErrorCode::kInternal, fmt::format("no instrument for Bybit symbol {}", symbol));
    }
    ledger.set_linear_instrument(symbol, linear_rules(*instrument));
    KIMP_TRY_ASSIGN(const auto funding, model.funding(symbol));
    KIMP_TRY(ledger.set_mark_price(symbol, funding.mark_price));
  }
  auto exchange = std::unique_ptr<Exchange>(
      new Exchange(config, clock, std::make_unique<MarketModel>(std::move(model)), std::move(ledger)));
  for (const auto& account : config.accounts) {
    KIMP_TRY(exchange->add_account(account));
  }
  return exchange;
}

Status Exchange::sync() {
  const Timestamp target = model_start_ + (clock_.now() - started_at_);
  // Funding falls due at fixed times: the model stops at each one so positions settle at that
  // instant's mark with the rate announced for it, before later books are seen.
  for (;;) {
    std::optional<Timestamp> due;
    std::vector<std::pair<std::string, Decimal>> rates;
    for (const auto& symbol : market_->symbols(Venue::kBybit)) {
      KIMP_TRY_ASSIGN(const auto funding, market_->funding(symbol));
      // The model stops on its step grid, at or just before the funding instant, where it still
      // announces that instant: a settlement already made must not be made again.
      const auto settled = last_funding_.find(symbol);
      if (funding.next_funding_time > target || (due && funding.next_funding_time > *due) ||
          (settled != last_funding_.end() && funding.next_funding_time <= settled->second)) {
        continue;
      }
      if (!due || funding.next_funding_time < *due) {
        rates.clear();
        due = funding.next_funding_time;
      }
      rates.emplace_back(symbol, funding.funding_rate);
    }
    if (!due) {
      break;
    }
    KIMP_TRY(advance_market(*due));
    for (const auto& [symbol, rate] : rates) {
      KIMP_TRY_ASSIGN(const auto funding, market_->funding(symbol));
      KIMP_TRY(ledger_.settle_funding(symbol, rate, funding.mark_price, *due));
      funding_history_.push_back({symbol, rate, *due});
      last_funding_[symbol] = *due;
    }
  }
  return advance_market(target);
}

Status Exchange::advance_market(Timestamp target) {
  const auto before = market_->step_count();
  KIMP_TRY(market_->advance_to(target));
  if (market_->step_count() == before) {
    return ok();
  }
  const Timestamp at = market_->now();
  for (const auto& symbol : market_->symbols(Venue::kUpbit)) {
    KIMP_TRY(ledger_.on_upbit_book(symbol, *market_->book(Venue::kUpbit, symbol), at));
  }
  for (const auto& symbol : market_->symbols(Venue::kBybit)) {
    KIMP_TRY_ASSIGN(const auto funding, market_->funding(symbol));
    KIMP_TRY(ledger_.set_mark_price(symbol, funding.mark_price));
    KIMP_TRY(ledger_.on_linear_book(symbol, *market_->book(Venue::kBybit, symbol), at));
  }
  return ok();
}

const ApiKey* Exchange::upbit_key(std::string_view access_key) const {
  const auto found = upbit_keys_.find(access_key);
  return found == upbit_keys_.end() ? nullptr : &found->second;
}

const ApiKey* Exchange::bybit_key(std::string_view api_key) const {
  const auto found = bybit_keys_.find(api_key);
  return found == bybit_keys_.end() ? nullptr : &found->second;
}

Status Exchange::add_account(const AccountConfig& account) {
  if (upbit_keys_.contains(account.upbit_access_key) || bybit_keys_.contains(account.bybit_api_key)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("an API key of account {} is already registered", account.name));
  }
  // Built on a copy of the ledger and committed only when every deposit succeeded, so a failure
  // (a negative or overflowing balance, an empty coin name) leaves no half-made account behind.
  Ledger candidate = ledger_;
  KIMP_TRY(candidate.create_account(account.name));
  const auto deposit = [&](const std::string& currency, Decimal amount) -> Status {
    if (amount.is_negative()) {
      return make_error(
          ErrorCode::kInvalidArgument,
          fmt::format("account {} has a negative starting balance of {}", account.name, currency));
    }
    return amount.is_zero() ? ok() : candidate.fund_upbit(account.name, currency, amount);
  };
  KIMP_TRY(deposit("KRW", account.krw));
  for (const auto& [coin, amount] : account.coins) {
    if (coin.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("account {} has an empty coin name", account.name));
    }
    KIMP_TRY(deposit(coin, amount));
  }
  if (account.usdt.is_negative()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("account {} has a negative starting balance of USDT", account.name));
  }
  if (account.usdt.is_positive()) {
    KIMP_TRY(candidate.fund_usdt(account.name, account.usdt));
  }
  ledger_ = std::move(candidate);
  upbit_keys_.emplace(account.upbit_access_key, ApiKey{account.name, account.upbit_secret_key, std::nullopt});
  bybit_keys_.emplace(account.bybit_api_key, ApiKey{account.name, account.bybit_api_secret, std::nullopt});
  return ok();
}

Status Exchange::reset() {
  ledger_.reset();
  upbit_keys_.clear();
  bybit_keys_.clear();
  for (const auto& account : config_.accounts) {
    KIMP_TRY(add_account(account));
  }
  return ok();
}

}  // namespace kimp::sim
