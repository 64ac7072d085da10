// HTTP client against loopback servers: keep-alive reuse, error classes, stale connections, TLS, close.
#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "net/loopback_servers.hpp"

namespace kimp::net {
namespace {

using std::chrono::milliseconds;
using testing::HttpMode;
using testing::LoopbackHttpServer;

HttpClientOptions fast_options() {
  HttpClientOptions options;
  options.connect_timeout = milliseconds{2000};
  options.request_timeout = milliseconds{2000};
  return options;
}

std::unique_ptr<HttpClient> make_client(boost::asio::io_context& io, const std::string& url,
                                        HttpClientOptions options = fast_options()) {
  auto client = HttpClient::create(io.get_executor(), url, std::move(options));
  EXPECT_TRUE(client) << client.error();
  return client ? std::move(*client) : nullptr;
}

HttpRequest target_request(std::string target) {
  HttpRequest request;
  request.target = std::move(target);
  return request;
}

Result<HttpResponse> get(boost::asio::io_context& io, HttpClient& client, std::string target) {
  auto response = testing::run_awaitable(io, client.request(target_request(std::move(target))));
  if (!response) {
    return make_error(ErrorCode::kInternal, "request did not finish");
  }
  return *response;
}

TEST(HttpClient, ManyRequests_ShareOneKeepAliveConnection) {
  LoopbackHttpServer server(HttpMode::kAnswer);
  boost::asio::io_context io;
  auto client = make_client(io, server.url() + "/base/");
  ASSERT_NE(client, nullptr);
  for (int i = 1; i <= 5; ++i) {
    const auto response = get(io, *client, "/v5/market/time?n=" + std::to_string(i));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 200U);
    EXPECT_EQ(response->body,
              "request " + std::to_string(i) + " /base/v5/market/time?n=" + std::to_string(i));
  }
  EXPECT_EQ(server.connections_accepted, 1);
  EXPECT_EQ(client->stats(), (HttpClientStats{1, 4, 0, 5}));
}

TEST(HttpClient, ConcurrentRequestsOverOneConnectionLimit_WaitAndReuseIt) {
  LoopbackHttpServer server(HttpMode::kAnswer);
  boost::asio::io_context io;
  HttpClientOptions options = fast_options();
  options.max_connections = 1;
  auto client = make_client(io, server.url(), options);
  ASSERT_NE(client, nullptr);
  std::optional<Result<HttpResponse>> first;
  std::optional<Result<HttpResponse>> second;
  boost::asio::co_spawn(io, testing::store_result(client->request(target_request("/a")), &first),
                        boost::asio::detached);
  boost::asio::co_spawn(io, testing::store_result(client->request(target_request("/b")), &second),
                        boost::asio::detached);
  ASSERT_TRUE(testing::run_until(io, [&] { return first.has_value() && second.has_value(); }));
  ASSERT_TRUE(*first) << first->error();
  ASSERT_TRUE(*second) << second->error();
  EXPECT_EQ(server.connections_accepted, 1);
  EXPECT_EQ(server.requests_seen, 2);
}

TEST(HttpClient, RequestHeadersAndNonSuccessStatus_AreReturnedAsAnswer) {
  LoopbackHttpServer server(HttpMode::kAnswer);
  boost::asio::io_context io;
  auto client = make_client(io, server.url());
  ASSERT_NE(client, nullptr);
  const auto response = get(io, *client, "/status/429");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 429U);
  EXPECT_EQ(response->header("retry-after"), "2");
  EXPECT_EQ(response->header("RETRY-AFTER"), "2");
  EXPECT_EQ(response->header("X-Missing"), "");
}

TEST(HttpClient, ConnectRefused_IsUnavailable) {
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  auto client = make_client(io, "http://127.0.0.1:" + std::to_string(port));
  ASSERT_NE(client, nullptr);
  const auto response = get(io, *client, "/v1/ticker");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable) << response.error();
  EXPECT_EQ(client->stats().connections_opened, 0U);
}

TEST(HttpClient, ServerNeverAnswers_IsDeadlineExceeded) {
  LoopbackHttpServer server(HttpMode::kNeverAnswer);
  boost::asio::io_context io;
  HttpClientOptions options = fast_options();
  options.request_timeout = milliseconds{200};
  auto client = make_client(io, server.url(), options);
  ASSERT_NE(client, nullptr);
  const auto response = get(io, *client, "/v5/order/create");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded) << response.error();
  EXPECT_FALSE(response.error().retryable());
  EXPECT_EQ(server.requests_seen, 1);
}

