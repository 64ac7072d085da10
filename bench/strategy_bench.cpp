// The strategy's cost per Bybit BTCUSDT book update (PairTrader::on_quote on a warmed-up trader) next to
// the parse + apply cost of the same updates from the shared capture, in the same run.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numbers>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>
#include <spdlog/common.h>
#include <boost/asio/io_context.hpp>

#include "btc_book_frames.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "core/logging.hpp"
#include "core/timestamp.hpp"
#include "execution/sim_executor.hpp"
#include "market/capture_file.hpp"
#include "market/order_book.hpp"
#include "market/premium.hpp"
#include "rate_reporter.hpp"
#include "risk/risk_manager.hpp"
#include "runtime/candle_replay.hpp"
#include "runtime/pair_trader.hpp"
#include "strategy/entry_gate.hpp"
#include "venues/bybit/parse_stream.hpp"

namespace {

using kimp::Decimal;
using kimp::Timestamp;
using kimp::bench::btc_frames;
using kimp::bench::BtcFrames;

constexpr double kUsdKrw = 1'380.0;
constexpr double kUpbitPremium = 0.02;  // the fixed Upbit book sits 2 % above the first Bybit mid
constexpr std::int64_t kUpbitTick = 1'000;
constexpr int kUpbitLevels = 15;

// Per-update nanoseconds of the two benchmarks, read by main() for the ratio.

// The engine's path for the same frames: BybitPublicParser::parse, then OrderBook::apply (as
// bybit_book_bench's kimp case). One iteration is every BTCUSDT frame, starting with its snapshot.
void parse_apply(benchmark::State& state) {
  const BtcFrames& input = btc_frames();
  kimp::bench::BtcParseApply engine(input);
  bool all_ok = engine.pass();  // warm-up: buffers reach their largest size
  for (auto _ : state) {
    all_ok = engine.pass() && all_ok;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * input.frames.size()));
  if (!all_ok) {
    state.SkipWithError("a frame failed to parse or apply");
  }
  benchmark::DoNotOptimize(engine.books().front().best_bid());
}

// One Upbit KRW-BTC book that never changes: 15 levels a side on the 1,000 KRW tick around the first
// Bybit mid × 1,380 × 1.02, 0.05 to 0.75 BTC a level.
kimp::market::OrderBook upbit_book(const kimp::strategy::BookTop& first_bybit) {
  const double mid = (first_bybit.bid.to_double() + first_bybit.ask.to_double()) / 2.0;
  const auto best_ask =
      static_cast<std::int64_t>(mid * kUsdKrw * (1.0 + kUpbitPremium) / kUpbitTick + 1) * kUpbitTick;
  std::vector<kimp::model::BookLevel> bids;
  std::vector<kimp::model::BookLevel> asks;
  for (int level = 0; level < kUpbitLevels; ++level) {
    const Decimal qty = Decimal::from_units(static_cast<std::int64_t>(level + 1) * 5'000'000);
    asks.push_back({Decimal::from_units((best_ask + level * kUpbitTick) * Decimal::kUnitsPerOne), qty});
    bids.push_back({Decimal::from_units((best_ask - (level + 1) * kUpbitTick) * Decimal::kUnitsPerOne), qty});
  }
  kimp::market::OrderBook book(kimp::model::Venue::kUpbit, kimp::model::Symbol::create("KRW-BTC").value(),
                               kUpbitLevels);
  kimp::model::BookUpdate snapshot;
  snapshot.venue = kimp::model::Venue::kUpbit;
  snapshot.symbol = kimp::model::Symbol::create("KRW-BTC").value();
  snapshot.action = kimp::model::BookAction::kSnapshot;
  snapshot.bids = bids;
  snapshot.asks = asks;
  if (!book.apply(snapshot)) {
    std::abort();
  }
  return book;
}

kimp::config::Config strategy_config() {
  kimp::config::Config config;
  config.engine.session = "strategy_bench";
  config.engine.bar_interval = std::chrono::seconds(300);
  config.strategy.coins = {"BTC"};
  config.strategy.window_bars = 288;
  return config;
}

// The frames' entry premiums against the fixed Upbit book: their median, and how many distinct values
// they take (BTC's best bid barely moves in the capture's 40 s, so very few).
struct EntryPremiums {
  double median = 0.0;
  std::size_t distinct = 0;
};

