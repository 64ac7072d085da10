// The emulated Upbit WebSocket (/websocket/v1): orderbook, trade and ticker streams in DEFAULT and SIMPLE
// formats.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "sim/server/exchange.hpp"
#include "sim/server/ws_session.hpp"

namespace kimp::sim {

// Subscriptions are Upbit's request array [{"ticket":..},{"type":"orderbook"|"trade"|"ticker","codes":[..],
// "isOnlySnapshot"?,"isOnlyRealtime"?},{"format":"DEFAULT"|"SIMPLE"}]; messages are binary frames, as
// Upbit sends them. A text "PING" is answered {"status":"UP"}; sessions idle for 120 s are closed; more
// than 5 upgrades per second are refused with 429. Runs on the server's thread.
class UpbitWebSocket final : public WsEndpoint {
 public:
  // `exchange` must outlive the endpoint.
  explicit UpbitWebSocket(Exchange& exchange);
  ~UpbitWebSocket() override;

  [[nodiscard]] std::optional<HttpResponse> admit(const HttpRequest& upgrade) override;
  void on_open(const std::shared_ptr<WsSession>& session) override;
  void on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                  WsFrame frame) override;
  void on_close(const WsSession& session) override;

  // Pushes, to every session subscribed, the books, trades and tickers that changed since the last call
  // (Upbit pushes on change). Called after every market step.
  void publish();
  [[nodiscard]] std::size_t sessions() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kimp::sim
