// The emulator's configuration file (`kimp venue-sim --config sim.toml`): loopback ports, market model,
// fees, rate limits and the accounts any exchange client can trade with.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "config/problem.hpp"
#include "core/decimal.hpp"
#include "sim/config/fault_config.hpp"

namespace kimp::sim {

// Where the books come from.
enum class MarketMode : std::uint8_t {
  kSynthetic,  // seeded random walk + Ornstein-Uhlenbeck premium
  kReplay,     // recorded Bybit capture and Upbit candles
};
// The TOML spelling of each value, indexed by the enum's underlying value.
std::span<const std::string_view> enum_names(MarketMode);

// Every port is on `address`; 0 lets the OS pick a free one (tests read the chosen ports from stdout).
struct ServerConfig {
  std::string address = "127.0.0.1";  // loopback only: the emulator hands out money-moving credentials
  std::uint16_t upbit_port = 18101;
  std::uint16_t bybit_port = 18102;
  std::uint16_t fx_port = 18103;
  std::uint16_t admin_port = 18104;

  bool operator==(const ServerConfig&) const = default;
};

struct SimMarketConfig {
  MarketMode mode = MarketMode::kSynthetic;
  std::uint64_t seed = 42;  // the same seed gives the same market path, byte for byte
  std::vector<std::string> coins{"BTC", "ETH", "SOL", "XRP", "DOGE"};
  // Near the long-run kimchi premium: about 2 % on average, moving about 1 % a day.
  Decimal premium_mean_pct = config::decimal_literal(2);
  Decimal premium_daily_sigma_pct = config::decimal_literal(1);
  std::chrono::seconds premium_half_life{7200};
  Decimal usd_krw_start = config::decimal_literal(1380);
  Decimal tether_premium_pct = config::decimal_literal(1);  // Upbit KRW-USDT over USD/KRW
  std::int32_t book_levels = 30;
  std::chrono::milliseconds step{100};  // model time between two book updates
  std::string replay_bybit_capture;     // replay mode: Bybit public WS capture (.jsonl)
  std::string replay_upbit_candles;     // replay mode: Upbit candles (.csv)

  bool operator==(const SimMarketConfig&) const = default;
};

// Percent of the traded value; Upbit's is paid in KRW.
struct FeeConfig {
  Decimal upbit_pct = config::decimal_literal(5, 2);
  Decimal bybit_taker_pct = config::decimal_literal(55, 3);
  Decimal bybit_maker_pct = config::decimal_literal(2, 2);

  bool operator==(const FeeConfig&) const = default;
};

// Requests per second per group, as the venues publish them; beyond them the emulator answers 429 /
// retCode 10006 like the venue would.
struct RateLimitConfig {
  std::int32_t upbit_order = 8;
  std::int32_t upbit_default = 30;
  std::int32_t upbit_quotation = 10;
  std::int32_t bybit_public = 120;  // Bybit's 600 per 5 s
  std::int32_t bybit_private = 10;

  bool operator==(const RateLimitConfig&) const = default;
};

// One trader's credentials on both venues and starting balances. The keys are the emulator's own test
// credentials, never real ones.
struct AccountConfig {
  std::string name;
  std::string upbit_access_key;
  std::string upbit_secret_key;
  std::string bybit_api_key;
  std::string bybit_api_secret;
  Decimal krw;                           // Upbit
  Decimal usdt;                          // Bybit unified account
  std::map<std::string, Decimal> coins;  // Upbit coin balances by symbol

  bool operator==(const AccountConfig&) const = default;
};

// WebSocket push pacing. The venues push Bybit orderbook.1 every 10 ms, .50 every 20 ms, .200 every
// 100 ms (spot: 200 ms) and Upbit on every change; `speed` divides those intervals and the market's
// step for stress tests (2 = books change, and are pushed, twice as often).
// [streams]: how fast the emulated venues push.
struct StreamConfig {
  // Divides every WebSocket push interval and the market step (2: twice as often); in [0.01, 1000].
  double speed = 1.0;

  bool operator==(const StreamConfig&) const = default;
};

struct SimConfig {
  ServerConfig server;
  SimMarketConfig market;
  FeeConfig fees;
  RateLimitConfig rate_limits;
  StreamConfig streams;
  FaultConfig faults;
  std::vector<AccountConfig> accounts;  // may be empty: tests create accounts through the admin API

  bool operator==(const SimConfig&) const = default;
};

// A validated SimConfig, or every problem found (at least one), sorted by position.
using SimConfigResult = tl::expected<SimConfig, std::vector<config::ConfigProblem>>;
using FaultConfigResult = tl::expected<FaultConfig, std::vector<config::ConfigProblem>>;

// Reads and validates the file at `path`, named in problems as written. Problems: the file is missing,
// not a regular file or unreadable (no position); TOML syntax error; unknown keys (with a suggestion),
// wrong types, missing account keys, values out of range; a non-loopback address; equal non-zero ports;
// malformed, duplicate or no coins; duplicate account names, Upbit access keys or Bybit API keys; account
// coins not in market.coins; replay files missing in replay mode; streams.speed outside [0.01, 1000];
// and the [faults] problems parse_fault_config lists. Relative replay paths are relative to the working
// directory.
SimConfigResult load_sim_config(const std::filesystem::path& path);

// As load_sim_config, for TOML text already in memory; `file_name` is used in the problems.
SimConfigResult parse_sim_config(std::string_view text, std::string_view file_name);

// A TOML document holding only a [faults] table (POST /faults arrives as one), read and checked exactly
// as a scenario file's [faults] section whose market.coins are `coins`; problems name keys
// "faults.<...>". Problems: TOML syntax error; unknown keys (with a suggestion); wrong types; a rule
// without its venue, an order rule without its outcome, a premium jump without coin or pct; rates
// outside [0, 1]; negative durations or durations beyond a day (a clock skew beyond a day either way,
// a jump later than 30 days); an endpoint neither "*" nor starting with "/"; order or WebSocket rules
// for the FX source; order symbols that are not "*" or a market of the venue for `coins`; a field that
// belongs to another outcome; reject_code missing for "reject" or not an Upbit error name / Bybit
// numeric retCode; fill_ratio outside (0, 1); invisible_ms or late_ms missing for their outcome;
// stream names the venue does not serve; disconnect_every_s and disconnect_every_ms both given;
// stall_for_ms not in (0, stall_every_ms) when either is set; premium-jump coins not in `coins`.
FaultConfigResult parse_fault_config(std::string_view text, std::string_view file_name,
                                     std::span<const std::string> coins);

// A TOML document whose [faults] table states every setting of `faults` under the keys scenario files
// use (durations in milliseconds, decimals as strings); parse_fault_config reads it back into an equal
// FaultConfig.
std::string render_fault_config(const FaultConfig& faults);

}  // namespace kimp::sim
