// String checks, bar intervals and Bybit network detection for the configuration schema.
#include "config/rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <boost/url.hpp>

namespace kimp::config::detail {

namespace {

constexpr std::size_t kMaxSessionLength = 64;
constexpr std::size_t kMaxCoinLength = 15;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Hosts of Bybit's production sites (the regional ones included); testnet hosts all contain "testnet".
constexpr std::array<std::string_view, 10> kBybitMainnetDomains{
    "bybit.com", "bytick.com", "bybit.nl", "bybit.tr",  "bybit.kz",
    "bybit.ae",  "bybit.eu",   "bybit.id", "manepa.jp", "bybitgeorgia.ge",
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

bool ends_with_domain(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

// Checks shared by every URL the engine connects to; `schemes` are the two accepted ones.
std::optional<std::string> check_url(std::string_view text, boost::urls::scheme first,
                                     boost::urls::scheme second, bool allow_path) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return "not a valid URL";
  }
  const boost::urls::url_view& url = *parsed;
  if (url.scheme_id() != first && url.scheme_id() != second) {
    return fmt::format("URL scheme must be {} or {}, got {}", boost::urls::to_string(first),
                       boost::urls::to_string(second), std::string_view(url.scheme()));
  }
  if (url.has_userinfo()) {
    return "URL must not contain a user or password: secrets come from the environment or the secrets file";
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    return "URL has no host";
  }
  if (url.has_port()) {
    const std::string_view port = url.port();
    std::int32_t number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc{} || end != port.data() + port.size() || number < 1 || number > 65535) {
      return "URL port must be between 1 and 65535";
    }
  }
  if (url.has_query() || url.has_fragment()) {
    return "URL must not have a query or fragment";
  }
  if (!allow_path && !url.encoded_path().empty() && url.encoded_path() != "/") {
    return "URL must not have a path (the bot token is added from KIMP_TELEGRAM_BOT_TOKEN)";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_session_name(std::string_view text) {
  const bool valid =
      !text.empty() && text.size() <= kMaxSessionLength && is_alnum(text.front()) &&
      std::all_of(text.begin(), text.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
  if (valid) {
    return std::nullopt;
  }
  return fmt::format(
      "must be 1 to {} characters from A-Z a-z 0-9 _ - starting with a letter or digit, got \"{}\"",
      kMaxSessionLength, text);
}

std::optional<std::string> check_path(std::string_view text) {
  if (text.empty()) {
    return "must not be empty";
  }
  if (text.find('\0') != std::string_view::npos) {
    return "must not contain a NUL character";
  }
  return std::nullopt;
}

std::optional<std::string> check_coin_symbol(std::string_view text) {
  const bool valid =
      !text.empty() && text.size() <= kMaxCoinLength &&
      std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); });
  if (valid) {
    return std::nullopt;
  }
  return fmt::format(
      "\"{}\" is not a coin symbol: use 1 to {} upper-case letters or digits, as Upbit lists it", text,
      kMaxCoinLength);
}

std::optional<std::string> check_http_url(std::string_view text) {
  return check_url(text, boost::urls::scheme::http, boost::urls::scheme::https, true);
}

std::optional<std::string> check_ws_url(std::string_view text) {
  return check_url(text, boost::urls::scheme::ws, boost::urls::scheme::wss, true);
}

std::optional<std::string> check_http_base_url(std::string_view text) {
  return check_url(text, boost::urls::scheme::http, boost::urls::scheme::https, false);
}

std::optional<std::string> check_storage_url(std::string_view text) {
  constexpr std::string_view kSqlitePrefix = "sqlite:";
  if (text.starts_with(kSqlitePrefix)) {
    const std::string_view path = text.substr(kSqlitePrefix.size());
    if (path.empty() || path.starts_with("//")) {
      return "expected sqlite:PATH with a file path, such as sqlite:var/kimp.sqlite or "
             "sqlite:/srv/kimp.sqlite";
    }
    return check_path(path);
  }
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed || (parsed->scheme() != "postgresql" && parsed->scheme() != "postgres")) {
    return "expected sqlite:PATH or postgresql://USER@HOST/DATABASE";
  }
  const bool password_in_query = parsed->params().contains("password");
  if (parsed->has_password() || password_in_query) {
    return "the URL must not contain a password: set KIMP_POSTGRES_PASSWORD in the environment or the "
           "secrets file";
  }
  return std::nullopt;
}

std::optional<std::string> check_chat_id(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  const std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  const bool numeric =
      !digits.empty() && digits.size() <= 20 && std::all_of(digits.begin(), digits.end(), is_digit);
  const std::string_view channel = text.starts_with('@') ? text.substr(1) : std::string_view{};
  const bool channel_name =
      channel.size() >= 5 && channel.size() <= 32 &&
      std::all_of(channel.begin(), channel.end(), [](char c) { return is_alnum(c) || c == '_'; });
  if (numeric || channel_name) {
    return std::nullopt;
  }
  return fmt::format(
      "expected a numeric chat id (\"-1001234567890\") or a channel name (\"@my_channel\"), got \"{}\"",
      text);
}

std::optional<std::string> check_ip_address(std::string_view text) {
  if (boost::urls::parse_ipv4_address(text) || boost::urls::parse_ipv6_address(text)) {
    return std::nullopt;
  }
  return fmt::format("expected an IP address such as 127.0.0.1 or ::1, got \"{}\"", text);
}

BarIntervalParse parse_bar_interval(std::string_view text) {
  std::int64_t count = 0;
  const std::string_view digits = text.empty() ? text : text.substr(0, text.size() - 1);
  const auto [digits_end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  const bool well_formed = !digits.empty() && error == std::errc{} &&
                           digits_end == digits.data() + digits.size() && is_digit(digits.front()) &&
                           (text.back() == 's' || text.back() == 'm') && count <= kSecondsPerDay;
  if (!well_formed) {
    return {std::chrono::seconds{0},
            fmt::format("expected <N>s or <N>m, such as \"1m\" or \"5s\", got \"{}\"", text)};
  }
  const std::chrono::seconds interval{text.back() == 'm' ? count * 60 : count};
  if (interval.count() == 0) {
    return {interval, "must be longer than 0"};
  }
  if (kSecondsPerDay % interval.count() != 0) {
    return {
        interval,
        fmt::format("\"{}\" does not divide a day evenly, so bars would not start at midnight UTC", text)};
  }
  return {interval, ""};
}

std::string format_bar_interval(std::chrono::seconds interval) {
  if (interval.count() % 60 == 0) {
    return fmt::format("{}m", interval.count() / 60);
  }
  return fmt::format("{}s", interval.count());
}

BybitNetwork bybit_network(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return BybitNetwork::kOther;
  }
  const std::string host = lower(std::string_view(parsed->encoded_host()));
  if (host.find("testnet") != std::string::npos) {
    return BybitNetwork::kTestnet;
  }
  const bool mainnet = std::any_of(kBybitMainnetDomains.begin(), kBybitMainnetDomains.end(),
                                   [&](std::string_view domain) { return ends_with_domain(host, domain); });
  return mainnet ? BybitNetwork::kMainnet : BybitNetwork::kOther;
}

bool is_loopback_address(std::string_view text) {
  if (const auto v4 = boost::urls::parse_ipv4_address(text)) {
    return v4->is_loopback();
  }
  if (const auto v6 = boost::urls::parse_ipv6_address(text)) {
    return v6->is_loopback();
  }
  return false;
}

}  // namespace kimp::config::detail
