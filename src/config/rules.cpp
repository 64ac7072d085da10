// String checks, bar intervals and URL targets (loopback, encryption, Bybit testnet) for the schema.
#include "config/rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <boost/url.hpp>

#include "core/client_order_id.hpp"
#include "core/text.hpp"

namespace kimp::config {

namespace {

constexpr std::size_t kMaxSessionLength = 64;
constexpr std::size_t kMaxCoinLength = ClientOrderIdGenerator::kMaxCoinLength;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Domains of Bybit's testnet hosts, which are one label under them named "testnet" or "<x>-testnet"
// (api-testnet.bybit.com, stream-testnet.bybit.com; api-testnet.manepa.jp for the Japanese site).
constexpr std::array<std::string_view, 2> kBybitTestnetDomains{"bybit.com", "manepa.jp"};

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

// The host name as DNS resolves it: "API.Bybit.com." and "api.bybit.com" are the same host.
std::string normalized_host(const boost::urls::url_view& url) {
  std::string host = lower(std::string_view(url.encoded_host()));
  if (host.ends_with('.')) {
    host.pop_back();
  }
  return host;
}

bool is_loopback_host(const boost::urls::url_view& url) {
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4: return url.host_ipv4_address().is_loopback();
    case boost::urls::host_type::ipv6: return url.host_ipv6_address().is_loopback();
    case boost::urls::host_type::name: return normalized_host(url) == "localhost";
    case boost::urls::host_type::none:
    case boost::urls::host_type::ipvfuture: break;
  }
  return false;
}

bool is_bybit_testnet_host(std::string_view host) {
  const std::size_t dot = host.find('.');
  if (dot == std::string_view::npos) {
    return false;
  }
  const std::string_view label = host.substr(0, dot);
  const std::string_view domain = host.substr(dot + 1);
  return (label == "testnet" || label.ends_with("-testnet")) &&
         std::find(kBybitTestnetDomains.begin(), kBybitTestnetDomains.end(), domain) !=
             kBybitTestnetDomains.end();
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
  const bool well_formed = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return is_digit(c) || (c >= 'A' && c <= 'Z');
  });
  if (!well_formed) {
    return fmt::format("{} is not a coin symbol: use 1 to {} upper-case letters or digits, as Upbit lists it",
                       quote_input(text), kMaxCoinLength);
  }
  if (text.size() > kMaxCoinLength) {
    return fmt::format("{} is longer than {} characters, the most a client order id can carry",
                       quote_input(text), kMaxCoinLength);
  }
  return std::nullopt;
}

std::optional<std::string> check_http_url(std::string_view text) {
  return check_url(text, boost::urls::scheme::http, boost::urls::scheme::https, true);
}

std::optional<std::string> check_ws_url(std::string_view text) {
  return check_url(text, boost::urls::scheme::ws, boost::urls::scheme::wss, true);
}

std::optional<std::string> check_http_base_url(std::string_view text) {
  if (std::optional<std::string> problem =
          check_url(text, boost::urls::scheme::http, boost::urls::scheme::https, false)) {
    return problem;
  }
  const UrlTarget target = url_target(text);
  if (!target.encrypted && !target.loopback) {
    return "URL must use https: the bot token travels in the URL path (http is allowed only to a loopback "
           "host)";
  }
  return std::nullopt;
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
  if (!parsed->has_authority() || parsed->encoded_host().empty()) {
    return "a PostgreSQL URL needs a host: postgresql://USER@HOST/DATABASE";
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

tl::expected<std::chrono::seconds, std::string> BarIntervalText::parse(std::string_view text) const {
  std::int64_t count = 0;
  const std::string_view digits = text.empty() ? text : text.substr(0, text.size() - 1);
  const auto [digits_end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  const bool well_formed = !digits.empty() && error == std::errc{} &&
                           digits_end == digits.data() + digits.size() && is_digit(digits.front()) &&
                           (text.back() == 's' || text.back() == 'm') && count <= kSecondsPerDay;
  if (!well_formed) {
    return tl::unexpected(fmt::format("expected <N>s or <N>m, such as \"1m\" or \"5s\", got \"{}\"", text));
  }
  const std::chrono::seconds interval{text.back() == 'm' ? count * 60 : count};
  if (interval.count() == 0) {
    return tl::unexpected(std::string("must be longer than 0"));
  }
  if (kSecondsPerDay % interval.count() != 0) {
    return tl::unexpected(
        fmt::format("\"{}\" does not divide a day evenly, so bars would not start at midnight UTC", text));
  }
  return interval;
}

std::string format_bar_interval(std::chrono::seconds interval) {
  if (interval.count() % 60 == 0) {
    return fmt::format("{}m", interval.count() / 60);
  }
  return fmt::format("{}s", interval.count());
}

UrlTarget url_target(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return {};
  }
  const boost::urls::scheme scheme = parsed->scheme_id();
  return {.encrypted = scheme == boost::urls::scheme::https || scheme == boost::urls::scheme::wss,
          .loopback = is_loopback_host(*parsed),
          .bybit_testnet = parsed->host_type() == boost::urls::host_type::name &&
                           is_bybit_testnet_host(normalized_host(*parsed))};
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

}  // namespace kimp::config
