// The emulator's TOML schema and its rules across keys, read with the engine's generic TOML reader.
#include "sim/config/sim_config.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "config/rules.hpp"
#include "config/toml_reader.hpp"
#include "core/text.hpp"

namespace kimp::sim {

namespace {

using config::Context;
using config::DecimalBound;
using config::DecimalRange;
using config::IntRange;

constexpr std::array<std::string_view, 2> kMarketModeNames{"synthetic", "replay"};

constexpr IntRange kPort{0, 65'535};
constexpr IntRange kRequestsPerSecond{1, 1'000'000};
constexpr std::size_t kMaxCredentialLength = 128;
// Premiums may be negative (a "reverse" premium) but never a whole price: -100 < x < 100.
constexpr DecimalRange kSignedPercent{{config::decimal_literal(-100), false},
                                      DecimalBound{config::decimal_literal(100), false}};
constexpr DecimalRange kBalance{{Decimal{}, true}, std::nullopt};

// Tells the emulator's users why a wildcard or LAN address is refused rather than just that it is.
std::optional<std::string> check_loopback_address(std::string_view text) {
  if (config::is_loopback_address(text)) {
    return std::nullopt;
  }
  return fmt::format(
      "must be a loopback address (127.0.0.0/8 or ::1): the emulator never listens elsewhere, got {}",
      quote_input(text));
}

// Credentials end up in HTTP headers and JWTs, so they are kept to one printable token. The value is
// not repeated: it may have been pasted from a real account by mistake.
std::optional<std::string> check_credential(std::string_view text) {
  const bool valid = !text.empty() && text.size() <= kMaxCredentialLength &&
                     std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c <= '~'; });
  if (valid) {
    return std::nullopt;
  }
  return fmt::format("must be 1 to {} printable ASCII characters without spaces", kMaxCredentialLength);
}

// Empty means "not given"; whether it is needed depends on market.mode.
std::optional<std::string> check_optional_path(std::string_view text) {
  return text.empty() ? std::nullopt : config::check_path(text);
}

void check_ports(const ServerConfig& server, Context& ctx) {
  const std::array<std::pair<std::string_view, std::uint16_t>, 4> ports{{{"upbit_port", server.upbit_port},
                                                                         {"bybit_port", server.bybit_port},
                                                                         {"fx_port", server.fx_port},
                                                                         {"admin_port", server.admin_port}}};
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string path = fmt::format("server.{}", ports[i].first);
    if (ports[i].second == 0 || ctx.failed(path)) {
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      const std::string earlier = fmt::format("server.{}", ports[j].first);
      if (ports[j].second == ports[i].second && !ctx.failed(earlier)) {
        ctx.report_at(path, fmt::format("port {} is already {}; every port must differ (or be 0)",
                                        ports[i].second, earlier));
        break;
      }
    }
  }
}

void check_coins(const SimMarketConfig& market, Context& ctx) {
  if (ctx.failed("market.coins")) {
    return;
  }
  if (market.coins.empty()) {
    ctx.report_at("market.coins", "must list at least one coin");
  }
  for (auto coin = market.coins.begin(); coin != market.coins.end(); ++coin) {
    if (std::find(market.coins.begin(), coin, *coin) != coin) {
      ctx.report_at(fmt::format("market.coins[{}]", coin - market.coins.begin()),
                    fmt::format("\"{}\" is listed twice", *coin));
    }
  }
}

void check_replay_file(const std::string& file, std::string_view key, Context& ctx) {
  const std::string path = fmt::format("market.{}", key);
  if (ctx.failed(path)) {
    return;
  }
  if (file.empty()) {
    ctx.report_at(path, "required when market.mode is \"replay\"");
    return;
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    ctx.report_at(path, fmt::format("{} is not a readable file", quote_input(file)));
  }
}

void check_replay(const SimMarketConfig& market, Context& ctx) {
  if (market.mode != MarketMode::kReplay || ctx.failed("market.mode")) {
    return;
  }
  check_replay_file(market.replay_bybit_capture, "replay_bybit_capture", ctx);
  check_replay_file(market.replay_upbit_candles, "replay_upbit_candles", ctx);
}

// Reports the account whose `member` repeats an earlier account's; `show_value` is false for credentials,
// which are never echoed.
template <class Member>
void check_unique(const std::vector<AccountConfig>& accounts, std::string_view key, Member member,
                  bool show_value, Context& ctx) {
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const std::string path = fmt::format("accounts[{}].{}", i, key);
    if (ctx.failed(path)) {
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (accounts[j].*member == accounts[i].*member && !ctx.failed(fmt::format("accounts[{}].{}", j, key))) {
        ctx.report_at(path, show_value ? fmt::format("\"{}\" is already the {} of accounts[{}]",
                                                     accounts[i].*member, key, j)
                                       : fmt::format("already the {} of accounts[{}]", key, j));
        break;
      }
    }
  }
}

