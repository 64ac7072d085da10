// MarketModel: the emulator's market — synthetic (seeded) or replayed prices, books, tickers, funding,
// candles.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/market/book.hpp"
#include "sim/market/book_builder.hpp"
#include "sim/market/bybit_replay.hpp"
#include "sim/market/candles.hpp"
#include "sim/market/instruments.hpp"
#include "sim/market/random.hpp"
#include "sim/market/upbit_candle_replay.hpp"

namespace kimp::sim {

enum class Venue : std::uint8_t { kUpbit, kBybit };

// One coin traded on both venues: "KRW-<coin>" on Upbit, "<coin>USDT" on Bybit.
struct CoinSpec {
  std::string coin;                      // "BTC"
  double start_price_usdt = 0.0;         // the Bybit perpetual's mid at the start
  double daily_sigma = 0.03;             // of the perpetual's log price over one day
  double upbit_top_usdt = 0.0;           // mean value of one Upbit level near the top, in USDT
  double bybit_top_usdt = 0.0;           // the same on Bybit
  double upbit_daily_volume_usdt = 0.0;  // traded value per day, for volume statistics
  double bybit_daily_volume_usdt = 0.0;
};

// BTC, ETH, SOL, XRP, DOGE at mid-2025 prices, volatilities and depths.
std::vector<CoinSpec> default_coins();

// An Ornstein–Uhlenbeck process: reverts to `mean` with the given half-life; `daily_sigma` is the
// diffusion per square root of a day (the stationary deviation is daily_sigma / sqrt(2 ln2 / half_life)).
struct OuSpec {
  double mean = 0.0;
  double daily_sigma = 0.0;
  Duration half_life = std::chrono::hours(1);
  std::optional<double> start;  // the mean when empty
};

// Replay mode: Bybit books from a capture, Upbit KRW-BTC's mid from candles. Coins absent from the
// recordings stay synthetic (their Bybit mid a random walk, their Upbit mid perp × USD/KRW × premium).
struct ReplaySpec {
  std::string bybit_capture;  // .jsonl; empty = synthetic mode
  std::string upbit_candles;  // KRW-BTC candle CSV; empty = KRW-BTC follows the synthetic premium
  Duration upbit_candle_interval = std::chrono::minutes(5);
  Timestamp upbit_candles_at_start;  // the candle time shown at the capture's first event
};

struct MarketConfig {
  std::uint64_t seed = 1;
  Timestamp start;  // model time of the first state; replay mode starts at the capture's first event
  Duration step = std::chrono::milliseconds(100);
  std::vector<CoinSpec> coins = default_coins();
  double usd_krw_start = 1380.0;
  double usd_krw_daily_sigma = 0.004;
  OuSpec premium{0.02, 0.01, std::chrono::hours(2), {}};          // Upbit over Bybit × USD/KRW, per coin
  OuSpec tether_premium{0.01, 0.003, std::chrono::hours(6), {}};  // KRW-USDT over USD/KRW
  OuSpec funding_rate{0.0001, 0.0002, std::chrono::hours(8), {}};
  OuSpec basis{0.0, 0.0005, std::chrono::minutes(30), {}};  // the perpetual's mid over its index price
  double usdt_top_usdt = 50'000.0;                          // KRW-USDT level value
  double usdt_daily_volume_usdt = 200'000'000.0;
  std::int32_t upbit_levels = 30;
  std::int32_t bybit_levels = 50;
  std::size_t candle_minutes = 1'440;  // history kept for the candles endpoint (24 h statistics need 1,440)
  BybitInstrumentTable instruments = BybitInstrumentTable::builtin();
  ReplaySpec replay;
};

// What a ticker endpoint reports. The 24 h figures cover the model's own history, so they span less
// than a day during its first day. Volume (base coin) and turnover (quote) are doubles: see Candle.
struct TickerStats {
  Decimal last_price;
  Decimal open_24h;
  Decimal high_24h;
  Decimal low_24h;
  double volume_24h = 0.0;
  double turnover_24h = 0.0;
};

// A Bybit perpetual's mark/index prices and funding.
struct FundingState {
  Decimal mark_price;
  Decimal index_price;
  Decimal funding_rate;  // per interval, e.g. 0.0001 = 0.01 %
  Timestamp next_funding_time;
  std::int32_t interval_minutes = 480;
};

class MarketModel {
 public:
  // Errors: kInvalidArgument for a non-positive step, price or level count, a coin whose Bybit symbol
  // is not in config.instruments, or a starting state whose books cannot be built; replay files as
  // BybitCaptureReplay::load and UpbitCandleReplay::load.
  static Result<MarketModel> create(MarketConfig config);

