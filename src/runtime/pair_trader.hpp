// PairTrader: the strategy of one session — per-coin premium statistics, the entry gate and exit rules on
// every quote, executions through the OrderExecutor, funding, and the record of every pair trade.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "core/logging.hpp"
#include "core/timestamp.hpp"
#include "execution/order_executor.hpp"
#include "market/bar_aggregator.hpp"
#include "market/order_book.hpp"
#include "model/instrument.hpp"
#include "risk/risk_manager.hpp"
#include "strategy/entry_gate.hpp"
#include "strategy/exit_rules.hpp"
#include "strategy/pnl.hpp"
#include "strategy/rolling_window.hpp"

namespace kimp::runtime {

// A coin as both venues trade it.
struct CoinMarkets {
  std::string coin{};
  model::Instrument upbit{};
  model::Instrument bybit{};
};

// One coin's market at one instant: both books' tops, with their depth when there are books.
struct CoinQuote {
  strategy::BookTop upbit{};
  strategy::BookTop bybit{};
  const market::OrderBook* upbit_book = nullptr;
  const market::OrderBook* bybit_book = nullptr;
};

// Both books' tops; a book that is missing, invalid or one-sided leaves its side not whole.
CoinQuote quote_from_books(const market::OrderBook* upbit, const market::OrderBook* bybit);

// The FX rates at one instant.
struct FxView {
  std::optional<Decimal> usd_krw{};
  std::optional<Duration> usd_krw_age{};
  bool usd_krw_stale = false;
  std::optional<Decimal> usdt_krw{};  // converts the KRW leg's PnL; USD/KRW stands in while unknown
};

// A pair while it is open.
struct OpenPair {
  std::uint64_t id = 0;
  std::uint32_t coin = 0;
  strategy::PairLegs entry{};
  std::string upbit_order_id{};
  std::string bybit_order_id{};
  double entry_premium = 0.0;  // the premium the gate entered on
  double entry_z = 0.0;
  double fill_premium = 0.0;   // the premium of the actual fills
  double expected_edge = 0.0;  // the gate's expected net edge, a fraction of the notional
  Timestamp opened_at{};
  Decimal funding_usdt{};
  Timestamp funding_paid_through{};  // funding settled at or before this has been credited
};

// A pair after it closed: both sides' fills, why, and its PnL.
struct ClosedPair {
  OpenPair open{};
  strategy::PairLegs exit{};
  std::string upbit_order_id{};
  std::string bybit_order_id{};
  strategy::ExitReason reason = strategy::ExitReason::kSignal;
  double exit_premium = 0.0;
  double exit_z = 0.0;
  Timestamp closed_at{};
  strategy::PairPnl pnl{};
};

// One bar of one coin with the statistics the strategy held when it closed (before the bar joined them).
struct SeriesRow {
  market::Bar bar{};
  double mean = 0.0;
  double stddev = 0.0;
  std::optional<double> z{};
  std::size_t window = 0;
};

struct TraderCounters {
  std::uint64_t quotes = 0;
  std::uint64_t bars = 0;
  std::uint64_t entries = 0;
  std::uint64_t entry_failures = 0;
  std::uint64_t exits = 0;
  std::uint64_t exit_failures = 0;
  std::uint64_t funding_payments = 0;
};

// What the trader reports as it goes; any may be empty.
struct TraderListeners {
  std::function<void(const OpenPair&)> on_opened;
  std::function<void(const ClosedPair&)> on_closed;
  std::function<void(const SeriesRow&)> on_series;
};

// Executions run as coroutines on `executor` (the session's event loop); while one is in flight its coin
// takes no other entry or exit. A gate rejection is logged when a coin's rejecting stage changes, so a
// quiet market logs one line per coin and not one per book update.
class PairTrader {
 public:
  // `clock`, `orders` and `risk` must outlive the trader. `gate` is normally GateLimits::from(config).
  PairTrader(const config::Config& config, strategy::GateLimits gate, const Clock& clock,
             execution::OrderExecutor& orders, risk::RiskManager& risk, boost::asio::any_io_executor executor,
             TraderListeners listeners = {});

