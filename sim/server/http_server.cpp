// HTTP/1.1 serving on Beast with C++20 coroutines: accept loop, keep-alive sessions, orderly stop.
#include "sim/server/http_server.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

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
  std::unordered_set<beast::tcp_stream*> connections;
  bool stopped = false;
};

namespace {

HttpResponse answer(const HttpHandler& handler, const HttpRequest& request) {
  // A handler that throws is a bug in the emulator; the client still gets a well-formed answer.
  try {
    return handler(request);
  } catch (const std::exception& error) {
    const boost::json::object body{{"error", fmt::format("internal emulator error: {}", error.what())}};
    return HttpResponse::json(500, boost::json::serialize(body));
  }
}

asio::awaitable<void> serve(std::shared_ptr<detail::HttpServerState> state, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  state->connections.insert(&stream);
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
    const auto& message = parser.get();
    auto response =
        to_message(answer(state->handler, to_request(message)), message.version(), message.keep_alive());
    const auto [write_error, written] = co_await http::async_write(stream, response, kUseTuple);
    if (write_error || !response.keep_alive()) {
      break;
    }
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  state->connections.erase(&stream);
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
  stop();
}

void HttpServer::stop() {
  if (state_->stopped) {
    return;
  }
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto* connection : state_->connections) {
    connection->socket().close(ignored);
  }
}

}  // namespace kimp::sim
