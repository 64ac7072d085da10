// HTTP client pool: connection checkout, stale-connection detection, timeouts and error classification.
#include "net/http_client.hpp"

#include <list>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/logging.hpp"
#include "net/connect.hpp"

namespace kimp::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kMaxHeaderBytes = 64U * 1024U;

// One pooled connection. Plain HTTP uses only the TCP layer under the (unused) TLS stream, which
// keeps a single connection type for both schemes.
struct Connection {
  Connection(const asio::any_io_executor& executor, asio::ssl::context& context)
      : stream(executor, context) {}

  TlsStream stream;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_since;
  bool busy = true;
};

// A request waiting for a connection to become free; woken by cancelling its timer.
struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool woken = false;
};

using ConnectionList = std::list<Connection>;

}  // namespace

struct HttpClient::Impl {
  Impl(const asio::any_io_executor& impl_executor, Endpoint impl_endpoint, HttpClientOptions impl_options,
       asio::ssl::context impl_ssl_context)
      : executor(impl_executor),
        endpoint(std::move(impl_endpoint)),
        options(std::move(impl_options)),
        ssl_context(std::move(impl_ssl_context)),
        resolver(impl_executor) {}

  void release(ConnectionList::iterator connection, bool reusable);
  void wake_one();

  asio::any_io_executor executor;
  Endpoint endpoint;
  HttpClientOptions options;
  asio::ssl::context ssl_context;
  asio::ip::tcp::resolver resolver;
  ConnectionList connections;
  std::list<Waiter*> waiters;
  HttpClientStats stats;
  bool closed = false;
  log::Logger logger{"net.http"};
};

