// Exchange: what the emulated venues share — market model, ledger, account keys and the server clock.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "sim/auth/api_key.hpp"
#include "sim/config/sim_config.hpp"
#include "sim/ledger/ledger.hpp"
#include "sim/market/market_model.hpp"
#include "sim/server/faults.hpp"

namespace kimp::sim {

// One funding settlement of one symbol, as /v5/market/funding/history reports it.
struct FundingRecord {
  std::string symbol;
  Decimal funding_rate;
  Timestamp funding_time;
};

// What the FX source keeps answering while market.fx_frozen holds.
struct FxQuote {
  Decimal usd_krw;
  Timestamp at;  // server time when it froze
};

// Single-threaded: every method runs on the server's io_context thread.
class Exchange {
 public:
  // Builds the market from config.market (its step divided by config.streams.speed), registers every
  // instrument with the ledger, creates the configured accounts and applies config.faults as
  // configure_faults does. `clock` gives real (or simulated) time and must outlive the exchange.
  // Errors: those of MarketModel::create and of add_account.
  static Result<std::unique_ptr<Exchange>> create(const SimConfig& config, Clock& clock);

  // Brings the market up to now(): advances the model, fills resting orders the new books cross, settles
  // funding that fell due and applies scheduled premium jumps, in time order. Every venue handler calls
  // it first. Errors: those of the model and ledger (a runaway configuration; a scheduled jump the model
  // refuses, reported once); nothing is half-applied per step.
  Status sync();

  // Replaces every fault rule (counts kept; the random sequence restarts from the new seed) and applies
  // the market faults at once: the clock skew, when it differs from the previous rules' (so a skew set
  // with set_skew survives unrelated changes), counted "clock_skew" when not zero; the FX quote freezes
  // at the current rate when fx_frozen starts; premium jumps are scheduled from now and those due now
  // applied before returning. Errors: those of sync().
  Status configure_faults(FaultConfig faults);
  // Brings the market up to now, then adds `pct` percentage points to `coin`'s premium, counted
  // "premium_jump"; the ledger sees the new KRW-<coin> book at once (resting orders it crosses fill).
  // Errors: those of sync() and MarketModel::jump_premium.
  Status jump_premium(std::string_view coin, Decimal pct);
  // The quote the FX source repeats while market.fx_frozen holds; nullopt otherwise.
  [[nodiscard]] const std::optional<FxQuote>& frozen_fx() const { return frozen_fx_; }

  // Server time: the clock plus the skew set through the admin API (clock-skew tests).
  [[nodiscard]] Timestamp now() const { return clock_.now() + skew_; }
  void set_skew(Duration skew) { skew_ = skew; }
  // The clock the exchange was created with (unskewed), for timers of delayed effects (late fills).
  [[nodiscard]] Clock& clock() { return clock_; }
  [[nodiscard]] Duration skew() const { return skew_; }

  [[nodiscard]] MarketModel& market() { return *market_; }
  [[nodiscard]] const MarketModel& market() const { return *market_; }
  [[nodiscard]] Ledger& ledger() { return ledger_; }
  [[nodiscard]] const Ledger& ledger() const { return ledger_; }
  [[nodiscard]] const SimConfig& config() const { return config_; }
  // Every venue handler and stream consults it; configured from config.faults at creation.
  [[nodiscard]] FaultInjector& faults() { return faults_; }

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
  Exchange(SimConfig config, Clock& clock, std::unique_ptr<MarketModel> market, Ledger ledger);
  // Funding settlements due at one instant, the earliest not yet made.
  struct DueFunding {
    Timestamp at;
    std::vector<std::pair<std::string, Decimal>> rates;  // by Bybit symbol
  };

  // Model time at clock time `at`.
  [[nodiscard]] Timestamp model_time(Timestamp at) const { return model_start_ + (at - started_at_); }
  // The next settlement due by model time `target`, if any.
  [[nodiscard]] Result<std::optional<DueFunding>> next_funding(Timestamp target) const;
  // The earliest scheduled premium jump not yet applied that is due by clock time `now`, if any.
  [[nodiscard]] std::optional<std::size_t> next_jump(Timestamp now) const;
  // Moves the premium and shows the ledger the new Upbit book; no sync.
  Status apply_premium_jump(std::string_view coin, Decimal pct);
  // Advances the model to `target` and, when a step passed, lets the ledger see the new books and marks.
  Status advance_market(Timestamp target);

  SimConfig config_;
  Clock& clock_;
  FaultInjector faults_;
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
  Timestamp faults_since_;        // clock time of the last configure_faults: premium jumps count from it
  std::vector<bool> jumps_done_;  // per faults_.config().market.premium_jumps
  std::optional<FxQuote> frozen_fx_;
};

}  // namespace kimp::sim
