// Exit rules of an open pair: the premium reverted (signal), the pair is too old (TTL), or the premium
// moved too far against it (stop).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/timestamp.hpp"

namespace kimp::strategy {

enum class ExitReason : std::uint8_t {
  kSignal,       // z of the exit premium ≥ exit_z
  kTtl,          // open for position_ttl or longer
  kPremiumStop,  // the exit premium fell premium_stop_pct below the entry premium
  kShutdown,     // the session ends with shutdown_policy close_all
  kEndOfData,    // a replay ran out of data with the pair still open
};
// "signal", "ttl", "premium_stop", "shutdown", "end_of_data".
std::string_view to_string(ExitReason reason);

struct ExitLimits {
  double exit_z = 0.0;
  Duration ttl;
  double premium_stop = 0.0;  // premium_stop_pct as a fraction
};

// Which rule, if any, closes a pair opened at `opened_at` with `entry_premium`, given the exit premium now
// and its z against the window (nullopt while the window has no spread). The stop is checked first
// (losses before profits), then the TTL, then the signal.
std::optional<ExitReason> exit_due(const ExitLimits& limits, Timestamp opened_at, double entry_premium,
                                   Timestamp now, double exit_premium, std::optional<double> exit_z);

}  // namespace kimp::strategy
