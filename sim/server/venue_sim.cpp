// Start-up and shutdown of the emulator process's servers and its market heartbeat.
#include "sim/server/venue_sim.hpp"

#include <fmt/format.h>

#include "core/logging.hpp"

namespace kimp::sim {

std::string VenuePorts::to_json() const {
  return fmt::format(R"({{"upbit":{},"bybit":{},"fx":{},"admin":{}}})", upbit, bybit, fx, admin);
}

Result<std::unique_ptr<VenueSim>> VenueSim::start(boost::asio::io_context& io, const SimConfig& config) {
  auto sim = std::unique_ptr<VenueSim>(new VenueSim(io));
  KIMP_TRY_ASSIGN(sim->exchange_, Exchange::create(config, sim->clock_));
  KIMP_TRY_ASSIGN(sim->upbit_, UpbitApi::create(*sim->exchange_, sim->clock_));
  sim->bybit_ = std::make_unique<BybitApi>(*sim->exchange_);
  sim->fx_ = std::make_unique<FxApi>(*sim->exchange_);
  sim->admin_ = std::make_unique<AdminApi>(*sim->exchange_);

  const auto& server = config.server;
  auto* raw = sim.get();
  KIMP_TRY_ASSIGN(sim->upbit_server_,
                  HttpServer::start(io, server.address, server.upbit_port,
                                    [raw](const auto& r) { return raw->upbit_->handle(r); }));
  KIMP_TRY_ASSIGN(sim->bybit_server_,
                  HttpServer::start(io, server.address, server.bybit_port,
                                    [raw](const auto& r) { return raw->bybit_->handle(r); }));
  KIMP_TRY_ASSIGN(sim->fx_server_, HttpServer::start(io, server.address, server.fx_port,
                                                     [raw](const auto& r) { return raw->fx_->handle(r); }));
  KIMP_TRY_ASSIGN(sim->admin_server_,
                  HttpServer::start(io, server.address, server.admin_port,
                                    [raw](const auto& r) { return raw->admin_->handle(r); }));
  sim->ports_ = {sim->upbit_server_->port(), sim->bybit_server_->port(), sim->fx_server_->port(),
                 sim->admin_server_->port()};
  sim->heartbeat_interval_ = config.market.step;
  sim->schedule_heartbeat();
  return sim;
}

void VenueSim::schedule_heartbeat() {
  heartbeat_ = clock_.call_after(heartbeat_interval_, [this] {
    if (auto synced = exchange_->sync(); !synced) {
      log::Logger("venue-sim").error("market heartbeat failed", {{"error", synced.error().describe()}});
    }
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
