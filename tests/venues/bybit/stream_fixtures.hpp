// Test inputs of the Bybit public-stream tests: recorded fixtures and the shared capture.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "market/capture_file.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp::venues::bybit::testing {

inline const std::string kCapturePath =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
inline const std::string kFixtureDir = KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/ws/";

// One line of a fixtures/bybit/ws file after its marker: '<' (the ack) or '=' (the pushed message,
// which runs to the end of the file). Throws std::runtime_error when the file or marker is missing.
inline std::string fixture_part(const std::string& name, char marker) {
  std::ifstream in(kFixtureDir + name);
  if (!in) {
    throw std::runtime_error("cannot open fixture " + name);
  }
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  const std::size_t at = text.rfind(std::string("\n") + marker + ' ');
  if (at == std::string::npos) {
    throw std::runtime_error(std::string("fixture ") + name + " has no '" + marker + "' part");
  }
  const std::size_t start = at + 3;
  if (marker == '=') {
    return text.substr(start);
  }
  return text.substr(start, text.find('\n', start) - start);
}

// The shared capture, read once. Throws std::runtime_error when it cannot be read.
inline const market::Capture& capture() {
  static const market::Capture loaded = [] {
    auto read = market::read_capture(kCapturePath);
    if (!read) {
      throw std::runtime_error(read.error().describe());
    }
    return std::move(*read);
  }();
  return loaded;
}

// The category of a capture connection, from the URL it was opened to.
inline BybitCategory category_of(const market::CaptureConnection& connection) {
  return connection.address.ends_with("/spot") ? BybitCategory::kSpot : BybitCategory::kLinear;
}

}  // namespace kimp::venues::bybit::testing
