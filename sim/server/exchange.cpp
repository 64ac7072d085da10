// Wiring of the emulator's market and ledger: configuration mapping, accounts, and catching up with time.
#include "sim/server/exchange.hpp"

#include <algorithm>
#include <cmath>
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
  // Faster streams need books that change as often; the volatility per unit of time stays.
  const auto step_ns = static_cast<double>(Duration(section.step).count()) / config.streams.speed;
  market.step = std::max(Duration(1), Duration(static_cast<Duration::rep>(std::llround(step_ns))));
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

Exchange::Exchange(SimConfig config, Clock& clock, std::unique_ptr<MarketModel> market, Ledger ledger)
    : config_(std::move(config)),
      clock_(clock),
      faults_(FaultConfig{}),
      started_at_(clock.now()),
      model_start_(market->now()),
      market_(std::move(market)),
      ledger_(std::move(ledger)) {}

Result<std::unique_ptr<Exchange>> Exchange::create(const SimConfig& config, Clock& clock) {
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
  KIMP_TRY(exchange->configure_faults(config.faults));
  return exchange;
}

Result<std::optional<Exchange::DueFunding>> Exchange::next_funding(Timestamp target) const {
  std::optional<DueFunding> due;
  for (const auto& symbol : market_->symbols(Venue::kBybit)) {
    KIMP_TRY_ASSIGN(const auto funding, market_->funding(symbol));
    // The model stops on its step grid, at or just before the funding instant, where it still
    // announces that instant: a settlement already made must not be made again.
    const auto settled = last_funding_.find(symbol);
    if (funding.next_funding_time > target || (due && funding.next_funding_time > due->at) ||
        (settled != last_funding_.end() && funding.next_funding_time <= settled->second)) {
      continue;
    }
    if (!due || funding.next_funding_time < due->at) {
      due = DueFunding{funding.next_funding_time, {}};
    }
    due->rates.emplace_back(symbol, funding.funding_rate);
  }
  return due;
}

std::optional<std::size_t> Exchange::next_jump(Timestamp now) const {
  const auto& jumps = faults_.config().market.premium_jumps;
  std::optional<std::size_t> next;
  for (std::size_t i = 0; i < jumps.size(); ++i) {
    if (!jumps_done_[i] && faults_since_ + jumps[i].after <= now &&
        (!next || jumps[i].after < jumps[*next].after)) {
      next = i;
    }
  }
  return next;
}

Status Exchange::sync() {
  const Timestamp now = clock_.now();
  const Timestamp target = model_time(now);
  // Funding and scheduled jumps fall due at fixed times: the model stops at each one, in time order, so
  // positions settle at that instant's mark with the rate announced for it and a jump moves the book
  // of its instant, before later books are seen.
  for (;;) {
    KIMP_TRY_ASSIGN(const auto funding, next_funding(target));
    const std::optional<std::size_t> jump = next_jump(now);
    if (!funding && !jump) {
      break;
    }
    const std::optional<Timestamp> jump_at =
        jump ? std::optional(model_time(faults_since_ + faults_.config().market.premium_jumps[*jump].after))
             : std::nullopt;
    if (funding && (!jump_at || funding->at <= *jump_at)) {
      KIMP_TRY(advance_market(funding->at));
      for (const auto& [symbol, rate] : funding->rates) {
        KIMP_TRY_ASSIGN(const auto state, market_->funding(symbol));
        KIMP_TRY(ledger_.settle_funding(symbol, rate, state.mark_price, funding->at));
        funding_history_.push_back({symbol, rate, funding->at});
        last_funding_[symbol] = funding->at;
      }
      continue;
    }
    KIMP_TRY(advance_market(*jump_at));
    // Marked first, so a jump the model refuses is reported once rather than on every request.
    jumps_done_[*jump] = true;
    const PremiumJump& scheduled = faults_.config().market.premium_jumps[*jump];
    KIMP_TRY(apply_premium_jump(scheduled.coin, scheduled.pct));
  }
  return advance_market(target);
}

Status Exchange::configure_faults(FaultConfig faults) {
  KIMP_TRY(sync());
  const Duration skew = faults.market.clock_skew;
  const bool skew_changed = skew != Duration(faults_.config().market.clock_skew);
  const bool freeze = faults.market.fx_frozen;
  faults_since_ = clock_.now();
  jumps_done_.assign(faults.market.premium_jumps.size(), false);
  faults_.configure(std::move(faults));
  if (skew_changed) {
    skew_ = skew;
    if (skew.count() != 0) {
      for (const FaultVenue venue : {FaultVenue::kUpbit, FaultVenue::kBybit, FaultVenue::kFx}) {
        faults_.record(venue, "clock_skew", "*");
      }
    }
  }
  if (!freeze) {
    frozen_fx_.reset();
  } else if (!frozen_fx_) {
    frozen_fx_ = FxQuote{market_->usd_krw(), now()};
  }
  return sync();
}

Status Exchange::jump_premium(std::string_view coin, Decimal pct) {
  KIMP_TRY(sync());
  return apply_premium_jump(coin, pct);
}

Status Exchange::apply_premium_jump(std::string_view coin, Decimal pct) {
  KIMP_TRY(market_->jump_premium(coin, pct));
  const std::string symbol = fmt::format("KRW-{}", coin);
  KIMP_TRY(ledger_.on_upbit_book(symbol, *market_->book(Venue::kUpbit, symbol), market_->now()));
  faults_.record(FaultVenue::kUpbit, "premium_jump", coin);
  return ok();
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
