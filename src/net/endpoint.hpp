// Venue URLs ("https://host[:port][/base]", "wss://host[:port]/path") split into what a connection needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace kimp::net {

enum class Scheme : std::uint8_t { kHttp, kHttps, kWs, kWss };

struct Endpoint {
  Scheme scheme = Scheme::kHttp;
  bool tls = false;  // https and wss
  std::string host;  // a DNS name or an IP literal; IPv6 without brackets
  std::uint16_t port = 0;
  // http(s): the base path every request target is appended to, without a trailing '/' ("" for none).
  // ws(s): the path and query of the handshake request ("/" when the URL has none).
  std::string target;

  // host[:port] as the Host header writes it: the port only when not the scheme's default, IPv6 in brackets.
  [[nodiscard]] std::string host_header() const;
  // True when `host` is an IP literal, which takes no SNI name.
  [[nodiscard]] bool host_is_ip() const;

  bool operator==(const Endpoint&) const = default;
};

// Errors: kInvalidArgument, quoting the URL, when it is not an absolute URL, its scheme is not one of
// `allowed` (http/https for REST, ws/wss for WebSockets), it has no host, carries user information or a
// fragment, names port 0, or (http/https) has a query, which could not be joined with request targets.
Result<Endpoint> parse_http_endpoint(std::string_view url);
Result<Endpoint> parse_ws_endpoint(std::string_view url);

}  // namespace kimp::net
