// Bybit v5 endpoints: mainnet and testnet base URLs, REST paths, stream paths and product categories.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kimp::venues::bybit {

// The product a request or stream is about. Orders and positions are always linear (USDT perpetuals);
// books may come from spot or linear by configuration.
enum class BybitCategory : std::uint8_t { kSpot, kLinear };

// The wire spelling: "spot", "linear".
std::string_view to_string(BybitCategory category);

inline constexpr std::string_view kMainnetRestUrl = "https://api.bybit.com";
inline constexpr std::string_view kTestnetRestUrl = "https://api-testnet.bybit.com";
inline constexpr std::string_view kMainnetPublicLinearStreamUrl = "wss://stream.bybit.com/v5/public/linear";
inline constexpr std::string_view kTestnetPublicLinearStreamUrl =
    "wss://stream-testnet.bybit.com/v5/public/linear";
inline constexpr std::string_view kMainnetPrivateStreamUrl = "wss://stream.bybit.com/v5/private";
inline constexpr std::string_view kTestnetPrivateStreamUrl = "wss://stream-testnet.bybit.com/v5/private";

// REST paths.
inline constexpr std::string_view kServerTimePath = "/v5/market/time";
inline constexpr std::string_view kInstrumentsInfoPath = "/v5/market/instruments-info";
inline constexpr std::string_view kOrderbookPath = "/v5/market/orderbook";
inline constexpr std::string_view kTickersPath = "/v5/market/tickers";
inline constexpr std::string_view kFundingHistoryPath = "/v5/market/funding/history";
inline constexpr std::string_view kWalletBalancePath = "/v5/account/wallet-balance";
inline constexpr std::string_view kFeeRatePath = "/v5/account/fee-rate";
inline constexpr std::string_view kSetMarginModePath = "/v5/account/set-margin-mode";
inline constexpr std::string_view kPositionListPath = "/v5/position/list";
inline constexpr std::string_view kSetLeveragePath = "/v5/position/set-leverage";
inline constexpr std::string_view kSwitchIsolatedPath = "/v5/position/switch-isolated";
inline constexpr std::string_view kSwitchPositionModePath = "/v5/position/switch-mode";
inline constexpr std::string_view kOrderCreatePath = "/v5/order/create";
inline constexpr std::string_view kOrderCancelPath = "/v5/order/cancel";
inline constexpr std::string_view kOrderRealtimePath = "/v5/order/realtime";
inline constexpr std::string_view kOrderHistoryPath = "/v5/order/history";
inline constexpr std::string_view kExecutionListPath = "/v5/execution/list";

// The public stream URL for `category`, derived from the configured public stream URL, whose last path
// segment names a category ("wss://stream.bybit.com/v5/public/linear" → ".../v5/public/spot").
// Errors: kInvalidArgument when the configured URL does not end in "/public/linear" or "/public/spot".
Result<std::string> public_stream_url(std::string_view configured_public_url, BybitCategory category);

}  // namespace kimp::venues::bybit
