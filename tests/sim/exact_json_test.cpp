// Tests of exact JSON numbers: every digit of a Decimal reaches the text, strings stay strings.
#include "sim/server/exact_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace kimp::sim {
namespace {

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

TEST(ExactJson, DecimalsAreWrittenAsBareNumbersDigitForDigit) {
  boost::json::object body;
  body["ask_price"] = exact_number(dec("148520000"));
  body["ask_size"] = exact_number(dec("0.0134662"));
  body["total"] = exact_number(dec("92233720368.54775807"));
  body["delta"] = exact_number(dec("-0.00000001"));
  body["market"] = "KRW-BTC";
  EXPECT_EQ(serialize_exact(body),
            R"({"ask_price":148520000,"ask_size":0.0134662,"total":92233720368.54775807,"delta":-0.00000001,)"
            R"("market":"KRW-BTC"})");
}

TEST(ExactJson, OutputParsesBackToTheSameNumbersAndNestedArraysWork) {
  boost::json::array units;
  units.push_back(exact_number(dec("1.5")));
  units.push_back(boost::json::string("\"quoted\""));
  const auto text = serialize_exact(boost::json::object{{"units", units}});
  EXPECT_EQ(text, R"({"units":[1.5,"\"quoted\""]})");
  EXPECT_EQ(boost::json::parse(text).at("units").at(0).as_double(), 1.5);
}

TEST(ExactJson, ClientTextThatLooksLikeAPlaceholder_StaysAString) {
  const boost::json::object body{{"identifier",
                                  "\x01"
                                  "123"},
                                 {"other",
                                  "\x01"
                                  "0000000000000000#5"}};
  const auto text = serialize_exact(body);
  EXPECT_EQ(text, R"({"identifier":"\u0001123","other":"\u00010000000000000000#5"})");
  EXPECT_EQ(boost::json::parse(text).at("identifier").as_string(),
            "\x01"
            "123");
}

}  // namespace
}  // namespace kimp::sim
