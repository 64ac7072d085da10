// The emulator's TOML schema and its rules across keys, read with the engine's generic TOML reader.
#include "sim/config/sim_config.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/rules.hpp"
#include "config/schema.hpp"
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
// Fault durations: injected delays beyond a day would only hang whoever is under test.
constexpr std::int64_t kDayMs = 86'400'000;
constexpr IntRange kFaultMs{0, kDayMs};
constexpr IntRange kFaultSeconds{0, kDayMs / 1000};
constexpr IntRange kClockSkewMs{-kDayMs, kDayMs};
constexpr IntRange kJumpAfterSeconds{0, 30 * 86'400LL};
constexpr double kMinSpeed = 0.01;
constexpr double kMaxSpeed = 1000.0;
// Upbit error names are snake_case words ("insufficient_funds_bid"); Bybit retCodes are positive
// integers of up to six digits ("110007").
constexpr std::size_t kMaxUpbitErrorName = 64;
constexpr std::size_t kMaxBybitRetCodeDigits = 6;

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

// Rates and ratios are doubles the reader takes as written; their ranges are checked here.
void check_double(double value, double min, double max, const std::string& path, Context& ctx) {
  if (!ctx.failed(path) && !(value >= min && value <= max)) {
    ctx.report_at(path, fmt::format("must be between {} and {}, got {}", min, max, value));
  }
}

void check_rate(double rate, const std::string& path, Context& ctx) {
  check_double(rate, 0.0, 1.0, path, ctx);
}

void check_speed(const StreamConfig& streams, Context& ctx) {
  check_double(streams.speed, kMinSpeed, kMaxSpeed, "streams.speed", ctx);
}

std::optional<std::string> check_not_empty(std::string_view text) {
  return text.empty() ? std::optional<std::string>("must not be empty") : std::nullopt;
}

std::optional<std::string> check_endpoint(std::string_view text) {
  if (text == "*" || text.starts_with('/')) {
    return std::nullopt;
  }
  return fmt::format("must be \"*\" or a request path starting with \"/\", got {}", quote_input(text));
}

// Orders and WebSocket streams exist only on the two exchanges.
bool check_exchange_venue(FaultVenue venue, const std::string& rule_path, std::string_view what,
                          Context& ctx) {
  const std::string path = rule_path + ".venue";
  if (ctx.failed(path)) {
    return false;
  }
  if (venue == FaultVenue::kFx) {
    ctx.report_at(path, fmt::format("must be upbit or bybit: the FX source has no {}", what));
    return false;
  }
  return true;
}

void check_http_rule(const HttpFaultRule& rule, const std::string& path, Context& ctx) {
  check_rate(rule.timeout_rate, path + ".timeout_rate", ctx);
  check_rate(rule.reset_rate, path + ".reset_rate", ctx);
  check_rate(rule.rate_limit_rate, path + ".rate_limit_rate", ctx);
  check_rate(rule.server_error_rate, path + ".server_error_rate", ctx);
}

bool is_listed(const std::vector<std::string>& coins, std::string_view coin) {
  return std::find(coins.begin(), coins.end(), coin) != coins.end();
}

// "*", or a market the venue lists for a configured coin: KRW-<coin> or KRW-USDT on Upbit, <coin>USDT
// on Bybit.
void check_order_symbol(const OrderFaultRule& rule, const std::vector<std::string>& coins,
                        const std::string& path, Context& ctx) {
  if (rule.symbol == "*" || ctx.failed(path)) {
    return;
  }
  const std::string_view symbol = rule.symbol;
  const bool upbit = rule.venue == FaultVenue::kUpbit;
  const bool listed =
      upbit ? symbol.starts_with("KRW-") && (symbol == "KRW-USDT" || is_listed(coins, symbol.substr(4)))
            : symbol.ends_with("USDT") && is_listed(coins, symbol.substr(0, symbol.size() - 4));
  if (!listed) {
    ctx.report_at(path,
                  fmt::format("{} is not a {} market of market.coins: use {} or \"*\"", quote_input(symbol),
                              to_string(rule.venue), upbit ? "KRW-<coin>, KRW-USDT" : "<coin>USDT"));
  }
}

std::optional<std::string> check_reject_code(FaultVenue venue, std::string_view code) {
  const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (venue == FaultVenue::kUpbit) {
    const bool valid =
        !code.empty() && code.size() <= kMaxUpbitErrorName && lower(code.front()) &&
        std::all_of(code.begin(), code.end(), [&](char c) { return lower(c) || digit(c) || c == '_'; });
    if (valid) {
      return std::nullopt;
    }
    return fmt::format(
        "must be an Upbit error name such as \"insufficient_funds_bid\" (lower-case letters, digits and "
        "_), got {}",
        quote_input(code));
  }
  const bool valid = !code.empty() && code.size() <= kMaxBybitRetCodeDigits && code.front() != '0' &&
                     std::all_of(code.begin(), code.end(), digit);
  if (valid) {
    return std::nullopt;
  }
  return fmt::format("must be a Bybit retCode such as \"110007\" (a positive integer, as a string), got {}",
                     quote_input(code));
}

// Each outcome takes its own fields and no other's.
void check_outcome_fields(const OrderFaultRule& rule, const std::string& path, Context& ctx) {
  if (ctx.failed(path + ".outcome")) {
    return;
  }
  struct OutcomeField {
    std::string_view key;
    OrderOutcome owner;
    bool required;
  };
  constexpr std::array<OutcomeField, 4> kFields{{{"reject_code", OrderOutcome::kReject, true},
                                                 {"fill_ratio", OrderOutcome::kPartialFill, false},
                                                 {"invisible_ms", OrderOutcome::kInvisible, true},
                                                 {"late_ms", OrderOutcome::kLateFill, true}}};
  for (const OutcomeField& field : kFields) {
    const std::string field_path = fmt::format("{}.{}", path, field.key);
    const bool given = ctx.present(field_path);
    if (given && rule.outcome != field.owner) {
      ctx.report_at(field_path, fmt::format("belongs to outcome \"{}\", not \"{}\"", to_string(field.owner),
                                            to_string(rule.outcome)));
    } else if (!given && field.required && rule.outcome == field.owner) {
      ctx.report_at(field_path, fmt::format("required when outcome is \"{}\"", to_string(rule.outcome)));
    }
  }
  const std::string code_path = path + ".reject_code";
  if (rule.outcome == OrderOutcome::kReject && ctx.present(code_path) && !ctx.failed(code_path)) {
    if (std::optional<std::string> problem = check_reject_code(rule.venue, rule.reject_code)) {
      ctx.report_at(code_path, std::move(*problem));
    }
  }
  const std::string ratio_path = path + ".fill_ratio";
  if (rule.outcome == OrderOutcome::kPartialFill && !ctx.failed(ratio_path) &&
      !(rule.fill_ratio > 0.0 && rule.fill_ratio < 1.0)) {
    ctx.report_at(ratio_path, fmt::format("must be greater than 0 and less than 1, got {}", rule.fill_ratio));
  }
}

// `coins` is nullptr when market.coins itself was refused: symbols are then not judged.
void check_order_rule(const OrderFaultRule& rule, const std::vector<std::string>* coins,
                      const std::string& path, Context& ctx) {
  check_rate(rule.rate, path + ".rate", ctx);
  if (!check_exchange_venue(rule.venue, path, "orders", ctx)) {
    return;
  }
  if (coins != nullptr) {
    check_order_symbol(rule, *coins, path + ".symbol", ctx);
  }
  check_outcome_fields(rule, path, ctx);
}

void check_ws_rule(const WsFaultRule& rule, const std::string& path, Context& ctx) {
  check_rate(rule.drop_rate, path + ".drop_rate", ctx);
  check_rate(rule.duplicate_rate, path + ".duplicate_rate", ctx);
  check_rate(rule.reorder_rate, path + ".reorder_rate", ctx);
  check_rate(rule.malformed_rate, path + ".malformed_rate", ctx);
  if (check_exchange_venue(rule.venue, path, "WebSocket streams", ctx) && !ctx.failed(path + ".stream")) {
    if (std::optional<std::string> problem = check_ws_stream(rule.venue, rule.stream)) {
      ctx.report_at(path + ".stream", std::move(*problem));
    }
  }
  if (ctx.present(path + ".disconnect_every_s") && ctx.present(path + ".disconnect_every_ms")) {
    ctx.report_at(path + ".disconnect_every_ms", "give disconnect_every_s or disconnect_every_ms, not both");
  }
  const std::string every_path = path + ".stall_every_ms";
  const std::string for_path = path + ".stall_for_ms";
  if (ctx.failed(every_path) || ctx.failed(for_path) ||
      (rule.stall_every.count() == 0 && rule.stall_for.count() == 0)) {
    return;
  }
  if (rule.stall_for >= rule.stall_every) {
    ctx.report_at(for_path, fmt::format("must be less than stall_every_ms ({}), got {}",
                                        rule.stall_every.count(), rule.stall_for.count()));
  } else if (rule.stall_for.count() == 0) {
    ctx.report_at(every_path, "needs a stall_for_ms greater than 0");
  }
}

void check_premium_jumps(const MarketFaults& market, const std::vector<std::string>& coins, Context& ctx) {
  for (std::size_t i = 0; i < market.premium_jumps.size(); ++i) {
    const std::string path = fmt::format("faults.market.premium_jumps[{}].coin", i);
    const std::string& coin = market.premium_jumps[i].coin;
    if (!ctx.failed(path) && !is_listed(coins, coin)) {
      ctx.report_at(path, fmt::format("\"{}\" is not in market.coins", coin));
    }
  }
}

// The rules across keys of the [faults] table; `coins` as for check_order_rule.
void check_faults(const FaultConfig& faults, const std::vector<std::string>* coins, Context& ctx) {
  for (std::size_t i = 0; i < faults.http.size(); ++i) {
    check_http_rule(faults.http[i], fmt::format("faults.http[{}]", i), ctx);
  }
  for (std::size_t i = 0; i < faults.orders.size(); ++i) {
    check_order_rule(faults.orders[i], coins, fmt::format("faults.orders[{}]", i), ctx);
  }
  for (std::size_t i = 0; i < faults.websocket.size(); ++i) {
    check_ws_rule(faults.websocket[i], fmt::format("faults.websocket[{}]", i), ctx);
  }
  if (coins != nullptr) {
    check_premium_jumps(faults.market, *coins, ctx);
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
  check_speed(sim.streams, ctx);
  check_faults(sim.faults, ctx.failed("market.coins") ? nullptr : &sim.market.coins, ctx);
}

constexpr config::SchemaRules<SimConfig> kSimConfigRules{.check = &check_sim_config};

// POST /faults: a document of one [faults] table, checked against the market's coins.
struct FaultsDocument {
  FaultConfig faults;
  std::vector<std::string> coins;
};

template <class V>
void visit_fields(V& v, FaultsDocument& c) {
  v.table("faults", c.faults);
}

void check_faults_document(FaultsDocument& document, Context& ctx) {
  check_faults(document.faults, &document.coins, ctx);
}

constexpr config::SchemaRules<FaultsDocument> kFaultsDocumentRules{.check = &check_faults_document};

// The schema's writer (see config/schema.hpp): each value as the TOML node the reader takes back.
void put(toml::table& table, std::string_view key, bool value) {
  table.insert_or_assign(key, value);
}
template <std::integral I>
requires(!std::same_as<I, bool>) void put(toml::table& table, std::string_view key, I value) {
  table.insert_or_assign(key, static_cast<std::int64_t>(value));
}
template <class Rep, class Period>
void put(toml::table& table, std::string_view key, std::chrono::duration<Rep, Period> value) {
  table.insert_or_assign(key, static_cast<std::int64_t>(value.count()));
}
void put(toml::table& table, std::string_view key, double value) {
  table.insert_or_assign(key, value);
}
void put(toml::table& table, std::string_view key, Decimal value) {
  table.insert_or_assign(key, value.to_string());
}
void put(toml::table& table, std::string_view key, const std::string& value) {
  table.insert_or_assign(key, value);
}
template <class E>
requires std::is_enum_v<E>
void put(toml::table& table, std::string_view key, E value) {
  table.insert_or_assign(key, std::string(to_string(value)));
}

class TomlWriter {
 public:
  explicit TomlWriter(toml::table& out) : out_(out) {}

  template <class T, class Rule = config::NoCheck>
  void field(std::string_view key, const T& value, const Rule& /*rule*/ = {}) {
    put(out_, key, value);
  }
  template <class T, class Rule = config::NoCheck>
  void required(std::string_view key, const T& value, const Rule& rule = {}) {
    field(key, value, rule);
  }
  template <class T>
  void table(std::string_view key, const T& section) {
    out_.insert_or_assign(key, write(section));
  }
  template <class T>
  void table_array(std::string_view key, const std::vector<T>& sections) {
    toml::array array;
    for (const T& section : sections) {
      array.push_back(write(section));
    }
    out_.insert_or_assign(key, std::move(array));
  }

 private:
  template <class T>
  static toml::table write(const T& section) {
    toml::table table;
    TomlWriter writer(table);
    visit_fields(writer, section);
    return table;
  }

  toml::table& out_;
};

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
void visit_fields(V& v, StreamConfig& c) {
  v.field("speed", c.speed);
}

// The fault sections are also written back (render_fault_config), hence const-or-mutable sections.

template <class V, config::SectionOf<HttpFaultRule> S>
void visit_fields(V& v, S& c) {
  v.required("venue", c.venue);
  v.field("endpoint", c.endpoint, &check_endpoint);
  v.field("latency_ms", c.latency, kFaultMs);
  v.field("jitter_ms", c.jitter, kFaultMs);
  v.field("timeout_rate", c.timeout_rate);
  v.field("reset_rate", c.reset_rate);
  v.field("rate_limit_rate", c.rate_limit_rate);
  v.field("server_error_rate", c.server_error_rate);
}

template <class V, config::SectionOf<OrderFaultRule> S>
void visit_fields(V& v, S& c) {
  v.required("venue", c.venue);
  v.field("symbol", c.symbol, &check_not_empty);
  v.required("outcome", c.outcome);
  v.field("rate", c.rate);
  // Every field is read, so a misplaced one can be refused; only the outcome's own are written.
  const auto owns = [&c](OrderOutcome outcome) { return !std::is_const_v<S> || c.outcome == outcome; };
  if (owns(OrderOutcome::kReject)) {
    v.field("reject_code", c.reject_code, &check_not_empty);
  }
  if (owns(OrderOutcome::kPartialFill)) {
    v.field("fill_ratio", c.fill_ratio);
  }
  if (owns(OrderOutcome::kInvisible)) {
    v.field("invisible_ms", c.invisible_for, kFaultMs);
  }
  if (owns(OrderOutcome::kLateFill)) {
    v.field("late_ms", c.late_by, kFaultMs);
  }
}

template <class V, config::SectionOf<WsFaultRule> S>
void visit_fields(V& v, S& c) {
  v.required("venue", c.venue);
  v.field("stream", c.stream, &check_not_empty);
  // Scenario files may give the period in seconds; it is kept, and written back, in milliseconds.
  if constexpr (!std::is_const_v<S>) {
    std::optional<std::chrono::seconds> every_s;
    v.field("disconnect_every_s", every_s, kFaultSeconds);
    if (every_s) {
      c.disconnect_every = *every_s;
    }
  }
  v.field("disconnect_every_ms", c.disconnect_every, kFaultMs);
  v.field("stall_every_ms", c.stall_every, kFaultMs);
  v.field("stall_for_ms", c.stall_for, kFaultMs);
  v.field("drop_rate", c.drop_rate);
  v.field("duplicate_rate", c.duplicate_rate);
  v.field("reorder_rate", c.reorder_rate);
  v.field("malformed_rate", c.malformed_rate);
}

template <class V, config::SectionOf<PremiumJump> S>
void visit_fields(V& v, S& c) {
  v.required("coin", c.coin, &config::check_coin_symbol);
  v.required("pct", c.pct, kSignedPercent);
  v.field("after_s", c.after, kJumpAfterSeconds);
}

template <class V, config::SectionOf<MarketFaults> S>
void visit_fields(V& v, S& c) {
  v.field("clock_skew_ms", c.clock_skew, kClockSkewMs);
  v.field("fx_down", c.fx_down);
  v.field("fx_frozen", c.fx_frozen);
  v.table_array("premium_jumps", c.premium_jumps);
}

template <class V, config::SectionOf<FaultConfig> S>
void visit_fields(V& v, S& c) {
  v.field("seed", c.seed, IntRange{0, std::numeric_limits<std::int64_t>::max()});
  v.table_array("http", c.http);
  v.table_array("orders", c.orders);
  v.table_array("websocket", c.websocket);
  v.table("market", c.market);
}

template <class V>
void visit_fields(V& v, SimConfig& c) {
  v.table("server", c.server);
  v.table("market", c.market);
  v.table("fees", c.fees);
  v.table("rate_limits", c.rate_limits);
  v.table("streams", c.streams);
  v.table("faults", c.faults);
  v.table_array("accounts", c.accounts);
}

SimConfigResult parse_sim_config(std::string_view text, std::string_view file_name) {
  return config::read_toml(text, file_name, SimConfig{}, kSimConfigRules);
}

FaultConfigResult parse_fault_config(std::string_view text, std::string_view file_name,
                                     std::span<const std::string> coins) {
  FaultsDocument document{{}, std::vector<std::string>(coins.begin(), coins.end())};
  auto read = config::read_toml(text, file_name, std::move(document), kFaultsDocumentRules);
  if (!read) {
    return tl::unexpected(std::move(read.error()));
  }
  return std::move(read->faults);
}

std::string render_fault_config(const FaultConfig& faults) {
  toml::table root;
  TomlWriter(root).table("faults", faults);
  std::ostringstream out;
  out << toml::toml_formatter{root};
  return out.str();
}

SimConfigResult load_sim_config(const std::filesystem::path& path) {
  return config::load_toml(path, SimConfig{}, kSimConfigRules);
}

}  // namespace kimp::sim
