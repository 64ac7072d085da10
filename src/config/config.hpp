// The validated configuration of one engine session: every TOML section as a struct, with its defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"

namespace kimp::config {

// Defaults below are written as (digits, scale): decimal_literal(55, 3) is 0.055. Decimal has no
// constexpr parser, and spelling raw 10^-8 units would hide the value from the reader.
constexpr Decimal decimal_literal(std::int64_t digits, int scale = 0) {
  std::int64_t units = digits;
  for (int i = scale; i < Decimal::kScale; ++i) {
    units *= 10;
  }
  return Decimal::from_units(units);
}

// How orders are executed; the same strategy code runs in every mode.
enum class Mode : std::uint8_t {
  kSimulation,  // virtual fills from live books
  kPaper,       // Bybit testnet orders, Upbit virtual
  kLive,        // real orders on both venues
};
enum class BybitCategory : std::uint8_t { kLinear };  // USDT perpetuals, the only hedge leg we trade
enum class OrderType : std::uint8_t { kLimitIoc, kMarket };
// Whether an Upbit buy is sized by coin quantity or by its KRW total.
enum class UpbitOrderSizing : std::uint8_t { kQuantity, kKrwAmount };
// What happens to open positions when the process is asked to stop.
enum class ShutdownPolicy : std::uint8_t { kKeep, kCloseAll, kCloseIfProfitable };

// The TOML spelling of each value, indexed by the enum's underlying value.
std::span<const std::string_view> enum_names(Mode);
std::span<const std::string_view> enum_names(BybitCategory);
std::span<const std::string_view> enum_names(OrderType);
std::span<const std::string_view> enum_names(UpbitOrderSizing);
std::span<const std::string_view> enum_names(ShutdownPolicy);

template <class E>
requires requires(E value) {
  enum_names(value);
}
std::string_view to_string(E value) {
  return enum_names(value)[static_cast<std::size_t>(value)];
}

struct EngineConfig {
  Mode mode = Mode::kSimulation;  // required in the file
  std::string session;            // required; [A-Za-z0-9][A-Za-z0-9_-]{0,63}, used in file names and DB rows
  std::string data_dir = "var";   // relative paths are relative to the working directory
  std::chrono::seconds bar_interval{
      60};  // "1m" / "5s" in the file; divides a day so bars align to midnight UTC
  std::optional<std::string> secrets_file;  // overridden by the environment variable KIMP_SECRETS_FILE
  bool operator==(const EngineConfig&) const = default;
};

// Requests per second. Defaults keep a margin below Upbit's published per-group limits
// (order 8, default 30, quotation 10, WebSocket connect 5); values above them are rejected.
struct UpbitRateLimits {
  std::int32_t order = 6;
  std::int32_t default_group = 24;  // "default" in the file
  std::int32_t quotation = 8;
  std::int32_t ws_connect = 4;
  bool operator==(const UpbitRateLimits&) const = default;
};

struct UpbitConfig {
  std::string rest_url = "https://api.upbit.com";
  std::string ws_public_url = "wss://api.upbit.com/websocket/v1";
  std::string ws_private_url = "wss://api.upbit.com/websocket/v1/private";
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};
  UpbitRateLimits rate_limits;
  bool operator==(const UpbitConfig&) const = default;
};

// Requests per second. Bybit publishes 600 requests per 5 s per IP for public REST and 10/s per UID
// for order endpoints; the defaults keep a margin and values above those limits are rejected.
struct BybitRateLimits {
  std::int32_t public_rest = 100;  // "public" in the file
  std::int32_t private_rest = 8;   // "private" in the file
  bool operator==(const BybitRateLimits&) const = default;
};

// URL defaults are mainnet; in paper mode the loader substitutes the testnet URLs for any not given.
struct BybitConfig {
  std::string rest_url = "https://api.bybit.com";
  std::string ws_public_url = "wss://stream.bybit.com/v5/public/linear";
  std::string ws_private_url = "wss://stream.bybit.com/v5/private";
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds recv_window{5000};  // how long a signed request stays valid at Bybit
  BybitRateLimits rate_limits;
  bool operator==(const BybitConfig&) const = default;
};

// The USD/KRW rate source, polled over REST.
struct FxConfig {
  std::string rest_url = "https://quotation-api-cdn.dunamu.com";
  std::chrono::seconds poll_interval{60};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};
  bool operator==(const FxConfig&) const = default;
};

struct VenuesConfig {
  UpbitConfig upbit;
  BybitConfig bybit;
  FxConfig fx;
  bool operator==(const VenuesConfig&) const = default;
};

// Picks coins by Upbit 24 h turnover when no explicit list is given (or adds to it).
struct CoinSelectionConfig {
  bool enabled = false;
  std::int32_t top_n = 10;
  // Whole KRW: realistic thresholds (100 billion) lie beyond Decimal's range of about 9.2e10.
  std::int64_t min_turnover_24h_krw = 10'000'000'000;
  std::vector<std::string> blacklist;
  std::chrono::seconds refresh_interval{3600};
  bool operator==(const CoinSelectionConfig&) const = default;
};

