// Conformance of the emulated Upbit API with the recorded fixtures and the OpenAPI description: same
// field names and JSON types (json_shape), for every recorded endpoint, every error example of the
// endpoints served, and the required fields of every exchange response schema.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <vector>

#include "json_shape.hpp"
#include "upbit_test_venue.hpp"

namespace kimp::sim {
namespace {

using testing::body_of;
using testing::UpbitTestVenue;

// The query each recorded endpoint is asked with; a new fixture without an entry fails the test.
const std::map<std::string, std::string> fixture_queries{
    {"/v1/market/all", "is_details=true"},
    {"/v1/orderbook", "markets=KRW-BTC,KRW-ETH&level=10000"},
    {"/v1/orderbook/instruments", "markets=KRW-BTC,KRW-ETH"},
    {"/v1/ticker", "markets=KRW-BTC,KRW-ETH"},
    {"/v1/candles/seconds", "market=KRW-BTC&count=1"},
    {"/v1/trades/ticks", "market=KRW-BTC&count=5"},
};

class UpbitConformance : public ::testing::Test {
 protected:
  // A fill, so that the trade tape has something to show.
  void trade_once() {
    const OrderBook& book = *venue_.exchange().market().book(Venue::kUpbit, "KRW-BTC");
    const auto placed = venue_.post_order({{"market", "KRW-BTC"},
                                           {"side", "bid"},
                                           {"volume", "0.001"},
                                           {"price", book.asks.front().price.to_string()},
                                           {"time_in_force", "ioc"},
                                           {"identifier", "conformance"}});
    ASSERT_EQ(placed.status, 201U) << placed.body;
  }

  static void expect_same_shape(const boost::json::value& expected, const HttpResponse& response,
                                const std::string& what) {
    const auto actual = body_of(response);
    EXPECT_EQ(::kimp::sim::testing::shape_differences(expected, actual), std::vector<std::string>{})
        << what << "\n"
        << response.body;
  }