EntryPremiums entry_premiums(const BtcFrames& input, const kimp::strategy::BookTop& upbit) {
  const Decimal rate = Decimal::from_units(static_cast<std::int64_t>(kUsdKrw) * Decimal::kUnitsPerOne);
  std::vector<double> entry;
  for (const auto& top : input.tops) {
    entry.push_back(kimp::market::premium_quote(upbit.bid, upbit.ask, top.bid, top.ask, rate).entry);
  }
  std::sort(entry.begin(), entry.end());
  return {entry[entry.size() / 2],
          static_cast<std::size_t>(std::unique(entry.begin(), entry.end()) - entry.begin())};
}

// Bar premiums for the window, one per pass over the capture (the capture's premium hardly moves, so the
// window moves instead): alternately mean ± sd, the mean swinging slowly (period 1,000 bars, longer
// than the window) so that the capture's entry premium sits at z between about -1.77 and -2.04. Most
// updates stop at the signal stage; in the low part of each swing (about a quarter of them) they go on
// to the edge stage. With sd 0.05 % the edge (about 2 sd less 0.21 % of round-trip fees) rejects them;
// with sd 0.2 % they pass it and a pair opens, closed by its time limit a day (some 2,000 passes) later.
class WindowSeries {
 public:
  WindowSeries(double entry_premium, double sd, std::size_t window)
      : sd_(sd),
        sample_sd_(sd * std::sqrt(static_cast<double>(window) / static_cast<double>(window - 1))),
        mean_(entry_premium + 1.905 * sample_sd_) {}

  double premium(std::uint64_t bar) const {
    constexpr double kSwing = 0.135 / 0.87;  // the window's mean swings by 0.87 of the bars' swing
    constexpr double kPeriod = 1000.0;
    const double swing =
        kSwing * sample_sd_ * std::sin(2.0 * std::numbers::pi * static_cast<double>(bar) / kPeriod);
    return mean_ + swing + (bar % 2 == 0 ? sd_ : -sd_);
  }

 private:
  double sd_;
  double sample_sd_;  // of the alternating values over the window
  double mean_;
};

// Gate and trader counters of each strategy benchmark's last run, printed by main().
struct AfterRun {
  kimp::strategy::EntryGate gate;
  kimp::runtime::TraderCounters counters;
};
std::map<std::string, AfterRun> after_runs;

// The strategy's work per book update: PairTrader::on_quote (exit rules when a pair is open, then the
// entry gate) with the books already applied, and the executions it starts. Time moves to each frame's
// ts_recv (shifted by the capture's span each pass, since time never goes back), so the books are fresh.
void strategy_on_quote(benchmark::State& state, const char* variant, double window_sd) {
  const BtcFrames& input = btc_frames();
  const kimp::config::Config config = strategy_config();
  const kimp::market::OrderBook upbit = upbit_book(input.tops.front());
  const kimp::strategy::BookTop upbit_top{upbit.best_bid()->price, upbit.best_ask()->price, Timestamp{},
                                          true};

  kimp::SimClock clock(input.ts_recv.front());
  boost::asio::io_context io;
  kimp::execution::SimExecutorOptions options{
      .upbit_fee_pct = config.strategy.upbit_fee_pct,
      .bybit_fee_pct = config.strategy.bybit_fee_pct,
      .max_slippage_pct = config.strategy.max_slippage_pct,
      .upbit_krw = config.simulation.upbit_krw,
      .bybit_usdt = config.simulation.bybit_usdt,
      .books = [&](const std::string&) {
        return kimp::execution::CoinBooks{&upbit, &input.final_books.front()};
      }};
  kimp::execution::SimExecutor executor(clock, std::move(options));
  kimp::risk::RiskManager risk(config.risk, clock.now());
  kimp::runtime::PairTrader trader(config, kimp::strategy::GateLimits::from(config), clock, executor, risk,
                                   io.get_executor());
  const std::uint32_t coin = trader.add_coin(
      {"BTC", kimp::runtime::replay_upbit_rules("BTC"), kimp::runtime::replay_bybit_rules("BTC")});
  const auto window = static_cast<std::size_t>(config.strategy.window_bars);
  const WindowSeries series(entry_premiums(input, upbit_top).median, window_sd, window);
  std::uint64_t bars = 0;
  kimp::market::Bar bar;
  bar.coin = coin;
  bar.samples = 1;
  const auto push_bar = [&] {
    bar.open_time = clock.now();
    bar.premium = series.premium(bars++);
    trader.on_bar(bar);
  };
  for (std::size_t i = 0; i < window; ++i) {
    push_bar();  // warm-up: the window is full before the first update
  }

  const kimp::runtime::FxView fx{.usd_krw = Decimal::from_units(1'380 * Decimal::kUnitsPerOne),
                                 .usd_krw_age = std::chrono::minutes(1),
                                 .usd_krw_stale = false,
                                 .usdt_krw = std::nullopt};
  const kimp::Duration span = input.ts_recv.back() - input.ts_recv.front() + std::chrono::seconds(1);
  kimp::Duration shift{};
  bool all_ok = true;
  for (auto _ : state) {
    for (std::size_t i = 0; i < input.frames.size(); ++i) {
      const Timestamp now = input.ts_recv[i] + shift;
      all_ok = clock.advance_to(now).has_value() && all_ok;
      const kimp::strategy::BookTop& bybit_top = input.tops[i];
      const kimp::runtime::CoinQuote quote{
          .upbit = {upbit_top.bid, upbit_top.ask, now, true},
          .bybit = {bybit_top.bid, bybit_top.ask, now, bybit_top.whole},
          .upbit_book = &upbit,
          .bybit_book = &input.final_books[input.book_of_frame[i]],
      };
      trader.on_quote(coin, quote, fx);
      if (trader.in_flight() > 0) {
        io.restart();
        io.poll();
      }
    }
    shift += span;
    push_bar();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * input.frames.size()));
  if (!all_ok) {
    state.SkipWithError("the clock did not move forward");
  }
  after_runs.insert_or_assign(variant, AfterRun{trader.gate(), trader.counters()});
}

