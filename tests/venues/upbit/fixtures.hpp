// Recorded Upbit payloads for the adapter tests, read from ../shared/data beside the project.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kimp::venues::upbit::testing {

// The JSON body of fixtures/upbit/rest/<name> (the lines after method, path and auth flag).
std::string rest_fixture_body(std::string_view name);

// The pushed message of fixtures/upbit/ws/<name> (the text after the "=" marker).
std::string ws_fixture_message(std::string_view name);

// capture/upbit_ws_simple_2021-04-17.jsonl: every received WebSocket frame in order, and the body of
// the /v1/market/all answer recorded with it.
std::vector<std::string> simple_capture_frames();
std::string simple_capture_market_all();

// `frame` with DEFAULT keys renamed to their SIMPLE abbreviations, taken from websocket.yaml's
// x-simple-key of `schemas` (e.g. {"OrderbookMessage", "OrderbookUnit"}). Only keys are renamed:
// values keep their exact text.
std::string to_simple_keys(std::string_view frame, const std::vector<std::string>& schemas);

}  // namespace kimp::venues::upbit::testing
