// PairTrader: gate and exit evaluation per quote, executions as coroutines, and the pair records.
#include "runtime/pair_trader.hpp"

#include <chrono>
#include <cmath>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "market/premium.hpp"

namespace kimp::runtime {
namespace {

constexpr Duration kExitRetryDelay = std::chrono::seconds(1);

double fraction(Decimal percent) {
  return percent.to_double() / 100.0;
}

Decimal usdt_krw_of(const FxView& fx) {
  return fx.usdt_krw.value_or(fx.usd_krw.value_or(Decimal{}));
}

// (bid + ask) / 2 of a whole book top.
Result<Decimal> mid_of(const strategy::BookTop& top) {
  KIMP_TRY_ASSIGN(const Decimal sum, top.bid.add(top.ask));
  return sum.div(Decimal::from_units(2 * Decimal::kUnitsPerOne));
}

strategy::BookTop top_of(const market::OrderBook* book) {
  strategy::BookTop top;
  if (book == nullptr || !book->valid()) {
    return top;
  }
  const std::optional<model::BookLevel> bid = book->best_bid();
  const std::optional<model::BookLevel> ask = book->best_ask();
  if (bid && ask) {
    top = {bid->price, ask->price, book->ts_recv(), true};
  }
  return top;
}

}  // namespace

CoinQuote quote_from_books(const market::OrderBook* upbit, const market::OrderBook* bybit) {
  CoinQuote quote;
  quote.upbit_book = upbit;
  quote.bybit_book = bybit;
  quote.upbit = top_of(upbit);
  quote.bybit = top_of(bybit);
  return quote;
}

PairTrader::PairTrader(const config::Config& config, strategy::GateLimits gate, const Clock& clock,
                       execution::OrderExecutor& orders, risk::RiskManager& risk,
                       boost::asio::any_io_executor executor, TraderListeners listeners)
    : config_(config),
      gate_(gate),
      exit_limits_{config.strategy.exit_z, config.strategy.position_ttl,
                   fraction(config.strategy.premium_stop_pct)},
      clock_(&clock),
      orders_(&orders),
      risk_(&risk),
      executor_(std::move(executor)),
      listeners_(std::move(listeners)) {}

std::uint32_t PairTrader::add_coin(CoinMarkets markets) {
  coins_.push_back(
      Coin{.markets = std::move(markets),
           .window = strategy::RollingWindow(static_cast<std::size_t>(config_.strategy.window_bars))});
  return static_cast<std::uint32_t>(coins_.size() - 1);
}

void PairTrader::retire_coin(std::uint32_t coin) {
  coins_[coin].retired = true;
}

std::vector<OpenPair> PairTrader::open_pairs() const {
  std::vector<OpenPair> pairs;
  for (const Coin& coin : coins_) {
    if (coin.open) {
      pairs.push_back(*coin.open);
    }
  }
  return pairs;
}

void PairTrader::on_bar(const market::Bar& bar) {
  Coin& coin = coins_[bar.coin];
  ++counters_.bars;
  if (listeners_.on_series) {
    listeners_.on_series(SeriesRow{bar, coin.window.mean(), coin.window.stddev(),
                                   coin.window.z_score(bar.premium), coin.window.size()});
  }
  if (std::isfinite(bar.premium)) {
    coin.window.push(bar.premium);
  }
}

void PairTrader::on_funding(std::uint32_t coin, Decimal rate, Timestamp next_funding_time,
                            Decimal mark_usdt) {
  Coin& state = coins_[coin];
  settle_funding(state, clock_->now());
  state.funding_rate = rate;
  state.next_funding_time = next_funding_time;
  state.mark_usdt = mark_usdt;
}

void PairTrader::settle_funding(Coin& coin, Timestamp now) {
  if (!coin.open || !coin.next_funding_time || !coin.funding_rate) {
    return;
  }
  OpenPair& pair = *coin.open;
  const Timestamp due = *coin.next_funding_time;
  if (due > now || due <= pair.funding_paid_through) {
    return;
  }
  // A short receives qty × mark × rate when the rate is positive and pays it when negative.
  const Result<Decimal> value = pair.entry.bybit.qty.mul(coin.mark_usdt);
  const Result<Decimal> payment = value ? value->mul(*coin.funding_rate) : value;
  const Result<Decimal> total = payment ? pair.funding_usdt.add(*payment) : payment;
  if (!total) {
    log_.error("funding payment not computable",
               {{"coin", coin.markets.coin}, {"error", total.error().describe()}});
    return;
  }
  pair.funding_usdt = *total;
  pair.funding_paid_through = due;
  ++counters_.funding_payments;
  log_.info("funding settled",
            {{"coin", coin.markets.coin}, {"rate", *coin.funding_rate}, {"payment_usdt", *payment}});
}

void PairTrader::on_quote(std::uint32_t index, const CoinQuote& quote, const FxView& fx) {
  ++counters_.quotes;
  Coin& coin = coins_[index];
  settle_funding(coin, clock_->now());
  if (coin.open) {
    try_exit(index, coin, quote, fx, std::nullopt);
  }
  if (!coin.retired) {
    try_entry(index, coin, quote, fx);
  }
}

void PairTrader::on_book_update(std::uint32_t coin, const CoinQuote& quote, const FxView& fx,
                                market::BarAggregator& bars, Timestamp now) {
  if (quote.upbit.whole && quote.bybit.whole && fx.usd_krw) {
    const Result<Decimal> upbit_mid = mid_of(quote.upbit);
    const Result<Decimal> bybit_mid = mid_of(quote.bybit);
    if (upbit_mid && bybit_mid) {
      if (const std::optional<market::Bar> closed =
              bars.sample(coin, now, *upbit_mid, *bybit_mid, *fx.usd_krw)) {
        on_bar(*closed);
      }
    }
  }
  on_quote(coin, quote, fx);
}

void PairTrader::close_all(const std::vector<std::optional<CoinQuote>>& quotes, const FxView& fx,
                           strategy::ExitReason reason) {
  for (std::uint32_t index = 0; index < coins_.size(); ++index) {
    Coin& coin = coins_[index];
    if (coin.open && index < quotes.size() && quotes[index]) {
      try_exit(index, coin, *quotes[index], fx, reason);
    }
  }
}

void PairTrader::try_exit(std::uint32_t index, Coin& coin, const CoinQuote& quote, const FxView& fx,
                          std::optional<strategy::ExitReason> forced) {
  const Timestamp now = clock_->now();
  if (coin.executing || !fx.usd_krw || (!forced && now < coin.next_exit_attempt)) {
    return;
  }
  const bool fresh = quote.upbit.whole && quote.bybit.whole &&
                     now - quote.upbit.updated <= gate_.limits().max_book_age &&
                     now - quote.bybit.updated <= gate_.limits().max_book_age;
  if (!fresh && !forced) {
    return;  // prices that cannot be trusted decide nothing
  }
  const market::PremiumQuote premium =
      market::premium_quote(quote.upbit.bid, quote.upbit.ask, quote.bybit.bid, quote.bybit.ask, *fx.usd_krw);
  const std::optional<double> exit_z = coin.window.z_score(premium.exit);
  const OpenPair& pair = *coin.open;
  const std::optional<strategy::ExitReason> reason =
      forced
          ? forced
          : strategy::exit_due(exit_limits_, pair.opened_at, pair.entry_premium, now, premium.exit, exit_z);
  if (!reason) {
    return;
  }
  execution::ExitRequest request{.coin = coin.markets.coin,
                                 .upbit = coin.markets.upbit,
                                 .bybit = coin.markets.bybit,
                                 .upbit_qty = pair.entry.upbit.qty,
                                 .bybit_qty = pair.entry.bybit.qty,
                                 .upbit_krw_price = quote.upbit.bid,
                                 .bybit_usdt_price = quote.bybit.ask,
                                 .usdt_krw = usdt_krw_of(fx)};
  coin.executing = true;
  ++in_flight_;
  log_.info("exit", {{"coin", coin.markets.coin},
                     {"reason", strategy::to_string(*reason)},
                     {"exit_premium_pct", premium.exit * 100},
                     {"z", exit_z.value_or(0.0)}});
  boost::asio::co_spawn(executor_,
                        run_exit(index, std::move(request), *reason, premium.exit, exit_z.value_or(0.0)),
                        boost::asio::detached);
}

void PairTrader::try_entry(std::uint32_t index, Coin& coin, const CoinQuote& quote, const FxView& fx) {
  const Timestamp now = clock_->now();
  const execution::AvailableBalances balances = orders_->balances();
  const strategy::EntryContext context{
      .now = now,
      .risk_block = risk_->entry_block(coin.markets.coin, now),
      .upbit = quote.upbit,
      .bybit = quote.bybit,
      .upbit_book = quote.upbit_book,
      .bybit_book = quote.bybit_book,
      .usd_krw = fx.usd_krw,
      .usd_krw_age = fx.usd_krw_age,
      .usd_krw_stale = fx.usd_krw_stale,
      .window = &coin.window,
      .coin_busy = coin.open.has_value() || coin.executing,
      .open_pairs = busy_pairs_,
      .upbit_rules = &coin.markets.upbit,
      .bybit_rules = &coin.markets.bybit,
      .upbit_krw_available = balances.upbit_krw,
      .bybit_usdt_available = balances.bybit_usdt,
      .cooldown_until = coin.cooldown_until,
      .funding_rate = coin.funding_rate,
      .next_funding_time = coin.next_funding_time,
  };
  strategy::GateDecision decision = gate_.evaluate(context);
  note_decision(coin, decision);
  if (!decision.passed()) {
    return;
  }
  execution::EntryRequest request{.coin = coin.markets.coin,
                                  .upbit = coin.markets.upbit,
                                  .bybit = coin.markets.bybit,
                                  .qty = decision.sized.qty,
                                  .upbit_krw_price = decision.sized.upbit_avg_krw,
                                  .bybit_usdt_price = decision.sized.bybit_avg_usdt,
                                  .usd_krw = *fx.usd_krw,
                                  .usdt_krw = usdt_krw_of(fx)};
  coin.executing = true;
  ++in_flight_;
  ++busy_pairs_;
  boost::asio::co_spawn(executor_, run_entry(index, std::move(request), std::move(decision)),
                        boost::asio::detached);
}

void PairTrader::note_decision(Coin& coin, const strategy::GateDecision& decision) {
  if (decision.passed()) {
    log_.info("entry", {{"coin", coin.markets.coin}, {"gate", decision.describe()}});
  } else if (decision.rejected != coin.last_rejection) {
    log_.debug("gate", {{"coin", coin.markets.coin}, {"rejected", decision.describe()}});
  }
  coin.last_rejection = decision.rejected;
}

boost::asio::awaitable<void> PairTrader::run_entry(std::uint32_t index, execution::EntryRequest request,
                                                   strategy::GateDecision decision) {
  const Decimal usd_krw = request.usd_krw;
  execution::ExecutionResult<execution::ExecutedEntry> result =
      co_await orders_->execute_entry(std::move(request));
  --in_flight_;
  Coin& coin = coins_[index];
  coin.executing = false;
  if (!result) {
    --busy_pairs_;
    ++counters_.entry_failures;
    log_.warn("entry failed", {{"coin", coin.markets.coin}, {"error", result.error().describe()}});
    co_return;
  }
  const Timestamp now = clock_->now();
  OpenPair pair{
      .id = ++next_pair_id_,
      .coin = index,
      .entry = {result->upbit.fill, result->bybit.fill, result->usdt_krw},
      .upbit_order_id = result->upbit.order_id,
      .bybit_order_id = result->bybit.order_id,
      .entry_premium = decision.premium.entry,
      .entry_z = decision.z,
      .fill_premium = market::premium(result->upbit.fill.avg_price, result->bybit.fill.avg_price, usd_krw),
      .expected_edge = decision.edge,
      .opened_at = now,
      .funding_paid_through = now};
  ++counters_.entries;
  log_.info("opened", {{"coin", coin.markets.coin},
                       {"pair", pair.id},
                       {"qty", pair.entry.bybit.qty},
                       {"upbit_krw", pair.entry.upbit.avg_price},
                       {"bybit_usdt", pair.entry.bybit.avg_price},
                       {"fill_premium_pct", pair.fill_premium * 100}});
  coin.open = std::move(pair);
  if (listeners_.on_opened) {
    listeners_.on_opened(*coin.open);
  }
}

boost::asio::awaitable<void> PairTrader::run_exit(std::uint32_t index, execution::ExitRequest request,
                                                  strategy::ExitReason reason, double exit_premium,
                                                  double exit_z) {
  execution::ExecutionResult<execution::ExecutedExit> result =
      co_await orders_->execute_exit(std::move(request));
  --in_flight_;
  Coin& coin = coins_[index];
  coin.executing = false;
  const Timestamp now = clock_->now();
  if (!result) {
    ++counters_.exit_failures;
    coin.next_exit_attempt = now + kExitRetryDelay;
    log_.warn("exit failed", {{"coin", coin.markets.coin}, {"error", result.error().describe()}});
    co_return;
  }
  ClosedPair closed{.open = *coin.open,
                    .exit = {result->upbit.fill, result->bybit.fill, result->usdt_krw},
                    .upbit_order_id = result->upbit.order_id,
                    .bybit_order_id = result->bybit.order_id,
                    .reason = reason,
                    .exit_premium = exit_premium,
                    .exit_z = exit_z,
                    .closed_at = now};
  const Result<strategy::PairPnl> pnl =
      strategy::realised_pnl(closed.open.entry, closed.exit, closed.open.funding_usdt);
  if (pnl) {
    closed.pnl = *pnl;
  } else {
    log_.error("pair PnL not computable", {{"coin", coin.markets.coin}, {"error", pnl.error().describe()}});
  }
  coin.open.reset();
  --busy_pairs_;
  coin.cooldown_until = now + config_.strategy.cooldown;
  risk_->record_closed(closed.pnl.net_usdt, now);
  ++counters_.exits;
  log_.info("closed", {{"coin", coin.markets.coin},
                       {"pair", closed.open.id},
                       {"reason", strategy::to_string(reason)},
                       {"net_usdt", closed.pnl.net_usdt},
                       {"fees_usdt", closed.pnl.fees_usdt}});
  closed_.push_back(std::move(closed));
  if (listeners_.on_closed) {
    listeners_.on_closed(closed_.back());
  }
}

Decimal PairTrader::unrealised_usdt(const std::vector<std::optional<CoinQuote>>& quotes,
                                    const FxView& fx) const {
  Decimal total;
  const Decimal rate = usdt_krw_of(fx);
  for (std::uint32_t index = 0; index < coins_.size(); ++index) {
    const Coin& coin = coins_[index];
    if (!coin.open || index >= quotes.size() || !quotes[index] || !rate.is_positive()) {
      continue;
    }
    const Result<strategy::PairPnl> pnl = strategy::unrealised_pnl(
        coin.open->entry, quotes[index]->upbit.bid, quotes[index]->bybit.ask, rate,
        config_.strategy.upbit_fee_pct, config_.strategy.bybit_fee_pct, coin.open->funding_usdt);
    if (pnl) {
      total = total.add(pnl->net_usdt).value_or(total);
    }
  }
  return total;
}

}  // namespace kimp::runtime