TEST(HttpClient, RepeatableIfReadOnly_TimedOutQueryMayBeRepeatedAnOrderMayNot) {
  const Result<HttpResponse> timed_out = make_error(ErrorCode::kDeadlineExceeded, "no answer within 200 ms");
  const auto query = repeatable_if_read_only(timed_out, boost::beast::http::verb::get);
  ASSERT_FALSE(query);
  EXPECT_EQ(query.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(query.error().retryable());
  for (const auto method : {boost::beast::http::verb::post, boost::beast::http::verb::delete_}) {
    const auto order = repeatable_if_read_only(timed_out, method);
    ASSERT_FALSE(order);
    EXPECT_EQ(order.error(), timed_out.error()) << "the outcome of a change stays unknown";
  }
  const Result<HttpResponse> refused = make_error(ErrorCode::kUnavailable, "connection refused");
  EXPECT_EQ(repeatable_if_read_only(refused, boost::beast::http::verb::get).error(), refused.error());
  HttpResponse answer;
  answer.status = 200;
  EXPECT_EQ(repeatable_if_read_only(answer, boost::beast::http::verb::get)->status, 200U);
}

TEST(HttpClient, ServerClosesKeepAliveBetweenRequests_NextRequestUsesFreshConnection) {
  LoopbackHttpServer server(HttpMode::kCloseAfterAnswer);
  boost::asio::io_context io;
  auto client = make_client(io, server.url());
  ASSERT_NE(client, nullptr);
  const auto first = get(io, *client, "/one");
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(testing::run_until(io, [&] { return server.closes_done == 1; }));
  const auto second = get(io, *client, "/two");
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->body, "request 2 /two");
  EXPECT_EQ(server.connections_accepted, 2);
  EXPECT_EQ(client->stats().stale_discarded, 1U);
  EXPECT_EQ(client->stats().connections_reused, 0U);
}

TEST(HttpClient, SelfSignedServer_FailsVerificationAsUnavailable) {
  const auto certificate = testing::make_self_signed_certificate();
  LoopbackHttpServer server(HttpMode::kAnswer, &certificate);
  boost::asio::io_context io;
  auto client = make_client(io, server.url());
  ASSERT_NE(client, nullptr);
  const auto response = get(io, *client, "/v1/accounts");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("TLS handshake"), std::string::npos) << response.error();
  EXPECT_EQ(server.requests_seen, 0);
}

TEST(HttpClient, SelfSignedServerTrustedExplicitly_AnswersOverTls) {
  const auto certificate = testing::make_self_signed_certificate();
  LoopbackHttpServer server(HttpMode::kAnswer, &certificate);
  boost::asio::io_context io;
  HttpClientOptions options = fast_options();
  options.extra_ca_pem = certificate.cert_pem;
  auto client = make_client(io, server.url(), options);
  ASSERT_NE(client, nullptr);
  for (int i = 1; i <= 2; ++i) {
    const auto response = get(io, *client, "/v1/accounts");
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->body, "request " + std::to_string(i) + " /v1/accounts");
  }
  EXPECT_EQ(server.connections_accepted, 1);
}

TEST(HttpClient, CloseDuringRequest_EndsItAndRefusesLaterOnes) {
  LoopbackHttpServer server(HttpMode::kNeverAnswer);
  boost::asio::io_context io;
  auto client = make_client(io, server.url());
  ASSERT_NE(client, nullptr);
  std::optional<Result<HttpResponse>> pending;
  boost::asio::co_spawn(io, testing::store_result(client->request(target_request("/slow")), &pending),
                        boost::asio::detached);
  ASSERT_TRUE(testing::run_until(io, [&] { return server.requests_seen == 1; }));
  client->close();
  ASSERT_TRUE(testing::run_until(io, [&] { return pending.has_value(); }));
  EXPECT_EQ((*pending).error().code, ErrorCode::kDeadlineExceeded) << (*pending).error();
  const auto later = get(io, *client, "/again");
  EXPECT_EQ(later.error().code, ErrorCode::kFailedPrecondition);
}

TEST(HttpClient, DestroyedWithRequestInFlight_RequestEndsWithoutTouchingIt) {
  LoopbackHttpServer server(HttpMode::kNeverAnswer);
  boost::asio::io_context io;
  auto client = make_client(io, server.url());
  ASSERT_NE(client, nullptr);
  std::optional<Result<HttpResponse>> pending;
  boost::asio::co_spawn(io, testing::store_result(client->request(target_request("/slow")), &pending),
                        boost::asio::detached);
  ASSERT_TRUE(testing::run_until(io, [&] { return server.requests_seen == 1; }));
  client.reset();
  ASSERT_TRUE(testing::run_until(io, [&] { return pending.has_value(); }));
  EXPECT_EQ((*pending).error().code, ErrorCode::kDeadlineExceeded);
}

TEST(HttpClient, BadOptions_AreInvalidArgument) {
  boost::asio::io_context io;
  EXPECT_EQ(HttpClient::create(io.get_executor(), "ws://127.0.0.1:1").error().code,
            ErrorCode::kInvalidArgument);
  HttpClientOptions no_connections;
  no_connections.max_connections = 0;
  EXPECT_EQ(HttpClient::create(io.get_executor(), "http://127.0.0.1:1", no_connections).error().code,
            ErrorCode::kInvalidArgument);
  HttpClientOptions bad_pem;
  bad_pem.extra_ca_pem = "not a certificate";
  EXPECT_EQ(HttpClient::create(io.get_executor(), "https://127.0.0.1:1", bad_pem).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::net
