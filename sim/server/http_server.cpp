// HTTP/1.1 serving on Beast with C++20 coroutines: accept loop, keep-alive sessions, injected delivery
// faults, WebSocket hand-off, orderly stop.
#include "sim/server/http_server.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json.hpp>

#include "sim/server/ws_server.hpp"

namespace kimp::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 1U << 20U;

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

HttpMethod method_of(http::verb verb) {
  switch (verb) {
    case http::verb::get: return HttpMethod::kGet;
    case http::verb::post: return HttpMethod::kPost;
    case http::verb::delete_: return HttpMethod::kDelete;
    case http::verb::put: return HttpMethod::kPut;
    default: return HttpMethod::kOther;
  }
}

HttpRequest to_request(const http::request<http::string_body>& message) {
  HttpRequest request;
  request.method = method_of(message.method());
  const std::string_view target(message.target().data(), message.target().size());
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    request.query = std::string(target.substr(question + 1));
  }
  request.body = message.body();
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return request;
}

http::response<http::string_body> to_message(HttpResponse response, unsigned version, bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) {
    message.set(name, value);
  }
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

// One HTTP connection; its timer holds injected latency, so stop() can cut that short too.
struct HttpConnection {
  explicit HttpConnection(tcp::socket socket) : stream(std::move(socket)), delay(stream.get_executor()) {}

  beast::tcp_stream stream;
  asio::steady_timer delay;
};

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equals_ignore_case(key, name)) {
      return value;
    }
  }
  return {};
}

struct detail::HttpServerState {
  HttpServerState(asio::io_context& io, HttpHandler request_handler)
      : acceptor(io), handler(std::move(request_handler)) {}

  tcp::acceptor acceptor;
  HttpHandler handler;
  std::unordered_set<HttpConnection*> connections;
  WsRegistry websockets;
  bool stopped = false;
};

namespace {

// Runs a handler or an endpoint's admission check. One that throws is a bug in the emulator; the client
// still gets a well-formed answer.
template <class Call>
auto guarded(Call call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& error) {
    const boost::json::object body{{"error", fmt::format("internal emulator error: {}", error.what())}};
    return HttpResponse::json(500, boost::json::serialize(body));
  }
}

// Sends `response` as its delivery says; false when the connection must not serve another request.
asio::awaitable<bool> deliver(const detail::HttpServerState& state, HttpConnection& connection,
                              HttpResponse response, unsigned version, bool keep_alive) {
  auto& socket = connection.stream.socket();
  boost::system::error_code ignored;
  switch (response.delivery) {
    case HttpResponse::Delivery::kReset:
      // A zero linger time makes close() send RST instead of FIN: the client sees a reset.
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      co_return false;
    case HttpResponse::Delivery::kNeverAnswer: {
      // Whatever else the client sends is read and ignored; a read error means it left (or stop()).
      std::array<char, 4096> discard{};
      for (;;) {
        const auto [error, bytes] = co_await socket.async_read_some(asio::buffer(discard), kUseTuple);
        if (error) {
          co_return false;
        }
      }
    }
    case HttpResponse::Delivery::kAnswer: break;
  }
  if (response.delay.count() > 0) {
    if (state.stopped) {
      co_return false;  // stop() has already cancelled every timer it could see
    }
    connection.delay.expires_after(response.delay);
    co_await connection.delay.async_wait(kUseTuple);
    if (state.stopped) {
      co_return false;
    }
  }
  auto message = to_message(std::move(response), version, keep_alive);
  const auto [write_error, written] = co_await http::async_write(connection.stream, message, kUseTuple);
  co_return !write_error && message.keep_alive();
}

asio::awaitable<void> serve(std::shared_ptr<detail::HttpServerState> state, tcp::socket socket) {
  HttpConnection connection(std::move(socket));
  auto& stream = connection.stream;
  state->connections.insert(&connection);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    const auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (read_error) {
      if (read_error != http::error::end_of_stream && read_error != asio::error::operation_aborted &&
          !state->stopped && stream.socket().is_open()) {
        auto bad = to_message(HttpResponse::json(400, R"({"error":"malformed HTTP request"})"), 11, false);
        co_await http::async_write(stream, bad, kUseTuple);
      }
      break;
    }
    if (state->stopped) {
      break;  // the request arrived just before stop(), which closed the socket
    }
    const auto& message = parser.get();
    HttpRequest request = to_request(message);
    if (beast::websocket::is_upgrade(message)) {
      const detail::WsRoute* route = state->websockets.find_route(request.path);
      const std::optional<HttpResponse> refusal =
          route == nullptr
              ? std::optional(HttpResponse::json(404, R"({"error":"no WebSocket at this path"})"))
              : guarded([&] { return route->endpoint->admit(request); });
      if (!refusal) {
        state->connections.erase(&connection);
        state->websockets.accept(stream.release_socket(), parser.release(), std::move(request), *route);
        co_return;
      }
      co_await deliver(*state, connection, *refusal, message.version(), false);
      break;
    }
    const bool keep_alive = message.keep_alive();
    if (!co_await deliver(*state, connection, guarded([&] { return state->handler(request); }),
                          message.version(), keep_alive)) {
      break;
    }
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  state->connections.erase(&connection);
}

asio::awaitable<void> accept_loop(std::shared_ptr<detail::HttpServerState> state) {
  while (!state->stopped) {
    auto [error, socket] = co_await state->acceptor.async_accept(kUseTuple);
    if (error) {
      if (error == asio::error::operation_aborted || state->stopped) {
        break;
      }
      continue;  // a connection that failed during accept (reset by peer): keep serving the others
    }
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)), asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io, const std::string& address,
                                                      std::uint16_t port, HttpHandler handler) {
  boost::system::error_code error;
  const auto ip = asio::ip::make_address(address, error);
  if (error) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("invalid listen address {}", address));
  }
  auto state = std::make_shared<detail::HttpServerState>(io, std::move(handler));
  const tcp::endpoint endpoint(ip, port);
  const auto failed = [&](std::string_view step) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("cannot {} {}:{}: {}", step, address, port, error.message()));
  };
  auto& acceptor = state->acceptor;
  if (acceptor.open(endpoint.protocol(), error); error) {
    return failed("open a socket for");
  }
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), error); error) {
    return failed("set SO_REUSEADDR on");
  }
  if (acceptor.bind(endpoint, error); error) {
    return failed("bind");
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, error); error) {
    return failed("listen on");
  }
  const auto bound_port = state->acceptor.local_endpoint().port();
  asio::co_spawn(io, accept_loop(state), asio::detached);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state), bound_port));
}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (const std::exception&) {
    // Only an allocation failure, an endpoint's throwing on_close or a timer refusing cancellation (Asio
    // reports none) gets here; a destructor can do nothing more about any of them.
  }
}

void HttpServer::stop() {
  if (state_->stopped) {
    return;
  }
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto* connection : state_->connections) {
    connection->stream.socket().close(ignored);
    connection->delay.cancel();
  }
  state_->websockets.stop();
}

void HttpServer::route_websocket(std::string path, WsEndpoint& endpoint, WsFaultScope faults) {
  state_->websockets.add_route(std::move(path), endpoint, std::move(faults));
}

std::size_t HttpServer::websocket_sessions() const {
  return state_->websockets.open_sessions();
}

std::size_t HttpServer::reset_websockets(std::string_view path) {
  return state_->websockets.reset(path);
}

}  // namespace kimp::sim
