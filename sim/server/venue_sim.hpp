// VenueSim: the running emulator — exchange state, the four loopback servers, their streams and the market
// clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sim/config/sim_config.hpp"
#include "sim/server/admin_api.hpp"
#include "sim/server/bybit_api.hpp"
#include "sim/server/bybit_private_ws.hpp"
#include "sim/server/bybit_public_ws.hpp"
#include "sim/server/exchange.hpp"
#include "sim/server/fx_api.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/upbit_api.hpp"
#include "sim/server/upbit_ws.hpp"

namespace kimp::sim {

struct VenuePorts {
  std::uint16_t upbit = 0;
  std::uint16_t bybit = 0;
  std::uint16_t fx = 0;
  std::uint16_t admin = 0;

  // {"upbit":18101,"bybit":18102,"fx":18103,"admin":18104}: what the process prints when ready.
  [[nodiscard]] std::string to_json() const;
};

class VenueSim {
 public:
  // Builds the exchange and listens on every configured port of config.server.address. Everything runs
  // on `io`'s thread. Errors: those of Exchange::create and HttpServer::start (a port in use).
  static Result<std::unique_ptr<VenueSim>> start(boost::asio::io_context& io, const SimConfig& config);

  [[nodiscard]] const VenuePorts& ports() const { return ports_; }
  [[nodiscard]] Exchange& exchange() { return *exchange_; }
  // Open WebSocket sessions on every server (tests watch it return to zero).
  [[nodiscard]] std::size_t websocket_sessions() const;
  // Stops listening, closes connections and the market heartbeat; io.run() then returns.
  void stop();

 private:
  explicit VenueSim(boost::asio::io_context& io) : clock_(io.get_executor()) {}
  // Keeps the market moving between requests, so resting orders fill and funding settles on time, and
  // pushes what changed to the WebSocket streams.
  void schedule_heartbeat();
  // Serves one REST request of `venue` after the fault injector decided its fate, then pushes the
  // ledger changes it made to the private streams.
  HttpResponse serve(FaultVenue venue, const HttpRequest& request);
  // The venue's own answer to an injected rate limit or server error.
  [[nodiscard]] HttpResponse injected_failure(FaultVenue venue, HttpVerdict::Action action) const;
  // Resets the open sessions of `venue`'s `stream` ("*": all of them); returns how many.
  std::size_t disconnect_websockets(FaultVenue venue, std::string_view stream);

  WallClock clock_;
  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<UpbitApi> upbit_;
  std::unique_ptr<BybitApi> bybit_;
  std::unique_ptr<FxApi> fx_;
  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<UpbitWebSocket> upbit_ws_;
  std::unique_ptr<BybitPublicWebSocket> bybit_linear_ws_;
  std::unique_ptr<BybitPublicWebSocket> bybit_spot_ws_;
  std::unique_ptr<BybitPrivateWebSocket> bybit_private_ws_;
  std::unique_ptr<HttpServer> upbit_server_;
  std::unique_ptr<HttpServer> bybit_server_;
  std::unique_ptr<HttpServer> fx_server_;
  std::unique_ptr<HttpServer> admin_server_;
  TimerId heartbeat_;
  Duration heartbeat_interval_{};
  VenuePorts ports_;
};

}  // namespace kimp::sim
