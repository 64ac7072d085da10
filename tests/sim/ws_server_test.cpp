// Tests of HttpServer's WebSocket sessions and injected HTTP delivery faults over real loopback sockets.
#include "sim/server/http_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "sim/server/faults.hpp"
#include "sim/server/ws_session.hpp"
#include "ws_test_client.hpp"

namespace kimp::sim {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::milliseconds;
using testing::WsRead;
using testing::WsTestClient;

constexpr std::string_view kPath = "/ws";
constexpr std::string_view kOtherPath = "/other";
constexpr std::string_view kStream = "public.linear";

// Records what the server tells it; every member is touched on the server's thread only.
class TestEndpoint final : public WsEndpoint {
 public:
  std::optional<HttpResponse> admit(const HttpRequest& /*upgrade*/) override { return refusal; }
  void on_open(const std::shared_ptr<WsSession>& session) override {
    sessions.push_back(session);
    if (opened) {
      opened(*session);
    }
  }
  void on_message(const std::shared_ptr<WsSession>& session, std::string_view message,
                  WsFrame frame) override {
    received.emplace_back(std::string(message), frame);
    if (echo) {
      session->send(std::string(message), frame, WsMessageKind::kControl);
    }
  }
  void on_close(const WsSession& session) override {
    ++closes[session.id()];
    std::erase_if(sessions, [&session](const auto& open) { return open->id() == session.id(); });
  }

  [[nodiscard]] int total_closes() const {
    int total = 0;
    for (const auto& [id, count] : closes) {
      total += count;
    }
    return total;
  }

  std::optional<HttpResponse> refusal;
  bool echo = false;
  std::function<void(WsSession&)> opened;
  std::vector<std::shared_ptr<WsSession>> sessions;
  std::vector<std::pair<std::string, WsFrame>> received;
  std::map<std::uint64_t, int> closes;
};

// The server runs on its own thread; the test drives clients from the test thread and touches server
// objects only through on_server().
class WsServerTest : public ::testing::Test {
 protected:
  void start(HttpHandler handler = [](const HttpRequest&) { return HttpResponse::json(200, "{}"); }) {
    auto server = HttpServer::start(io_, "127.0.0.1", 0, std::move(handler));
    ASSERT_TRUE(server.has_value()) << server.error();
    server_ = std::move(*server);
    server_->route_websocket(std::string(kPath), endpoint_,
                             WsFaultScope{&injector_, FaultVenue::kBybit, std::string(kStream)});
    server_->route_websocket(std::string(kOtherPath), other_, WsFaultScope{});
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      stop();
    }
  }

