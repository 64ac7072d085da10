// Seeded random numbers whose values depend only on the seed, never on the standard library's implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace kimp::sim {

// std::mt19937_64's output sequence is fixed by the C++ standard, but the standard distributions are
// not, so uniforms and normals are derived here from the raw 64-bit words (Box–Muller for normals).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in the open interval (0, 1), from the top 53 bits of one engine word.
  double uniform();
  // Standard normal; the second value of each Box–Muller pair is kept for the next call.
  double normal();

 private:
  std::mt19937_64 engine_;
  std::optional<double> spare_;
};

// Uniform in [0, 1) as a pure function of its arguments (SplitMix64 finaliser over their mix), for
// values such as book quantities that must depend only on model state and not on how often it was read.
double hash_uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c);

// SplitMix64's finaliser: spreads the bits of `x` over the whole word (a bijection), so consecutive
// inputs give unrelated-looking outputs that repeat exactly run after run.
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace kimp::sim
