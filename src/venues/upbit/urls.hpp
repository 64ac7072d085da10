// Upbit endpoints: REST and WebSocket base URLs and the REST paths the adapter calls.
#pragma once

#include <string_view>

namespace kimp::venues::upbit {

inline constexpr std::string_view kRestUrl = "https://api.upbit.com";
inline constexpr std::string_view kPublicStreamUrl = "wss://api.upbit.com/websocket/v1";
inline constexpr std::string_view kPrivateStreamUrl = "wss://api.upbit.com/websocket/v1/private";

// Exchange API (signed).
inline constexpr std::string_view kAccountsPath = "/v1/accounts";
inline constexpr std::string_view kOrderChancePath = "/v1/orders/chance";
inline constexpr std::string_view kOrdersPath = "/v1/orders";  // POST: place
inline constexpr std::string_view kOrderPath = "/v1/order";    // GET: look up, DELETE: cancel

// Quotation API (public).
inline constexpr std::string_view kMarketAllPath = "/v1/market/all";
inline constexpr std::string_view kOrderbookPath = "/v1/orderbook";
inline constexpr std::string_view kTickerPath = "/v1/ticker";

}  // namespace kimp::venues::upbit
