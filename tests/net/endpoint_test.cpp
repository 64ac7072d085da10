// Venue URL parsing: schemes, default ports, targets, IPv6, and refused URLs.
#include "net/endpoint.hpp"

#include <gtest/gtest.h>

namespace kimp::net {
namespace {

TEST(Endpoint, HttpsBaseWithPortAndPath_KeepsPathWithoutTrailingSlash) {
  const auto endpoint = parse_http_endpoint("https://api.bybit.com:8443/base/");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->scheme, Scheme::kHttps);
  EXPECT_TRUE(endpoint->tls);
  EXPECT_EQ(endpoint->host, "api.bybit.com");
  EXPECT_EQ(endpoint->port, 8443);
  EXPECT_EQ(endpoint->target, "/base");
  EXPECT_EQ(endpoint->host_header(), "api.bybit.com:8443");
  EXPECT_FALSE(endpoint->host_is_ip());
}

TEST(Endpoint, HttpsWithoutPort_UsesDefaultPortAndEmptyBase) {
  const auto endpoint = parse_http_endpoint("https://api.upbit.com");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->port, 443);
  EXPECT_EQ(endpoint->target, "");
  EXPECT_EQ(endpoint->host_header(), "api.upbit.com");
}

TEST(Endpoint, PlainHttpLoopback_IsNotTlsAndIsAnIp) {
  const auto endpoint = parse_http_endpoint("http://127.0.0.1:18101");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->scheme, Scheme::kHttp);
  EXPECT_FALSE(endpoint->tls);
  EXPECT_EQ(endpoint->port, 18101);
  EXPECT_TRUE(endpoint->host_is_ip());
}

TEST(Endpoint, WssWithPathAndQuery_TargetKeepsBoth) {
  const auto endpoint = parse_ws_endpoint("wss://stream.bybit.com/v5/public/linear?max_active_time=1m");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->scheme, Scheme::kWss);
  EXPECT_TRUE(endpoint->tls);
  EXPECT_EQ(endpoint->port, 443);
  EXPECT_EQ(endpoint->target, "/v5/public/linear?max_active_time=1m");
}

TEST(Endpoint, WsWithoutPath_TargetsRoot) {
  const auto endpoint = parse_ws_endpoint("ws://127.0.0.1:9000");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->scheme, Scheme::kWs);
  EXPECT_FALSE(endpoint->tls);
  EXPECT_EQ(endpoint->target, "/");
}

TEST(Endpoint, Ipv6Literal_HostWithoutBracketsHeaderWithThem) {
  const auto endpoint = parse_http_endpoint("http://[::1]:8080/v1");
  ASSERT_TRUE(endpoint) << endpoint.error();
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->host_header(), "[::1]:8080");
  EXPECT_TRUE(endpoint->host_is_ip());
}

TEST(Endpoint, RefusedUrls_AreInvalidArgumentQuotingTheUrl) {
  const char* http_refused[] = {
      "ftp://api.bybit.com",            // scheme
      "wss://api.bybit.com",            // a WebSocket URL where REST is expected
      "api.bybit.com/v5",               // not absolute
      "",                               // empty
      "https://",                       // no host
      "https://user:pw@api.bybit.com",  // credentials in the URL
      "https://api.bybit.com/#top",     // fragment
      "https://api.bybit.com:0",        // port 0
      "https://api.bybit.com:99999",    // port out of range
      "https://api.bybit.com/v5?x=1",   // query on a base URL
  };
  for (const char* url : http_refused) {
    const auto endpoint = parse_http_endpoint(url);
    ASSERT_FALSE(endpoint) << url;
    EXPECT_EQ(endpoint.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_NE(endpoint.error().message.find(std::string("\"") + url), std::string::npos) << endpoint.error();
  }
  const char* ws_refused[] = {"https://stream.bybit.com/v5", "ws://", "wss://h/#x"};
  for (const char* url : ws_refused) {
    const auto endpoint = parse_ws_endpoint(url);
    ASSERT_FALSE(endpoint) << url;
    EXPECT_EQ(endpoint.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

}  // namespace
}  // namespace kimp::net
