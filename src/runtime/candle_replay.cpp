// CandleReplay: joins the candle files and drives the PairTrader through them on a SimClock.
#include "runtime/candle_replay.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "market/premium.hpp"

namespace kimp::runtime {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

Decimal units(std::int64_t digits, int scale) {
  return config::decimal_literal(digits, scale);
}

// The smallest spacing between consecutive candles.
Duration min_spacing(const std::vector<market::Candle>& candles) {
  Duration spacing = Duration::max();
  for (std::size_t i = 1; i < candles.size(); ++i) {
    spacing = std::min(spacing, candles[i].open_time - candles[i - 1].open_time);
  }
  return spacing;
}

Status check_interval(const std::vector<market::Candle>& candles, Duration interval, std::string_view which) {
  for (const market::Candle& candle : candles) {
    if (candle.open_time.ns() % interval.count() != 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("the {} candle at {} is not aligned to the bar interval of {} s", which,
                                    candle.open_time.to_iso8601(),
                                    std::chrono::duration_cast<std::chrono::seconds>(interval).count()));
    }
  }
  const Duration spacing = min_spacing(candles);
  if (candles.size() > 1 && spacing != interval) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("the {} candles are {} s apart but the bar interval is {} s", which,
                                  std::chrono::duration_cast<std::chrono::seconds>(spacing).count(),
                                  std::chrono::duration_cast<std::chrono::seconds>(interval).count()));
  }
  return ok();
}

}  // namespace

model::Instrument replay_upbit_rules(const std::string& coin) {
  model::Instrument rules;
  rules.venue = model::Venue::kUpbit;
  rules.symbol = model::Symbol::create("KRW-" + coin).value_or(model::Symbol{});
  rules.base = coin;
  rules.quote = "KRW";
  rules.qty_step = Decimal::from_units(1);
  rules.min_qty = Decimal::from_units(1);
  rules.min_notional = units(5000, 0);
  return rules;
}

model::Instrument replay_bybit_rules(const std::string& coin) {
  model::Instrument rules;
  rules.venue = model::Venue::kBybit;
  rules.symbol = model::Symbol::create(coin + "USDT").value_or(model::Symbol{});
  rules.base = coin;
  rules.quote = "USDT";
  rules.tick_size = units(1, 1);
  rules.qty_step = units(1, 3);
  rules.min_qty = units(1, 3);
  rules.min_notional = units(5, 0);
  return rules;
}

Result<JoinedBars> join_candles(const std::vector<market::Candle>& upbit,
                                const std::vector<market::Candle>& usdt,
                                const std::vector<market::DailyRate>& usd_krw, Duration interval,
                                Duration fx_max_age) {
  KIMP_TRY(check_interval(upbit, interval, "Upbit"));
  KIMP_TRY(check_interval(usdt, interval, "USDT"));
  JoinedBars joined;
  std::size_t u = 0;
  std::size_t t = 0;
  std::size_t fx = 0;  // first rate not yet known at the current bar's close
  while (u < upbit.size() && t < usdt.size()) {
    if (upbit[u].open_time < usdt[t].open_time) {
      ++joined.upbit_only;
      ++u;
      continue;
    }
    if (usdt[t].open_time < upbit[u].open_time) {
      ++joined.usdt_only;
      ++t;
      continue;
    }
    const Timestamp close = upbit[u].open_time + interval;
    while (fx < usd_krw.size() && usd_krw[fx].date + kDay <= close) {
      ++fx;
    }
    const Duration age = fx == 0 ? Duration::max() : close - (usd_krw[fx - 1].date + kDay);
    if (fx == 0 || age > fx_max_age) {
      ++joined.without_fx;
    } else {
      joined.bars.push_back({upbit[u].open_time, upbit[u].close, usdt[t].close, usd_krw[fx - 1].close, age});
    }
    ++u;
    ++t;
  }
  joined.upbit_only += upbit.size() - u;
  joined.usdt_only += usdt.size() - t;
  if (joined.bars.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("no bar has both candles and a usable USD/KRW rate ({} Upbit only, {} USDT only, "
                    "{} without a rate)",
                    joined.upbit_only, joined.usdt_only, joined.without_fx));
  }
  return joined;
}

namespace {

strategy::GateLimits replay_gate(const config::Config& config) {
  strategy::GateLimits limits = strategy::GateLimits::from(config);
  limits.fx_max_age = std::chrono::hours(24) * config.replay.daily_fx_max_age_days;
  return limits;
}

}  // namespace

