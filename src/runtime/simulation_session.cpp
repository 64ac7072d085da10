// SimulationSession: wires feeds, FX, bars, the coin selector and the PairTrader on one event loop.
#include "runtime/simulation_session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "execution/sim_executor.hpp"
#include "market/bar_aggregator.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/time_sync.hpp"
#include "risk/risk_manager.hpp"
#include "runtime/pair_trader.hpp"
#include "runtime/session_recorder.hpp"
#include "strategy/coin_selector.hpp"
#include "venues/bybit/instrument_provider.hpp"
#include "venues/bybit/rest_client.hpp"
#include "venues/bybit/ws_feed.hpp"
#include "venues/fx/fx_poller.hpp"
#include "venues/upbit/instrument_provider.hpp"
#include "venues/upbit/rest_client.hpp"
#include "venues/upbit/ws_feed.hpp"

namespace kimp::runtime {
namespace {

namespace asio = boost::asio;
using venues::bybit::BybitCategory;

constexpr int kStartAttempts = 3;
constexpr Duration kStartRetryDelay = std::chrono::seconds(1);
constexpr Duration kDrainTimeout = std::chrono::seconds(10);
constexpr Duration kDrainPoll = std::chrono::milliseconds(10);

asio::awaitable<void> sleep_for(Duration delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

net::HttpClientOptions http_options(std::chrono::milliseconds connect, std::chrono::milliseconds request) {
  net::HttpClientOptions options;
  options.connect_timeout = connect;
  options.request_timeout = request;
  return options;
}

// `attempt` until it succeeds, at most kStartAttempts times, a second apart; the last error otherwise.
template <class Attempt>
asio::awaitable<Status> with_retries(const log::Logger& log, std::string_view what, Attempt attempt) {
  Status status = ok();
  for (int i = 1; i <= kStartAttempts; ++i) {
    status = co_await attempt();
    if (status) {
      co_return status;
    }
    log.warn("start-up step failed", {{"step", what}, {"attempt", i}, {"error", status.error().describe()}});
    if (i < kStartAttempts) {
      co_await sleep_for(kStartRetryDelay);
    }
  }
  co_return make_error(status.error().code, fmt::format("{}: {}", what, status.error().message));
}

}  // namespace

struct SimulationSession::State : std::enable_shared_from_this<SimulationSession::State> {
  struct Monitored {
    std::string coin;
    model::Symbol upbit_market;
    model::Symbol bybit_symbol;
    std::uint32_t index = 0;  // in the trader and the bar aggregator
    bool active = true;
    std::optional<SeriesRow> last_row;
  };

  State(asio::io_context& context, const config::Config& session_config, SessionOptions session_options)
      : io(context),
        config(session_config),
        options(std::move(session_options)),
        clock(io.get_executor()),
        bybit_time(clock, net::TimeSyncOptions{}),
        usdt_krw(clock),
        risk(config.risk, clock.now()),
        bars(config.engine.bar_interval, 0),
        selector(config.strategy) {}

  Status create_clients();
  asio::awaitable<Status> start_up();
  asio::awaitable<Status> load_listings(strategy::VenueListings& listings);
  Status apply_selection(const strategy::SelectionChange& change);
  Status start_feeds();
  void on_book(model::Venue venue, const market::OrderBook& book);
  void on_bybit_ticker(const model::Ticker& ticker);
  [[nodiscard]] CoinQuote quote_of(const Monitored& coin) const;
  [[nodiscard]] FxView fx_view() const;
  [[nodiscard]] std::vector<std::optional<CoinQuote>> quotes() const;
  void schedule_bar();
  void close_bars();
  void schedule_refresh();
  // A PERIODIC balance snapshot every runtime.balance_snapshot_interval while the session runs.
  void schedule_snapshot();
  asio::awaitable<void> refresh_selection();
  asio::awaitable<void> shut_down();
  void finish(Status status);
  // A ConnectionLost alert when a venue's feed drops or goes stale while the session runs.
  void on_feed_state(std::string_view exchange, net::WsState state);
  // The EntryExecuted alert of a pair just opened: its expected PnL is the gate's edge on its notional.
  void alert_opened(const OpenPair& pair);
  // A balance snapshot of the virtual balances (INITIAL, FINAL) for the recorder.
  void record_balances(const std::string& record_type);
  [[nodiscard]] std::string status_line(Timestamp at) const;