  // Stops the server and waits for its thread, which returns only once nothing is left pending.
  void stop() {
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  // Runs `call` on the server's thread and returns its result.
  template <class Call>
  auto on_server(Call call) -> decltype(call()) {
    std::packaged_task<decltype(call())()> task(std::move(call));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  // Waits (bounded) for `condition`, evaluated on the server's thread, to hold.
  template <class Condition>
  bool eventually(Condition condition) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (on_server(condition)) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }

  [[nodiscard]] std::size_t sessions() {
    return on_server([this] { return server_->websocket_sessions(); });
  }

  // A client upgraded on `path` whose session the endpoint has been told about.
  std::unique_ptr<WsTestClient> open_client(std::string_view path = kPath, std::size_t expected_open = 1) {
    auto client = std::make_unique<WsTestClient>();
    EXPECT_TRUE(client->connect(server_->port(), path).upgraded());
    TestEndpoint& endpoint = path == kPath ? endpoint_ : other_;
    EXPECT_TRUE(eventually([&] { return endpoint.sessions.size() == expected_open; }));
    return client;
  }

  void send(std::string message, WsMessageKind kind, WsFrame frame = WsFrame::kText) {
    on_server([&] { endpoint_.sessions.at(0)->send(std::move(message), frame, kind); });
  }

  [[nodiscard]] std::uint64_t count(std::string_view kind) {
    return on_server([&] { return injector_.count(FaultVenue::kBybit, kind, kStream); });
  }

  // Declared before the server, so they outlive it as route_websocket requires.
  TestEndpoint endpoint_;
  TestEndpoint other_;
  FaultInjector injector_{FaultConfig{}};
  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

std::vector<std::string> texts(const std::vector<WsRead>& reads) {
  std::vector<std::string> out;
  out.reserve(reads.size());
  for (const auto& read : reads) {
    out.push_back(read.is_message() ? read.text : "<end>");
  }
  return out;
}

FaultConfig ws_faults(WsFaultRule rule) {
  rule.venue = FaultVenue::kBybit;
  rule.stream = std::string(kStream);
  FaultConfig config;
  config.websocket.push_back(std::move(rule));
  return config;
}

TEST_F(WsServerTest, TextAndBinaryFrames_GoBothWaysWithTheirFrameType) {
  endpoint_.echo = true;
  start();
  WsTestClient client;
  ASSERT_TRUE(client.connect(server_->port(), "/ws?token=1", {{"X-Client", "tests"}}).upgraded());
  ASSERT_TRUE(client.send_text(R"({"op":"ping"})"));
  ASSERT_TRUE(client.send_binary(std::string("\x00\x01\xff", 3)));

  const WsRead text = client.read();
  ASSERT_TRUE(text.is_message());
  EXPECT_EQ(text.text, R"({"op":"ping"})");
  EXPECT_EQ(text.frame, WsFrame::kText);
  const WsRead binary = client.read();
  ASSERT_TRUE(binary.is_message());
  EXPECT_EQ(binary.text, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(binary.frame, WsFrame::kBinary);

  on_server([this] {
    ASSERT_EQ(endpoint_.received.size(), 2U);
    EXPECT_EQ(endpoint_.received[0].second, WsFrame::kText);
    EXPECT_EQ(endpoint_.received[1].second, WsFrame::kBinary);
    const auto& session = *endpoint_.sessions.at(0);
    EXPECT_EQ(session.upgrade().path, kPath);
    EXPECT_EQ(session.upgrade().query, "token=1");
    EXPECT_EQ(session.upgrade().header("x-client"), "tests");
    EXPECT_GT(session.opened_at(), Timestamp{});
    EXPECT_EQ(session.messages_sent(), 2U);
  });
  // The client may read a frame before the server's write completion has counted it.
  EXPECT_TRUE(eventually([this] { return endpoint_.sessions.at(0)->frames_written() == 2; }));
}

TEST_F(WsServerTest, SessionIds_AreUniqueAcrossSessions) {
  start();
  auto first = open_client();
  auto second = open_client(kPath, 2);
  on_server([this] { EXPECT_NE(endpoint_.sessions.at(0)->id(), endpoint_.sessions.at(1)->id()); });
}

TEST_F(WsServerTest, AdmitRefusal_ClientSeesTheResponseAndNoSessionOpens) {
  endpoint_.refusal = HttpResponse::json(429, R"({"error":"too many connections"})");
  start();
  WsTestClient client;
  const auto upgrade = client.connect(server_->port(), kPath);
  EXPECT_EQ(upgrade.status, 429U);
  EXPECT_EQ(upgrade.body, R"({"error":"too many connections"})");
  EXPECT_FALSE(client.is_open());
  EXPECT_EQ(sessions(), 0U);
  stop();
  EXPECT_TRUE(endpoint_.sessions.empty());
  EXPECT_EQ(endpoint_.total_closes(), 0);
}

TEST_F(WsServerTest, UnroutedPath_Gets404) {
  start();
  WsTestClient client;
  const auto upgrade = client.connect(server_->port(), "/websocket/v2");
  EXPECT_EQ(upgrade.status, 404U);
  EXPECT_EQ(upgrade.body, R"({"error":"no WebSocket at this path"})");
}

TEST_F(WsServerTest, ClientClose_OnCloseOnceAndNoSessionLeft) {
  start();
  auto client = open_client();
  EXPECT_EQ(sessions(), 1U);
  EXPECT_TRUE(client->close(1000));
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
  stop();
  EXPECT_EQ(endpoint_.closes.size(), 1U);
  EXPECT_EQ(endpoint_.total_closes(), 1);
}

TEST_F(WsServerTest, ClientDrop_OnCloseOnce) {
  start();
  auto client = open_client();
  client->drop();
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
}

TEST_F(WsServerTest, ServerClose_ClientGetsQueuedMessagesThenTheCode) {
  start();
  auto client = open_client();
  on_server([this] {
    auto& session = *endpoint_.sessions.at(0);
    session.send("last", WsFrame::kText, WsMessageKind::kControl);
    session.close(4001, "going away");
    EXPECT_FALSE(session.is_open());
    session.send("after close", WsFrame::kText, WsMessageKind::kControl);
  });
  const WsRead last = client->read();
  EXPECT_EQ(last.text, "last");
  const WsRead closed = client->read();
  ASSERT_EQ(closed.outcome, WsRead::Outcome::kClosed);
  EXPECT_EQ(closed.close_code, 4001);
  EXPECT_EQ(closed.close_reason, "going away");
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
  stop();
  EXPECT_EQ(endpoint_.total_closes(), 1);
}

TEST_F(WsServerTest, Reset_ClientSeesADropWithoutCloseFrame) {
  start();
  auto client = open_client();
  on_server([this] { endpoint_.sessions.at(0)->reset(); });
  EXPECT_EQ(client->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
  stop();
  EXPECT_EQ(endpoint_.total_closes(), 1);
}

TEST_F(WsServerTest, Reset_OnCloseComesAfterTheCallerReturns) {
  start();
  auto client = open_client();
  bool closed_inside = false;
  // A stream that resets a session while iterating its own sessions must not hear on_close meanwhile.
  on_server([&] {
    auto session = endpoint_.sessions.at(0);
    session->reset();
    closed_inside = endpoint_.total_closes() != 0;
  });
  EXPECT_FALSE(closed_inside);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
}

TEST_F(WsServerTest, IdleTimeout_ClosesWith1000) {
  endpoint_.opened = [](WsSession& session) { session.set_idle_timeout(milliseconds(200)); };
  start();
  auto client = open_client();
  const WsRead closed = client->read();
  ASSERT_EQ(closed.outcome, WsRead::Outcome::kClosed);
  EXPECT_EQ(closed.close_code, 1000);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
}

TEST_F(WsServerTest, IdleTimeout_ClientMessagesKeepTheSessionOpen) {
  endpoint_.opened = [](WsSession& session) { session.set_idle_timeout(milliseconds(1000)); };
  start();
  auto client = open_client();
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(client->send_text("PING"));
    std::this_thread::sleep_for(milliseconds(60));
  }
  EXPECT_EQ(sessions(), 1U);
  EXPECT_EQ(client->read(milliseconds(50)).outcome, WsRead::Outcome::kTimeout);
  on_server([this] { endpoint_.sessions.at(0)->set_idle_timeout(std::nullopt); });
  EXPECT_TRUE(client->close());
}

TEST_F(WsServerTest, Stop_EndsEverySessionAndTellsEachEndpointOnce) {
  start();
  auto first = open_client();
  auto second = open_client(kPath, 2);
  auto third = open_client(kOtherPath);
  EXPECT_EQ(sessions(), 3U);
  stop();
  // on_close ran inside stop(), before the server's thread returned.
  EXPECT_EQ(endpoint_.closes.size(), 2U);
  EXPECT_EQ(endpoint_.total_closes(), 2);
  EXPECT_EQ(other_.total_closes(), 1);
  EXPECT_EQ(server_->websocket_sessions(), 0U);
  EXPECT_EQ(first->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_EQ(third->read().outcome, WsRead::Outcome::kDropped);
}

TEST_F(WsServerTest, SlowConsumer_IsDroppedPast64MiB) {
  start();
  auto client = open_client();
  const auto [sent, open] = on_server([this] {
    auto session = endpoint_.sessions.at(0);
    int messages = 0;
    while (session->is_open() && messages < 200) {
      session->send(std::string(std::size_t{1} << 20U, 'x'), WsFrame::kBinary, WsMessageKind::kDelta);
      ++messages;
    }
    return std::pair(messages, session->is_open());
  });
  EXPECT_FALSE(open);
  EXPECT_GT(sent, 64);
  EXPECT_LT(sent, 200);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
}

// A reader that falls behind makes writes wait for the socket (past the batch limit) and a close wait
// for the backlog to drain: the session must deliver everything, in order, and then close.
TEST_F(WsServerTest, SlowReader_GetsTheWholeBacklogInOrderThenTheClose) {
  start();
  auto client = open_client();
  constexpr int kMessages = 200;
  constexpr std::size_t kSize = std::size_t{100} << 10U;  // 20 MB in all: more than the kernel buffers
  for (int i = 0; i < kMessages; ++i) {
    // One post per message, so earlier writes complete in between as they would on a live feed.
    on_server([&] {
      std::string message(kSize, static_cast<char>('a' + i % 26));
      endpoint_.sessions.at(0)->send(std::move(message), WsFrame::kBinary, WsMessageKind::kDelta);
    });
  }
  on_server([this] { endpoint_.sessions.at(0)->close(4002, "backlog sent"); });
  for (int i = 0; i < kMessages; ++i) {
    const WsRead read = client->read();
    ASSERT_TRUE(read.is_message()) << "message " << i;
    ASSERT_EQ(read.text, std::string(kSize, static_cast<char>('a' + i % 26))) << "message " << i;
  }
  const WsRead closed = client->read();
  ASSERT_EQ(closed.outcome, WsRead::Outcome::kClosed);
  EXPECT_EQ(closed.close_code, 4002);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
}

TEST_F(WsServerTest, DropRateOne_DropsDeltasButKeepsSnapshotsAndControl) {
  injector_.configure(ws_faults(WsFaultRule{.drop_rate = 1.0}));
  start();
  auto client = open_client();
  send("ack", WsMessageKind::kControl);
  send("snapshot", WsMessageKind::kSnapshot);
  send("delta-1", WsMessageKind::kDelta);
  send("delta-2", WsMessageKind::kDelta);
  send("pong", WsMessageKind::kControl);
  EXPECT_EQ(texts(client->read_all(milliseconds(300))),
            (std::vector<std::string>{"ack", "snapshot", "pong"}));
  EXPECT_EQ(count("ws_drop"), 2U);
  EXPECT_EQ(on_server([this] { return endpoint_.sessions.at(0)->messages_sent(); }), 5U);
  EXPECT_TRUE(eventually([this] { return endpoint_.sessions.at(0)->frames_written() == 3; }));
}

TEST_F(WsServerTest, RatesZero_EverythingArrivesUntouched) {
  injector_.configure(ws_faults(WsFaultRule{}));
  start();
  auto client = open_client();
  send("snapshot", WsMessageKind::kSnapshot);
  send("delta-1", WsMessageKind::kDelta);
  send("delta-2", WsMessageKind::kDelta, WsFrame::kBinary);
  const auto reads = client->read_all(milliseconds(300));
  EXPECT_EQ(texts(reads), (std::vector<std::string>{"snapshot", "delta-1", "delta-2"}));
  ASSERT_EQ(reads.size(), 3U);
  EXPECT_EQ(reads[2].frame, WsFrame::kBinary);
  EXPECT_EQ(on_server([this] { return injector_.counts_json().at("counts").as_array().size(); }), 0U);
}

TEST_F(WsServerTest, DuplicateRateOne_SendsEachDeltaTwice) {
  injector_.configure(ws_faults(WsFaultRule{.duplicate_rate = 1.0}));
  start();
  auto client = open_client();
  send("snapshot", WsMessageKind::kSnapshot);
  send("delta-1", WsMessageKind::kDelta);
  send("delta-2", WsMessageKind::kDelta);
  const auto seen = texts(client->read_all(milliseconds(300)));
  EXPECT_EQ(seen, (std::vector<std::string>{"snapshot", "delta-1", "delta-1", "delta-2", "delta-2"}));
  EXPECT_EQ(count("ws_duplicate"), seen.size() - 3);
}

TEST_F(WsServerTest, Hold_DeliversTheHeldDeltaRightAfterTheNextOne) {
  injector_.configure(ws_faults(WsFaultRule{.reorder_rate = 1.0}));
  start();
  auto client = open_client();
  send("snapshot", WsMessageKind::kSnapshot);
  send("delta-1", WsMessageKind::kDelta);
  send("ack", WsMessageKind::kControl);  // not a delta: the held one stays held
  on_server([this] { injector_.configure(ws_faults(WsFaultRule{})); });
  send("delta-2", WsMessageKind::kDelta);
  send("delta-3", WsMessageKind::kDelta);
  EXPECT_EQ(texts(client->read_all(milliseconds(300))),
            (std::vector<std::string>{"snapshot", "ack", "delta-2", "delta-1", "delta-3"}));
  EXPECT_EQ(count("ws_reorder"), 1U);
}

TEST_F(WsServerTest, MalformedRateOne_SendsTheFirstHalfWithTheSameFrameType) {
  injector_.configure(ws_faults(WsFaultRule{.malformed_rate = 1.0}));
  start();
  auto client = open_client();
  send("ack-kept", WsMessageKind::kControl);
  send(R"({"snapshot":1})", WsMessageKind::kSnapshot, WsFrame::kBinary);
  send("0123456789", WsMessageKind::kDelta);
  const auto reads = client->read_all(milliseconds(300));
  EXPECT_EQ(texts(reads), (std::vector<std::string>{"ack-kept", R"({"snaps)", "01234"}));
  ASSERT_EQ(reads.size(), 3U);
  EXPECT_EQ(reads[1].frame, WsFrame::kBinary);
  EXPECT_EQ(reads[2].frame, WsFrame::kText);
  EXPECT_EQ(count("ws_malformed"), 2U);
}

TEST_F(WsServerTest, Stall_LosesEveryMessageInsideTheWindowOnly) {
  constexpr auto kEvery = milliseconds(300);
  constexpr auto kFor = milliseconds(200);
  injector_.configure(ws_faults(WsFaultRule{.stall_every = kEvery, .stall_for = kFor}));
  start();
  auto client = open_client();
  // Each message is tagged with its session age; only those clearly inside or outside the first stall
  // window [300 ms, 500 ms) are asserted on, so scheduling delays cannot flip the outcome.
  std::vector<std::string> expected;
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    const auto [name, age] = on_server([this, i] {
      auto& session = *endpoint_.sessions.at(0);
      const auto session_age = std::chrono::duration_cast<milliseconds>(
          std::chrono::system_clock::now().time_since_epoch() - Duration(session.opened_at().ns()));
      std::string tag = fmt::format("m{}", i);
      session.send(tag, WsFrame::kText, i % 5 == 0 ? WsMessageKind::kControl : WsMessageKind::kDelta);
      return std::pair(tag, session_age);
    });
    sent.push_back(name);
    if (age >= kEvery + kFor) {
      break;
    }
    if (age < kEvery - milliseconds(20)) {
      expected.push_back(name);
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  send("after", WsMessageKind::kDelta);
  const auto seen = texts(client->read_all(milliseconds(300)));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "after");
  // Messages sent before the window all arrive, in order, and at least one inside it is lost.
  ASSERT_GE(seen.size(), expected.size());
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + static_cast<long>(expected.size())),
            expected);
  EXPECT_LE(seen.size(), sent.size()) << "nothing inside the stall window was lost";
  EXPECT_EQ(count("ws_stall"), 1U);
}

TEST_F(WsServerTest, DisconnectEvery_ResetsTheSessionAndCountsIt) {
  injector_.configure(ws_faults(WsFaultRule{.disconnect_every = milliseconds(200)}));
  start();
  auto client = open_client();
  send("hello", WsMessageKind::kSnapshot);
  EXPECT_EQ(client->read().text, "hello");
  EXPECT_EQ(client->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 1; }));
  EXPECT_EQ(count("ws_disconnect"), 1U);
  EXPECT_EQ(sessions(), 0U);
}

TEST_F(WsServerTest, ResetWebsockets_ResetsTheMatchingPathAndCountsEach) {
  start();
  auto first = open_client();
  auto second = open_client(kPath, 2);
  auto other = open_client(kOtherPath);
  EXPECT_EQ(on_server([this] { return server_->reset_websockets(kPath); }), 2U);
  EXPECT_EQ(first->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_EQ(second->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_TRUE(eventually([this] { return endpoint_.total_closes() == 2; }));
  EXPECT_EQ(count("ws_disconnect"), 2U);
  EXPECT_EQ(sessions(), 1U);
  EXPECT_EQ(on_server([this] { return server_->reset_websockets(""); }), 1U);
  EXPECT_EQ(other->read().outcome, WsRead::Outcome::kDropped);
  EXPECT_TRUE(eventually([this] { return other_.total_closes() == 1; }));
  EXPECT_EQ(sessions(), 0U);
}

// A raw HTTP client with read deadlines, for answers that never come or come as a reset.
class RawHttpClient {
 public:
  explicit RawHttpClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }

  struct Reply {
    std::string bytes;
    boost::system::error_code error;  // how the connection ended; empty when `timeout` passed first
  };
  // Everything received until the connection ends or `timeout` passes.
  Reply read_until_end(milliseconds timeout) {
    Reply reply;
    std::array<char, 4096> chunk{};
    bool ended = false;
    std::function<void()> next = [&] {
      socket_.async_read_some(asio::buffer(chunk), [&](boost::system::error_code error, std::size_t bytes) {
        reply.bytes.append(chunk.data(), bytes);
        if (error) {
          ended = true;
          if (error != asio::error::operation_aborted) {
            reply.error = error;
          }
          return;
        }
        next();
      });
    };
    next();
    io_.restart();
    io_.run_for(timeout);
    if (!ended) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
    return reply;
  }

  void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

class HttpDeliveryTest : public WsServerTest {
 protected:
  void start_with(const HttpResponse& response) {
    start([response](const HttpRequest& request) {
      if (request.path == "/fast") {
        return HttpResponse::json(200, R"({"fast":true})");
      }
      return response;
    });
  }
};

constexpr std::string_view kGet = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(HttpDeliveryTest, NeverAnswer_StaysOpenAndSilentUntilTheClientLeaves) {
  HttpResponse response = HttpResponse::json(200, "{}");
  response.delivery = HttpResponse::Delivery::kNeverAnswer;
  start_with(response);
  RawHttpClient client(server_->port());
  client.write(kGet);
  const auto silent = client.read_until_end(milliseconds(300));
  EXPECT_EQ(silent.bytes, "");
  EXPECT_FALSE(silent.error) << "the connection must stay open";
  // Leaving (half-close) is noticed: the server closes its side without ever having written a byte.
  client.shutdown_send();
  const auto gone = client.read_until_end(milliseconds(3000));
  EXPECT_EQ(gone.bytes, "");
  EXPECT_EQ(gone.error, asio::error::eof);
}

TEST_F(HttpDeliveryTest, Reset_ClientSeesAResetWithoutAResponse) {
  HttpResponse response = HttpResponse::json(200, "{}");
  response.delivery = HttpResponse::Delivery::kReset;
  start_with(response);
  RawHttpClient client(server_->port());
  client.write(kGet);
  const auto reply = client.read_until_end(milliseconds(3000));
  EXPECT_EQ(reply.bytes, "");
  EXPECT_EQ(reply.error, asio::error::connection_reset);
}

TEST_F(HttpDeliveryTest, Delay_AnswerArrivesWhileOtherConnectionsAreServed) {
  HttpResponse response = HttpResponse::json(200, R"({"slow":true})");
  response.delay = milliseconds(1000);
  start_with(response);
  RawHttpClient slow(server_->port());
  slow.write("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  RawHttpClient fast(server_->port());
  fast.write("GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto fast_reply = fast.read_until_end(milliseconds(3000));
  EXPECT_NE(fast_reply.bytes.find(R"({"fast":true})"), std::string::npos) << fast_reply.bytes;
  const auto slow_reply = slow.read_until_end(milliseconds(5000));
  EXPECT_EQ(slow_reply.bytes.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << slow_reply.bytes;
  EXPECT_NE(slow_reply.bytes.find(R"({"slow":true})"), std::string::npos) << slow_reply.bytes;
}

TEST_F(HttpDeliveryTest, Stop_CutsAPendingDelayShort) {
  HttpResponse response = HttpResponse::json(200, "{}");
  response.delay = std::chrono::hours(1);
  start_with(response);
  RawHttpClient client(server_->port());
  client.write(kGet);
  EXPECT_EQ(client.read_until_end(milliseconds(100)).bytes, "");
  stop();  // returns only because the delayed answer was abandoned
  const auto reply = client.read_until_end(milliseconds(3000));
  EXPECT_EQ(reply.bytes, "");
  EXPECT_TRUE(reply.error);
}

}  // namespace
}  // namespace kimp::sim
