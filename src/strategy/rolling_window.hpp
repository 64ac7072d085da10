// RollingWindow: mean, standard deviation and Z-score of the last N values, O(1) per value.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace kimp::strategy {

// Keeps the last `capacity` values in a ring and their running mean and sum of squared deviations
// (Welford's form, updated for the value that enters and the one that leaves). Rounding drift cannot
// build up: every `capacity` pushes the sums are recomputed exactly from the ring (two passes), so each
// push costs O(1) amortised and the figures stay within a few ulps of a full recomputation.
class RollingWindow {
 public:
  // `capacity` of at least 2 (a standard deviation needs two values); smaller capacities are raised to 2.
  explicit RollingWindow(std::size_t capacity);

  void push(double value);
  // Forgets every value (a coin restarted after a long gap).
  void clear();

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return values_.size(); }
  [[nodiscard]] bool full() const { return size_ == values_.size(); }
  [[nodiscard]] double mean() const { return mean_; }
  // Sample standard deviation (n - 1); 0 with fewer than two values.
  [[nodiscard]] double stddev() const;
  // (value - mean) / stddev; nullopt while the window holds fewer than two values or they are all equal.
  [[nodiscard]] std::optional<double> z_score(double value) const;

 private:
  void recompute();

  std::vector<double> values_;
  std::size_t next_ = 0;  // where the next value goes
  std::size_t size_ = 0;
  std::size_t pushes_since_recompute_ = 0;
  double mean_ = 0.0;
  double squared_deviations_ = 0.0;  // sum of (x - mean)^2 over the window
};

}  // namespace kimp::strategy
