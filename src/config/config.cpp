// The TOML spellings of the configuration enums.
#include "config/config.hpp"

#include <array>

namespace kimp::config {

namespace {

constexpr std::array<std::string_view, 3> kModeNames{"simulation", "paper", "live"};
constexpr std::array<std::string_view, 1> kBybitCategoryNames{"linear"};
constexpr std::array<std::string_view, 2> kOrderTypeNames{"limit_ioc", "market"};
constexpr std::array<std::string_view, 2> kUpbitOrderSizingNames{"quantity", "krw_amount"};
constexpr std::array<std::string_view, 3> kShutdownPolicyNames{"keep", "close_all", "close_if_profitable"};

}  // namespace

std::span<const std::string_view> enum_names(Mode) {
  return kModeNames;
}
std::span<const std::string_view> enum_names(BybitCategory) {
  return kBybitCategoryNames;
}
std::span<const std::string_view> enum_names(OrderType) {
  return kOrderTypeNames;
}
std::span<const std::string_view> enum_names(UpbitOrderSizing) {
  return kUpbitOrderSizingNames;
}
std::span<const std::string_view> enum_names(ShutdownPolicy) {
  return kShutdownPolicyNames;
}

}  // namespace kimp::config
