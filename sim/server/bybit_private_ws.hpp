// The emulated Bybit v5 private WebSocket (/v5/private): auth, then order, execution, position and wallet
// pushes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "sim/server/exchange.hpp"
#include "sim/server/ws_session.hpp"

namespace kimp::sim {

// {"op":"auth","args":[api_key, expires_ms, hex HMAC-SHA256 of "GET/realtime{expires}"]} authenticates a
// session as one account; then {"op":"subscribe","args":["order","execution","position","wallet"]}.
// Each topic pushes what changed in the ledger for that account, in Bybit's message shapes. Runs on the
// server's thread.
class BybitPrivateWebSocket final : public WsEndpoint {
 public:
  // `exchange` must outlive the endpoint.
  explicit BybitPrivateWebSocket(Exchange& exchange);
  ~BybitPrivateWebSocket() override;

  [[nodiscard]] std::optional<HttpResponse> admit(const HttpRequest& upgrade) override;
  void on_open(const std::shared_ptr<WsSession>& session) override;
  void on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                  WsFrame frame) override;
  void on_close(const WsSession& session) override;

  // Pushes every ledger change since the last call (orders, executions, positions, wallets) to the
  // authenticated sessions subscribed to its topic. Called after every request the Bybit and Upbit APIs
  // served and after every market step.
  void publish();
  [[nodiscard]] std::size_t sessions() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kimp::sim
