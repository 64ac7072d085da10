// Exit rules, in order of urgency.
#include "strategy/exit_rules.hpp"

#include <array>

namespace kimp::strategy {

std::string_view to_string(ExitReason reason) {
  static constexpr std::array<std::string_view, 5> kNames = {"signal", "ttl", "premium_stop", "shutdown",
                                                             "end_of_data"};
  return kNames[static_cast<std::size_t>(reason)];
}

std::optional<ExitReason> exit_due(const ExitLimits& limits, Timestamp opened_at, double entry_premium,
                                   Timestamp now, double exit_premium, std::optional<double> exit_z) {
  if (entry_premium - exit_premium >= limits.premium_stop) {
    return ExitReason::kPremiumStop;
  }
  if (now - opened_at >= limits.ttl) {
    return ExitReason::kTtl;
  }
  if (exit_z && *exit_z >= limits.exit_z) {
    return ExitReason::kSignal;
  }
  return std::nullopt;
}

}  // namespace kimp::strategy
