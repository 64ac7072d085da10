// The market model's processes (random walks and Ornstein–Uhlenbeck premia), replay wiring, books and
// statistics.
#include "sim/market/market_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "core/text.hpp"

namespace kimp::sim {
namespace {

constexpr double kNsPerDay = 86'400.0 * 1e9;

double days(Duration span) {
  return static_cast<double>(span.count()) / kNsPerDay;
}

// The grid price nearest to `price`.
Result<Decimal> nearest(double price, const TickGrid& grid) {
  KIMP_TRY_ASSIGN(const Decimal below, grid.floor(price));
  const double tick = grid.tick_at(below).to_double();
  return price - below.to_double() >= tick / 2 ? below.add(grid.tick_at(below)) : Result<Decimal>(below);
}

double book_mid(const OrderBook& book) {
  return (book.bids.front().price.to_double() + book.asks.front().price.to_double()) / 2.0;
}

}  // namespace

std::vector<CoinSpec> default_coins() {
  return {
      {"BTC", 115'000.0, 0.03, 35'000.0, 250'000.0, 250'000'000.0, 5'000'000'000.0},
      {"ETH", 4'200.0, 0.04, 20'000.0, 150'000.0, 150'000'000.0, 3'000'000'000.0},
      {"SOL", 180.0, 0.05, 10'000.0, 60'000.0, 60'000'000.0, 1'000'000'000.0},
      {"XRP", 3.0, 0.05, 15'000.0, 60'000.0, 300'000'000.0, 800'000'000.0},
      {"DOGE", 0.22, 0.06, 10'000.0, 40'000.0, 100'000'000.0, 500'000'000.0},
  };
}

MarketModel::MarketModel(MarketConfig config)
    : config_(std::move(config)), rng_(config_.seed), now_(config_.start) {}

Result<MarketModel> MarketModel::create(MarketConfig config) {
  if (config.step.count() <= 0 || config.upbit_levels <= 0 || config.bybit_levels <= 0 ||
      !(config.usd_krw_start > 0.0)) {
    return make_error(ErrorCode::kInvalidArgument, "market step, level counts and USD/KRW must be positive");
  }
  for (const CoinSpec& coin : config.coins) {
    if (!(coin.start_price_usdt > 0.0) || !(coin.upbit_top_usdt > 0.0) || !(coin.bybit_top_usdt > 0.0)) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("coin {} needs a positive start price and level values", coin.coin));
    }
    if (config.instruments.find(coin.coin + "USDT") == nullptr) {
      return make_error(ErrorCode::kInvalidArgument, fmt::format("no Bybit instrument {}USDT", coin.coin));
    }
  }
  MarketModel model(std::move(config));
  KIMP_TRY(model.init());
  return model;
}

MarketModel::Ou MarketModel::make_ou(const OuSpec& spec) const {
  const double theta = std::numbers::ln2 / days(spec.half_life);
  const double decay = std::exp(-theta * step_days());
  // The exact discretisation of dX = -theta (X - mean) dt + sigma dW over one step.
  const double spread = spec.daily_sigma * std::sqrt((1.0 - decay * decay) / (2.0 * theta));
  return Ou{spec.start.value_or(spec.mean), spec.mean, decay, spread};
}

void MarketModel::step_ou(Ou& process) {
  process.value =
      process.mean + (process.value - process.mean) * process.decay + process.spread * rng_.normal();
}

double MarketModel::step_days() const {
  return days(config_.step);
}