namespace {

using Impl = HttpClient::Impl;

// True when the idle connection can carry a request: not idle too long, and the server has neither
// closed it (a peek reads end of stream) nor sent anything unasked (which would be read as the answer).
bool still_usable(Connection& connection, const Impl& impl) {
  if (SteadyClock::now() - connection.idle_since > impl.options.idle_timeout) {
    return false;
  }
  auto& socket = connection.stream.next_layer().socket();
  char byte = 0;
  boost::system::error_code error;
  socket.non_blocking(true, error);
  if (error) {
    return false;
  }
  socket.receive(asio::buffer(&byte, 1), asio::ip::tcp::socket::message_peek, error);
  return error == asio::error::would_block;
}

void close_connection(Connection& connection) {
  boost::system::error_code ignored;
  connection.stream.next_layer().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  connection.stream.next_layer().close();
}

asio::awaitable<Status> connect(Impl& impl, Connection& connection) {
  Status connected = co_await connect_tcp(impl.resolver, connection.stream.next_layer(), impl.endpoint,
                                          impl.options.connect_timeout);
  if (connected && impl.endpoint.tls) {
    connected = co_await tls_handshake(connection.stream, impl.endpoint, impl.options.connect_timeout);
  }
  if (connected) {
    ++impl.stats.connections_opened;
  }
  co_return connected;
}

// Waits until a connection is released or `deadline` passes. Returns false on timeout or close.
asio::awaitable<bool> wait_for_release(Impl& impl, SteadyClock::time_point deadline) {
  Waiter waiter(impl.executor);
  waiter.timer.expires_at(deadline);
  impl.waiters.push_back(&waiter);
  co_await waiter.timer.async_wait(kUseTuple);
  if (!waiter.woken) {
    impl.waiters.remove(&waiter);
  }
  co_return waiter.woken && !impl.closed;
}

// Checks out an idle connection that is still usable, or opens one while under max_connections.
asio::awaitable<Result<ConnectionList::iterator>> checkout(Impl& impl, SteadyClock::time_point deadline) {
  while (true) {
    // Newest idle first: it is the least likely to have been closed by the server.
    for (auto it = impl.connections.end(); it != impl.connections.begin();) {
      --it;
      if (it->busy) {
        continue;
      }
      if (still_usable(*it, impl)) {
        it->busy = true;
        ++impl.stats.connections_reused;
        co_return it;
      }
      ++impl.stats.stale_discarded;
      close_connection(*it);
      it = impl.connections.erase(it);
    }
    if (impl.connections.size() < impl.options.max_connections) {
      impl.connections.emplace_back(impl.executor, impl.ssl_context);
      const auto it = std::prev(impl.connections.end());
      const Status connected = co_await connect(impl, *it);
      if (!connected || impl.closed) {
        close_connection(*it);
        impl.connections.erase(it);
        impl.wake_one();
        if (!connected) {
          co_return tl::unexpected<Error>(connected.error());
        }
        co_return make_error(ErrorCode::kUnavailable, "HTTP client closed while connecting");
      }
      co_return it;
    }
    if (!co_await wait_for_release(impl, deadline)) {
      co_return make_error(
          ErrorCode::kUnavailable,
          impl.closed ? std::string("HTTP client closed")
                      : fmt::format("no free connection to {} within {} ms (all {} busy)",
                                    impl.endpoint.host_header(), impl.options.request_timeout.count(),
                                    impl.options.max_connections));
    }
  }
}

http::request<http::string_body> build_request(const Impl& impl, HttpRequest& request) {
  http::request<http::string_body> message{request.method, impl.endpoint.target + request.target, 11};
  message.set(http::field::host, impl.endpoint.host_header());
  message.set(http::field::user_agent, impl.options.user_agent);
  for (const auto& [name, value] : request.headers) {
    message.set(name, value);
  }
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

HttpResponse to_response(http::response<http::string_body>&& message) {
  HttpResponse response;
  response.status = message.result_int();
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

asio::awaitable<Result<HttpResponse>> perform(std::shared_ptr<Impl> impl, HttpRequest request) {
  if (impl->closed) {
    co_return make_error(ErrorCode::kFailedPrecondition, "HTTP client is closed");
  }
  const SteadyClock::time_point deadline = SteadyClock::now() + impl->options.request_timeout;
  http::request<http::string_body> message = build_request(*impl, request);

  auto checked_out = co_await checkout(*impl, deadline);
  if (!checked_out) {
    co_return tl::unexpected<Error>(checked_out.error());
  }
  const ConnectionList::iterator connection = *checked_out;
  beast::tcp_stream& tcp = connection->stream.next_layer();
  tcp.expires_at(deadline);

  const auto [write_error, written] = impl->endpoint.tls
                                          ? co_await http::async_write(connection->stream, message, kUseTuple)
                                          : co_await http::async_write(tcp, message, kUseTuple);
  if (write_error) {
    impl->release(connection, false);
    co_return make_error(
        ErrorCode::kUnavailable,
        fmt::format("could not send {} {} to {} ({} bytes written): {}",
                    std::string_view(message.method_string()), std::string_view(message.target()),
                    impl->endpoint.host_header(), written, write_error.message()));
  }

  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(impl->options.max_response_bytes);
  const auto [read_error, read] =
      impl->endpoint.tls
          ? co_await http::async_read(connection->stream, connection->buffer, parser, kUseTuple)
          : co_await http::async_read(tcp, connection->buffer, parser, kUseTuple);
  if (read_error) {
    impl->release(connection, false);
    co_return make_error(
        ErrorCode::kDeadlineExceeded,
        fmt::format("{} {} was sent to {} but no complete answer arrived: {}",
                    std::string_view(message.method_string()), std::string_view(message.target()),
                    impl->endpoint.host_header(), read_error.message()));
  }
  ++impl->stats.responses;
  http::response<http::string_body> answer = parser.release();
  impl->release(connection, answer.keep_alive() && !impl->closed);
  co_return to_response(std::move(answer));
}

}  // namespace

void HttpClient::Impl::release(ConnectionList::iterator connection, bool reusable) {
  if (reusable) {
    connection->stream.next_layer().expires_never();
    connection->busy = false;
    connection->idle_since = SteadyClock::now();
  } else {
    close_connection(*connection);
    connections.erase(connection);
  }
  wake_one();
}

void HttpClient::Impl::wake_one() {
  if (waiters.empty()) {
    return;
  }
  Waiter* waiter = waiters.front();
  waiters.pop_front();
  waiter->woken = true;
  waiter->timer.cancel();
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) {
      return value;
    }
  }
  return {};
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(const asio::any_io_executor& executor,
                                                       std::string_view base_url, HttpClientOptions options) {
  KIMP_TRY_ASSIGN(Endpoint endpoint, parse_http_endpoint(base_url));
  if (options.max_connections == 0) {
    return make_error(ErrorCode::kInvalidArgument, "HTTP client max_connections must be at least 1");
  }
  if (options.connect_timeout <= std::chrono::milliseconds::zero() ||
      options.request_timeout <= std::chrono::milliseconds::zero()) {
    return make_error(ErrorCode::kInvalidArgument, "HTTP client timeouts must be positive");
  }
  KIMP_TRY_ASSIGN(asio::ssl::context ssl_context, make_client_tls_context(options.extra_ca_pem));
  auto impl =
      std::make_shared<Impl>(executor, std::move(endpoint), std::move(options), std::move(ssl_context));
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::~HttpClient() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; sockets close with the pool
  }
}

asio::awaitable<Result<HttpResponse>> HttpClient::request(HttpRequest request) {
  return perform(impl_, std::move(request));
}

void HttpClient::close() {
  if (impl_->closed) {
    return;
  }
  impl_->closed = true;
  impl_->resolver.cancel();
  for (auto it = impl_->connections.begin(); it != impl_->connections.end();) {
    close_connection(*it);
    // Busy connections belong to a request in flight, which erases its own when it resumes.
    it = it->busy ? std::next(it) : impl_->connections.erase(it);
  }
  while (!impl_->waiters.empty()) {
    impl_->wake_one();
  }
}

HttpClientStats HttpClient::stats() const {
  return impl_->stats;
}

const Endpoint& HttpClient::endpoint() const {
  return impl_->endpoint;
}

Result<HttpResponse> repeatable_if_read_only(Result<HttpResponse> result, boost::beast::http::verb method) {
  if (!result && result.error().code == ErrorCode::kDeadlineExceeded &&
      method == boost::beast::http::verb::get) {
    return make_error(ErrorCode::kUnavailable, result.error().message + " (a query: safe to repeat)");
  }
  return result;
}

}  // namespace kimp::net
