// Candle replay throughput: 10^7 synthetic bars through CandleReplay::step, next to the bare per-bar
// arithmetic (premium, window push, Z-score) on the same bars, with the trades the replay made.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <spdlog/common.h>

#include "config/load.hpp"
#include "core/decimal.hpp"
#include "core/logging.hpp"
#include "core/timestamp.hpp"
#include "market/premium.hpp"
#include "rate_reporter.hpp"
#include "runtime/candle_replay.hpp"
#include "strategy/rolling_window.hpp"

namespace {

using kimp::Decimal;
using kimp::Timestamp;
using kimp::runtime::ReplayBar;

constexpr std::int64_t kBars = 10'000'000;
constexpr std::int64_t kUnits = Decimal::kUnitsPerOne;

// Deterministic 5-minute bars of BTC, generated one at a time so that 10^7 bars need no memory: the
// premium is a mean-reverting walk around 2 % with an occasional dip of 0.6 %, which takes the Z-score
// below -2 often enough for entries and back above 0 for exits; the USDT price a mean-reverting walk
// around 60,000, the Upbit close that price × 1,380 × (1 + premium) on Upbit's 1,000 KRW tick.
class SyntheticBars {
 public:
  explicit SyntheticBars(std::chrono::seconds interval) : interval_(interval) {}

  ReplayBar next() {
    premium_ += kReversion * (kMeanPremium - premium_) + kPremiumNoise * noise();
    if (uniform() < kDipChance) {
      premium_ -= kDip;
    }
    log_price_ += kPriceNoise * noise() - kReversion * log_price_;
    const double usdt = kBasePrice * std::exp(log_price_);
    const double krw = usdt * kUsdKrw * (1.0 + premium_);
    ReplayBar bar{.open_time = open_time_,
                  .upbit_close = Decimal::from_units(std::llround(krw / 1000.0) * 1000 * kUnits),
                  .usdt_close = Decimal::from_units(std::llround(usdt * 10.0) * (kUnits / 10)),
                  .usd_krw = Decimal::from_units(static_cast<std::int64_t>(kUsdKrw) * kUnits),
                  .fx_age = std::chrono::hours(1)};
    open_time_ += interval_;
    return bar;
  }

 private:
  static constexpr double kMeanPremium = 0.02;
  static constexpr double kReversion = 0.02;        // per bar
  static constexpr double kPremiumNoise = 0.00122;  // × triangular noise of sd 0.41: sd 0.05 % per bar
  static constexpr double kDipChance = 1.0 / 1000;  // per bar
  static constexpr double kDip = 0.006;
  static constexpr double kPriceNoise = 0.001;
  static constexpr double kBasePrice = 60'000.0;
  static constexpr double kUsdKrw = 1'380.0;

  // splitmix64: cheap next to the replay and the same sequence on every machine.
  std::uint64_t random() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  double uniform() { return static_cast<double>(random() >> 11U) * 0x1.0p-53; }
  double noise() { return uniform() + uniform() - 1.0; }  // triangular on (-1, 1)

  std::chrono::seconds interval_;
  std::uint64_t state_ = 20260809;
  double premium_ = kMeanPremium;
  double log_price_ = 0.0;
  Timestamp open_time_ = Timestamp::from_ns(1'767'225'600LL * 1'000'000'000LL);  // 2026-01-01 UTC
};

const kimp::config::Config& replay_config() {
  static const kimp::config::Config loaded = [] {
    auto config = kimp::config::load_config(KIMP_SOURCE_DIR "/config/replay.toml");
    if (!config) {
      std::fprintf(stderr, "%s\n", config.error().front().to_string().c_str());
      std::abort();
    }
    return *config;
  }();
  return loaded;
}

// Bars per second of the two benchmarks, and the replay's outcome, read by main().
std::uint64_t trades = 0;
std::uint64_t entries = 0;
std::uint64_t gate_passed = 0;

// The engine's path: every bar through CandleReplay::step, which evaluates exits and the entry gate on
// the bar's close, runs the executions and pushes the bar's premium into the window. One iteration is
// the 10^7 bars (a replay cannot run its bars twice: time only moves forward).
void candle_replay_step(benchmark::State& state) {
  const kimp::config::Config& config = replay_config();
  for (auto _ : state) {
    kimp::runtime::CandleReplay replay(config, config.strategy.coins.front());
    SyntheticBars bars(config.engine.bar_interval);
    bool all_ok = true;
    for (std::int64_t i = 0; i < kBars; ++i) {
      all_ok = replay.step(bars.next()).has_value() && all_ok;
    }
    replay.finish();
    if (!all_ok) {
      state.SkipWithError("a bar was refused");
    }
    trades = replay.trader().closed_pairs().size();
    entries = replay.trader().counters().entries;
    gate_passed = replay.trader().gate().passed();
  }
  state.SetItemsProcessed(state.iterations() * kBars);
}

// The arithmetic every bar needs at the least, on the same bars: the premium of the closes, its Z-score
// against the window and its push into the window. The generator's cost is in both figures.
void bare_arithmetic(benchmark::State& state) {
  const kimp::config::Config& config = replay_config();
  for (auto _ : state) {
    kimp::strategy::RollingWindow window(static_cast<std::size_t>(config.strategy.window_bars));
    SyntheticBars bars(config.engine.bar_interval);
    double sum = 0.0;
    for (std::int64_t i = 0; i < kBars; ++i) {
      const ReplayBar bar = bars.next();
      const double premium = kimp::market::premium(bar.upbit_close, bar.usdt_close, bar.usd_krw);
      sum += window.z_score(premium).value_or(0.0);
      window.push(premium);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kBars);
}

BENCHMARK(candle_replay_step)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bare_arithmetic)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  // Every entry, fill and exit logs at info; at warn those lines are not written, so the figures are the
  // replay's and not the terminal's (their fields are still formatted).
  kimp::log::init(kimp::log::Format::kHuman, spdlog::level::warn);
  std::printf("%lld synthetic 5-minute bars per iteration, config/replay.toml\n",
              static_cast<long long>(kBars));
  kimp::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const double replay = reporter.rate("candle_replay_step");
  const double bare = reporter.rate("bare_arithmetic");
  if (replay > 0 && bare > 0) {
    std::printf("gate passed %llu, entries %llu; replay at %.1f %% of the bare arithmetic (%.1fx slower)\n",
                static_cast<unsigned long long>(gate_passed), static_cast<unsigned long long>(entries),
                100.0 * replay / bare, bare / replay);
    std::printf("replay: %.2f M bar-events/s (goal >= 5 M/s): %s; trades %llu; bare arithmetic %.2f M/s\n",
                replay / 1e6, replay >= 5e6 && trades > 0 ? "MET" : "NOT MET",
                static_cast<unsigned long long>(trades), bare / 1e6);
  }
  return trades > 0 ? 0 : 1;
}
