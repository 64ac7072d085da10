// HttpServer's WebSocket side: routes, the registry of sessions, and the hand-off of an admitted upgrade.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "sim/server/faults.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/ws_session.hpp"

namespace kimp::sim::detail {

struct WsRoute {
  std::string path;
  WsEndpoint* endpoint = nullptr;
  WsFaultScope faults;
};

class WsConnection;

// Every WebSocket route and session of one server. Sessions are owned here from the upgrade until they
// end; ending removes them, so an idle server holds none. Runs on the server's thread.
class WsRegistry {
 public:
  WsRegistry() = default;
  WsRegistry(const WsRegistry&) = delete;
  WsRegistry& operator=(const WsRegistry&) = delete;
  ~WsRegistry();

  void add_route(std::string path, WsEndpoint& endpoint, WsFaultScope faults);
  // The route of `path` (no query), or nullptr.
  [[nodiscard]] const WsRoute* find_route(std::string_view path) const;

  // Completes the upgrade `message` (already admitted by `route`'s endpoint) on `socket` and runs the
  // session until it ends. Ignored once stopped.
  void accept(boost::asio::ip::tcp::socket socket,
              boost::beast::http::request<boost::beast::http::string_body> message, HttpRequest upgrade,
              const WsRoute& route);

  // Sessions whose upgrade completed and that have not ended.
  [[nodiscard]] std::size_t open_sessions() const;
  // Resets the open sessions of `path` (all when empty), counting each as "ws_disconnect"; returns how many.
  std::size_t reset(std::string_view path);
  // Ends every session now: their endpoints hear on_close before this returns and never again.
  void stop();

 private:
  friend class WsConnection;

  void forget(std::uint64_t id);

  std::deque<WsRoute> routes_;  // a deque keeps each route where sessions point to it
  std::unordered_map<std::uint64_t, std::shared_ptr<WsConnection>> sessions_;
  bool stopped_ = false;
};

}  // namespace kimp::sim::detail
