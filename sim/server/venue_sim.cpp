// Start-up and shutdown of the emulator process's servers, streams, fault verdicts and market heartbeat.
#include "sim/server/venue_sim.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/logging.hpp"

namespace kimp::sim {
namespace {

// Bybit's finest push interval (orderbook.1 every 10 ms); the heartbeat runs that often, ÷ speed.
constexpr Duration kFinestPushInterval = std::chrono::milliseconds(10);

// Where each stream listens, and its name in fault rules.
constexpr std::string_view kUpbitWebSocketPath = "/websocket/v1";
constexpr std::string_view kUpbitWebSocketStream = "websocket";
constexpr std::string_view kBybitLinearPath = "/v5/public/linear";
constexpr std::string_view kBybitLinearStream = "public.linear";
constexpr std::string_view kBybitSpotPath = "/v5/public/spot";
constexpr std::string_view kBybitSpotStream = "public.spot";
constexpr std::string_view kBybitPrivatePath = "/v5/private";
constexpr std::string_view kBybitPrivateStream = "private";

Duration heartbeat_interval(const SimConfig& config) {
  const auto interval = std::chrono::duration_cast<Duration>(std::chrono::duration<double, Duration::period>(
      static_cast<double>(kFinestPushInterval.count()) / config.streams.speed));
  return std::max(interval, Duration(std::chrono::microseconds(10)));
}

}  // namespace

std::string VenuePorts::to_json() const {
  return fmt::format(R"({{"upbit":{},"bybit":{},"fx":{},"admin":{}}})", upbit, bybit, fx, admin);
}

Result<std::unique_ptr<VenueSim>> VenueSim::start(boost::asio::io_context& io, const SimConfig& config) {
  auto sim = std::unique_ptr<VenueSim>(new VenueSim(io));
  KIMP_TRY_ASSIGN(sim->exchange_, Exchange::create(config, sim->clock_));
  auto& exchange = *sim->exchange_;
  KIMP_TRY_ASSIGN(sim->upbit_, UpbitApi::create(exchange, sim->clock_));
  sim->bybit_ = std::make_unique<BybitApi>(exchange);
  sim->fx_ = std::make_unique<FxApi>(exchange);
  auto* raw = sim.get();
  sim->admin_ =
      std::make_unique<AdminApi>(exchange, AdminControls{[raw](FaultVenue venue, std::string_view stream) {
                                   return raw->disconnect_websockets(venue, stream);
                                 }});
  sim->upbit_ws_ = std::make_unique<UpbitWebSocket>(exchange);
  sim->bybit_linear_ws_ =
      std::make_unique<BybitPublicWebSocket>(exchange, BybitCategory::kLinear, config.streams.speed);
  sim->bybit_spot_ws_ =
      std::make_unique<BybitPublicWebSocket>(exchange, BybitCategory::kSpot, config.streams.speed);
  sim->bybit_private_ws_ = std::make_unique<BybitPrivateWebSocket>(exchange);

  const auto& server = config.server;
  KIMP_TRY_ASSIGN(sim->upbit_server_,
                  HttpServer::start(io, server.address, server.upbit_port,
                                    [raw](const auto& r) { return raw->serve(FaultVenue::kUpbit, r); }));
  KIMP_TRY_ASSIGN(sim->bybit_server_,
                  HttpServer::start(io, server.address, server.bybit_port,
                                    [raw](const auto& r) { return raw->serve(FaultVenue::kBybit, r); }));
  KIMP_TRY_ASSIGN(sim->fx_server_,
                  HttpServer::start(io, server.address, server.fx_port,
                                    [raw](const auto& r) { return raw->serve(FaultVenue::kFx, r); }));
  KIMP_TRY_ASSIGN(sim->admin_server_,
                  HttpServer::start(io, server.address, server.admin_port,
                                    [raw](const auto& r) { return raw->admin_->handle(r); }));
  auto* faults = &exchange.faults();
  sim->upbit_server_->route_websocket(std::string(kUpbitWebSocketPath), *sim->upbit_ws_,
                                      {faults, FaultVenue::kUpbit, std::string(kUpbitWebSocketStream)});
  sim->bybit_server_->route_websocket(std::string(kBybitLinearPath), *sim->bybit_linear_ws_,
                                      {faults, FaultVenue::kBybit, std::string(kBybitLinearStream)});
  sim->bybit_server_->route_websocket(std::string(kBybitSpotPath), *sim->bybit_spot_ws_,
                                      {faults, FaultVenue::kBybit, std::string(kBybitSpotStream)});
  sim->bybit_server_->route_websocket(std::string(kBybitPrivatePath), *sim->bybit_private_ws_,
                                      {faults, FaultVenue::kBybit, std::string(kBybitPrivateStream)});
  sim->ports_ = {sim->upbit_server_->port(), sim->bybit_server_->port(), sim->fx_server_->port(),
                 sim->admin_server_->port()};
  sim->heartbeat_interval_ = heartbeat_interval(config);
  sim->schedule_heartbeat();
  return sim;
}

HttpResponse VenueSim::serve(FaultVenue venue, const HttpRequest& request) {
  const HttpVerdict verdict = exchange_->faults().on_request(venue, request.path);
  HttpResponse response;
  switch (verdict.action) {
    case HttpVerdict::Action::kTimeout:
      response.delivery = HttpResponse::Delivery::kNeverAnswer;
      return response;
    case HttpVerdict::Action::kReset: response.delivery = HttpResponse::Delivery::kReset; return response;
    case HttpVerdict::Action::kRateLimit:
    case HttpVerdict::Action::kServerError: response = injected_failure(venue, verdict.action); break;
    case HttpVerdict::Action::kServe:
      switch (venue) {
        case FaultVenue::kUpbit: response = upbit_->handle(request); break;
        case FaultVenue::kBybit: response = bybit_->handle(request); break;
        case FaultVenue::kFx: response = fx_->handle(request); break;
      }
      bybit_private_ws_->publish();
      break;
  }
  response.delay += verdict.delay;
  return response;
}

HttpResponse VenueSim::injected_failure(FaultVenue venue, HttpVerdict::Action action) const {
  switch (venue) {
    case FaultVenue::kUpbit: return upbit_->injected_failure(action);
    case FaultVenue::kBybit: return bybit_->injected_failure(action);
    case FaultVenue::kFx: return fx_->injected_failure(action);
  }
  return HttpResponse::json(500, R"({"error":"unknown venue"})");
}

std::size_t VenueSim::disconnect_websockets(FaultVenue venue, std::string_view stream) {
  const auto reset = [stream](HttpServer& server, std::string_view path,
                              std::string_view name) -> std::size_t {
    return stream == "*" || stream == name ? server.reset_websockets(path) : 0;
  };
  switch (venue) {
    case FaultVenue::kUpbit: return reset(*upbit_server_, kUpbitWebSocketPath, kUpbitWebSocketStream);
    case FaultVenue::kBybit:
      return reset(*bybit_server_, kBybitLinearPath, kBybitLinearStream) +
             reset(*bybit_server_, kBybitSpotPath, kBybitSpotStream) +
             reset(*bybit_server_, kBybitPrivatePath, kBybitPrivateStream);
    case FaultVenue::kFx: return 0;
  }
  return 0;
}

std::size_t VenueSim::websocket_sessions() const {
  return upbit_server_->websocket_sessions() + bybit_server_->websocket_sessions();
}

void VenueSim::schedule_heartbeat() {
  heartbeat_ = clock_.call_after(heartbeat_interval_, [this] {
    if (auto synced = exchange_->sync(); !synced) {
      log::Logger("venue-sim").error("market heartbeat failed", {{"error", synced.error().describe()}});
    }
    const Timestamp now = exchange_->now();
    upbit_ws_->publish();
    bybit_linear_ws_->publish(now);
    bybit_spot_ws_->publish(now);
    bybit_private_ws_->publish();
    schedule_heartbeat();
  });
}

void VenueSim::stop() {
  clock_.cancel(heartbeat_);
  upbit_server_->stop();
  bybit_server_->stop();
  fx_server_->stop();
  admin_server_->stop();
}

}  // namespace kimp::sim
