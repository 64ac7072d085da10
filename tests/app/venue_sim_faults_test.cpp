// End-to-end fault injection on `kimp venue-sim`: what a client observes on the wire equals what GET /faults
// counts.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "sim/auth/digest.hpp"
#include "sim/ws_test_client.hpp"
#include "venue_sim_process.hpp"

namespace kimp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using e2e::http_request;
using sim::testing::WsRead;
using sim::testing::WsTestClient;

constexpr const char* kOrderbookTopic = "orderbook.50.BTCUSDT";

// Bybit's X-BAPI-* headers for a POST by the demo account.
std::vector<std::pair<std::string, std::string>> bybit_signed(const std::string& body) {
  const std::string timestamp = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
  const std::string recv_window = "5000";
  const std::string signature = sim::to_hex(sim::hmac(sim::DigestAlgorithm::kSha256, "demo-bybit-api-secret",
                                                      timestamp + "demo-bybit-api-key" + recv_window + body));
  return {{"X-BAPI-API-KEY", "demo-bybit-api-key"},
          {"X-BAPI-TIMESTAMP", timestamp},
          {"X-BAPI-RECV-WINDOW", recv_window},
          {"X-BAPI-SIGN", signature}};
}

// A venue-sim process of its own per test, so fault counts belong to that test alone.
class VenueSimFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    // Rate limits far above the traffic, so every 10006 seen comes from the injector.
    venue_ = std::make_unique<e2e::VenueSimProcess>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        "[rate_limits]\nbybit_public = 1000000\nupbit_quotation = 1000000\n");
    ASSERT_TRUE(venue_->started());
    upbit_ = venue_->upbit_port();
    bybit_ = venue_->bybit_port();
    admin_ = venue_->admin_port();
  }

  void TearDown() override { EXPECT_EQ(venue_->terminate(), 0); }

  void set_faults(const std::string& json) {
    const auto answer = http_request(admin_, http::verb::post, "/faults", json);
    ASSERT_EQ(answer.status, 200U) << answer.body;
  }

  std::uint64_t injected(std::string_view kind, std::string_view target, std::string_view venue = "bybit") {
    return venue_->injected(kind, target, venue);
  }

  // A client subscribed to the BTCUSDT 50-level book, its snapshot already read.
  void subscribe(WsTestClient& client) {
    ASSERT_TRUE(client.connect(bybit_, "/v5/public/linear").upgraded());
    ASSERT_TRUE(client.send_text(fmt::format(R"({{"op":"subscribe","args":["{}"]}})", kOrderbookTopic)));
    for (int i = 0; i < 5; ++i) {
      const WsRead read = client.read();
      ASSERT_TRUE(read.is_message());
      const auto message = boost::json::parse(read.text);
      if (message.as_object().contains("topic") && message.at("type").as_string() == "snapshot") {
        last_u_ = message.at("data").at("u").as_int64();
        return;
      }
    }
    FAIL() << "no snapshot after subscribing";
  }

  // Reads `deltas` book deltas and returns how many update ids were skipped in total.
  std::int64_t missing_updates(WsTestClient& client, int deltas) {
    std::int64_t missing = 0;
    for (int seen = 0; seen < deltas;) {
      const WsRead read = client.read();
      EXPECT_TRUE(read.is_message()) << "the stream ended or stalled";
      if (!read.is_message()) {
        return missing;
      }
      const auto message = boost::json::parse(read.text);
      if (message.at("type").as_string() != "delta") {
        continue;
      }
      const std::int64_t u = message.at("data").at("u").as_int64();
      EXPECT_GT(u, last_u_) << "a delta went back in time";
      missing += u - last_u_ - 1;
      last_u_ = u;
      ++seen;
    }
    return missing;
  }

  std::unique_ptr<e2e::VenueSimProcess> venue_;
  std::uint16_t upbit_ = 0;
  std::uint16_t bybit_ = 0;
  std::uint16_t admin_ = 0;
  std::int64_t last_u_ = 0;
};

TEST_F(VenueSimFaults, BookDeltasHaveNoGapsWithoutFaults) {
  WsTestClient client;
  subscribe(client);
  EXPECT_EQ(missing_updates(client, 20), 0);
  EXPECT_EQ(injected("ws_drop", "public.linear"), 0U);
}

TEST_F(VenueSimFaults, DroppedDeltasShowAsUpdateIdGapsCountedByTheInjector) {
  set_faults(R"({"websocket":[{"venue":"bybit","stream":"public.linear","drop_rate":0.3}]})");
  WsTestClient client;
  subscribe(client);
  std::int64_t missing = missing_updates(client, 30);
  // Once the rule is gone the next delta shows any drop that happened after the last one read.
  ASSERT_EQ(http_request(admin_, http::verb::delete_, "/faults").status, 200U);
  missing += missing_updates(client, 1);
  EXPECT_GT(missing, 0);
  EXPECT_EQ(static_cast<std::uint64_t>(missing), injected("ws_drop", "public.linear"));
}