BENCHMARK(parse_apply)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(strategy_on_quote, quiet, "quiet", 0.0005)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(strategy_on_quote, trading, "trading", 0.002)->Unit(benchmark::kMicrosecond);

void print_gate(const std::string& variant, const AfterRun& run) {
  const kimp::strategy::EntryGate& gate = run.gate;
  std::printf("%s: gate stages over the last run (reached / rejected):\n", variant.c_str());
  for (std::size_t stage = 0; stage < kimp::strategy::kGateStages; ++stage) {
    const std::string name(kimp::strategy::to_string(static_cast<kimp::strategy::GateStage>(stage)));
    std::printf("  %-17s %12llu / %llu\n", name.c_str(),
                static_cast<unsigned long long>(gate.reached()[stage]),
                static_cast<unsigned long long>(gate.rejected()[stage]));
  }
  std::printf("  passed            %12llu; entries %llu, exits %llu\n",
              static_cast<unsigned long long>(gate.passed()),
              static_cast<unsigned long long>(run.counters.entries),
              static_cast<unsigned long long>(run.counters.exits));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  // Entries and exits log at info and a change of the gate's rejecting stage at debug; at warn those
  // lines are not written (their fields are still formatted, which the figures include).
  kimp::log::init(kimp::log::Format::kHuman, spdlog::level::warn);
  const BtcFrames& input = btc_frames();
  std::printf("%zu Bybit BTCUSDT orderbook frames per iteration\n", input.frames.size());
  kimp::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const kimp::strategy::BookTop& first = input.tops.front();
  const kimp::market::OrderBook upbit = upbit_book(first);
  const EntryPremiums entry =
      entry_premiums(input, {upbit.best_bid()->price, upbit.best_ask()->price, Timestamp{}, true});
  std::printf("frames' entry premium: median %.5f %%, %zu distinct values; one bar per pass over them\n",
              entry.median * 100, entry.distinct);
  for (const auto& [name, run] : after_runs) {
    print_gate(name, run);
  }
  const double parse_apply = reporter.rate("parse_apply");
  const double quiet = reporter.rate("strategy_on_quote/quiet");
  const double trading = reporter.rate("strategy_on_quote/trading");
  if (parse_apply > 0 && quiet > 0 && trading > 0) {
    const double parse_apply_ns = 1e9 / parse_apply;
    const double quiet_ns = 1e9 / quiet;
    const double trading_ns = 1e9 / trading;
    std::printf(
        "with a pair open most of the time (trading): %.1f ns per book update = %.1f %% of parse+apply\n",
        trading_ns, 100.0 * trading_ns / parse_apply_ns);
    const double percent = 100.0 * quiet_ns / parse_apply_ns;
    std::printf("strategy: %.1f ns per book update = %.1f %% of parse+apply (%.1f ns) (goal <= 50 %%): %s\n",
                quiet_ns, percent, parse_apply_ns, percent <= 50.0 ? "MET" : "NOT MET");
  }
  return 0;
}
