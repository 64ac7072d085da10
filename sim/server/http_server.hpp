// A small HTTP/1.1 server on Boost.Beast: keep-alive connections on one io_context, one handler per server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::sim {

namespace detail {
struct HttpServerState;
}  // namespace detail

enum class HttpMethod : std::uint8_t { kGet, kPost, kDelete, kPut, kOther };

// A request as the handler sees it: the query and body exactly as sent (signatures are computed over them).
struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path;   // "/v5/market/orderbook", percent-encoding untouched
  std::string query;  // the raw text after '?', empty when none
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header with this name (names compare case-insensitively), or an empty view.
  [[nodiscard]] std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  // How the answer reaches the client; anything but kAnswer is an injected fault.
  enum class Delivery : std::uint8_t {
    kAnswer,       // written after `delay`
    kNeverAnswer,  // the request was accepted; the connection stays open and silent until the client leaves
    kReset,        // the connection is dropped with a TCP reset, nothing written
  };

  // A JSON answer with no extra headers.
  static HttpResponse json(unsigned status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
  }

  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  Delivery delivery = Delivery::kAnswer;
  Duration delay{};  // injected latency: the answer is held this long (other requests keep being served)
};

class WsEndpoint;
struct WsFaultScope;

// Runs on the io_context's thread; must not block.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Listens on one loopback endpoint and answers every request on a connection in order.
class HttpServer {
 public:
  // Binds and starts accepting (port 0 picks a free port). Errors: kUnavailable when the address
  // cannot be bound (in use, not permitted).
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io, const std::string& address,
                                                   std::uint16_t port, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // WebSocket upgrades of `path` ("/websocket/v1") go to `endpoint`, which must outlive the server;
  // every outgoing message of its sessions passes `faults` (disconnect_every is armed at open).
  // Upgrades of other paths are answered 404. Call before the io_context runs the first connection.
  void route_websocket(std::string path, WsEndpoint& endpoint, WsFaultScope faults);
  // Open WebSocket sessions across every routed path (soak tests watch it return to zero).
  [[nodiscard]] std::size_t websocket_sessions() const;
  // Resets every open session of `path` (every path when empty), counting each as "ws_disconnect" of
  // its route's scope; returns how many (the admin API's disconnect command).
  std::size_t reset_websockets(std::string_view path);
  // Stops accepting and closes open connections; pending handlers finish on the io_context.
  void stop();

 private:
  HttpServer(std::shared_ptr<detail::HttpServerState> state, std::uint16_t port)
      : state_(std::move(state)), port_(port) {}

  std::shared_ptr<detail::HttpServerState> state_;
  std::uint16_t port_;
};

}  // namespace kimp::sim
