// URL parsing for venue endpoints on Boost.URL.
#include "net/endpoint.hpp"

#include <charconv>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/text.hpp"

namespace kimp::net {
namespace {

std::uint16_t default_port(Scheme scheme) {
  return scheme == Scheme::kHttps || scheme == Scheme::kWss ? 443 : 80;
}

tl::unexpected<Error> bad_url(std::string_view url, std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("bad URL {}: {}", quote_input(url), why));
}

Result<Endpoint> parse_endpoint(std::string_view url, bool websocket) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return bad_url(url, "not an absolute URL");
  }
  const boost::urls::url_view& view = *parsed;
  Endpoint endpoint;
  const std::string scheme = view.scheme();
  if (websocket && scheme == "ws") {
    endpoint.scheme = Scheme::kWs;
  } else if (websocket && scheme == "wss") {
    endpoint.scheme = Scheme::kWss;
  } else if (!websocket && scheme == "http") {
    endpoint.scheme = Scheme::kHttp;
  } else if (!websocket && scheme == "https") {
    endpoint.scheme = Scheme::kHttps;
  } else {
    return bad_url(url, websocket ? "the scheme must be ws or wss" : "the scheme must be http or https");
  }
  endpoint.tls = endpoint.scheme == Scheme::kHttps || endpoint.scheme == Scheme::kWss;
  if (view.has_userinfo()) {
    return bad_url(url, "user information is not allowed");
  }
  if (view.has_fragment()) {
    return bad_url(url, "a fragment is not allowed");
  }
  endpoint.host = view.host_address();
  if (endpoint.host.empty()) {
    return bad_url(url, "no host");
  }
  if (view.has_port()) {
    // port_number() wraps values above 65535, so the digits are read here.
    const std::string_view digits = view.port();
    unsigned port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      return bad_url(url, "the port must be within 1..65535");
    }
    endpoint.port = static_cast<std::uint16_t>(port);
  } else {
    endpoint.port = default_port(endpoint.scheme);
  }
  const std::string_view path = view.encoded_path();
  if (websocket) {
    endpoint.target = path.empty() ? "/" : std::string(path);
    if (view.has_query()) {
      endpoint.target += '?';
      endpoint.target += view.encoded_query();
    }
  } else {
    if (view.has_query()) {
      return bad_url(url, "a base URL cannot carry a query");
    }
    endpoint.target = path;
    while (!endpoint.target.empty() && endpoint.target.back() == '/') {
      endpoint.target.pop_back();
    }
  }
  return endpoint;
}

}  // namespace

std::string Endpoint::host_header() const {
  const std::string name = host.find(':') != std::string::npos ? fmt::format("[{}]", host) : host;
  return port == default_port(scheme) ? name : fmt::format("{}:{}", name, port);
}

bool Endpoint::host_is_ip() const {
  boost::system::error_code error;
  boost::asio::ip::make_address(host, error);
  return !error;
}

Result<Endpoint> parse_http_endpoint(std::string_view url) {
  return parse_endpoint(url, false);
}

Result<Endpoint> parse_ws_endpoint(std::string_view url) {
  return parse_endpoint(url, true);
}

}  // namespace kimp::net
