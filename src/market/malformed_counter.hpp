// MalformedCounter: counts the frames a feed had to skip, per kind, and logs the first of each kind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/logging.hpp"

namespace kimp::market {

// A feed skips a frame it cannot parse and goes on; this keeps the evidence. The first frame of each
// kind is logged at warn with the error and the head of the frame (kLoggedFrameBytes, escaped); later
// ones are only counted, so a venue that changes a format floods neither the log nor the disk.
class MalformedCounter {
 public:
  static constexpr std::size_t kLoggedFrameBytes = 200;

  struct Kind {
    std::string name;  // "bybit.linear.orderbook", "upbit.trade", ...
    std::uint64_t count = 0;
  };

  explicit MalformedCounter(const std::string& component) : log_(component) {}

  // Counts one skipped `frame` of `kind`, which failed with `error`.
  void record(std::string_view kind, const Error& error, std::string_view frame);

  [[nodiscard]] std::uint64_t count(std::string_view kind) const;
  [[nodiscard]] std::uint64_t total() const { return total_; }
  // Every kind seen so far, in the order first seen.
  [[nodiscard]] const std::vector<Kind>& kinds() const { return kinds_; }

 private:
  log::Logger log_;
  std::vector<Kind> kinds_;
  std::uint64_t total_ = 0;
};

}  // namespace kimp::market
