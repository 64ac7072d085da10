// Uniform and normal variates from mt19937_64 words, and a counter-based hash uniform.
#include "sim/market/random.hpp"

#include <cmath>
#include <numbers>

namespace kimp::sim {
namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

double Rng::uniform() {
  // Adding one half keeps the result away from 0, so log() in normal() is always finite.
  return (static_cast<double>(engine_() >> 11U) + 0.5) / kTwoPow53;
}

double Rng::normal() {
  if (spare_) {
    const double value = *spare_;
    spare_.reset();
    return value;
  }
  const double radius = std::sqrt(-2.0 * std::log(uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_ = radius * std::sin(angle);
  return radius * std::cos(angle);
}

double hash_uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t mixed = splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b) ^ c);
  return static_cast<double>(mixed >> 11U) / kTwoPow53;
}

}  // namespace kimp::sim
