// Soak test of `kimp venue-sim` under the flaky_network scenario: 50 clients connect and disconnect for
// KIMP_SOAK_SECONDS (default 60; `make soak` runs 600), then the emulator must hold no more descriptors
// than before, still answer, and exit cleanly (under AddressSanitizer: with no leak).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "child_process.hpp"
#include "sim/auth/digest.hpp"

namespace kimp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kClients = 50;
constexpr int kLongLivedClients = 5;
constexpr auto kOperationTimeout = std::chrono::seconds(3);

struct Ports {
  std::uint16_t upbit = 0;
  std::uint16_t bybit = 0;
  std::uint16_t fx = 0;
  std::uint16_t admin = 0;
};

// What the clients did, to show the run was not idle.
struct Tally {
  std::map<std::string, std::uint64_t> counts;
  void add(const std::string& what) { ++counts[what]; }
};

std::chrono::seconds soak_duration() {
  const char* text = std::getenv("KIMP_SOAK_SECONDS");
  return std::chrono::seconds(text == nullptr ? 60 : std::max(1, std::atoi(text)));
}

// The flaky_network scenario with every port chosen by the OS, so runs never collide.
fs::path scenario_with_free_ports() {
  std::ifstream in(KIMP_SOURCE_DIR "/sim/scenarios/flaky_network.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  for (const char* key : {"upbit_port", "bybit_port", "fx_port", "admin_port"}) {
    const auto at = scenario.find(std::string(key) + " = ");
    if (at != std::string::npos) {
      const auto end = scenario.find('\n', at);
      scenario.replace(at, end - at, std::string(key) + " = 0");
    }
  }
  const auto path = fs::path(::testing::TempDir()) / fmt::format("soak_{}.toml", ::getpid());
  std::ofstream(path) << scenario;
  return path;
}

std::string bybit_private_auth() {
  const auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                           .count();
  const auto signature = sim::to_hex(sim::hmac(sim::DigestAlgorithm::kSha256, "demo-bybit-api-secret",
                                               fmt::format("GET/realtime{}", expires)));
  return fmt::format(R"({{"op":"auth","args":["demo-bybit-api-key",{},"{}"]}})", expires, signature);
}

// One WebSocket visit: subscribe, read for a while, then leave politely or by dropping the socket.
asio::awaitable<void> visit_websocket(std::uint16_t port, std::string path, std::vector<std::string> requests,
                                      Clock::duration stay, bool polite, Tally& tally) {
  auto executor = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(executor);
  beast::get_lowest_layer(ws).expires_after(kOperationTimeout);
  auto [connect_error] = co_await beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kUseTuple);
  if (connect_error) {
    tally.add("ws_connect_failed");
    co_return;
  }
  auto [handshake_error] = co_await ws.async_handshake("127.0.0.1", path, kUseTuple);
  if (handshake_error) {
    tally.add("ws_handshake_refused");
    co_return;
  }
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout{kOperationTimeout, kOperationTimeout, false});
  for (auto& request : requests) {
    auto [write_error, written] = co_await ws.async_write(asio::buffer(request), kUseTuple);
    if (write_error) {
      tally.add("ws_dropped");
      co_return;
    }
  }
  const auto leave_at = Clock::now() + stay;
  beast::flat_buffer buffer;
  while (Clock::now() < leave_at) {
    auto [read_error, read] = co_await ws.async_read(buffer, kUseTuple);
    if (read_error) {
      tally.add(read_error == websocket::error::closed ? "ws_closed_by_server" : "ws_dropped");
      co_return;
    }
    buffer.consume(buffer.size());
    tally.add("ws_messages");
  }
  if (polite) {
    co_await ws.async_close(websocket::close_code::normal, kUseTuple);
    tally.add("ws_closed_by_client");
  } else {
    beast::get_lowest_layer(ws).socket().close();
    tally.add("ws_abandoned");
  }
}

// One keep-alive HTTP connection with a few requests, each allowed kOperationTimeout.
asio::awaitable<void> visit_rest(std::uint16_t port, std::vector<std::string> targets, Tally& tally) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_after(kOperationTimeout);
  auto [connect_error] =
      co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kUseTuple);
  if (connect_error) {
    tally.add("rest_connect_failed");
    co_return;
  }
  beast::flat_buffer buffer;
  for (const auto& target : targets) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    stream.expires_after(kOperationTimeout);
    auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, kUseTuple);
    if (write_error || read_error) {
      tally.add(read_error == beast::error::timeout ? "rest_timed_out" : "rest_dropped");
      co_return;
    }
    tally.add(fmt::format("rest_{}", response.result_int()));
  }
}

