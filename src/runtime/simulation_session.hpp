// SimulationSession: `kimp run` in simulation mode — the venues' public feeds (real or the emulator), FX,
// premium bars, the PairTrader with virtual fills, a status line per bar and a summary at the end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "alerts/alert_service.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/records.hpp"

namespace kimp::runtime {

struct SessionOptions {
  std::optional<Duration> duration;                     // stop after this long; until stop() otherwise
  std::function<void(const std::string& line)> output;  // status lines (one per bar); stdout in the CLI
  // Where minutes, positions, orders, trades, funding and balance snapshots go (the DbWriter), with the
  // session's db id; none are recorded when null.
  storage::RecordSink* records = nullptr;
  std::int64_t session_id = 0;
  // Where entries, exits and lost feed connections are reported; none when null.
  alerts::AlertService* alerts = nullptr;
};

// Runs on the io_context given at creation (the caller runs it). Start-up loads both venues' instruments
// and picks the coins (strategy.coins and/or coin selection); a venue that does not answer is retried a
// few times, then the session fails with that error. While running, a coin-selection refresh that changes
// the monitored coins resubscribes the feeds; a coin with an open pair stays until the pair closes. On
// stop, entries end at once, open pairs are closed by runtime.shutdown_policy, and the summary is ready.
class SimulationSession {
 public:
  // Errors: kInvalidArgument when the config's mode is not simulation, or a venue URL is unusable.
  static Result<std::unique_ptr<SimulationSession>> create(boost::asio::io_context& io,
                                                           const config::Config& config,
                                                           SessionOptions options);
  SimulationSession(const SimulationSession&) = delete;
  SimulationSession& operator=(const SimulationSession&) = delete;
  ~SimulationSession();

  // Starts the session in the background; `done` runs once with the outcome when it has stopped (after a
  // failed start, the duration, or stop()). Errors are those of start-up: kUnavailable when a venue's
  // REST API does not answer, kFailedPrecondition when no coin can be monitored.
  void start(std::function<void(Status)> done);
  // Asks the session to stop (SIGINT, SIGTERM); idempotent.
  void stop();

  // The summary as one JSON object on one line (mode, bars, entries, exits, net_pnl_usdt, ...).
  [[nodiscard]] std::string summary_json() const;

  struct State;

 private:
  explicit SimulationSession(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace kimp::runtime
