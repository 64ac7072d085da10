// Loading: TOML parsing, schema reading, defaults derived from other keys, and rules across keys.
#include "config/load.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "config/rules.hpp"
#include "config/schema.hpp"
#include "config/secrets.hpp"
#include "config/toml_reader.hpp"

namespace kimp::config {

namespace {

constexpr std::string_view kBybitTestnetRestUrl = "https://api-testnet.bybit.com";
constexpr std::string_view kBybitTestnetWsPublicUrl = "wss://stream-testnet.bybit.com/v5/public/linear";
constexpr std::string_view kBybitTestnetWsPrivateUrl = "wss://stream-testnet.bybit.com/v5/private";

std::string under(const std::string& dir, std::string_view name) {
  return (std::filesystem::path(dir) / name).generic_string();
}

bool looks_like_secret(std::string_view key) {
  constexpr std::array<std::string_view, 9> kMarkers{"secret",     "password",    "passwd",
                                                     "token",      "api_key",     "apikey",
                                                     "access_key", "private_key", "credential"};
  std::string lowered(key);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kMarkers.begin(), kMarkers.end(),
                     [&](std::string_view marker) { return lowered.find(marker) != std::string::npos; });
}

// For an unknown key that looks like a secret: where the secret belongs instead of the config file.
std::optional<std::string> secret_key_note(std::string_view table_path, std::string_view key) {
  if (!looks_like_secret(key)) {
    return std::nullopt;
  }
  std::string names;
  if (table_path == "venues.upbit") {
    names = fmt::format("{} and {}", env_name(SecretName::kUpbitAccessKey),
                        env_name(SecretName::kUpbitSecretKey));
  } else if (table_path == "venues.bybit") {
    names =
        fmt::format("{} and {}", env_name(SecretName::kBybitApiKey), env_name(SecretName::kBybitApiSecret));
  } else if (table_path == "alerts") {
    names = env_name(SecretName::kTelegramBotToken);
  } else if (table_path == "storage") {
    names = env_name(SecretName::kPostgresPassword);
  } else if (table_path == "ops") {
    names = env_name(SecretName::kOpsToken);
  } else {
    names = "the KIMP_* variable";
  }
  return fmt::format(
      "secrets are never read from the config file; set {} in the environment or the secrets file", names);
}

// Defaults that follow other keys: paper mode talks to the Bybit testnet, and files live in data_dir.
void apply_derived_defaults(Config& config, const Context& ctx) {
  BybitConfig& bybit = config.venues.bybit;
  if (config.engine.mode == Mode::kPaper) {
    if (!ctx.present("venues.bybit.rest_url")) {
      bybit.rest_url = kBybitTestnetRestUrl;
    }
    if (!ctx.present("venues.bybit.ws_public_url")) {
      bybit.ws_public_url = kBybitTestnetWsPublicUrl;
    }
    if (!ctx.present("venues.bybit.ws_private_url")) {
      bybit.ws_private_url = kBybitTestnetWsPrivateUrl;
    }
  }
  const std::string& data_dir = config.engine.data_dir;
  if (!ctx.present("storage.url")) {
    config.storage.url = "sqlite:" + under(data_dir, "kimp.sqlite");
  }
  if (!ctx.present("storage.spill_journal")) {
    config.storage.spill_journal = under(data_dir, "kimp.spill");
  }
  if (!ctx.present("archive.dir")) {
    config.archive.dir = under(data_dir, "archive");
  }
  if (!ctx.present("ops.evidence_dir")) {
    config.ops.evidence_dir = under(data_dir, "evidence");
  }
}

void check_z_thresholds(const StrategyConfig& strategy, Context& ctx) {
  if (ctx.failed("strategy.entry_z") || ctx.failed("strategy.exit_z")) {
    return;
  }
  // Exiting needs the premium to come back inside the entry band, or a position would close at once.
  if (!(std::abs(strategy.exit_z) < strategy.entry_z)) {
    ctx.report_at("strategy.exit_z", fmt::format("|exit_z| must be smaller than entry_z ({}), got {}",
                                                 strategy.entry_z, strategy.exit_z));
  }
}

void check_coins(const StrategyConfig& strategy, Context& ctx) {
  if (ctx.failed("strategy.coins")) {
    return;
  }
  if (strategy.coins.empty() && !strategy.coin_selection.enabled &&
      !ctx.failed("strategy.coin_selection.enabled")) {
    ctx.report_at("strategy.coins", "no coins to trade: list them here or enable strategy.coin_selection");
  }
  const std::vector<std::string>& blacklist = strategy.coin_selection.blacklist;
  const bool blacklist_valid = !ctx.failed("strategy.coin_selection.blacklist");
  for (std::size_t i = 0; i < strategy.coins.size(); ++i) {
    const std::string& coin = strategy.coins[i];
    const std::string path = fmt::format("strategy.coins[{}]", i);
    if (std::find(strategy.coins.begin(), strategy.coins.begin() + static_cast<std::ptrdiff_t>(i), coin) !=
        strategy.coins.begin() + static_cast<std::ptrdiff_t>(i)) {
      ctx.report_at(path, fmt::format("\"{}\" is listed twice", coin));
    } else if (blacklist_valid && std::find(blacklist.begin(), blacklist.end(), coin) != blacklist.end()) {
      ctx.report_at(path, fmt::format("\"{}\" is also in strategy.coin_selection.blacklist", coin));
    }
  }
}

void check_execution_mode(const Config& config, Context& ctx) {
  const std::optional<Mode>& execution_mode = config.strategy.execution_mode;
  if (!execution_mode || ctx.failed("engine.mode") || *execution_mode == config.engine.mode) {
    return;
  }
  ctx.report_at("strategy.execution_mode",
                fmt::format("\"{}\" contradicts engine.mode \"{}\"; remove it or make the two equal",
                            to_string(*execution_mode), to_string(config.engine.mode)));
}

// Paper and live sessions carry credentials and orders: never in plaintext beyond this machine. Paper
// orders go only to the Bybit testnet (or the emulator), and live ones never do.
void check_venue_urls(const Config& config, Context& ctx) {
  const Mode mode = config.engine.mode;
  if (ctx.failed("engine.mode") || mode == Mode::kSimulation) {
    return;
  }
  const VenuesConfig& venues = config.venues;
  const std::pair<std::string_view, const std::string&> urls[] = {
      {"upbit.rest_url", venues.upbit.rest_url},
      {"upbit.ws_public_url", venues.upbit.ws_public_url},
      {"upbit.ws_private_url", venues.upbit.ws_private_url},
      {"bybit.rest_url", venues.bybit.rest_url},
      {"bybit.ws_public_url", venues.bybit.ws_public_url},
      {"bybit.ws_private_url", venues.bybit.ws_private_url},
      {"fx.rest_url", venues.fx.rest_url}};
  for (const auto& [key, url] : urls) {
    const std::string path = fmt::format("venues.{}", key);
    if (ctx.failed(path)) {
      continue;
    }
    const UrlTarget target = url_target(url);
    const bool bybit = key.starts_with("bybit.");
    if (bybit && mode == Mode::kLive && target.bybit_testnet) {
      ctx.report_at(path, "live mode trades on Bybit mainnet, but this URL is the Bybit testnet");
    } else if (bybit && mode == Mode::kPaper && !target.bybit_testnet && !target.loopback) {
      ctx.report_at(
          path,
          "paper mode sends Bybit requests only to the testnet (such as api-testnet.bybit.com) or to "
          "an emulator on a loopback host");
    } else if (!target.encrypted && !target.loopback) {
      ctx.report_at(
          path, fmt::format("{} mode needs https or wss here: plaintext is allowed only to a loopback host",
                            to_string(mode)));
    }
  }
}

void check_alerts(const AlertsConfig& alerts, Context& ctx) {
  if (ctx.failed("alerts.telegram_enabled") || ctx.failed("alerts.telegram_chat_id")) {
    return;
  }
  if (alerts.telegram_enabled && alerts.telegram_chat_id.empty()) {
    ctx.report_at("alerts.telegram_chat_id", "required when alerts.telegram_enabled is true");
  }
}

void check_reconcile_intervals(const RuntimeConfig& runtime, Context& ctx) {
  if (ctx.failed("runtime.reconcile_interval_sec") || ctx.failed("runtime.reconcile_busy_interval_sec")) {
    return;
  }
  // With many open positions reconciliation runs less often to spare the private rate budgets.
  if (runtime.reconcile_busy_interval < runtime.reconcile_interval) {
    ctx.report_at("runtime.reconcile_busy_interval_sec",
                  fmt::format("must not be shorter than runtime.reconcile_interval_sec ({}), got {}",
                              runtime.reconcile_interval.count(), runtime.reconcile_busy_interval.count()));
  }
}

void check_loss_limits(const RiskConfig& risk, Context& ctx) {
  if (ctx.failed("risk.max_single_loss_usdt") || ctx.failed("risk.max_daily_loss_usdt")) {
    return;
  }
  if (risk.max_single_loss_usdt > risk.max_daily_loss_usdt) {
    ctx.report_at("risk.max_single_loss_usdt",
                  fmt::format("must not exceed risk.max_daily_loss_usdt ({}), got {}",
                              risk.max_daily_loss_usdt, risk.max_single_loss_usdt));
  }
}

// Derived defaults, then the rules across keys.
void check_drain_timeouts(const StorageConfig& storage, Context& ctx) {
  if (ctx.failed("storage.drain_soft_timeout_sec") || ctx.failed("storage.drain_hard_timeout_sec")) {
    return;
  }
  if (storage.drain_hard_timeout <= storage.drain_soft_timeout) {
    ctx.report_at("storage.drain_hard_timeout_sec",
                  fmt::format("must be longer than storage.drain_soft_timeout_sec ({}), got {}",
                              storage.drain_soft_timeout.count(), storage.drain_hard_timeout.count()));
  }
}

void check_config(Config& config, Context& ctx) {
  apply_derived_defaults(config, ctx);
  check_z_thresholds(config.strategy, ctx);
  check_drain_timeouts(config.storage, ctx);
  check_coins(config.strategy, ctx);
  check_execution_mode(config, ctx);
  check_venue_urls(config, ctx);
  check_alerts(config.alerts, ctx);
  check_reconcile_intervals(config.runtime, ctx);
  check_loss_limits(config.risk, ctx);
}

constexpr SchemaRules<Config> kConfigRules{.check = &check_config, .unknown_key_note = &secret_key_note};

}  // namespace

ConfigResult parse_config(std::string_view text, std::string_view file_name) {
  return read_toml(text, file_name, Config{}, kConfigRules);
}

ConfigResult load_config(const std::filesystem::path& path) {
  return load_toml(path, Config{}, kConfigRules);
}

}  // namespace kimp::config
