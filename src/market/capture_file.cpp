// Capture reader: one simdjson On-Demand pass per line; frames are copied out unescaped.
#include "market/capture_file.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/text.hpp"

namespace kimp::market {
namespace {

namespace od = simdjson::ondemand;

// The fields of one line that matter; views point into the parser's buffers until the next line.
struct Line {
  std::string_view type;
  std::string_view connection;
  std::string_view ts;  // the number's text
  std::optional<std::string_view> data;
  std::optional<std::string_view> b64;  // a binary frame, base64-encoded (Upbit's frames)
  std::string_view address;
  std::string_view url;
};

// nullopt with `error` set when the line is not an object of the expected field types.
std::optional<Line> read_line(od::parser& parser, std::string& buffer, std::string_view text,
                              std::string& error) {
  buffer.assign(text);
  buffer.resize(text.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  od::object object;
  if (auto code = parser.iterate(buffer.data(), text.size(), buffer.size()).get(doc);
      code != simdjson::SUCCESS) {
    error = simdjson::error_message(code);
    return std::nullopt;
  }
  if (auto code = doc.get_object().get(object); code != simdjson::SUCCESS) {
    error = simdjson::error_message(code);
    return std::nullopt;
  }
  Line line;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      error = "malformed field";
      return std::nullopt;
    }
    simdjson::error_code code = simdjson::SUCCESS;
    if (key == "t") {
      code = value.get_string().get(line.type);
    } else if (key == "conn") {
      code = value.get_string().get(line.connection);
    } else if (key == "addr") {
      code = value.get_string().get(line.address);
    } else if (key == "url") {
      code = value.get_string().get(line.url);
    } else if (key == "data") {
      std::string_view data;
      code = value.get_string().get(data);
      line.data = data;
    } else if (key == "b64") {
      std::string_view encoded;
      code = value.get_string().get(encoded);
      line.b64 = encoded;
    } else if (key == "ts") {
      double seconds = 0;
      line.ts = value.raw_json_token();
      code = value.get_double().get(seconds);  // type check only; the value is read from the text
    }
    if (code != simdjson::SUCCESS) {
      error = fmt::format("field \"{}\": {}", key, simdjson::error_message(code));
      return std::nullopt;
    }
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when the iteration consumed every token.
  if (doc.current_location().error() == simdjson::OUT_OF_BOUNDS) {
    return line;
  }
  error = "trailing content after the object";
  return std::nullopt;
}

// Standard base64 (RFC 4648, '=' padding optional) into `out`; false on any other character or a
// dangling final character.
bool decode_base64(std::string_view text, std::string& out) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  out.clear();
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    std::uint32_t sextet = 0;
    if (c >= 'A' && c <= 'Z') {
      sextet = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      sextet = static_cast<std::uint32_t>(c - 'a') + 26;
    } else if (c >= '0' && c <= '9') {
      sextet = static_cast<std::uint32_t>(c - '0') + 52;
    } else if (c == '+') {
      sextet = 62;
    } else if (c == '/') {
      sextet = 63;
    } else {
      return false;
    }
    bits = (bits << 6U) | sextet;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((bits >> static_cast<unsigned>(held)) & 0xFFU));
    }
  }
  return held < 6;  // 6 leftover bits mean a length of 4n + 1, which no encoder produces
}

// Epoch seconds with a fraction, exactly, as a Timestamp.
Result<Timestamp> seconds_to_timestamp(std::string_view text) {
  // raw_json_token may carry the whitespace before the next token.
  text = text.substr(0, text.find_last_not_of(" \t\r\n") + 1);
  KIMP_TRY_ASSIGN(const Decimal seconds, Decimal::parse(text));
  constexpr std::int64_t kNanosPerUnit = 1'000'000'000 / Decimal::kUnitsPerOne;
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / kNanosPerUnit;
  if (seconds.units() > kLimit || seconds.units() < -kLimit) {
    return make_error(ErrorCode::kInvalidArgument, "outside the Timestamp range");
  }
  return Timestamp::from_ns(seconds.units() * kNanosPerUnit);
}

std::uint32_t connection_index(Capture& capture, std::string_view id) {
  const auto found = std::find_if(capture.connections.begin(), capture.connections.end(),
                                  [id](const CaptureConnection& connection) { return connection.id == id; });
  if (found != capture.connections.end()) {
    return static_cast<std::uint32_t>(found - capture.connections.begin());
  }
  capture.connections.push_back(CaptureConnection{std::string(id), {}});
  return static_cast<std::uint32_t>(capture.connections.size() - 1);
}

}  // namespace

Result<Capture> read_capture(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot open capture {}", quote_input(path, 200)));
  }
  Capture capture;
  od::parser parser;
  std::string buffer;
  std::string text;
  std::string error;
  while (std::getline(in, text)) {
    ++capture.lines;
    if (text.empty()) {
      continue;
    }
    const auto invalid = [&](std::string_view what) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}:{}: {}: {}", path, capture.lines, what, quote_input(text)));
    };
    const auto line = read_line(parser, buffer, text, error);
    if (!line) {
      return invalid(fmt::format("not a capture line ({})", error));
    }
    if (line->type == "connect") {
      capture.connections[connection_index(capture, line->connection)].address = std::string(line->address);
    } else if (line->type == "recv") {
      if (line->data.has_value() == line->b64.has_value() || line->connection.empty()) {
        return invalid("recv line without \"conn\" and one string \"data\" or \"b64\"");
      }
      const auto ts = seconds_to_timestamp(line->ts);
      if (!ts) {
        return invalid(fmt::format("\"ts\" is not epoch seconds ({})", ts.error().message));
      }
      CaptureFrame frame{connection_index(capture, line->connection), *ts, {}};
      if (line->data) {
        frame.data = *line->data;
      } else if (!decode_base64(*line->b64, frame.data)) {
        return invalid("\"b64\" is not base64");
      }
      capture.frames.push_back(std::move(frame));
    } else if (line->type == "http" && line->data) {
      capture.http.push_back(CaptureHttp{std::string(line->url), std::string(*line->data)});
    }
  }
  if (in.bad()) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot read capture {}", quote_input(path, 200)));
  }
  return capture;
}

}  // namespace kimp::market
