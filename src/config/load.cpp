// Loading: TOML parsing, schema reading, defaults derived from other keys, and rules across keys.
#include "config/load.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <ios>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/reader.hpp"
#include "config/rules.hpp"
#include "config/schema.hpp"

namespace kimp::config {

namespace {

using detail::Context;

constexpr std::string_view kBybitTestnetRestUrl = "https://api-testnet.bybit.com";
constexpr std::string_view kBybitTestnetWsPublicUrl = "wss://stream-testnet.bybit.com/v5/public/linear";
constexpr std::string_view kBybitTestnetWsPrivateUrl = "wss://stream-testnet.bybit.com/v5/private";

std::string under(const std::string& dir, std::string_view name) {
  return (std::filesystem::path(dir) / name).generic_string();
}

void report_at(Context& ctx, const std::string& key_path, std::string message) {
  ctx.report(ctx.position_of(key_path), key_path, std::move(message));
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
    report_at(
        ctx, "strategy.exit_z",
        fmt::format("|exit_z| must be smaller than entry_z ({}), got {}", strategy.entry_z, strategy.exit_z));
  }
}

void check_coins(const StrategyConfig& strategy, Context& ctx) {
  if (ctx.failed("strategy.coins")) {
    return;
  }
  if (strategy.coins.empty() && !strategy.coin_selection.enabled &&
      !ctx.failed("strategy.coin_selection.enabled")) {
    report_at(ctx, "strategy.coins", "no coins to trade: list them here or enable strategy.coin_selection");
  }
  const std::vector<std::string>& blacklist = strategy.coin_selection.blacklist;
  const bool blacklist_valid = !ctx.failed("strategy.coin_selection.blacklist");
  for (std::size_t i = 0; i < strategy.coins.size(); ++i) {
    const std::string& coin = strategy.coins[i];
    const std::string path = fmt::format("strategy.coins[{}]", i);
    if (std::find(strategy.coins.begin(), strategy.coins.begin() + static_cast<std::ptrdiff_t>(i), coin) !=
        strategy.coins.begin() + static_cast<std::ptrdiff_t>(i)) {
      report_at(ctx, path, fmt::format("\"{}\" is listed twice", coin));
    } else if (blacklist_valid && std::find(blacklist.begin(), blacklist.end(), coin) != blacklist.end()) {
      report_at(ctx, path, fmt::format("\"{}\" is also in strategy.coin_selection.blacklist", coin));
    }
  }
}

void check_execution_mode(const Config& config, Context& ctx) {
  const std::optional<Mode>& execution_mode = config.strategy.execution_mode;
  if (!execution_mode || ctx.failed("engine.mode") || *execution_mode == config.engine.mode) {
    return;
  }
  report_at(ctx, "strategy.execution_mode",
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
    const detail::UrlTarget target = detail::url_target(url);
    const bool bybit = key.starts_with("bybit.");
    if (bybit && mode == Mode::kLive && target.bybit_testnet) {
      report_at(ctx, path, "live mode trades on Bybit mainnet, but this URL is the Bybit testnet");
    } else if (bybit && mode == Mode::kPaper && !target.bybit_testnet && !target.loopback) {
      report_at(ctx, path,
                "paper mode sends Bybit requests only to the testnet (such as api-testnet.bybit.com) or to "
                "an emulator on a loopback host");
    } else if (!target.encrypted && !target.loopback) {
      report_at(ctx, path,
                fmt::format("{} mode needs https or wss here: plaintext is allowed only to a loopback host",
                            to_string(mode)));
    }
  }
}

void check_alerts(const AlertsConfig& alerts, Context& ctx) {
  if (ctx.failed("alerts.telegram_enabled") || ctx.failed("alerts.telegram_chat_id")) {
    return;
  }
  if (alerts.telegram_enabled && alerts.telegram_chat_id.empty()) {
    report_at(ctx, "alerts.telegram_chat_id", "required when alerts.telegram_enabled is true");
  }
}

void check_reconcile_intervals(const RuntimeConfig& runtime, Context& ctx) {
  if (ctx.failed("runtime.reconcile_interval_sec") || ctx.failed("runtime.reconcile_busy_interval_sec")) {
    return;
  }
  // With many open positions reconciliation runs less often to spare the private rate budgets.
  if (runtime.reconcile_busy_interval < runtime.reconcile_interval) {
    report_at(ctx, "runtime.reconcile_busy_interval_sec",
              fmt::format("must not be shorter than runtime.reconcile_interval_sec ({}), got {}",
                          runtime.reconcile_interval.count(), runtime.reconcile_busy_interval.count()));
  }
}

void check_loss_limits(const RiskConfig& risk, Context& ctx) {
  if (ctx.failed("risk.max_single_loss_usdt") || ctx.failed("risk.max_daily_loss_usdt")) {
    return;
  }
  if (risk.max_single_loss_usdt > risk.max_daily_loss_usdt) {
    report_at(ctx, "risk.max_single_loss_usdt",
              fmt::format("must not exceed risk.max_daily_loss_usdt ({}), got {}", risk.max_daily_loss_usdt,
                          risk.max_single_loss_usdt));
  }
}

}  // namespace

ConfigResult parse_config(std::string_view text, std::string_view file_name) {
  Context ctx{std::string(file_name), text};
  toml::table root;
  // toml++ reports syntax errors by exception; this is the one place they become a value.
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& error) {
    const toml::source_position& where = error.source().begin;
    return tl::unexpected(
        std::vector<ConfigProblem>{{std::string(file_name), static_cast<std::int32_t>(where.line),
                                    static_cast<std::int32_t>(where.column), "",
                                    fmt::format("TOML syntax error: {}", error.description())}});
  }

  Config config;
  detail::Reader reader(ctx, root, "");
  detail::visit_fields(reader, config);
  reader.finish();

  apply_derived_defaults(config, ctx);
  check_z_thresholds(config.strategy, ctx);
  check_coins(config.strategy, ctx);
  check_execution_mode(config, ctx);
  check_venue_urls(config, ctx);
  check_alerts(config.alerts, ctx);
  check_reconcile_intervals(config.runtime, ctx);
  check_loss_limits(config.risk, ctx);

  if (ctx.has_problems()) {
    return tl::unexpected(ctx.sorted_problems());
  }
  return config;
}

ConfigResult load_config(const std::filesystem::path& path) {
  const std::string file_name = path.string();
  const auto unreadable = [&](std::string message) {
    return tl::unexpected(std::vector<ConfigProblem>{{file_name, 0, 0, "", std::move(message)}});
  };
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) {
    return unreadable(fmt::format("cannot open: {}", error.message()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return unreadable("not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return unreadable(fmt::format("cannot open: {}", std::strerror(errno)));
  }
  std::string text;
  // libstdc++'s file buffer throws on a failed read(2) whatever in.exceptions() says.
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& failure) {
    return unreadable(fmt::format("cannot read: {}", failure.code().message()));
  }
  return parse_config(text, file_name);
}

}  // namespace kimp::config
