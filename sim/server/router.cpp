// Matching request paths against route patterns segment by segment.
#include "sim/server/router.hpp"

#include <optional>

namespace kimp::sim {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) {
      segments.emplace_back(path.substr(0, slash));
    }
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<RouteParams> match(const std::vector<std::string>& pattern,
                                 const std::vector<std::string>& path) {
  if (pattern.size() != path.size()) {
    return std::nullopt;
  }
  RouteParams params;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_parameter(pattern[i])) {
      params.add(pattern[i].substr(1, pattern[i].size() - 2), path[i]);
    } else if (pattern[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

}  // namespace

std::string_view RouteParams::get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

void Router::add(HttpMethod method, std::string_view pattern, RouteHandler handler) {
  routes_.push_back({method, split_path(pattern), std::move(handler)});
}

HttpResponse Router::route(const HttpRequest& request) const {
  const auto path = split_path(request.path);
  bool path_known = false;
  for (const auto& route : routes_) {
    auto params = match(route.segments, path);
    if (!params) {
      continue;
    }
    if (route.method == request.method) {
      return route.handler(request, *params);
    }
    path_known = true;
  }
  return unmatched_(request, path_known);
}

}  // namespace kimp::sim
