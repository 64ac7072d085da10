// Wire spellings of the fault configuration's enums and the WebSocket streams each venue serves.
#include "sim/config/fault_config.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include <fmt/format.h>

#include "core/text.hpp"

namespace kimp::sim {
namespace {

constexpr std::array<std::string_view, 3> kVenueNames{"upbit", "bybit", "fx"};
constexpr std::array<std::string_view, 6> kOutcomeNames{"reject",    "no_fill",     "partial_fill",
                                                        "invisible", "cancel_race", "late_fill"};
constexpr std::array<std::string_view, 1> kUpbitStreams{"websocket"};
constexpr std::array<std::string_view, 3> kBybitStreams{"public.linear", "public.spot", "private"};

}  // namespace

std::span<const std::string_view> enum_names(FaultVenue) {
  return kVenueNames;
}

std::string_view to_string(FaultVenue venue) {
  return kVenueNames.at(static_cast<std::size_t>(venue));
}

std::span<const std::string_view> ws_streams(FaultVenue venue) {
  switch (venue) {
    case FaultVenue::kUpbit: return kUpbitStreams;
    case FaultVenue::kBybit: return kBybitStreams;
    case FaultVenue::kFx: break;
  }
  return {};
}

std::optional<std::string> check_ws_stream(FaultVenue venue, std::string_view stream) {
  const auto streams = ws_streams(venue);
  if (streams.empty()) {
    return fmt::format("{} has no WebSocket streams", to_string(venue));
  }
  if (stream == "*" || std::find(streams.begin(), streams.end(), stream) != streams.end()) {
    return std::nullopt;
  }
  return fmt::format("{} streams are {} or \"*\", got {}", to_string(venue), fmt::join(streams, ", "),
                     quote_input(stream));
}

std::span<const std::string_view> enum_names(OrderOutcome) {
  return kOutcomeNames;
}

std::string_view to_string(OrderOutcome outcome) {
  return kOutcomeNames.at(static_cast<std::size_t>(outcome));
}

}  // namespace kimp::sim
