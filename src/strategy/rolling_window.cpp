// RollingWindow: sliding Welford updates with a periodic exact recomputation.
#include "strategy/rolling_window.hpp"

#include <algorithm>
#include <cmath>

namespace kimp::strategy {

RollingWindow::RollingWindow(std::size_t capacity) : values_(std::max<std::size_t>(capacity, 2), 0.0) {}

void RollingWindow::push(double value) {
  const std::size_t capacity = values_.size();
  if (size_ < capacity) {
    ++size_;
    const double delta = value - mean_;
    mean_ += delta / static_cast<double>(size_);
    squared_deviations_ += delta * (value - mean_);
  } else {
    const double leaving = values_[next_];
    const double old_mean = mean_;
    mean_ += (value - leaving) / static_cast<double>(capacity);
    squared_deviations_ += (value - leaving) * (value - mean_ + leaving - old_mean);
  }
  values_[next_] = value;
  next_ = next_ + 1 == capacity ? 0 : next_ + 1;
  if (++pushes_since_recompute_ == capacity) {
    recompute();
  }
}

void RollingWindow::clear() {
  size_ = 0;
  next_ = 0;
  pushes_since_recompute_ = 0;
  mean_ = 0.0;
  squared_deviations_ = 0.0;
}

void RollingWindow::recompute() {
  pushes_since_recompute_ = 0;
  // The held values are the `size_` slots before next_; while filling that is [0, size_).
  const auto begin = values_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(size_);
  double sum = 0.0;
  for (auto it = begin; it != end; ++it) {
    sum += *it;
  }
  mean_ = sum / static_cast<double>(size_);
  double squares = 0.0;
  for (auto it = begin; it != end; ++it) {
    const double deviation = *it - mean_;
    squares += deviation * deviation;
  }
  squared_deviations_ = squares;
}

double RollingWindow::stddev() const {
  if (size_ < 2) {
    return 0.0;
  }
  return std::sqrt(std::max(squared_deviations_, 0.0) / static_cast<double>(size_ - 1));
}

std::optional<double> RollingWindow::z_score(double value) const {
  const double deviation = stddev();
  if (size_ < 2 || !(deviation > 0.0)) {
    return std::nullopt;
  }
  return (value - mean_) / deviation;
}

}  // namespace kimp::strategy
