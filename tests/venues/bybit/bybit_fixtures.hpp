// Readers of the recorded Bybit payloads (../shared/data/fixtures/bybit) and the spec pages' stream examples.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kimp::venues::bybit::testing {

inline const std::string kRestFixtureDir = KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/rest";
inline const std::string kWsFixtureDir = KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/ws";
inline const std::string kSpecDir = KIMP_SOURCE_DIR "/../shared/specs/bybit";

// The whole file; throws naming it when it cannot be read (a broken test input, not a test outcome).
inline std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// fixtures/bybit/rest/NAME: line 1 method, line 2 path, line 3 "true"|"false" (auth), then the JSON body.
struct RestFixture {
  std::string method;
  std::string path;
  bool auth_required = false;
  std::string body;
};

inline RestFixture read_rest_fixture(const std::string& name) {
  std::istringstream lines(read_file_text(kRestFixtureDir + "/" + name));
  RestFixture fixture;
  std::string auth;
  std::getline(lines, fixture.method);
  std::getline(lines, fixture.path);
  std::getline(lines, auth);
  fixture.auth_required = auth == "true";
  std::ostringstream body;
  body << lines.rdbuf();
  fixture.body = body.str();
  return fixture;
}

// fixtures/bybit/ws/NAME: '>' lines sent, '<' lines acknowledgements, then '=' and the pushed message.
struct WsFixture {
  std::vector<std::string> sent;
  std::vector<std::string> acks;
  std::string pushed;
};

inline WsFixture read_ws_fixture(const std::string& name) {
  std::istringstream lines(read_file_text(kWsFixtureDir + "/" + name));
  WsFixture fixture;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("> ", 0) == 0) {
      fixture.sent.push_back(line.substr(2));
    } else if (line.rfind("< ", 0) == 0) {
      fixture.acks.push_back(line.substr(2));
    } else if (line.rfind('=', 0) == 0) {
      std::ostringstream rest;
      rest << line.substr(1) << lines.rdbuf();
      fixture.pushed = rest.str();
    }
  }
  return fixture;
}

// The first ```json block after the "### Stream Example" heading of a spec page.
inline std::string spec_stream_example(const std::string& page) {
  const std::string text = read_file_text(kSpecDir + "/" + page);
  const auto section = text.find("### Stream Example");
  const auto open = text.find("```json", section);
  const auto body = text.find('\n', open);
  const auto close = text.find("```", body);
  if (section == std::string::npos || open == std::string::npos || close == std::string::npos) {
    throw std::runtime_error("no stream example in " + page);
  }
  return text.substr(body + 1, close - body - 1);
}

}  // namespace kimp::venues::bybit::testing