  asio::io_context& io;
  config::Config config;
  SessionOptions options;
  WallClock clock;
  log::Logger log{"session"};
  std::unique_ptr<net::HttpClient> upbit_http;
  std::unique_ptr<net::HttpClient> bybit_http;
  std::unique_ptr<net::HttpClient> fx_http;
  std::optional<net::RateLimiter> upbit_limits;
  std::optional<net::RateLimiter> bybit_limits;
  net::TimeSync bybit_time;
  std::unique_ptr<venues::upbit::UpbitRestClient> upbit_rest;
  std::unique_ptr<venues::bybit::BybitRestClient> bybit_rest;
  std::unique_ptr<venues::upbit::UpbitInstrumentProvider> upbit_instruments;
  std::unique_ptr<venues::bybit::BybitInstrumentProvider> bybit_instruments;
  std::unique_ptr<venues::fx::UsdKrwPoller> usd_krw;
  venues::fx::UsdtKrwTracker usdt_krw;
  std::unique_ptr<venues::upbit::UpbitPublicFeed> upbit_feed;
  std::unique_ptr<venues::bybit::BybitPublicFeed> bybit_feed;
  net::WsStateSubscription upbit_state;
  net::WsStateSubscription bybit_state;
  std::unique_ptr<execution::SimExecutor> executor;
  risk::RiskManager risk;
  std::unique_ptr<PairTrader> trader;
  std::unique_ptr<SessionRecorder> recorder;
  market::BarAggregator bars;
  strategy::CoinSelector selector;
  std::vector<Monitored> coins;
  std::map<model::Symbol, std::uint32_t> by_upbit_market;  // -> position in `coins`
  std::map<model::Symbol, std::uint32_t> by_bybit_symbol;
  std::vector<market::Bar> closed_bars;
  TimerId bar_timer;
  TimerId stop_timer;
  TimerId refresh_timer;
  TimerId snapshot_timer;
  Timestamp started_at;
  Timestamp stopped_at;
  bool running = false;
  bool stopping = false;
  bool finished = false;
  std::uint64_t feed_restarts = 0;
  std::optional<Decimal> unrealised_at_stop;
  std::function<void(Status)> done;
};

Status SimulationSession::State::create_clients() {
  const config::VenuesConfig& venues = config.venues;
  KIMP_TRY_ASSIGN(upbit_http, net::HttpClient::create(
                                  io.get_executor(), venues.upbit.rest_url,
                                  http_options(venues.upbit.connect_timeout, venues.upbit.request_timeout)));
  KIMP_TRY_ASSIGN(bybit_http, net::HttpClient::create(
                                  io.get_executor(), venues.bybit.rest_url,
                                  http_options(venues.bybit.connect_timeout, venues.bybit.request_timeout)));
  KIMP_TRY_ASSIGN(
      fx_http, net::HttpClient::create(io.get_executor(), venues.fx.rest_url,
                                       http_options(venues.fx.connect_timeout, venues.fx.request_timeout)));
  KIMP_TRY_ASSIGN(upbit_limits, net::RateLimiter::create(clock, net::upbit_rate_groups()));
  KIMP_TRY_ASSIGN(bybit_limits, net::RateLimiter::create(clock, net::bybit_rate_groups()));
  upbit_rest = std::make_unique<venues::upbit::UpbitRestClient>(*upbit_http, *upbit_limits, std::nullopt);
  bybit_rest = std::make_unique<venues::bybit::BybitRestClient>(
      *bybit_http, *bybit_limits, bybit_time, std::nullopt,
      venues::bybit::BybitRestOptions{venues.bybit.recv_window});
  upbit_instruments = std::make_unique<venues::upbit::UpbitInstrumentProvider>(*upbit_rest, clock);
  bybit_instruments =
      std::make_unique<venues::bybit::BybitInstrumentProvider>(*bybit_rest, clock, BybitCategory::kLinear);
  venues::fx::UsdKrwPollerOptions fx_options;
  fx_options.interval = venues.fx.poll_interval;
  KIMP_TRY_ASSIGN(usd_krw, venues::fx::UsdKrwPoller::create(io.get_executor(), *fx_http, clock, fx_options));

  execution::SimExecutorOptions sim = execution::SimExecutorOptions::from(config);
  sim.books = [this](const std::string& coin) {
    execution::CoinBooks books;
    for (const Monitored& monitored : coins) {
      if (monitored.coin == coin) {
        books.upbit = upbit_feed ? upbit_feed->book(monitored.upbit_market) : nullptr;
        books.bybit = bybit_feed ? bybit_feed->book(monitored.bybit_symbol) : nullptr;
      }
    }
    return books;
  };
  executor = std::make_unique<execution::SimExecutor>(clock, std::move(sim));
  TraderListeners listeners;
  listeners.on_series = [this](const SeriesRow& row) {
    for (Monitored& monitored : coins) {
      if (monitored.index == row.bar.coin) {
        monitored.last_row = row;
      }
    }
  };
  if (options.alerts != nullptr) {
    listeners.on_opened = [this](const OpenPair& pair) { alert_opened(pair); };
    listeners.on_closed = [this](const ClosedPair& pair) {
      options.alerts->send(alerts::ExitExecuted{.coin = trader->markets(pair.open.coin).coin,
                                                .qty = pair.open.entry.bybit.qty,
                                                .realised_pnl = pair.pnl.net_usdt});
    };
  }
  if (options.records != nullptr) {
    recorder =
        std::make_unique<SessionRecorder>(*options.records, options.session_id,
                                          [this](std::uint32_t coin) { return trader->markets(coin).coin; });
    listeners = recorder->listeners(std::move(listeners));
  }
  trader = std::make_unique<PairTrader>(config, strategy::GateLimits::from(config), clock, *executor, risk,
                                        io.get_executor(), std::move(listeners));
  return ok();
}

asio::awaitable<Status> SimulationSession::State::load_listings(strategy::VenueListings& listings) {
  KIMP_CO_TRY(
      co_await with_retries(log, "upbit instruments", [this] { return upbit_instruments->refresh(); }));
  KIMP_CO_TRY(
      co_await with_retries(log, "bybit instruments", [this] { return bybit_instruments->refresh(); }));
  listings.upbit = upbit_instruments->table().all();
  listings.bybit = bybit_instruments->table().all();
  listings.usd_krw = usd_krw->usd_krw().rate().value_or(Decimal{});
  if (!config.strategy.coin_selection.enabled) {
    co_return ok();
  }
  std::vector<model::Symbol> markets;
  for (const model::Instrument& instrument : listings.upbit) {
    markets.push_back(instrument.symbol);
  }
  Result<std::vector<model::Ticker>> upbit_tickers = co_await upbit_rest->tickers(markets);
  Result<std::vector<model::Ticker>> bybit_tickers = co_await bybit_rest->tickers(BybitCategory::kLinear);
  if (!upbit_tickers || !bybit_tickers) {
    const Error& error = !upbit_tickers ? upbit_tickers.error() : bybit_tickers.error();
    co_return make_error(error.code, fmt::format("24 h turnovers: {}", error.message));
  }
  listings.upbit_tickers = std::move(*upbit_tickers);
  listings.bybit_tickers = std::move(*bybit_tickers);
  co_return ok();
}

Status SimulationSession::State::apply_selection(const strategy::SelectionChange& change) {
  bool changed = false;
  for (const std::string& coin : change.removed) {
    for (Monitored& monitored : coins) {
      if (monitored.coin == coin && monitored.active) {
        monitored.active = false;
        trader->retire_coin(monitored.index);
        bars.reset_coin(monitored.index);
        changed = true;
        log.info("coin no longer monitored", {{"coin", coin}});
      }
    }
  }
  for (const strategy::ListedCoin& listed : change.added) {
    const model::Instrument* upbit = upbit_instruments->find(listed.upbit_market);
    const model::Instrument* bybit = bybit_instruments->find(listed.bybit_symbol);
    if (upbit == nullptr || bybit == nullptr) {
      continue;  // listed_on_both saw both; a table cannot lose it in between
    }
    Monitored monitored{listed.coin, listed.upbit_market, listed.bybit_symbol, 0, true, std::nullopt};
    monitored.index = trader->add_coin({listed.coin, *upbit, *bybit});
    bars.add_coin();
    by_upbit_market[listed.upbit_market] = static_cast<std::uint32_t>(coins.size());
    by_bybit_symbol[listed.bybit_symbol] = static_cast<std::uint32_t>(coins.size());
    coins.push_back(std::move(monitored));
    changed = true;
    log.info("coin monitored", {{"coin", listed.coin},
                                {"upbit", listed.upbit_market.view()},
                                {"bybit", listed.bybit_symbol.view()}});
  }
  return changed ? start_feeds() : ok();
}

Status SimulationSession::State::start_feeds() {
  // A feed replaced on purpose is not a lost connection.
  upbit_state.reset();
  bybit_state.reset();
  if (upbit_feed) {
    upbit_feed->stop();
    ++feed_restarts;
  }
  if (bybit_feed) {
    bybit_feed->stop();
  }
  venues::upbit::UpbitPublicFeedOptions upbit_options;
  venues::bybit::BybitPublicFeedOptions bybit_options;
  bybit_options.category = BybitCategory::kLinear;
  for (const Monitored& monitored : coins) {
    if (monitored.active) {
      upbit_options.markets.push_back(monitored.upbit_market);
      bybit_options.symbols.push_back(monitored.bybit_symbol);
    }
  }
  // A retired coin with an open pair keeps its books until the pair is closed.
  for (const OpenPair& pair : trader->open_pairs()) {
    const Monitored& monitored = *std::find_if(
        coins.begin(), coins.end(), [&](const Monitored& coin) { return coin.index == pair.coin; });
    if (!monitored.active) {
      upbit_options.markets.push_back(monitored.upbit_market);
      bybit_options.symbols.push_back(monitored.bybit_symbol);
    }
  }
  upbit_options.markets.push_back(venues::fx::usdt_krw_market());
  venues::upbit::UpbitPublicFeedCallbacks upbit_callbacks;
  upbit_callbacks.on_book = [this](const market::OrderBook& book) { on_book(model::Venue::kUpbit, book); };
  upbit_callbacks.on_ticker = [this](const model::Ticker& ticker) {
    if (ticker.symbol == venues::fx::usdt_krw_market()) {
      (void)usdt_krw.on_ticker(ticker);
    }
  };
  venues::bybit::BybitPublicFeedCallbacks bybit_callbacks;
  bybit_callbacks.on_book = [this](const market::OrderBook& book) { on_book(model::Venue::kBybit, book); };
  bybit_callbacks.on_ticker = [this](const model::Ticker& ticker) { on_bybit_ticker(ticker); };
  KIMP_TRY_ASSIGN(upbit_feed, venues::upbit::UpbitPublicFeed::create(
                                  io.get_executor(), clock, config.venues.upbit.ws_public_url,
                                  std::move(upbit_options), std::move(upbit_callbacks)));
  KIMP_TRY_ASSIGN(bybit_feed, venues::bybit::BybitPublicFeed::create(
                                  io.get_executor(), clock, config.venues.bybit.ws_public_url,
                                  std::move(bybit_options), std::move(bybit_callbacks)));
  upbit_state = upbit_feed->subscribe_state([this](net::WsState state, std::string_view /*detail*/) {
    usdt_krw.on_feed_state(state);
    on_feed_state("upbit", state);
  });
  bybit_state = bybit_feed->subscribe_state(
      [this](net::WsState state, std::string_view /*detail*/) { on_feed_state("bybit", state); });
  KIMP_TRY(upbit_feed->start());
  return bybit_feed->start();
}

FxView SimulationSession::State::fx_view() const {
  const venues::fx::FxRate& rate = usd_krw->usd_krw();
  return {rate.rate(), rate.age(clock.now()), rate.stale(), usdt_krw.usdt_krw().rate()};
}

CoinQuote SimulationSession::State::quote_of(const Monitored& coin) const {
  return quote_from_books(upbit_feed ? upbit_feed->book(coin.upbit_market) : nullptr,
                          bybit_feed ? bybit_feed->book(coin.bybit_symbol) : nullptr);
}

std::vector<std::optional<CoinQuote>> SimulationSession::State::quotes() const {
  std::vector<std::optional<CoinQuote>> all(trader->coin_count());
  for (const Monitored& coin : coins) {
    const CoinQuote quote = quote_of(coin);
    if (quote.upbit.whole && quote.bybit.whole) {
      all[coin.index] = quote;
    }
  }
  return all;
}

void SimulationSession::State::on_book(model::Venue venue, const market::OrderBook& book) {
  const auto& index = venue == model::Venue::kUpbit ? by_upbit_market : by_bybit_symbol;
  const auto found = index.find(book.symbol());
  if (found == index.end() || stopping) {
    return;
  }
  const Monitored& coin = coins[found->second];
  trader->on_book_update(coin.index, quote_of(coin), fx_view(), bars, clock.now());
}

void SimulationSession::State::on_bybit_ticker(const model::Ticker& ticker) {
  const auto found = by_bybit_symbol.find(ticker.symbol);
  if (found == by_bybit_symbol.end() || !ticker.funding_rate || !ticker.next_funding_time) {
    return;
  }
  const Decimal mark = ticker.mark_price.value_or(ticker.last_price.value_or(Decimal{}));
  trader->on_funding(coins[found->second].index, *ticker.funding_rate, *ticker.next_funding_time, mark);
  if (recorder) {
    recorder->on_funding(coins[found->second].coin, *ticker.funding_rate, *ticker.next_funding_time,
                         clock.now());
  }
}

void SimulationSession::State::on_feed_state(std::string_view exchange, net::WsState state) {
  const bool lost = state == net::WsState::kDisconnected || state == net::WsState::kStale;
  if (options.alerts != nullptr && lost && !stopping) {
    options.alerts->send(alerts::ConnectionLost{.exchange = std::string(exchange),
                                                .has_open_positions = !trader->open_pairs().empty()});
  }
}

void SimulationSession::State::alert_opened(const OpenPair& pair) {
  const strategy::LegFill& bybit = pair.entry.bybit;
  const Decimal notional = bybit.qty.mul(bybit.avg_price).value_or(Decimal{});
  const auto edge_units = static_cast<std::int64_t>(std::llround(pair.expected_edge * Decimal::kUnitsPerOne));
  options.alerts->send(alerts::EntryExecuted{
      .coin = trader->markets(pair.coin).coin,
      .qty = bybit.qty,
      .upbit_price = pair.entry.upbit.avg_price,
      .bybit_price = bybit.avg_price,
      .expected_pnl = notional.mul(Decimal::from_units(edge_units)).value_or(Decimal{})});
}

void SimulationSession::State::record_balances(const std::string& record_type) {
  if (!recorder) {
    return;
  }
  const Decimal krw = executor->upbit_krw();
  const Decimal usdt = executor->bybit_wallet_usdt();
  const std::vector<BalanceLine> lines = {
      BalanceLine{
          .cex = "UPBIT", .currency = "KRW", .available = krw, .locked = {}, .coin_value = {}, .total = krw},
      BalanceLine{.cex = "BYBIT",
                  .currency = "USDT",
                  .available = usdt,
                  .locked = {},
                  .coin_value = {},
                  .total = usdt},
  };
  const FxView fx = fx_view();
  const Decimal rate = fx.usd_krw.value_or(Decimal{});
  recorder->snapshot(record_type, lines, rate, fx.usdt_krw.value_or(rate), clock.now());
}

std::string SimulationSession::State::status_line(Timestamp at) const {
  Decimal realised;
  for (const ClosedPair& pair : trader->closed_pairs()) {
    realised = realised.add(pair.pnl.net_usdt).value_or(realised);
  }
  const FxView fx = fx_view();
  std::string line = fmt::format(
      "{} bar: open={} entries={} exits={} net_usdt={} unrealised_usdt={} usd_krw={}", at.to_iso8601(),
      trader->open_pairs().size(), trader->counters().entries, trader->counters().exits, realised,
      trader->unrealised_usdt(quotes(), fx), fx.usd_krw ? fx.usd_krw->to_string() : std::string("none"));
  for (const Monitored& coin : coins) {
    if (!coin.active) {
      continue;
    }
    if (coin.last_row && coin.last_row->bar.open_time + config.engine.bar_interval == at) {
      const SeriesRow& row = *coin.last_row;
      line += row.z ? fmt::format(" | {} premium={:.3f}% z={:.2f}", coin.coin, row.bar.premium * 100, *row.z)
                    : fmt::format(" | {} premium={:.3f}% warm-up {}/{}", coin.coin, row.bar.premium * 100,
                                  row.window, config.strategy.window_bars);
    } else {
      line += fmt::format(" | {} no bar", coin.coin);
    }
  }
  return line;
}

void SimulationSession::State::close_bars() {
  const Timestamp now = clock.now();
  const Timestamp boundary = bars.bar_open(now);
  closed_bars.clear();
  bars.close_through(now, closed_bars);
  for (const market::Bar& bar : closed_bars) {
    trader->on_bar(bar);
  }
  if (options.output) {
    options.output(status_line(boundary));
  }
}

void SimulationSession::State::schedule_bar() {
  const Timestamp next = bars.bar_open(clock.now()) + config.engine.bar_interval;
  bar_timer = clock.call_at(next, [weak = weak_from_this()] {
    if (const auto self = weak.lock(); self && !self->stopping) {
      self->close_bars();
      self->schedule_bar();
    }
  });
}

void SimulationSession::State::schedule_snapshot() {
  snapshot_timer = clock.call_after(config.runtime.balance_snapshot_interval, [weak = weak_from_this()] {
    if (const auto self = weak.lock(); self && !self->stopping) {
      self->record_balances("PERIODIC");
      self->schedule_snapshot();
    }
  });
}

void SimulationSession::State::schedule_refresh() {
  refresh_timer =
      clock.call_after(config.strategy.coin_selection.refresh_interval, [weak = weak_from_this()] {
        if (const auto self = weak.lock(); self && !self->stopping) {
          asio::co_spawn(self->io, self->refresh_selection(), asio::detached);
        }
      });
}

asio::awaitable<void> SimulationSession::State::refresh_selection() {
  const auto self = shared_from_this();
  strategy::VenueListings listings;
  const Status loaded = co_await load_listings(listings);
  if (stopping) {
    co_return;
  }
  if (!loaded) {
    log.warn("coin selection refresh failed; keeping the current coins",
             {{"error", loaded.error().describe()}});
  } else {
    std::vector<std::string> keep;
    for (const OpenPair& pair : trader->open_pairs()) {
      keep.push_back(trader->markets(pair.coin).coin);
    }
    const Result<strategy::SelectionChange> change = selector.refresh(listings, keep);
    if (!change) {
      log.warn("coin selection refresh refused; keeping the current coins",
               {{"error", change.error().describe()}});
    } else if (const Status applied = apply_selection(*change); !applied) {
      log.error("feeds not restarted after a selection change", {{"error", applied.error().describe()}});
    }
  }
  schedule_refresh();
}

asio::awaitable<Status> SimulationSession::State::start_up() {
  const Status fx_first = co_await with_retries(log, "USD/KRW", [this] { return usd_krw->poll_once(); });
  if (!fx_first && config.strategy.coin_selection.enabled) {
    co_return fx_first;  // turnovers cannot be compared without the rate
  }
  strategy::VenueListings listings;
  KIMP_CO_TRY(co_await load_listings(listings));
  KIMP_CO_TRY_ASSIGN(const strategy::SelectionChange change, selector.refresh(listings));
  KIMP_CO_TRY(apply_selection(change));
  for (const auto& [coin, reason] : selector.excluded()) {
    log.debug("coin not monitored", {{"coin", coin}, {"reason", reason}});
  }
  KIMP_CO_TRY(usd_krw->start());
  started_at = clock.now();
  running = true;
  record_balances("INITIAL");
  schedule_snapshot();
  schedule_bar();
  if (config.strategy.coin_selection.enabled) {
    schedule_refresh();
  }
  if (options.duration) {
    stop_timer = clock.call_after(*options.duration, [weak = weak_from_this()] {
      if (const auto self = weak.lock()) {
        asio::co_spawn(self->io, self->shut_down(), asio::detached);
      }
    });
  }
  log.info("session running",
           {{"mode", config::to_string(config.engine.mode)},
            {"coins", coins.size()},
            {"bar_interval_s",
             std::chrono::duration_cast<std::chrono::seconds>(config.engine.bar_interval).count()}});
  co_return ok();
}

asio::awaitable<void> SimulationSession::State::shut_down() {
  const auto self = shared_from_this();
  if (stopping || finished) {
    co_return;
  }
  stopping = true;
  clock.cancel(bar_timer);
  clock.cancel(stop_timer);
  clock.cancel(refresh_timer);
  clock.cancel(snapshot_timer);
  for (const Monitored& coin : coins) {
    trader->retire_coin(coin.index);
  }
  const FxView fx = fx_view();
  std::vector<std::optional<CoinQuote>> at_stop = quotes();
  unrealised_at_stop = trader->unrealised_usdt(at_stop, fx);
  const config::ShutdownPolicy policy = config.runtime.shutdown_policy;
  if (policy == config::ShutdownPolicy::kCloseIfProfitable) {
    for (std::uint32_t index = 0; index < at_stop.size(); ++index) {
      std::vector<std::optional<CoinQuote>> only(at_stop.size());
      only[index] = at_stop[index];
      if (at_stop[index] && trader->unrealised_usdt(only, fx).is_positive()) {
        continue;
      }
      at_stop[index].reset();
    }
  }
  if (policy != config::ShutdownPolicy::kKeep) {
    trader->close_all(at_stop, fx, strategy::ExitReason::kShutdown);
  }
  const Timestamp deadline = clock.now() + kDrainTimeout;
  while (trader->in_flight() > 0 && clock.now() < deadline) {
    co_await sleep_for(kDrainPoll);
  }
  if (trader->in_flight() > 0) {
    log.error("executions still in flight at stop", {{"in_flight", trader->in_flight()}});
  }
  finish(ok());
}

void SimulationSession::State::finish(Status status) {
  if (finished) {
    return;
  }
  finished = true;
  stopping = true;
  stopped_at = clock.now();
  if (running) {
    record_balances("FINAL");
  }
  if (upbit_feed) {
    upbit_feed->stop();
  }
  if (bybit_feed) {
    bybit_feed->stop();
  }
  if (usd_krw) {
    usd_krw->stop();
  }
  if (upbit_http) {
    upbit_http->close();
    bybit_http->close();
    fx_http->close();
  }
  if (done) {
    done(std::move(status));
  }
}

Result<std::unique_ptr<SimulationSession>> SimulationSession::create(asio::io_context& io,
                                                                     const config::Config& config,
                                                                     SessionOptions options) {
  if (config.engine.mode != config::Mode::kSimulation) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("this session runs simulation mode only; the config asks for {}",
                                  config::to_string(config.engine.mode)));
  }
  auto state = std::make_shared<State>(io, config, std::move(options));
  KIMP_TRY(state->create_clients());
  return std::unique_ptr<SimulationSession>(new SimulationSession(std::move(state)));
}

