// Value rules for TOML schemas read with toml_reader.hpp (ranges, string checks) and the engine's own ones.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "config/config.hpp"
#include "core/decimal.hpp"

namespace kimp::config {

// A field read without any check beyond its type.
struct NoCheck {};

// Inclusive range of an integer or of a duration in the unit its key names.
struct IntRange {
  std::int64_t min = 0;
  std::int64_t max = 0;
};

// Whole amounts with no upper bound, such as KRW turnover beyond Decimal's range.
inline constexpr IntRange kPositiveInteger{1, std::numeric_limits<std::int64_t>::max()};

struct DecimalBound {
  Decimal value;
  bool inclusive = false;
};

struct DecimalRange {
  DecimalBound lower;
  std::optional<DecimalBound> upper;
};

inline constexpr DecimalRange kPositive{{Decimal{}, false}, std::nullopt};
// Percent limits and thresholds: 0 < x < 100.
inline constexpr DecimalRange kPercent{{Decimal{}, false}, DecimalBound{decimal_literal(100), false}};
// Fee rates and profit floors, which may be zero: 0 <= x < 100.
inline constexpr DecimalRange kRatePercent{{Decimal{}, true}, DecimalBound{decimal_literal(100), false}};

// A double that must be greater than `exclusive_min` (every double must also be finite).
struct DoubleAbove {
  double exclusive_min = 0.0;
};

// Why `text` is not acceptable, or nothing when it is. Messages never repeat URLs, which may carry
// credentials.
using StringCheck = std::optional<std::string> (*)(std::string_view text);

// A rule for a value written as a string and parsed into T: rule.parse(text) is the value, or the
// message saying why the text is not one.
template <class Rule, class T>
concept TextRule = requires(const Rule& rule, std::string_view text) {
  { rule.parse(text) } -> std::same_as<tl::expected<T, std::string>>;
};

// A table whose keys are data rather than schema (`[accounts.coins]` BTC = 0.5): each key must pass
// `key`, each value is read with `value`.
template <class Rule>
struct TableOf {
  StringCheck key = nullptr;
  Rule value;
};

// A duration written as "<N>s" or "<N>m" (a bar interval that divides a day) instead of an integer.
struct BarIntervalText {
  // "5s" -> 5 s, "1m" -> 60 s; the error says why the text is not a bar interval that divides a day.
  [[nodiscard]] tl::expected<std::chrono::seconds, std::string> parse(std::string_view text) const;
};

std::optional<std::string> check_session_name(std::string_view text);
std::optional<std::string> check_path(std::string_view text);
// An Upbit symbol short enough for ClientOrderIdGenerator, so every configured coin can be ordered.
std::optional<std::string> check_coin_symbol(std::string_view text);
std::optional<std::string> check_http_url(std::string_view text);
std::optional<std::string> check_ws_url(std::string_view text);
// An https URL (http only to a loopback host) with no path: the Telegram bot token is appended to the
// path from the secrets, never configured, so it must not travel in plaintext.
std::optional<std::string> check_http_base_url(std::string_view text);
// sqlite:PATH, or postgresql:// (postgres://) with a host and without a password.
std::optional<std::string> check_storage_url(std::string_view text);
// Empty (telegram off), a numeric chat id or an "@channel" name.
std::optional<std::string> check_chat_id(std::string_view text);
std::optional<std::string> check_ip_address(std::string_view text);

// The shortest text BarIntervalText::parse reads back: minutes when whole, else seconds.
std::string format_bar_interval(std::chrono::seconds interval);

// Where a URL that passed check_http_url/check_ws_url leads, for the rules that depend on the mode.
// Host names compare as DNS resolves them: in any case and with or without one trailing dot.
struct UrlTarget {
  bool encrypted = false;      // https or wss
  bool loopback = false;       // 127.0.0.0/8, ::1 or localhost
  bool bybit_testnet = false;  // api-testnet.bybit.com, stream-testnet.bybit.com, api-testnet.manepa.jp, ...
};
UrlTarget url_target(std::string_view url);

// True for 127.0.0.0/8 and ::1; false for anything that is not an IP address.
bool is_loopback_address(std::string_view text);

}  // namespace kimp::config
