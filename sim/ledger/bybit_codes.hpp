// Bybit v5 retCodes of trading refusals, shared by the ledger (which decides them) and the REST layer.
#pragma once

#include <cstdint>

namespace kimp::sim::bybit_code {

inline constexpr std::int32_t kParamsError = 10001;
inline constexpr std::int32_t kOrderNotExists = 110001;
inline constexpr std::int32_t kAvailableInsufficient = 110007;
inline constexpr std::int32_t kReduceOnlyRejected = 110017;
inline constexpr std::int32_t kLeverageNotModified = 110043;
inline constexpr std::int32_t kDuplicateOrderLinkId = 110072;
inline constexpr std::int32_t kNotionalBelowMinimum = 110094;

}  // namespace kimp::sim::bybit_code