  MarketModel(MarketModel&&) noexcept = default;
  MarketModel& operator=(MarketModel&&) noexcept = default;
  MarketModel(const MarketModel&) = delete;
  MarketModel& operator=(const MarketModel&) = delete;
  ~MarketModel() = default;

  // Moves model time to the last whole step at or before `until`. The path depends only on the seed and
  // the step count, never on how the advance was split into calls. Books are rebuilt when a step passed.
  // Errors: kInvalidArgument when a price leaves the representable range (a runaway configuration).
  Status advance_to(Timestamp until);

  [[nodiscard]] Timestamp now() const { return now_; }
  // Steps taken since the start; every synthetic book's update_id is this plus one.
  [[nodiscard]] std::uint64_t step_count() const { return step_count_; }

  // "KRW-BTC", ..., "KRW-USDT" for Upbit; "BTCUSDT", ... for Bybit; in configuration order.
  [[nodiscard]] std::vector<std::string> symbols(Venue venue) const;
  // nullptr for an unknown symbol.
  [[nodiscard]] const OrderBook* book(Venue venue, std::string_view symbol) const;

  // USD/KRW as the FX source quotes it (two decimals).
  [[nodiscard]] Decimal usd_krw() const;
  // Upbit mid / (Bybit mid × USD/KRW) − 1 for `coin` ("BTC"); nullopt for an unknown coin.
  [[nodiscard]] std::optional<double> premium(std::string_view coin) const;
  // Adds `pct` percentage points to `coin`'s premium now, from where it reverts at its half-life, and
  // rebuilds the books: KRW-<coin> moves at once, within the current step (its update_id stays).
  // Errors, leaving the model unchanged: kInvalidArgument for an unknown coin or a jump that would take
  // the Upbit price to zero or below; kFailedPrecondition for a coin whose Upbit price is replayed from
  // candles, which no premium drives.
  Status jump_premium(std::string_view coin, Decimal pct);

  // The model records the opening price as a first trade and trades on every step, so a ticker is there
  // from the first instant. Errors: kInvalidArgument for an unknown symbol (or, for funding, a non-Bybit
  // one); kFailedPrecondition when nothing traded in the last 24 h (a model not stepped for a day).
  [[nodiscard]] Result<TickerStats> ticker(Venue venue, std::string_view symbol) const;
  [[nodiscard]] Result<FundingState> funding(std::string_view bybit_symbol) const;
  // The newest `count` one-minute candles, oldest first (the last may be in progress).
  // Errors: kInvalidArgument for an unknown symbol.
  [[nodiscard]] Result<std::vector<Candle>> candles(Venue venue, std::string_view symbol,
                                                    std::size_t count) const;

  [[nodiscard]] const BybitInstrumentTable& instruments() const { return config_.instruments; }

 private:
  struct Ou {
    double value = 0.0;
    double mean = 0.0;
    double decay = 1.0;   // exp(-theta dt)
    double spread = 0.0;  // standard deviation of one step's innovation
  };
  struct Instrument {
    Venue venue = Venue::kUpbit;
    std::string symbol;
    TickGrid grid;
    LadderSpec ladder;
    double top_usdt = 0.0;
    double volume_usdt_per_step = 0.0;
    double mid = 0.0;       // quote currency
    double mid_usdt = 0.0;  // for sizing levels in base coin
    double previous_mid = 0.0;
    Decimal last_price;
    CandleSeries candles;
    OrderBook book;
    const OrderBook* replayed = nullptr;  // when the book comes from the capture
  };
  struct Coin {
    std::string coin;
    double log_perp = 0.0;
    double step_sigma = 0.0;
    Ou premium;
    Ou funding;
    Ou basis;
    std::size_t upbit = 0;  // index into instruments_
    std::size_t bybit = 0;
    const BybitInstrument* rules = nullptr;
    bool replay_upbit = false;
  };

  explicit MarketModel(MarketConfig config);
  Status init();
  Status take_step();
  void set_mids();
  Status record_trades();
  Status rebuild_books();
  [[nodiscard]] const Instrument* find(Venue venue, std::string_view symbol) const;
  [[nodiscard]] double step_days() const;
  Ou make_ou(const OuSpec& spec) const;
  void step_ou(Ou& process);

  MarketConfig config_;
  Rng rng_;
  Timestamp now_;
  std::uint64_t step_count_ = 0;
  double log_usd_krw_ = 0.0;
  double fx_step_sigma_ = 0.0;
  Ou tether_;
  std::vector<Coin> coins_;
  std::vector<Instrument> instruments_;
  std::size_t usdt_ = 0;  // KRW-USDT's index
  std::unique_ptr<BybitCaptureReplay> bybit_replay_;
  std::unique_ptr<UpbitCandleReplay> upbit_replay_;
};

}  // namespace kimp::sim