SimulationSession::~SimulationSession() {
  state_->done = nullptr;
  state_->finish(ok());
}

void SimulationSession::start(std::function<void(Status)> done) {
  state_->done = std::move(done);
  asio::co_spawn(
      state_->io,
      [state = state_]() -> asio::awaitable<void> {
        const Status started = co_await state->start_up();
        if (!started) {
          state->log.error("session did not start", {{"error", started.error().describe()}});
          state->finish(started);
        }
      },
      asio::detached);
}

void SimulationSession::stop() {
  asio::co_spawn(state_->io, state_->shut_down(), asio::detached);
}

std::string SimulationSession::summary_json() const {
  const State& state = *state_;
  const PairTrader& trader = *state.trader;
  Decimal net;
  Decimal fees;
  Decimal funding;
  std::uint64_t wins = 0;
  for (const ClosedPair& pair : trader.closed_pairs()) {
    net = net.add(pair.pnl.net_usdt).value_or(net);
    fees = fees.add(pair.pnl.fees_usdt).value_or(fees);
    funding = funding.add(pair.pnl.funding_usdt).value_or(funding);
    wins += pair.pnl.net_usdt.is_positive() ? 1 : 0;
  }
  std::string coins;
  for (const State::Monitored& coin : state.coins) {
    coins += fmt::format(R"({}"{}")", coins.empty() ? "" : ",", coin.coin);
  }
  std::string gate;
  for (std::size_t i = 0; i < strategy::kGateStages; ++i) {
    gate +=
        fmt::format(R"({}"{}":{})", i == 0 ? "" : ",",
                    strategy::to_string(static_cast<strategy::GateStage>(i)), trader.gate().rejected()[i]);
  }
  const venues::bybit::BybitPublicFeedStats bybit =
      state.bybit_feed ? state.bybit_feed->stats() : venues::bybit::BybitPublicFeedStats{};
  const std::uint64_t upbit_malformed = state.upbit_feed ? state.upbit_feed->malformed_frames() : 0;
  const Timestamp end = state.finished ? state.stopped_at : state.clock.now();
  const RecorderCounters recorded = state.recorder ? state.recorder->counters() : RecorderCounters{};
  const double seconds = state.running ? std::chrono::duration<double>(end - state.started_at).count() : 0.0;
  return fmt::format(
      R"({{"mode":"{}","session":"{}","duration_sec":{:.1f},"coins":[{}],"bars":{},"quotes":{},"entries":{},)"
      R"("exits":{},"open_at_end":{},"wins":{},"net_pnl_usdt":{},"fees_usdt":{},"funding_usdt":{},)"
      R"("unrealised_at_stop_usdt":{},"entry_failures":{},"exit_failures":{},"gate_rejections":{{{}}},)"
      R"("bybit_book_messages":{},"bybit_gaps":{},"upbit_malformed_frames":{},"fx_polls":{},"fx_poll_failures":{},)"
      R"("feed_restarts":{},"shutdown_policy":"{}","final_upbit_krw":{},"final_bybit_wallet_usdt":{},)"
      R"("recorded":{{"minutes":{},"positions":{},"orders":{},"trades":{},"funding":{},"snapshots":{},)"
      R"("trades_without_position":{}}}}})",
      config::to_string(state.config.engine.mode), state.config.engine.session, seconds, coins,
      trader.counters().bars, trader.counters().quotes, trader.counters().entries, trader.counters().exits,
      trader.open_pairs().size(), wins, net, fees, funding, state.unrealised_at_stop.value_or(Decimal{}),
      trader.counters().entry_failures, trader.counters().exit_failures, gate, bybit.book_messages,
      bybit.gaps, upbit_malformed, state.usd_krw->counters().polls, state.usd_krw->counters().failures,
      state.feed_restarts, config::to_string(state.config.runtime.shutdown_policy),
      state.executor->upbit_krw(), state.executor->bybit_wallet_usdt(), recorded.minutes, recorded.positions,
      recorded.orders, recorded.trades, recorded.funding, recorded.snapshots,
      recorded.trades_without_position);
}

}  // namespace kimp::runtime