// Starting balances can only be held in coins the emulator lists.
void check_account_coins(const SimConfig& sim, Context& ctx) {
  if (ctx.failed("market.coins")) {
    return;
  }
  const std::vector<std::string>& listed = sim.market.coins;
  for (std::size_t i = 0; i < sim.accounts.size(); ++i) {
    const std::string path = fmt::format("accounts[{}].coins", i);
    if (ctx.failed(path)) {
      continue;
    }
    for (const auto& [coin, balance] : sim.accounts[i].coins) {
      if (std::find(listed.begin(), listed.end(), coin) == listed.end()) {
        ctx.report_at(fmt::format("{}.{}", path, coin), fmt::format("\"{}\" is not in market.coins", coin));
      }
    }
  }
}

void check_sim_config(SimConfig& sim, Context& ctx) {
  check_ports(sim.server, ctx);
  check_coins(sim.market, ctx);
  check_replay(sim.market, ctx);
  check_unique(sim.accounts, "name", &AccountConfig::name, true, ctx);
  check_unique(sim.accounts, "upbit_access_key", &AccountConfig::upbit_access_key, false, ctx);
  check_unique(sim.accounts, "bybit_api_key", &AccountConfig::bybit_api_key, false, ctx);
  check_account_coins(sim, ctx);
}

constexpr config::SchemaRules<SimConfig> kSimConfigRules{.check = &check_sim_config};

}  // namespace

std::span<const std::string_view> enum_names(MarketMode) {
  return kMarketModeNames;
}

// The schema. These live in kimp::sim rather than the unnamed namespace because the reader finds them by
// argument-dependent lookup on the section types.

template <class V>
void visit_fields(V& v, ServerConfig& c) {
  v.field("address", c.address, &check_loopback_address);
  v.field("upbit_port", c.upbit_port, kPort);
  v.field("bybit_port", c.bybit_port, kPort);
  v.field("fx_port", c.fx_port, kPort);
  v.field("admin_port", c.admin_port, kPort);
}

template <class V>
void visit_fields(V& v, SimMarketConfig& c) {
  v.field("mode", c.mode);
  v.field("seed", c.seed, IntRange{0, std::numeric_limits<std::int64_t>::max()});
  v.field("coins", c.coins, &config::check_coin_symbol);
  v.field("premium_mean_pct", c.premium_mean_pct, kSignedPercent);
  v.field("premium_daily_sigma_pct", c.premium_daily_sigma_pct, config::kRatePercent);
  v.field("premium_half_life_sec", c.premium_half_life, IntRange{1, 30 * 86'400LL});
  v.field("usd_krw_start", c.usd_krw_start, config::kPositive);
  v.field("tether_premium_pct", c.tether_premium_pct, kSignedPercent);
  // Upbit serves 30 levels; fewer would make depth-based sizing look thinner than the real books.
  v.field("book_levels", c.book_levels, IntRange{30, 500});
  v.field("step_ms", c.step, IntRange{1, 60'000});
  v.field("replay_bybit_capture", c.replay_bybit_capture, &check_optional_path);
  v.field("replay_upbit_candles", c.replay_upbit_candles, &check_optional_path);
}

template <class V>
void visit_fields(V& v, FeeConfig& c) {
  v.field("upbit_pct", c.upbit_pct, config::kRatePercent);
  v.field("bybit_taker_pct", c.bybit_taker_pct, config::kRatePercent);
  v.field("bybit_maker_pct", c.bybit_maker_pct, config::kRatePercent);
}

template <class V>
void visit_fields(V& v, RateLimitConfig& c) {
  v.field("upbit_order", c.upbit_order, kRequestsPerSecond);
  v.field("upbit_default", c.upbit_default, kRequestsPerSecond);
  v.field("upbit_quotation", c.upbit_quotation, kRequestsPerSecond);
  v.field("bybit_public", c.bybit_public, kRequestsPerSecond);
  v.field("bybit_private", c.bybit_private, kRequestsPerSecond);
}

template <class V>
void visit_fields(V& v, AccountConfig& c) {
  v.required("name", c.name, &config::check_session_name);
  v.required("upbit_access_key", c.upbit_access_key, &check_credential);
  v.required("upbit_secret_key", c.upbit_secret_key, &check_credential);
  v.required("bybit_api_key", c.bybit_api_key, &check_credential);
  v.required("bybit_api_secret", c.bybit_api_secret, &check_credential);
  v.field("krw", c.krw, kBalance);
  v.field("usdt", c.usdt, kBalance);
  v.field("coins", c.coins, config::TableOf<DecimalRange>{&config::check_coin_symbol, kBalance});
}

template <class V>
void visit_fields(V& v, SimConfig& c) {
  v.table("server", c.server);
  v.table("market", c.market);
  v.table("fees", c.fees);
  v.table("rate_limits", c.rate_limits);
  v.table_array("accounts", c.accounts);
}

SimConfigResult parse_sim_config(std::string_view text, std::string_view file_name) {
  return config::read_toml(text, file_name, SimConfig{}, kSimConfigRules);
}

SimConfigResult load_sim_config(const std::filesystem::path& path) {
  return config::load_toml(path, SimConfig{}, kSimConfigRules);
}

}  // namespace kimp::sim