struct StrategyConfig {
  // The predecessor kept the mode here too; when given it must equal engine.mode.
  std::optional<Mode> execution_mode;
  BybitCategory bybit_category = BybitCategory::kLinear;
  std::chrono::seconds order_timeout{5};
  std::int32_t max_retry_count = 2;
  OrderType order_type = OrderType::kLimitIoc;
  Decimal max_slippage_pct = decimal_literal(1, 1);  // IOC limit price = best price × (1 ± this %)
  std::vector<std::string> coins;                    // Upbit KRW-market symbols: "BTC", "ETH"
  CoinSelectionConfig coin_selection;
  UpbitOrderSizing upbit_order_sizing = UpbitOrderSizing::kQuantity;
  std::int32_t window_bars = 1440;  // rolling Z-score window
  double entry_z = 2.0;
  double exit_z = 0.0;
  std::chrono::seconds position_ttl{86400};           // force-close a pair trade this old
  Decimal premium_stop_pct = decimal_literal(3);      // close when the premium moves this far against us
  Decimal upbit_fee_pct = decimal_literal(5, 2);      // 0.05 %
  Decimal bybit_fee_pct = decimal_literal(55, 3);     // 0.055 % taker
  Decimal min_profit_pct = decimal_literal(1, 1);     // expected net edge after fees to enter
  std::chrono::seconds cooldown{300};                 // per coin, after a position closes
  Decimal max_position_usdt = decimal_literal(1000);  // per pair
  std::chrono::milliseconds max_book_age{2000};       // older books are not traded on
  std::chrono::seconds funding_blackout{600};         // no entries this long before an adverse funding
  Decimal balance_buffer_pct = decimal_literal(2);    // balances must cover an entry by this much more
  bool operator==(const StrategyConfig&) const = default;
};

struct RiskConfig {
  bool kill_switch_enabled = true;
  Decimal max_daily_loss_usdt = decimal_literal(500);
  Decimal max_drawdown_usdt = decimal_literal(300);
  Decimal max_single_loss_usdt = decimal_literal(100);
  std::int32_t max_concurrent_positions = 10;
  std::chrono::seconds fx_stale_after{1800};    // entries blocked when the FX rate is older
  Decimal fx_jump_pct = decimal_literal(5, 1);  // alert when the rate moves this much in a minute
  bool operator==(const RiskConfig&) const = default;
};

struct RuntimeConfig {
  ShutdownPolicy shutdown_policy = ShutdownPolicy::kKeep;
  std::chrono::seconds reconcile_interval{60};
  std::chrono::seconds reconcile_busy_interval{120};  // used from reconcile_busy_positions open positions
  std::int32_t reconcile_busy_positions = 3;
  std::chrono::seconds exchange_sync_interval{300};
  std::chrono::seconds heartbeat_interval{60};
  std::chrono::seconds balance_snapshot_interval{600};
  bool operator==(const RuntimeConfig&) const = default;
};

struct StorageConfig {
  std::string url;  // "sqlite:PATH" | "postgresql://user@host/db"; defaults to sqlite:<data_dir>/kimp.sqlite
  std::int32_t writer_queue_capacity = 10'000;  // droppable records (minutes, funding) queued before drops
  std::string
      spill_journal;  // critical records the database cannot take in time; defaults to <data_dir>/kimp.spill
  std::int32_t spill_threshold = 100'000;  // critical records held in memory before they spill to the journal
  std::chrono::seconds drain_soft_timeout{10};  // shutdown: warn with what is left after this
  std::chrono::seconds drain_hard_timeout{30};  // shutdown: leave the rest in the journal after this
  bool operator==(const StorageConfig&) const = default;
};

struct AlertsConfig {
  bool telegram_enabled = false;
  std::string telegram_chat_id;  // "-1001234567890" or "@channel"
  std::string telegram_api_url = "https://api.telegram.org";
  bool operator==(const AlertsConfig&) const = default;
};

struct ArchiveConfig {
  bool enabled = false;
  std::string dir;  // defaults to <data_dir>/archive
  std::int32_t rotate_size_mb = 256;
  std::int32_t retention_days = 7;
  std::int32_t min_free_disk_mb = 1024;  // sinks stop writing below this
  bool operator==(const ArchiveConfig&) const = default;
};

struct OpsConfig {
  std::string evidence_dir;  // defaults to <data_dir>/evidence
  bool http_enabled = true;
  std::string http_bind = "127.0.0.1";  // an IP address; anything but loopback needs KIMP_OPS_TOKEN
  std::int32_t http_port = 18080;       // 0 lets the OS pick a free port
  bool operator==(const OpsConfig&) const = default;
};

// Simulation mode's virtual accounts (the replay starts from them too).
struct SimulationConfig {
  Decimal upbit_krw = decimal_literal(50'000'000);  // Upbit KRW balance at the start
  Decimal bybit_usdt = decimal_literal(50'000);     // Bybit USDT margin at the start
  bool operator==(const SimulationConfig&) const = default;
};

// Candle replays: no books, so fills are at the close moved against us by a fixed slippage.
struct ReplayConfig {
  Decimal fill_slippage_pct = decimal_literal(5, 2);  // 0.05 % on every fill of both legs
  // A daily USD/KRW close stays usable this long after its date (weekends and holidays have none).
  std::int32_t daily_fx_max_age_days = 4;
  bool operator==(const ReplayConfig&) const = default;
};

struct Config {
  EngineConfig engine;
  VenuesConfig venues;
  StrategyConfig strategy;
  RiskConfig risk;
  RuntimeConfig runtime;
  StorageConfig storage;
  AlertsConfig alerts;
  ArchiveConfig archive;
  OpsConfig ops;
  SimulationConfig simulation;
  ReplayConfig replay;
  bool operator==(const Config&) const = default;
};

}  // namespace kimp::config
