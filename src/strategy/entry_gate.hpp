// The entry gate: nine named stages a pair trade must pass, each counted, the first failing one with
// its reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "market/order_book.hpp"
#include "market/premium.hpp"
#include "model/instrument.hpp"
#include "strategy/rolling_window.hpp"
#include "strategy/sizing.hpp"

namespace kimp::strategy {

// In the order they run; the first that rejects ends the evaluation.
enum class GateStage : std::uint8_t {
  kRisk,             // (1) the risk manager allows entries: no kill switch, no entry block, daily loss
  kDataFresh,        // (2) both books recent and whole, the FX rate known and young enough
  kWarmUp,           // (3) the rolling window is full
  kSignal,           // (4) z of the entry premium ≤ −entry_z
  kEdge,             // (5) expected reversion − round-trip fees and spreads ≥ min_profit_pct
  kPositionLimits,   // (6) no pair open on the coin; fewer open than max_concurrent_positions
  kSizing,           // (7) both books fill a size both venues accept within max_slippage_pct
  kBalance,          // (8) Upbit KRW and Bybit margin cover the size with the buffer
  kCooldownFunding,  // (9) the coin's cooldown is over; no adverse funding payment imminent
};
inline constexpr std::size_t kGateStages = 9;
// "risk", "data_fresh", "warm_up", "signal", "edge", "position_limits", "sizing", "balance",
// "cooldown_funding": the names in logs, counters and the summary.
std::string_view to_string(GateStage stage);

// One book's top as the gate sees it. Candle replays, which have no books, give the close ± slippage as
// bid and ask and no depth.
struct BookTop {
  Decimal bid{};
  Decimal ask{};
  Timestamp updated{};  // when the book last changed (ts_recv)
  bool whole = false;   // valid: no gap since its snapshot
};

// Everything the gate reads about one coin at one instant. Pointers are borrowed for the call.
struct EntryContext {
  Timestamp now{};
  std::optional<std::string_view> risk_block{};  // why the risk manager refuses entries; nullopt allows
  BookTop upbit{};
  BookTop bybit{};
  const market::OrderBook* upbit_book = nullptr;  // depth for sizing; nullptr sizes by max_position_usdt
  const market::OrderBook* bybit_book = nullptr;
  std::optional<Decimal> usd_krw{};
  std::optional<Duration> usd_krw_age{};
  bool usd_krw_stale = false;
  const RollingWindow* window = nullptr;
  bool coin_busy = false;  // a pair is open, opening or closing on this coin
  std::int32_t open_pairs = 0;
  const model::Instrument* upbit_rules = nullptr;
  const model::Instrument* bybit_rules = nullptr;
  Decimal upbit_krw_available{};
  Decimal bybit_usdt_available{};
  Timestamp cooldown_until{};             // no entry before this (after the coin's last exit)
  std::optional<Decimal> funding_rate{};  // the next Bybit payment; negative means shorts pay
  std::optional<Timestamp> next_funding_time{};
};

// The limits the gate applies, taken from the session config once.
struct GateLimits {
  Duration max_book_age{};
  Duration fx_max_age{};
  double entry_z = 2.0;
  double exit_z = 0.0;
  double round_trip_fees = 0.0;  // 2 × (upbit + bybit taker fee), as a fraction
  double min_profit = 0.0;       // min_profit_pct as a fraction
  std::int32_t max_concurrent = 1;
  SizingLimits sizing{};
  Decimal upbit_fee_pct{};
  Decimal balance_buffer_pct{};
  Duration funding_blackout{};

  static GateLimits from(const config::Config& config);
};

// The outcome of one evaluation. On a rejection `value`/`limit` hold the figures that failed and
// `detail` says which check it was; describe() formats them (only when a line is logged, so rejecting
// costs no allocation).
struct GateDecision {
  std::optional<GateStage> rejected{};  // nullopt: every stage passed
  std::string_view detail{};
  double value = 0.0;
  double limit = 0.0;
  std::string sizing_error{};  // stage 7's reason, from the venue rules
  market::PremiumQuote premium{};
  double z = 0.0;
  double edge = 0.0;  // expected net edge as a fraction
  SizedEntry sized{};
  [[nodiscard]] bool passed() const { return !rejected; }
  [[nodiscard]] std::string describe() const;
};

// Evaluates the nine stages and counts what each did. Not thread-safe; one gate serves every coin.
class EntryGate {
 public:
  explicit EntryGate(GateLimits limits) : limits_(limits) {}

  GateDecision evaluate(const EntryContext& context);

  // Evaluations that reached each stage, and those it rejected.
  [[nodiscard]] const std::array<std::uint64_t, kGateStages>& reached() const { return reached_; }
  [[nodiscard]] const std::array<std::uint64_t, kGateStages>& rejected() const { return rejected_; }
  [[nodiscard]] std::uint64_t passed() const { return passed_; }
  [[nodiscard]] const GateLimits& limits() const { return limits_; }

 private:
  bool check(GateStage stage, bool pass, GateDecision& decision, std::string_view detail, double value,
             double limit);

  GateLimits limits_{};
  std::array<std::uint64_t, kGateStages> reached_{};
  std::array<std::uint64_t, kGateStages> rejected_{};
  std::uint64_t passed_ = 0;
};

}  // namespace kimp::strategy
