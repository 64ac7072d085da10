// Strict decimal integer parsing for request fields (timestamps, windows, counts) shared by the venue APIs.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kimp::sim {

// The whole of `text` as a base-10 int64 ("-12" included); nullopt for anything else, including
// surrounding spaces, a leading '+', or a value out of range.
inline std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace kimp::sim