CandleReplay::CandleReplay(const config::Config& config, const std::string& coin, TraderListeners listeners)
    : config_(config),
      slippage_fraction_(config.replay.fill_slippage_pct.div(units(100, 0)).value_or(Decimal{})),
      executor_(clock_, execution::SimExecutorOptions::from(config)),
      risk_(config.risk, Timestamp{}),
      trader_(config, replay_gate(config), clock_, executor_, risk_, io_.get_executor(),
              std::move(listeners)) {
  coin_ = trader_.add_coin({coin, replay_upbit_rules(coin), replay_bybit_rules(coin)});
}

CoinQuote CandleReplay::quote_of(const ReplayBar& bar) const {
  const Decimal one = units(1, 0);
  const Decimal up = one.add(slippage_fraction_).value_or(one);
  const Decimal down = one.sub(slippage_fraction_).value_or(one);
  const auto moved = [](Decimal price, Decimal factor, RoundingMode mode) {
    return price.mul(factor, mode).value_or(price);
  };
  CoinQuote quote;
  const Timestamp now = clock_.now();
  quote.upbit = {moved(bar.upbit_close, down, RoundingMode::kDown),
                 moved(bar.upbit_close, up, RoundingMode::kUp), now, true};
  quote.bybit = {moved(bar.usdt_close, down, RoundingMode::kDown),
                 moved(bar.usdt_close, up, RoundingMode::kUp), now, true};
  return quote;
}

void CandleReplay::run_executions() {
  if (trader_.in_flight() > 0) {
    io_.restart();
    io_.poll();
  }
}

Status CandleReplay::step(const ReplayBar& bar) {
  const Timestamp close = bar.open_time + config_.engine.bar_interval;
  if (bars_ > 0 && bar.open_time < last_close_) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("bar at {} is before the previous bar's close {}",
                                  bar.open_time.to_iso8601(), last_close_.to_iso8601()));
  }
  KIMP_TRY(clock_.advance_to(close));
  if (bars_ == 0) {
    first_open_ = bar.open_time;
  }
  ++bars_;
  last_close_ = close;
  last_bar_ = bar;
  const FxView fx{bar.usd_krw, bar.fx_age, false, bar.usd_krw};
  trader_.on_quote(coin_, quote_of(bar), fx);
  run_executions();
  market::Bar closed;
  closed.coin = coin_;
  closed.open_time = bar.open_time;
  closed.upbit_close = bar.upbit_close;
  closed.bybit_close = bar.usdt_close;
  closed.usd_krw = bar.usd_krw;
  closed.premium = market::premium(bar.upbit_close, bar.usdt_close, bar.usd_krw);
  closed.samples = 1;
  trader_.on_bar(closed);
  return ok();
}

void CandleReplay::finish() {
  if (bars_ == 0) {
    return;
  }
  const FxView fx{last_bar_.usd_krw, last_bar_.fx_age, false, last_bar_.usd_krw};
  trader_.close_all({quote_of(last_bar_)}, fx, strategy::ExitReason::kEndOfData);
  run_executions();
}

Result<std::string> replay_candles(const config::Config& config, const std::string& coin,
                                   const CandleFiles& files, const std::string& out_dir) {
  KIMP_TRY_ASSIGN(const std::vector<market::Candle> upbit, market::read_candles(files.upbit));
  KIMP_TRY_ASSIGN(const std::vector<market::Candle> usdt, market::read_candles(files.usdt));
  KIMP_TRY_ASSIGN(const std::vector<market::DailyRate> usd_krw,
                  market::read_daily_rates(files.usd_krw_daily));
  KIMP_TRY_ASSIGN(const JoinedBars joined, join_candles(upbit, usdt, usd_krw, config.engine.bar_interval,
                                                        kDay * config.replay.daily_fx_max_age_days));
  ReplayReport report;
  report.fill_model = "candle_close_slippage";
  report.sizing = "configured_notional";
  report.config = &config;
  report.input = {{"bars_upbit_only", joined.upbit_only},
                  {"bars_usdt_only", joined.usdt_only},
                  {"bars_without_fx", joined.without_fx}};
  TraderListeners listeners;
  listeners.on_series = [&report](const SeriesRow& row) { report.series.push_back(row); };
  CandleReplay replay(config, coin, std::move(listeners));
  for (const ReplayBar& bar : joined.bars) {
    KIMP_TRY(replay.step(bar));
  }
  replay.finish();
  report.run = replay.run();
  KIMP_TRY(write_replay_report(out_dir, report));
  return replay_summary_json(report);
}

}  // namespace kimp::runtime
