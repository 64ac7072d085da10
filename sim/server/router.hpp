// Request routing by method and path pattern ("/v1/candles/minutes/{unit}") for the emulated APIs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/server/http_server.hpp"

namespace kimp::sim {

// Values of a pattern's {name} segments, in order.
class RouteParams {
 public:
  void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  // The value of {name}, or an empty view when the pattern has no such segment.
  [[nodiscard]] std::string_view get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using RouteHandler = std::function<HttpResponse(const HttpRequest&, const RouteParams&)>;

class Router {
 public:
  // `unmatched` answers requests no route takes, with the venue's own 404/405 body.
  explicit Router(std::function<HttpResponse(const HttpRequest&, bool path_known)> unmatched)
      : unmatched_(std::move(unmatched)) {}

  // Adds a route; segments written {name} match any one non-empty segment.
  void add(HttpMethod method, std::string_view pattern, RouteHandler handler);
  [[nodiscard]] HttpResponse route(const HttpRequest& request) const;

 private:
  struct Route {
    HttpMethod method;
    std::vector<std::string> segments;
    RouteHandler handler;
  };

  std::vector<Route> routes_;
  std::function<HttpResponse(const HttpRequest&, bool path_known)> unmatched_;
};

}  // namespace kimp::sim