  // Starts monitoring a coin; returns its index for the other calls.
  std::uint32_t add_coin(CoinMarkets markets);
  // Stops new entries on a coin; an open pair still closes by its rules.
  void retire_coin(std::uint32_t coin);

  // A closed bar: the series row is reported and the bar's premium joins the coin's window.
  void on_bar(const market::Bar& bar);
  // Exit rules, then the entry gate, on the coin's current market.
  void on_quote(std::uint32_t coin, const CoinQuote& quote, const FxView& fx);
  // A book update of a live or recorded feed: when both books are whole and USD/KRW is known, both mids
  // are sampled into `bars` at `now` (a bar the sample closes goes to on_bar first), then on_quote.
  void on_book_update(std::uint32_t coin, const CoinQuote& quote, const FxView& fx,
                      market::BarAggregator& bars, Timestamp now);
  // The next funding payment of the coin's perpetual; `mark_usdt` values the position when it settles.
  void on_funding(std::uint32_t coin, Decimal rate, Timestamp next_funding_time, Decimal mark_usdt);
  // Closes every open pair at the current quotes (`quotes` indexed by coin) for `reason`; pairs without a
  // quote stay open.
  void close_all(const std::vector<std::optional<CoinQuote>>& quotes, const FxView& fx,
                 strategy::ExitReason reason);

  // Executions in flight.
  [[nodiscard]] std::size_t in_flight() const { return in_flight_; }
  [[nodiscard]] std::size_t coin_count() const { return coins_.size(); }
  [[nodiscard]] const CoinMarkets& markets(std::uint32_t coin) const { return coins_[coin].markets; }
  [[nodiscard]] const strategy::RollingWindow& window(std::uint32_t coin) const {
    return coins_[coin].window;
  }
  [[nodiscard]] std::vector<OpenPair> open_pairs() const;
  [[nodiscard]] const std::vector<ClosedPair>& closed_pairs() const { return closed_; }
  [[nodiscard]] const TraderCounters& counters() const { return counters_; }
  [[nodiscard]] const strategy::EntryGate& gate() const { return gate_; }
  // Unrealised PnL of the open pairs at `quotes` (indexed by coin), summed; pairs without a quote count 0.
  [[nodiscard]] Decimal unrealised_usdt(const std::vector<std::optional<CoinQuote>>& quotes,
                                        const FxView& fx) const;

 private:
  struct Coin {
    CoinMarkets markets{};
    strategy::RollingWindow window;
    bool retired = false;
    bool executing = false;
    std::optional<OpenPair> open{};
    Timestamp cooldown_until{};
    Timestamp next_exit_attempt{};
    std::optional<strategy::GateStage> last_rejection{};
    bool last_passed = false;
    std::optional<Decimal> funding_rate{};
    std::optional<Timestamp> next_funding_time{};
    Decimal mark_usdt{};
  };

  void try_exit(std::uint32_t index, Coin& coin, const CoinQuote& quote, const FxView& fx,
                std::optional<strategy::ExitReason> forced);
  void try_entry(std::uint32_t index, Coin& coin, const CoinQuote& quote, const FxView& fx);
  void settle_funding(Coin& coin, Timestamp now);
  void note_decision(Coin& coin, const strategy::GateDecision& decision);
  boost::asio::awaitable<void> run_entry(std::uint32_t index, execution::EntryRequest request,
                                         strategy::GateDecision decision);
  boost::asio::awaitable<void> run_exit(std::uint32_t index, execution::ExitRequest request,
                                        strategy::ExitReason reason, double exit_premium, double exit_z);

  config::Config config_{};
  strategy::EntryGate gate_;
  strategy::ExitLimits exit_limits_;
  const Clock* clock_;
  execution::OrderExecutor* orders_;
  risk::RiskManager* risk_;
  boost::asio::any_io_executor executor_{};
  TraderListeners listeners_{};
  std::vector<Coin> coins_{};
  std::vector<ClosedPair> closed_{};
  TraderCounters counters_{};
  std::size_t in_flight_ = 0;
  std::int32_t busy_pairs_ =
      0;  // coins with a pair open, opening or closing: kept as they change, not counted per quote
  std::uint64_t next_pair_id_ = 0;
  log::Logger log_{"strategy"};
};

}  // namespace kimp::runtime
