// Exponential backoff with jitter for retries and reconnects; the same seed gives the same delays.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp {

// The defaults are the engine's WebSocket reconnect policy: 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s,
// each lengthened by up to 20 % so reconnects after a shared outage do not arrive in lockstep.
struct BackoffConfig {
  Duration initial = std::chrono::seconds{1};  // the first delay before jitter
  double factor = 2.0;                         // growth per attempt
  Duration cap = std::chrono::seconds{30};     // no delay is longer, jitter included
  double jitter = 0.2;                         // each delay is lengthened by a uniform [0, jitter] share
};

class Backoff {
 public:
  // Errors: kInvalidArgument when initial <= 0, cap < initial, factor < 1 (or not finite), or jitter is
  // outside [0, 1].
  static Result<Backoff> create(const BackoffConfig& config, std::uint64_t seed);

  // The delay before the next attempt: min(cap, base + U[0, base * jitter]), where base starts at
  // `initial` and is multiplied by `factor` (up to `cap`) after every call.
  Duration next();
  // Starts again from `initial` (after a success). The random sequence carries on, it does not restart.
  void reset();
  // Calls to next() since creation or the last reset().
  [[nodiscard]] std::uint32_t attempts() const { return attempts_; }

 private:
  Backoff(const BackoffConfig& config, std::uint64_t seed)
      : config_(config), base_(config.initial), rng_(seed) {}

  BackoffConfig config_;
  Duration base_;
  std::uint32_t attempts_ = 0;
  std::mt19937_64 rng_;  // its output sequence is fixed by the standard, so delays match on every platform
};

}  // namespace kimp