Status MarketModel::init() {
  const ReplaySpec& replay = config_.replay;
  if (!replay.bybit_capture.empty()) {
    KIMP_TRY_ASSIGN(BybitCaptureReplay loaded, BybitCaptureReplay::load(replay.bybit_capture));
    bybit_replay_ = std::make_unique<BybitCaptureReplay>(std::move(loaded));
    now_ = bybit_replay_->first_event();
    bybit_replay_->advance_to(now_);
    if (!replay.upbit_candles.empty()) {
      KIMP_TRY_ASSIGN(UpbitCandleReplay candles,
                      UpbitCandleReplay::load(replay.upbit_candles, replay.upbit_candle_interval));
      upbit_replay_ = std::make_unique<UpbitCandleReplay>(std::move(candles));
    }
  }
  const double steps_per_day = 1.0 / step_days();
  log_usd_krw_ = std::log(config_.usd_krw_start);
  fx_step_sigma_ = config_.usd_krw_daily_sigma * std::sqrt(step_days());
  tether_ = make_ou(config_.tether_premium);
  const std::size_t history = std::max<std::size_t>(config_.candle_minutes, 1'440);
  const auto add_instrument = [&](Venue venue, std::string symbol, TickGrid grid, Decimal lot,
                                  double top_usdt, double daily_volume_usdt) {
    const std::int32_t levels = venue == Venue::kUpbit ? config_.upbit_levels : config_.bybit_levels;
    instruments_.push_back(Instrument{venue, std::move(symbol), std::move(grid),
                                      LadderSpec{levels, 0.0, 0.08, lot}, top_usdt,
                                      daily_volume_usdt / steps_per_day, 0.0, 0.0, 0.0, Decimal(),
                                      CandleSeries(history), OrderBook{}, nullptr});
    return instruments_.size() - 1;
  };
  for (const CoinSpec& spec : config_.coins) {
    Coin coin;
    coin.coin = spec.coin;
    coin.log_perp = std::log(spec.start_price_usdt);
    coin.step_sigma = spec.daily_sigma * std::sqrt(step_days());
    coin.premium = make_ou(config_.premium);
    coin.funding = make_ou(config_.funding_rate);
    coin.basis = make_ou(config_.basis);
    coin.rules = config_.instruments.find(spec.coin + "USDT");
    const std::string market = "KRW-" + spec.coin;
    coin.upbit = add_instrument(Venue::kUpbit, market, TickGrid::upbit(market), kUpbitQtyStep,
                                spec.upbit_top_usdt, spec.upbit_daily_volume_usdt);
    coin.bybit = add_instrument(Venue::kBybit, coin.rules->symbol, TickGrid::fixed(coin.rules->tick_size),
                                coin.rules->qty_step, spec.bybit_top_usdt, spec.bybit_daily_volume_usdt);
    coin.replay_upbit = upbit_replay_ != nullptr && spec.coin == "BTC";
    coins_.push_back(std::move(coin));
  }
  usdt_ = add_instrument(Venue::kUpbit, "KRW-USDT", TickGrid::upbit("KRW-USDT"), kUpbitQtyStep,
                         config_.usdt_top_usdt, config_.usdt_daily_volume_usdt);
  set_mids();
  for (Instrument& instrument : instruments_) {
    KIMP_TRY_ASSIGN(const BestPrices best, best_prices(instrument.mid, instrument.grid));
    instrument.last_price = best.bid;
    // The opening price stands as an empty first candle, so tickers and candles answer from the first
    // instant rather than after the first step's trades.
    instrument.candles.record(now_, instrument.last_price, 0.0);
  }
  return rebuild_books();
}

void MarketModel::set_mids() {
  const double usd_krw = std::exp(log_usd_krw_);
  for (const Coin& coin : coins_) {
    Instrument& perp = instruments_[coin.bybit];
    const OrderBook* recorded = bybit_replay_ ? bybit_replay_->book(perp.symbol) : nullptr;
    perp.replayed = recorded;
    perp.mid = recorded != nullptr ? book_mid(*recorded) : std::exp(coin.log_perp);
    perp.mid_usdt = perp.mid;
    Instrument& spot = instruments_[coin.upbit];
    if (coin.replay_upbit) {
      const Duration since_start = now_ - bybit_replay_->first_event();
      spot.mid = upbit_replay_->mid_at(config_.replay.upbit_candles_at_start + since_start);
    } else {
      spot.mid = perp.mid * usd_krw * (1.0 + coin.premium.value);
    }
    spot.mid_usdt = perp.mid;
  }
  Instrument& usdt = instruments_[usdt_];
  usdt.mid = usd_krw * (1.0 + tether_.value);
  usdt.mid_usdt = 1.0;
}

Status MarketModel::advance_to(Timestamp until) {
  const bool moved = now_ + config_.step <= until;
  while (now_ + config_.step <= until) {
    KIMP_TRY(take_step());
  }
  return moved ? rebuild_books() : ok();
}

Status MarketModel::take_step() {
  now_ += config_.step;
  ++step_count_;
  if (bybit_replay_) {
    bybit_replay_->advance_to(now_);
  }
  // Every process draws on every step, in a fixed order, so a replayed coin leaves the others' paths as
  // they would be in synthetic mode.
  log_usd_krw_ += -0.5 * fx_step_sigma_ * fx_step_sigma_ + fx_step_sigma_ * rng_.normal();
  step_ou(tether_);
  for (Coin& coin : coins_) {
    coin.log_perp += -0.5 * coin.step_sigma * coin.step_sigma + coin.step_sigma * rng_.normal();
    step_ou(coin.premium);
    step_ou(coin.funding);
    step_ou(coin.basis);
  }
  for (Instrument& instrument : instruments_) {
    instrument.previous_mid = instrument.mid;
  }
  set_mids();
  return record_trades();
}

Status MarketModel::record_trades() {
  for (Instrument& instrument : instruments_) {
    BestPrices best;
    if (instrument.replayed != nullptr) {
      best = BestPrices{instrument.replayed->bids.front().price, instrument.replayed->asks.front().price};
    } else {
      KIMP_TRY_ASSIGN(best, best_prices(instrument.mid, instrument.grid));
    }
    // Buyers lift the ask as the price rises and sellers hit the bid as it falls.
    instrument.last_price = instrument.mid >= instrument.previous_mid ? best.ask : best.bid;
    const double value_usdt = instrument.volume_usdt_per_step * (0.5 + rng_.uniform());
    instrument.candles.record(now_, instrument.last_price, value_usdt / instrument.mid_usdt);
  }
  return ok();
}

Status MarketModel::rebuild_books() {
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    Instrument& instrument = instruments_[i];
    if (instrument.replayed != nullptr) {
      continue;
    }
    instrument.ladder.top_quantity = instrument.top_usdt / instrument.mid_usdt;
    KIMP_TRY_ASSIGN(instrument.book, build_book(instrument.mid, instrument.grid, instrument.ladder,
                                                {config_.seed, i, step_count_}));
    instrument.book.ts_event = now_;
    instrument.book.update_id = step_count_ + 1;
  }
  return ok();
}

