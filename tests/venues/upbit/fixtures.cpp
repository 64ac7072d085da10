// Readers of the recorded Upbit fixtures and capture, and the DEFAULT-to-SIMPLE key renaming.
#include "venues/upbit/fixtures.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include "sim/auth/digest.hpp"
#include "sim/json_shape.hpp"

namespace kimp::venues::upbit::testing {
namespace {

constexpr std::string_view kDataDir = KIMP_SOURCE_DIR "/../shared/data";

std::vector<boost::json::object> capture_records() {
  std::istringstream lines(
      sim::testing::read_text_file(std::string(kDataDir) + "/capture/upbit_ws_simple_2021-04-17.jsonl"));
  std::vector<boost::json::object> records;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      records.push_back(boost::json::parse(line).as_object());
    }
  }
  return records;
}

}  // namespace

std::string rest_fixture_body(std::string_view name) {
  const std::string text =
      sim::testing::read_text_file(std::string(kDataDir) + "/fixtures/upbit/rest/" + std::string(name));
  std::size_t at = 0;
  for (int line = 0; line < 3; ++line) {
    at = text.find('\n', at);
    if (at == std::string::npos) {
      throw std::runtime_error("REST fixture without a body: " + std::string(name));
    }
    ++at;
  }
  return text.substr(at);
}

std::string ws_fixture_message(std::string_view name) {
  const std::string text =
      sim::testing::read_text_file(std::string(kDataDir) + "/fixtures/upbit/ws/" + std::string(name));
  const std::size_t marker = text.find("\n=");
  if (marker == std::string::npos) {
    throw std::runtime_error("WS fixture without a pushed message: " + std::string(name));
  }
  return text.substr(marker + 2);
}

std::vector<std::string> simple_capture_frames() {
  std::vector<std::string> frames;
  for (const auto& record : capture_records()) {
    if (record.at("t").as_string() != "recv") {
      continue;
    }
    // The capture stores frames in standard base64; the digest helper reads the URL-safe alphabet.
    std::string text(record.at("b64").as_string());
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    text.erase(std::remove(text.begin(), text.end(), '='), text.end());
    const auto decoded = sim::base64url_decode(text);
    if (!decoded) {
      throw std::runtime_error("capture frame is not base64: " + text.substr(0, 40));
    }
    frames.push_back(*decoded);
  }
  return frames;
}

std::string simple_capture_market_all() {
  for (const auto& record : capture_records()) {
    if (record.at("t").as_string() == "http") {
      return std::string(record.at("data").as_string());
    }
  }
  throw std::runtime_error("capture holds no /v1/market/all answer");
}

std::string to_simple_keys(std::string_view frame, const std::vector<std::string>& schemas) {
  const YAML::Node spec = YAML::LoadFile(KIMP_SOURCE_DIR "/../shared/specs/upbit/websocket.yaml");
  std::string out(frame);
  for (const std::string& schema : schemas) {
    for (const auto& property : spec["components"]["schemas"][schema]["properties"]) {
      const YAML::Node simple = property.second["x-simple-key"];
      if (!simple) {
        continue;
      }
      const std::string from = fmt::format("\"{}\":", property.first.as<std::string>());
      const std::string to = fmt::format("\"{}\":", simple.as<std::string>());
      std::string renamed;
      std::size_t copied = 0;
      for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, copied)) {
        renamed.append(out, copied, at - copied);
        renamed.append(to);
        copied = at + from.size();
      }
      renamed.append(out, copied, std::string::npos);
      out = std::move(renamed);
    }
  }
  return out;
}

}  // namespace kimp::venues::upbit::testing
