// Exchange: what the emulated venues share — market model, ledger, account keys and the server clock.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sim/auth/api_key.hpp"
#include "sim/config/sim_config.hpp"
#include "sim/ledger/ledger.hpp"
#include "sim/market/market_model.hpp"

namespace kimp::sim {

// One funding settlement of one symbol, as /v5/market/funding/history reports it.
struct FundingRecord {
  std::string symbol;
  Decimal funding_rate;
  Timestamp funding_time;
};

// Single-threaded: every method runs on the server's io_context thread.
class Exchange {
 public:
  // Builds the market from config.market, registers every instrument with the ledger and creates the
  // configured accounts. `clock` gives real (or simulated) time and must outlive the exchange.
  // Errors: those of MarketModel::create and of add_account.
  static Result<std::unique_ptr<Exchange>> create(const SimConfig& config, const Clock& clock);

  // Brings the market up to now(): advances the model, fills resting orders the new books cross and
  // settles funding that fell due, in time order. Every venue handler calls it first.
  // Errors: those of the model and ledger (a runaway configuration); nothing is half-applied per step.
  Status sync();

  // Server time: the clock plus the skew set through the admin API (clock-skew tests).
  [[nodiscard]] Timestamp now() const { return clock_.now() + skew_; }
  void set_skew(Duration skew) { skew_ = skew; }
  [[nodiscard]] Duration skew() const { return skew_; }

  [[nodiscard]] MarketModel& market() { return *market_; }
  [[nodiscard]] const MarketModel& market() const { return *market_; }
  [[nodiscard]] Ledger& ledger() { return ledger_; }
  [[nodiscard]] const Ledger& ledger() const { return ledger_; }
  [[nodiscard]] const SimConfig& config() const { return config_; }

  // Every funding settlement since the start, oldest first (whether or not a position was open).
  [[nodiscard]] const std::vector<FundingRecord>& funding_history() const { return funding_history_; }

  // Key lookups for the authenticators; nullptr for an unknown key.
  [[nodiscard]] const ApiKey* upbit_key(std::string_view access_key) const;
  [[nodiscard]] const ApiKey* bybit_key(std::string_view api_key) const;

  // Creates a ledger account named account.name with its keys and starting balances.
  // Errors: kFailedPrecondition when the name or a key is taken; kInvalidArgument for bad balances.
  Status add_account(const AccountConfig& account);
  // Forgets every account, order and fill, then re-creates the configured accounts.
  Status reset();

 private:
  Exchange(SimConfig config, const Clock& clock, std::unique_ptr<MarketModel> market, Ledger ledger);
  // Advances the model to `target` and, when a step passed, lets the ledger see the new books and marks.
  Status advance_market(Timestamp target);

  SimConfig config_;
  const Clock& clock_;
  Duration skew_{};
  // Model time runs at wall speed from `model_start_` (replays start at the recording's first event).
  Timestamp started_at_;
  Timestamp model_start_;
  std::unique_ptr<MarketModel> market_;
  Ledger ledger_;
  std::map<std::string, ApiKey, std::less<>> upbit_keys_;
  std::map<std::string, ApiKey, std::less<>> bybit_keys_;
  std::vector<FundingRecord> funding_history_;
  std::map<std::string, Timestamp, std::less<>> last_funding_;  // by Bybit symbol
};

}  // namespace kimp::sim
