// Shape unions and recursive comparison of JSON trees; the reader of recorded REST fixtures.
#include "json_shape.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;

// Everything a value at one path was seen to be.
struct Shape {
  std::set<std::string> kinds;  // "string", "number", "bool", "null", "object", "array"
  std::map<std::string, std::unique_ptr<Shape>> keys;  // union of object keys seen
  std::unique_ptr<Shape> element;                      // union of array elements seen
};

std::string kind_of(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return "string";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::bool_: return "bool";
    case json::kind::null: return "null";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
  }
  return "unknown";
}

void merge(Shape& shape, const json::value& value) {
  shape.kinds.insert(kind_of(value));
  if (value.is_object()) {
    for (const auto& [key, member] : value.get_object()) {
      auto& slot = shape.keys[std::string(key)];
      if (!slot) {
        slot = std::make_unique<Shape>();
      }
      merge(*slot, member);
    }
  } else if (value.is_array()) {
    for (const auto& element : value.get_array()) {
      if (!shape.element) {
        shape.element = std::make_unique<Shape>();
      }
      merge(*shape.element, element);
    }
  }
}

std::string join(const std::set<std::string>& kinds) {
  std::string text;
  for (const auto& kind : kinds) {
    text += (text.empty() ? "" : "|") + kind;
  }
  return text;
}

void compare(const Shape& expected, const json::value& actual, const std::string& path,
             std::vector<std::string>& differences) {
  const auto kind = kind_of(actual);
  if (!expected.kinds.contains(kind)) {
    differences.push_back(fmt::format("{}: expected {}, got {}", path, join(expected.kinds), kind));
    return;
  }
  if (actual.is_object()) {
    const auto& object = actual.get_object();
    for (const auto& [key, member] : expected.keys) {
      if (!object.contains(key)) {
        differences.push_back(fmt::format("{}.{}: missing", path, key));
      }
    }
    for (const auto& [key, member] : object) {
      const auto found = expected.keys.find(std::string(key));
      if (found == expected.keys.end()) {
        differences.push_back(fmt::format("{}.{}: not in the reference", path, std::string(key)));
      } else {
        compare(*found->second, member, fmt::format("{}.{}", path, std::string(key)), differences);
      }
    }
  } else if (actual.is_array() && expected.element) {
    const auto& array = actual.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      compare(*expected.element, array[i], fmt::format("{}[{}]", path, i), differences);
    }
  }
}

}  // namespace

std::vector<std::string> shape_differences(const json::value& expected, const json::value& actual) {
  Shape shape;
  merge(shape, expected);
  std::vector<std::string> differences;
  compare(shape, actual, "$", differences);
  return differences;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RestFixture read_rest_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open fixture " + path);
  }
  RestFixture fixture;
  std::string auth;
  std::getline(in, fixture.method);
  std::getline(in, fixture.path);
  std::getline(in, auth);
  fixture.auth_required = auth == "true";
  std::stringstream rest;
  rest << in.rdbuf();
  boost::system::error_code error;
  fixture.body = json::parse(rest.str(), error);
  if (error) {
    throw std::runtime_error(fmt::format("fixture {} is not JSON: {}", path, error.message()));
  }
  return fixture;
}

}  // namespace kimp::sim::testing