std::vector<std::string> MarketModel::symbols(Venue venue) const {
  std::vector<std::string> out;
  for (const Instrument& instrument : instruments_) {
    if (instrument.venue == venue) {
      out.push_back(instrument.symbol);
    }
  }
  return out;
}

const MarketModel::Instrument* MarketModel::find(Venue venue, std::string_view symbol) const {
  for (const Instrument& instrument : instruments_) {
    if (instrument.venue == venue && instrument.symbol == symbol) {
      return &instrument;
    }
  }
  return nullptr;
}

const OrderBook* MarketModel::book(Venue venue, std::string_view symbol) const {
  const Instrument* instrument = find(venue, symbol);
  if (instrument == nullptr) {
    return nullptr;
  }
  return instrument->replayed != nullptr ? instrument->replayed : &instrument->book;
}

Decimal MarketModel::usd_krw() const {
  return Decimal::from_units(std::llround(std::exp(log_usd_krw_) * 100.0) * (Decimal::kUnitsPerOne / 100));
}

std::optional<double> MarketModel::premium(std::string_view coin) const {
  for (const Coin& entry : coins_) {
    if (entry.coin == coin) {
      const double perp = instruments_[entry.bybit].mid;
      return instruments_[entry.upbit].mid / (perp * std::exp(log_usd_krw_)) - 1.0;
    }
  }
  return std::nullopt;
}

Status MarketModel::jump_premium(std::string_view coin, Decimal pct) {
  const auto found =
      std::find_if(coins_.begin(), coins_.end(), [coin](const Coin& entry) { return entry.coin == coin; });
  if (found == coins_.end()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown coin {}", quote_input(coin)));
  }
  if (found->replay_upbit) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("KRW-{} follows the replayed candles, which no premium drives", coin));
  }
  const double jumped = found->premium.value + pct.to_double() / 100.0;
  if (!(jumped > -1.0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("a jump of {} points would take KRW-{} to zero or below", pct, coin));
  }
  found->premium.value = jumped;
  set_mids();
  return rebuild_books();
}

Result<TickerStats> MarketModel::ticker(Venue venue, std::string_view symbol) const {
  const Instrument* instrument = find(venue, symbol);
  if (instrument == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown symbol {}", quote_input(symbol)));
  }
  const auto rolling = instrument->candles.rolling(now_, std::chrono::hours(24));
  if (!rolling) {
    return make_error(ErrorCode::kFailedPrecondition,
                      fmt::format("{} has not traded in the last 24 h", symbol));
  }
  return TickerStats{instrument->last_price, rolling->open,   rolling->high,
                     rolling->low,           rolling->volume, rolling->turnover};
}

Result<FundingState> MarketModel::funding(std::string_view bybit_symbol) const {
  for (const Coin& coin : coins_) {
    if (coin.rules->symbol != bybit_symbol) {
      continue;
    }
    const Instrument& perp = instruments_[coin.bybit];
    FundingState state;
    KIMP_TRY_ASSIGN(state.mark_price, nearest(perp.mid, perp.grid));
    KIMP_TRY_ASSIGN(state.index_price, nearest(perp.mid / (1.0 + coin.basis.value), perp.grid));
    constexpr std::int64_t kRateUnit = Decimal::kUnitsPerOne / 1'000'000;  // Bybit quotes rates to 1e-6 here
    const auto rate = Decimal::from_units(std::llround(coin.funding.value * 1e6) * kRateUnit);
    state.funding_rate = std::clamp(rate, coin.rules->lower_funding_rate, coin.rules->upper_funding_rate);
    state.interval_minutes = coin.rules->funding_interval_minutes;
    const std::int64_t interval_ns = std::int64_t{state.interval_minutes} * 60'000'000'000;
    // Settlements fall on multiples of the interval since the epoch: 00:00, 08:00 and 16:00 UTC for 8 h.
    state.next_funding_time = Timestamp::from_ns((now_.ns() / interval_ns + 1) * interval_ns);
    return state;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown Bybit symbol {}", quote_input(bybit_symbol)));
}

Result<std::vector<Candle>> MarketModel::candles(Venue venue, std::string_view symbol,
                                                 std::size_t count) const {
  const Instrument* instrument = find(venue, symbol);
  if (instrument == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("unknown symbol {}", quote_input(symbol)));
  }
  const auto& all = instrument->candles.candles();
  const std::size_t take = std::min(count, all.size());
  return std::vector<Candle>(all.end() - static_cast<std::ptrdiff_t>(take), all.end());
}

}  // namespace kimp::sim