  UpbitTestVenue venue_;
};

TEST_F(UpbitConformance, EveryRecordedRestFixture_HasTheEmulatorsShape) {
  trade_once();
  int compared = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(KIMP_SOURCE_DIR "/../shared/data/fixtures/upbit/rest")) {
    const auto fixture = ::kimp::sim::testing::read_rest_fixture(file.path().string());
    const auto query = fixture_queries.find(fixture.path);
    ASSERT_NE(query, fixture_queries.end()) << "no request for fixture " << file.path();
    ASSERT_EQ(fixture.method, "GET");
    const auto response = venue_.get(fixture.path, query->second);
    ASSERT_EQ(response.status, 200U) << fixture.path << ": " << response.body;
    ASSERT_FALSE(body_of(response).as_array().empty()) << fixture.path;
    expect_same_shape(fixture.body, response, fixture.path);
    ++compared;
  }
  EXPECT_EQ(compared, 6);
}

// quotation.yaml: components.responses BadRequest (invalidParameter, typeMismatch, missingParameter)
// and NotFound.
TEST_F(UpbitConformance, QuotationErrorExamples_HaveTheEmulatorsShape) {
  const auto bad_request = boost::json::parse(R"({"error":{"name":400,"message":"Invalid parameter."}})");
  const auto not_found = boost::json::parse(R"({"error":{"name":404,"message":"Code not found"}})");
  expect_same_shape(bad_request, venue_.get("/v1/ticker"), "missing parameter");
  expect_same_shape(bad_request, venue_.get("/v1/candles/minutes/1", "market=KRW-BTC&count=x"),
                    "type mismatch");
  expect_same_shape(bad_request, venue_.get("/v1/candles/minutes/2", "market=KRW-BTC"), "invalid parameter");
  expect_same_shape(not_found, venue_.get("/v1/ticker", "markets=KRW-NOPE"), "unknown market");
}

// exchange.yaml: components.responses BadRequest, Unauthorized and NotFound examples.
TEST_F(UpbitConformance, ExchangeErrorExamples_HaveTheEmulatorsShape) {
  const auto example = boost::json::parse(R"({"error":{"name":"validation_error","message":"m"}})");
  expect_same_shape(
      example, venue_.post_order({{"market", "KRW-BTC"}, {"side", "sell"}, {"volume", "1"}, {"price", "1"}}),
      "validation_error");
  HttpRequest unsigned_request;
  unsigned_request.path = "/v1/accounts";
  unsigned_request.headers.emplace_back("Authorization", "Bearer " + venue_.token("", "wrong"));
  const auto jwt = venue_.api().handle(unsigned_request);
  EXPECT_EQ(body_of(jwt).at("error").at("name").as_string(), "jwt_verification");
  expect_same_shape(example, jwt, "jwt_verification");
  unsigned_request.query = "market=KRW-BTC";
  unsigned_request.path = "/v1/orders/chance";
  unsigned_request.headers = {{"Authorization", "Bearer " + venue_.token("market=KRW-ETH")}};
  const auto payload = venue_.api().handle(unsigned_request);
  EXPECT_EQ(body_of(payload).at("error").at("name").as_string(), "invalid_query_payload");
  expect_same_shape(example, payload, "invalid_query_payload");
  const auto missing = venue_.signed_get("/v1/order", "uuid=missing");
  EXPECT_EQ(body_of(missing).at("error").at("name").as_string(), "order_not_found");
  expect_same_shape(example, missing, "order_not_found");
}

// The JSON kinds of exchange.yaml's schemas: every required field present with its type.
enum class Kind { kString, kInteger, kBoolean, kObject, kArray };

void expect_required(const boost::json::value& value, const std::vector<std::pair<std::string, Kind>>& fields,
                     const std::string& schema) {
  ASSERT_TRUE(value.is_object()) << schema;
  const auto& object = value.as_object();
  for (const auto& [name, kind] : fields) {
    const auto* field = object.if_contains(name);
    ASSERT_NE(field, nullptr) << schema << "." << name;
    const bool matches =
        (kind == Kind::kString && field->is_string()) || (kind == Kind::kInteger && field->is_int64()) ||
        (kind == Kind::kBoolean && field->is_bool()) || (kind == Kind::kObject && field->is_object()) ||
        (kind == Kind::kArray && field->is_array());
    EXPECT_TRUE(matches) << schema << "." << name << " = " << boost::json::serialize(*field);
  }
}

const std::vector<std::pair<std::string, Kind>> account_fields{{"currency", Kind::kString},
                                                               {"balance", Kind::kString},
                                                               {"locked", Kind::kString},
                                                               {"avg_buy_price", Kind::kString},
                                                               {"avg_buy_price_modified", Kind::kBoolean},
                                                               {"unit_currency", Kind::kString}};

// OrderCreated, OrderOpen, OrderClosed and OrderCanceled share these; OrderDetail adds `trades`.
const std::vector<std::pair<std::string, Kind>> order_fields{{"market", Kind::kString},
                                                             {"uuid", Kind::kString},
                                                             {"side", Kind::kString},
                                                             {"ord_type", Kind::kString},
                                                             {"price", Kind::kString},
                                                             {"state", Kind::kString},
                                                             {"created_at", Kind::kString},
                                                             {"volume", Kind::kString},
                                                             {"remaining_volume", Kind::kString},
                                                             {"executed_volume", Kind::kString},
                                                             {"executed_funds", Kind::kString},
                                                             {"reserved_fee", Kind::kString},
                                                             {"remaining_fee", Kind::kString},
                                                             {"paid_fee", Kind::kString},
                                                             {"locked", Kind::kString},
                                                             {"prevented_volume", Kind::kString},
                                                             {"prevented_locked", Kind::kString},
                                                             {"trades_count", Kind::kInteger}};

const std::vector<std::pair<std::string, Kind>> order_trade_fields{
    {"market", Kind::kString},     {"uuid", Kind::kString},  {"price", Kind::kString},
    {"volume", Kind::kString},     {"funds", Kind::kString}, {"trend", Kind::kString},
    {"created_at", Kind::kString}, {"side", Kind::kString}};

TEST_F(UpbitConformance, ExchangeResponses_CarryEveryRequiredFieldOfTheirSchema) {
  trade_once();
  const auto accounts = body_of(venue_.signed_get("/v1/accounts"));
  ASSERT_FALSE(accounts.as_array().empty());
  for (const auto& row : accounts.as_array()) {
    expect_required(row, account_fields, "Account");
  }

  const auto chance = body_of(venue_.signed_get("/v1/orders/chance", "market=KRW-BTC"));
  expect_required(chance,
                  {{"bid_fee", Kind::kString},
                   {"ask_fee", Kind::kString},
                   {"maker_bid_fee", Kind::kString},
                   {"maker_ask_fee", Kind::kString},
                   {"market", Kind::kObject},
                   {"bid_account", Kind::kObject},
                   {"ask_account", Kind::kObject}},
                  "OrderChance");
  expect_required(chance.at("bid_account"), account_fields, "OrderChance.bid_account");
  expect_required(chance.at("market"),
                  {{"id", Kind::kString},
                   {"name", Kind::kString},
                   {"order_sides", Kind::kArray},
                   {"bid_types", Kind::kArray},
                   {"ask_types", Kind::kArray},
                   {"bid", Kind::kObject},
                   {"ask", Kind::kObject},
                   {"max_total", Kind::kString},
                   {"state", Kind::kString}},
                  "OrderChance.market");

  const OrderBook& book = *venue_.exchange().market().book(Venue::kUpbit, "KRW-BTC");
  const auto created = venue_.post_order({{"market", "KRW-BTC"},
                                          {"side", "bid"},
                                          {"volume", "0.001"},
                                          {"price", book.bids.back().price.to_string()},
                                          {"identifier", "resting"}});
  expect_required(body_of(created), order_fields, "OrderCreated");
  const auto open = body_of(venue_.signed_get("/v1/orders/open"));
  ASSERT_EQ(open.as_array().size(), 1U);
  expect_required(open.as_array()[0], order_fields, "OrderOpen");
  expect_required(body_of(venue_.signed_request(HttpMethod::kDelete, "/v1/order", "identifier=resting")),
                  order_fields, "OrderCanceled");
  const auto closed = body_of(venue_.signed_get("/v1/orders/closed"));
  ASSERT_EQ(closed.as_array().size(), 2U);
  for (const auto& order : closed.as_array()) {
    expect_required(order, order_fields, "OrderClosed");
  }
  const auto detail = body_of(venue_.signed_get("/v1/order", "identifier=conformance"));
  expect_required(detail, order_fields, "OrderDetail");
  ASSERT_EQ(detail.at("trades").as_array().size(), 1U);
  expect_required(detail.at("trades").as_array()[0], order_trade_fields, "OrderTrade");
}

}  // namespace
}  // namespace kimp::sim
