// The emulated Bybit v5 public WebSocket (/v5/public/linear and /v5/public/spot): books, trades, tickers,
// klines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/timestamp.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/ws_session.hpp"

namespace kimp::sim {

enum class BybitCategory : std::uint8_t { kLinear, kSpot };

// Topics: orderbook.{1,50,200,1000}.SYMBOL (a snapshot, then deltas with `u` +1 per message, `seq` and
// `cts`; a fresh snapshot resets the book; level 1 sends snapshots only), publicTrade.SYMBOL,
// tickers.SYMBOL (linear: a snapshot, then deltas of the fields that changed; spot: snapshots only),
// kline.1.SYMBOL, and on linear allLiquidation.SYMBOL (accepted like Bybit does; the emulated market has
// no liquidations, so it stays silent). {"op":"subscribe"|"unsubscribe"|"ping"} requests are answered as
// Bybit does, refusals included ("error:handler not found,topic:..", "error:already subscribed,topic:..",
// spot's "Invalid symbol :[..]" and "args size >10", "error:invalid op", "Failed to decode incoming
// data:.."). The spot stream serves the same emulated books as linear (the emulator has one Bybit book
// per coin). Runs on the server's thread.
class BybitPublicWebSocket final : public WsEndpoint {
 public:
  // `exchange` must outlive the endpoint. `speed` (> 0) divides the push intervals (see StreamConfig).
  BybitPublicWebSocket(Exchange& exchange, BybitCategory category, double speed);
  ~BybitPublicWebSocket() override;

  [[nodiscard]] std::optional<HttpResponse> admit(const HttpRequest& upgrade) override;
  void on_open(const std::shared_ptr<WsSession>& session) override;
  void on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                  WsFrame frame) override;
  void on_close(const WsSession& session) override;

  // Pushes what is due at server time `now`, from the market as the caller last synced it: each book
  // depth on its own interval (.1 every 10 ms, .50 every 20 ms, .200 every 100 ms, .1000 every 200 ms,
  // on both categories as websocket_public_orderbook.mdx lists them; all ÷ speed) when its top levels
  // changed, and level 1 again after 3 s ÷ speed without a change; tickers (linear every 100 ms, spot
  // every 50 ms), klines (every second) and trades (every call) when they changed. Call at least every
  // 10 ms ÷ speed. Feed failures (a runaway market) are logged and that topic skips the tick.
  void publish(Timestamp now);
  [[nodiscard]] std::size_t sessions() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kimp::sim
