// Tests of the conformance helper itself: it must catch renamed fields and changed types.
#include "json_shape.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace kimp::sim::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> diff(std::string_view expected, std::string_view actual) {
  return shape_differences(boost::json::parse(expected), boost::json::parse(actual));
}

TEST(JsonShape, SameNamesAndTypes_Agree) {
  EXPECT_THAT(diff(R"({"a":"1","b":[{"p":1}],"c":{"d":true}})",
                   R"({"a":"x","b":[{"p":2.5},{"p":3}],"c":{"d":false}})"),
              IsEmpty());
}

TEST(JsonShape, MissingExtraAndRetypedFields_AreEachReported) {
  EXPECT_THAT(
      diff(R"({"price":"1","qty":"2"})", R"({"price":1,"size":"2"})"),
      ElementsAre("$.qty: missing", "$.price: expected string, got number", "$.size: not in the reference"));
}

TEST(JsonShape, ArrayElementsCompareWithTheUnionOfRecordedElements) {
  const auto recorded = R"([{"p":"148737000.00000000"},{"p":3518000}])";
  EXPECT_THAT(diff(recorded, R"([{"p":1},{"p":"2"}])"), IsEmpty());
  EXPECT_THAT(diff(recorded, R"([{"p":true}])"), ElementsAre("$[0].p: expected number|string, got bool"));
}

TEST(JsonShape, FixtureFileIsReadWithMethodPathAndAuth) {
  const auto fixture =
      read_rest_fixture(KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/rest/CancelOrder.txt");
  EXPECT_EQ(fixture.method, "POST");
  EXPECT_EQ(fixture.path, "/v5/order/cancel");
  EXPECT_TRUE(fixture.auth_required);
  EXPECT_EQ(fixture.body.at("result").at("orderLinkId").as_string(), "linear-004");
}

}  // namespace
}  // namespace kimp::sim::testing
