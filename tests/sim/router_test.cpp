// Tests of route matching: exact paths, {param} segments, wrong method vs unknown path.
#include "sim/server/router.hpp"

#include <gtest/gtest.h>

namespace kimp::sim {
namespace {

HttpRequest request(HttpMethod method, std::string path) {
  HttpRequest result;
  result.method = method;
  result.path = std::move(path);
  return result;
}

Router make_router() {
  Router router([](const HttpRequest&, bool path_known) {
    return HttpResponse::json(path_known ? 405 : 404, path_known ? "method" : "path");
  });
  router.add(HttpMethod::kGet, "/v1/orderbook",
             [](const HttpRequest&, const RouteParams&) { return HttpResponse::json(200, "orderbook"); });
  router.add(HttpMethod::kGet, "/v1/candles/minutes/{unit}",
             [](const HttpRequest&, const RouteParams& params) {
               return HttpResponse::json(200, "candles " + std::string(params.get("unit")));
             });
  router.add(HttpMethod::kDelete, "/v1/order",
             [](const HttpRequest&, const RouteParams&) { return HttpResponse::json(200, "cancel"); });
  return router;
}

TEST(Router, ExactAndParameterisedPaths_ReachTheirHandlers) {
  const auto router = make_router();
  EXPECT_EQ(router.route(request(HttpMethod::kGet, "/v1/orderbook")).body, "orderbook");
  EXPECT_EQ(router.route(request(HttpMethod::kGet, "/v1/candles/minutes/15")).body, "candles 15");
  EXPECT_EQ(router.route(request(HttpMethod::kDelete, "/v1/order")).body, "cancel");
}

TEST(Router, KnownPathWithOtherMethod_Is405AndUnknownPathIs404) {
  const auto router = make_router();
  const auto wrong_method = router.route(request(HttpMethod::kPost, "/v1/orderbook"));
  EXPECT_EQ(wrong_method.status, 405U);
  const auto unknown = router.route(request(HttpMethod::kGet, "/v1/candles/minutes"));
  EXPECT_EQ(unknown.status, 404U);
  EXPECT_EQ(router.route(request(HttpMethod::kGet, "/v1/candles/minutes/1/extra")).status, 404U);
}

}  // namespace
}  // namespace kimp::sim