asio::awaitable<void> client(int index, Ports ports, Clock::time_point until, Tally& tally) {
  std::mt19937 rng(static_cast<std::uint32_t>(index) * 7919U + 1U);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint32_t>(n)); };
  while (Clock::now() < until) {
    // A few clients stay for the whole soak, so they live through the scenario's stalls (every 30 s) and
    // timed disconnects (every 4-5 minutes); the rest come and go within seconds.
    const Clock::duration stay =
        index < kLongLivedClients ? until - Clock::now() : std::chrono::milliseconds(100 + pick(1500));
    const bool polite = pick(3) != 0;
    // Requests are built outside the co_await expressions: g++ 12 rejects braced lists inside them.
    // Long-lived clients watch the public streams, which push all the time.
    const int kind = index < kLongLivedClients ? index % 3 : pick(5);
    std::vector<std::string> requests;
    switch (kind) {
      case 0:
        requests = {R"({"op":"subscribe","args":["orderbook.50.BTCUSDT","tickers.BTCUSDT"]})"};
        co_await visit_websocket(ports.bybit, "/v5/public/linear", requests, stay, polite, tally);
        break;
      case 1:
        requests = {R"({"op":"subscribe","args":["orderbook.200.ETHUSDT","publicTrade.ETHUSDT"]})"};
        co_await visit_websocket(ports.bybit, "/v5/public/spot", requests, stay, polite, tally);
        break;
      case 2:
        requests = {R"([{"ticket":"soak"},{"type":"orderbook","codes":["KRW-BTC","KRW-ETH"]},)"
                    R"({"type":"trade","codes":["KRW-BTC"]}])"};
        co_await visit_websocket(ports.upbit, "/websocket/v1", requests, stay, polite, tally);
        break;
      case 3:
        requests = {bybit_private_auth(), R"({"op":"subscribe","args":["order","wallet"]})"};
        co_await visit_websocket(ports.bybit, "/v5/private", requests, stay, polite, tally);
        break;
      default:
        requests = {"/v1/orderbook?markets=KRW-BTC", "/v1/ticker?markets=KRW-ETH"};
        co_await visit_rest(ports.upbit, requests, tally);
        requests = {"/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=50"};
        co_await visit_rest(ports.bybit, requests, tally);
        requests = {"/v1/forex/recent?codes=FRX.KRWUSD"};
        co_await visit_rest(ports.fx, requests, tally);
        break;
    }
  }
}

std::string admin_get(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response.body();
}

TEST(VenueSimSoak, FlakyNetworkWithFiftyClientsLeaksNoDescriptorsAndExitsCleanly) {
  const auto config = scenario_with_free_ports();
  e2e::ChildProcess venue({KIMP_CLI_PATH, "--log-level", "error", "venue-sim", "--config", config.string()});
  ASSERT_GT(venue.pid(), 0);
  const auto ready = boost::json::parse(venue.read_line()).as_object();
  const auto port = [&](const char* name) { return static_cast<std::uint16_t>(ready.at(name).as_int64()); };
  const Ports ports{port("upbit"), port("bybit"), port("fx"), port("admin")};
  const std::size_t descriptors_at_start = venue.open_descriptors();
  const std::size_t resident_at_start = venue.resident_kib();

  Tally tally;
  asio::io_context io;
  const auto until = Clock::now() + soak_duration();
  for (int i = 0; i < kClients; ++i) {
    asio::co_spawn(io, client(i, ports, until, tally), asio::detached);
  }
  io.run();

  // Every client has gone; the emulator notices each departure within its own timeouts.
  std::size_t descriptors_at_end = venue.open_descriptors();
  for (int wait = 0; wait < 100 && descriptors_at_end > descriptors_at_start; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    descriptors_at_end = venue.open_descriptors();
  }
  for (const auto& [what, n] : tally.counts) {
    std::printf("soak: %s = %llu\n", what.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("soak: descriptors at start %zu, at end %zu\n", descriptors_at_start, descriptors_at_end);
  // Printed, not asserted: the allocator keeps freed pages, so RSS is evidence, and LSan is the check.
  std::printf("soak: resident memory at start %zu KiB, at end %zu KiB\n", resident_at_start,
              venue.resident_kib());
  EXPECT_LE(descriptors_at_end, descriptors_at_start);
  EXPECT_GT(tally.counts["ws_messages"], 0U);
  EXPECT_GT(tally.counts["rest_200"], 0U);
  // Every REST answer is a success, a rate limit or an injected server error: never a wrong answer.
  for (const auto& [what, n] : tally.counts) {
    if (what.starts_with("rest_") && what.find_first_of("0123456789") == 5) {
      EXPECT_TRUE(what == "rest_200" || what == "rest_429" || what == "rest_500" || what == "rest_503")
          << n << " answers " << what;
    }
  }

  // Still serving, and the scenario's faults really happened.
  const auto faults = boost::json::parse(admin_get(ports.admin, "/faults"));
  std::map<std::string, std::uint64_t> injected;
  for (const auto& entry : faults.at("counts").as_array()) {
    injected[std::string(entry.at("kind").as_string())] += entry.at("count").to_number<std::uint64_t>();
  }
  for (const auto& [kind, n] : injected) {
    std::printf("soak: injected %s = %llu\n", kind.c_str(), static_cast<unsigned long long>(n));
  }
  EXPECT_GT(injected["latency"], 0U);
  EXPECT_GT(injected["ws_drop"] + injected["ws_duplicate"] + injected["ws_reorder"], 0U);
  EXPECT_GT(injected["ws_stall"], 0U);

  EXPECT_EQ(venue.terminate(), 0) << "the emulator must stop cleanly (and, under ASan, without leaks)";
  fs::remove(config);
}

}  // namespace
}  // namespace kimp
