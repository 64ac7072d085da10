// JSON shape comparison for conformance tests: same field names and JSON types, values ignored.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace kimp::sim::testing {

// Differences between the shape of `actual` and the shape of `expected`, each as "path: what", empty
// when they agree. Objects must have the same keys. Array elements of `actual` are compared with the
// union of the shapes of `expected`'s elements, so a recording that mixes types for one field (a price
// as a number in one element and as a string in another) allows either. An empty expected array
// constrains nothing. Numbers compare as one type (integer or fraction alike).
std::vector<std::string> shape_differences(const boost::json::value& expected,
                                           const boost::json::value& actual);

// The whole of a test input file. Throws std::runtime_error naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

// A recorded REST fixture: method, path, whether auth is required, and the JSON body.
struct RestFixture {
  std::string method;
  std::string path;
  bool auth_required = false;
  boost::json::value body;
};

// Reads a file of ../shared/data/fixtures/*/rest (line 1 method, line 2 path, line 3 true|false, then JSON).
// Throws std::runtime_error naming the file when it cannot be read or parsed (a broken test input).
RestFixture read_rest_fixture(const std::string& path);

}  // namespace kimp::sim::testing