TEST_F(VenueSimFaults, DisconnectOnCommandDropsTheConnectionWithoutCloseFrame) {
  WsTestClient client;
  subscribe(client);
  const auto answer = http_request(admin_, http::verb::post, "/faults/disconnect",
                                   R"({"venue":"bybit","stream":"public.linear"})");
  ASSERT_EQ(answer.status, 200U) << answer.body;
  EXPECT_EQ(boost::json::parse(answer.body).at("disconnected").as_int64(), 1);
  WsRead read = client.read();
  while (read.is_message()) {  // what was already on its way
    read = client.read();
  }
  EXPECT_EQ(read.outcome, WsRead::Outcome::kDropped);
  EXPECT_EQ(injected("ws_disconnect", "public.linear"), 1U);
}

TEST_F(VenueSimFaults, StallKeepsTheConnectionOpenAndSilentThenResumes) {
  // Sessions go silent from 3 s to 5 s of their life (and every 3 s after); deltas otherwise come every
  // 100 ms.
  set_faults(R"({"websocket":[{"venue":"bybit","stream":"public.linear","stall_every_ms":3000,)"
             R"("stall_for_ms":2000}]})");
  WsTestClient client;
  subscribe(client);
  WsRead read = client.read(std::chrono::milliseconds(1200));
  while (read.is_message()) {
    read = client.read(std::chrono::milliseconds(1200));
  }
  EXPECT_EQ(read.outcome, WsRead::Outcome::kTimeout) << "a stall sends no close frame and keeps the socket";
  EXPECT_TRUE(client.is_open());
  EXPECT_TRUE(client.read(std::chrono::milliseconds(5000)).is_message()) << "messages resume after the stall";
  EXPECT_GE(injected("ws_stall", "public.linear"), 1U);
}

TEST_F(VenueSimFaults, RateLimitStormAnswers10006AtTheConfiguredRate) {
  set_faults(R"({"http":[{"venue":"bybit","endpoint":"/v5/market/time","rate_limit_rate":0.25}]})");
  constexpr int kRequests = 400;
  std::uint64_t limited = 0;
  for (int i = 0; i < kRequests; ++i) {
    const auto answer = http_request(bybit_, http::verb::get, "/v5/market/time");
    ASSERT_EQ(answer.status, 200U);
    const auto body = boost::json::parse(answer.body);
    if (body.at("retCode").as_int64() == 10006) {
      EXPECT_EQ(body.at("retMsg").as_string(), "Too many visits!");
      ++limited;
    } else {
      EXPECT_EQ(body.at("retCode").as_int64(), 0);
    }
  }
  // 0.25 of 400 is 100 with a standard deviation of 8.7: five of them either way.
  EXPECT_NEAR(static_cast<double>(limited), 100.0, 45.0);
  EXPECT_EQ(limited, injected("rate_limit", "/v5/market/time"));
}

TEST_F(VenueSimFaults, UpbitRateLimitStormAnswers429AtTheConfiguredRate) {
  set_faults(R"({"http":[{"venue":"upbit","endpoint":"/v1/market/all","rate_limit_rate":0.25}]})");
  constexpr int kRequests = 400;
  std::uint64_t limited = 0;
  for (int i = 0; i < kRequests; ++i) {
    const auto answer = http_request(upbit_, http::verb::get, "/v1/market/all");
    if (answer.status == 429) {
      EXPECT_EQ(boost::json::parse(answer.body).at("error").at("name").as_string(), "too_many_requests");
      ++limited;
    } else {
      ASSERT_EQ(answer.status, 200U) << answer.body;
    }
  }
  EXPECT_NEAR(static_cast<double>(limited), 100.0, 45.0);
  EXPECT_EQ(limited, injected("rate_limit", "/v1/market/all", "upbit"));
}

// An order whose answer is lost: the client times out, and the order fills a moment later all the same
// (the ledger shows it), as when a venue's reply is lost on the way back.
TEST_F(VenueSimFaults, LateFillLeavesTheClientWithoutAnAnswerAndTheOrderFilledInTheLedger) {
  set_faults(
      R"({"orders":[{"venue":"bybit","symbol":"BTCUSDT","outcome":"late_fill","rate":1,"late_ms":300}]})");
  const std::string body = R"({"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market",)"
                           R"("qty":"0.001","orderLinkId":"lost-answer-1"})";
  const auto answer = http_request(bybit_, http::verb::post, "/v5/order/create", body, bybit_signed(body),
                                   std::chrono::seconds(1));
  EXPECT_EQ(answer.status, 0U) << answer.body;
  std::string status;
  for (int attempt = 0; attempt < 50 && status != "Filled"; ++attempt) {
    const auto ledger = boost::json::parse(http_request(admin_, http::verb::get, "/ledger").body);
    for (const auto& order : ledger.at("accounts").at(0).at("bybit").at("orders").as_array()) {
      if (order.at("order_link_id").as_string() == "lost-answer-1") {
        status = std::string(order.at("status").as_string());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, "Filled");
  EXPECT_EQ(injected("order_late_fill", "BTCUSDT"), 1U);
}

}  // namespace
}  // namespace kimp
