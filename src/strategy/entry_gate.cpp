// The entry gate's nine stages, in order, with their counters.
#include "strategy/entry_gate.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace kimp::strategy {
namespace {

constexpr std::array<std::string_view, kGateStages> kStageNames = {
    "risk",   "data_fresh", "warm_up",         "signal", "edge", "position_limits",
    "sizing", "balance",    "cooldown_funding"};

double fraction(Decimal percent) {
  return percent.to_double() / 100.0;
}

double seconds(Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// `amount` × (1 + percent / 100), rounded up: what a balance must hold to cover it with the buffer.
Result<Decimal> with_margin(Decimal amount, Decimal percent) {
  KIMP_TRY_ASSIGN(const Decimal extra, amount.mul(percent, RoundingMode::kUp));
  KIMP_TRY_ASSIGN(const Decimal share,
                  extra.div(Decimal::from_units(100 * Decimal::kUnitsPerOne), RoundingMode::kUp));
  return amount.add(share);
}

}  // namespace

std::string_view to_string(GateStage stage) {
  return kStageNames[static_cast<std::size_t>(stage)];
}

GateLimits GateLimits::from(const config::Config& config) {
  const config::StrategyConfig& strategy = config.strategy;
  GateLimits limits;
  limits.max_book_age = strategy.max_book_age;
  limits.fx_max_age = config.risk.fx_stale_after;
  limits.entry_z = strategy.entry_z;
  limits.exit_z = strategy.exit_z;
  limits.round_trip_fees = 2.0 * (fraction(strategy.upbit_fee_pct) + fraction(strategy.bybit_fee_pct));
  limits.min_profit = fraction(strategy.min_profit_pct);
  limits.max_concurrent = config.risk.max_concurrent_positions;
  limits.sizing = {strategy.max_slippage_pct, strategy.max_position_usdt};
  limits.upbit_fee_pct = strategy.upbit_fee_pct;
  limits.balance_buffer_pct = strategy.balance_buffer_pct;
  limits.funding_blackout = strategy.funding_blackout;
  return limits;
}

std::string GateDecision::describe() const {
  if (!rejected) {
    return fmt::format("passed: z {:.3f}, entry premium {:.4f} %, edge {:.4f} %, qty {}", z,
                       premium.entry * 100, edge * 100, sized.qty);
  }
  if (!sizing_error.empty()) {
    return fmt::format("{}: {}", to_string(*rejected), sizing_error);
  }
  return fmt::format("{}: {} ({:.6g} against {:.6g})", to_string(*rejected), detail, value, limit);
}

bool EntryGate::check(GateStage stage, bool pass, GateDecision& decision, std::string_view detail,
                      double value, double limit) {
  if (pass) {
    return true;
  }
  ++rejected_[static_cast<std::size_t>(stage)];
  decision.rejected = stage;
  decision.detail = detail;
  decision.value = value;
  decision.limit = limit;
  return false;
}

GateDecision EntryGate::evaluate(const EntryContext& context) {
  GateDecision decision;
  const auto reach = [this](GateStage stage) { ++reached_[static_cast<std::size_t>(stage)]; };

  reach(GateStage::kRisk);
  if (!check(GateStage::kRisk, !context.risk_block, decision,
             context.risk_block ? *context.risk_block : std::string_view{}, 0, 0)) {
    return decision;
  }

  reach(GateStage::kDataFresh);
  const double max_book_age = seconds(limits_.max_book_age);
  const double upbit_age = seconds(context.now - context.upbit.updated);
  const double bybit_age = seconds(context.now - context.bybit.updated);
  if (!check(GateStage::kDataFresh, context.upbit.whole, decision, "upbit book not whole", 0, 0) ||
      !check(GateStage::kDataFresh, context.bybit.whole, decision, "bybit book not whole", 0, 0) ||
      !check(GateStage::kDataFresh, upbit_age <= max_book_age, decision, "upbit book age s", upbit_age,
             max_book_age) ||
      !check(GateStage::kDataFresh, bybit_age <= max_book_age, decision, "bybit book age s", bybit_age,
             max_book_age) ||
      !check(GateStage::kDataFresh, context.usd_krw.has_value() && context.usd_krw_age.has_value(), decision,
             "no USD/KRW rate", 0, 0) ||
      !check(GateStage::kDataFresh, !context.usd_krw_stale, decision, "USD/KRW refresh failing", 0, 0)) {
    return decision;
  }
  const double fx_age = seconds(*context.usd_krw_age);
  const double fx_max_age = seconds(limits_.fx_max_age);
  if (!check(GateStage::kDataFresh, fx_age <= fx_max_age, decision, "USD/KRW age s", fx_age, fx_max_age)) {
    return decision;
  }

  reach(GateStage::kWarmUp);
  const RollingWindow& window = *context.window;
  if (!check(GateStage::kWarmUp, window.full(), decision, "bars in window",
             static_cast<double>(window.size()), static_cast<double>(window.capacity()))) {
    return decision;
  }

  reach(GateStage::kSignal);
  decision.premium = market::premium_quote(context.upbit.bid, context.upbit.ask, context.bybit.bid,
                                           context.bybit.ask, *context.usd_krw);
  const std::optional<double> z = window.z_score(decision.premium.entry);
  decision.z = z.value_or(0.0);
  if (!check(GateStage::kSignal, z.has_value() && *z <= -limits_.entry_z, decision, "z of entry premium",
             decision.z, -limits_.entry_z)) {
    return decision;
  }

  reach(GateStage::kEdge);
  // The premium is expected back at mean + exit_z·σ (mid); unwinding pays today's exit spread below mid.
  const double target_mid = window.mean() + limits_.exit_z * window.stddev();
  const double exit_discount = decision.premium.mid - decision.premium.exit;
  decision.edge = target_mid - exit_discount - decision.premium.entry - limits_.round_trip_fees;
  if (!check(GateStage::kEdge, decision.edge >= limits_.min_profit, decision, "expected net edge",
             decision.edge, limits_.min_profit)) {
    return decision;
  }

  reach(GateStage::kPositionLimits);
  if (!check(GateStage::kPositionLimits, !context.coin_busy, decision, "a pair is already open on the coin",
             0, 0) ||
      !check(GateStage::kPositionLimits, context.open_pairs < limits_.max_concurrent, decision, "open pairs",
             context.open_pairs, limits_.max_concurrent)) {
    return decision;
  }

  reach(GateStage::kSizing);
  const Result<SizedEntry> sized =
      context.upbit_book != nullptr && context.bybit_book != nullptr
          ? size_from_books(*context.upbit_book, *context.bybit_book, *context.upbit_rules,
                            *context.bybit_rules, limits_.sizing)
          : size_from_notional(context.upbit.ask, context.bybit.bid, *context.upbit_rules,
                               *context.bybit_rules, limits_.sizing.max_position_usdt);
  if (!sized) {
    decision.sizing_error = sized.error().message;
    check(GateStage::kSizing, false, decision, "size", 0, 0);
    return decision;
  }
  decision.sized = *sized;

  reach(GateStage::kBalance);
  // Upbit takes its fee in KRW on top of the cost; Bybit holds the notional as margin at 1× plus its fee.
  const Result<Decimal> upbit_with_fee = with_margin(sized->upbit_cost_krw, limits_.upbit_fee_pct);
  const Result<Decimal> upbit_needed =
      upbit_with_fee ? with_margin(*upbit_with_fee, limits_.balance_buffer_pct) : upbit_with_fee;
  const Result<Decimal> bybit_needed = with_margin(sized->bybit_notional_usdt, limits_.balance_buffer_pct);
  if (!check(GateStage::kBalance, upbit_needed && *upbit_needed <= context.upbit_krw_available, decision,
             "upbit KRW needed", upbit_needed ? upbit_needed->to_double() : 0,
             context.upbit_krw_available.to_double()) ||
      !check(GateStage::kBalance, bybit_needed && *bybit_needed <= context.bybit_usdt_available, decision,
             "bybit USDT margin needed", bybit_needed ? bybit_needed->to_double() : 0,
             context.bybit_usdt_available.to_double())) {
    return decision;
  }

  reach(GateStage::kCooldownFunding);
  const double cooldown_left = seconds(context.cooldown_until - context.now);
  if (!check(GateStage::kCooldownFunding, cooldown_left <= 0, decision, "cooldown left s", cooldown_left,
             0)) {
    return decision;
  }
  if (context.funding_rate && context.next_funding_time && context.funding_rate->is_negative()) {
    const Duration until = *context.next_funding_time - context.now;
    const bool imminent = until > Duration::zero() && until <= limits_.funding_blackout;
    if (!check(GateStage::kCooldownFunding, !imminent, decision, "adverse funding in s", seconds(until),
               seconds(limits_.funding_blackout))) {
      return decision;
    }
  }
  ++passed_;
  return decision;
}

}  // namespace kimp::strategy
