// Reading a raw WebSocket capture (../shared/data/capture/*.jsonl) into memory for replays and tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::market {

// One recorded connection: its id ("BYBIT.ws.2") and the URL it was opened to ("wss://.../v5/public/linear").
// The address is empty when the capture has frames of a connection but no "connect" line for it.
struct CaptureConnection {
  std::string id;
  std::string address;
};

// One frame the recorder received (a "recv" line): the raw frame, unescaped from the line's "data", or
// decoded from its "b64" (binary frames, as Upbit sends them).
struct CaptureFrame {
  std::uint32_t connection = 0;  // index into Capture::connections
  Timestamp ts_recv;
  std::string data;
};

// One REST answer the recorder fetched (an "http" line): its URL and body, such as Bybit's
// instruments-info taken when the capture began.
struct CaptureHttp {
  std::string url;
  std::string body;
};

struct Capture {
  std::vector<CaptureConnection> connections;
  std::vector<CaptureFrame> frames;  // in file order
  std::vector<CaptureHttp> http;     // in file order
  std::size_t lines = 0;             // every line read, "header", "http", "send" and "connect" included
};

// Reads a capture: one JSON object per line with "t" (recv | send | connect | http | header), "conn",
// "ts" (epoch seconds, read exactly from its decimal text) and "data" (the frame text, or an http line's
// body), "b64" (a binary frame in base64), "addr" or "url" (an http line's).
// recv, connect and http lines are kept; the others are counted and skipped.
// Errors: kUnavailable when the file cannot be opened or read; kInvalidArgument, naming the file and
// line, when a line is not such an object (a recv line without a string "data" or "b64", both, a "b64"
// that is not base64, a "ts" that is not a number of seconds, ...).
Result<Capture> read_capture(const std::string& path);

}  // namespace kimp::market
