// HTTP(S) client for one venue base URL: a keep-alive connection pool with timeouts and TLS verification.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/result.hpp"
#include "net/endpoint.hpp"

namespace kimp::net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // path and query exactly as signed, appended to the base URL's path
  std::string body;
  HttpHeaders headers;  // set on top of Host, User-Agent and Content-Length
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  HttpHeaders headers;

  // The first header of that name, compared without regard to case; empty when there is none.
  [[nodiscard]] std::string_view header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{3000};  // TCP connect plus TLS handshake
  std::chrono::milliseconds request_timeout{5000};  // from the call until the whole answer is read
  std::size_t max_connections = 4;                  // open at once; further requests wait for one
  // A pooled connection idle longer than this is closed instead of reused: servers drop idle
  // keep-alive connections and a request racing that close would end with an unknown outcome.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds{30}};
  std::string user_agent = "kimp";
  std::size_t max_response_bytes = std::size_t{16} << 20U;
  // PEM certificates trusted besides the system's (a private CA, a test server's own certificate).
  std::string extra_ca_pem;
};

struct HttpClientStats {
  std::uint64_t connections_opened = 0;  // TCP (and TLS) connections established
  std::uint64_t connections_reused = 0;  // requests sent on a pooled keep-alive connection
  std::uint64_t stale_discarded = 0;     // pooled connections found closed by the server before use
  std::uint64_t responses = 0;           // complete answers read, whatever their status

  bool operator==(const HttpClientStats&) const = default;
};

// Requests run on the executor given at creation; not thread-safe, use it from that executor's thread.
// Each request is sent once: nothing here resends a request whose outcome is unknown.
class HttpClient {
 public:
  // Errors: kInvalidArgument for a bad URL (see parse_http_endpoint), max_connections of 0, a
  // non-positive timeout or an extra_ca_pem OpenSSL cannot read.
  static Result<std::unique_ptr<HttpClient>> create(const boost::asio::any_io_executor& executor,
                                                    std::string_view base_url,
                                                    HttpClientOptions options = {});
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Sends `request` on a pooled connection (a new one when none is idle and fewer than
  // max_connections are open) and reads the whole answer. Statuses other than 2xx are answers, not
  // errors: the venue adapter maps them. A pooled connection the server has closed meanwhile is
  // detected before anything is written and replaced.
  // Errors:
  //   kUnavailable: no connection (resolve, connect or TLS handshake failed, or timed out, or none
  //     became free within request_timeout) or the request could not be written completely; the
  //     server has not received it, so the call may be repeated.
  //   kDeadlineExceeded: the request was written but no complete answer arrived within
  //     request_timeout (timeout, connection reset or closed, malformed or oversized answer); the
  //     outcome is unknown, so look it up instead of resending.
  //   kFailedPrecondition: the client was closed before the call.
  boost::asio::awaitable<Result<HttpResponse>> request(HttpRequest request);

  // Closes every connection. Requests in flight end with kUnavailable or kDeadlineExceeded as above;
  // later calls fail with kFailedPrecondition. Idempotent; the destructor calls it.
  void close();

  [[nodiscard]] HttpClientStats stats() const;
  [[nodiscard]] const Endpoint& endpoint() const;

  struct Impl;

 private:
  explicit HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  // Shared with requests in flight, which finish after close() without touching a destroyed client.
  std::shared_ptr<Impl> impl_;
};

// A request that only reads (GET) changes nothing at the venue, so a timeout leaves nothing unknown that
// matters: its kDeadlineExceeded becomes kUnavailable, which may be repeated (rate limits and timeouts
// are retryable). Any other method's result, and every other result, passes unchanged — an order whose
// answer timed out must be looked up, not sent again.
Result<HttpResponse> repeatable_if_read_only(Result<HttpResponse> result, boost::beast::http::verb method);

}  // namespace kimp::net
