// WebSocket messages per second pushed to one loopback client: the emulator's session path next to a bare
// Beast server writing the same frame in a loop.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "sim/server/faults.hpp"
#include "sim/server/http_server.hpp"
#include "sim/server/ws_session.hpp"

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

// About one Bybit orderbook.1 delta.
const std::string delta_frame = [] {
  std::string frame =
      R"({"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1766736000123,"data":{"s":"BTCUSDT",)"
      R"("b":[["87123.40","1.204"]],"a":[["87123.50","0.391"]],"u":1234567,"seq":98765432101},)"
      R"("cts":1766736000120})";
  frame.resize(300, ' ');
  return frame;
}();

// Messages queued ahead of the socket by the emulator's producer: enough to keep the writer busy, far
// below the slow-consumer limit.
constexpr std::uint64_t kInFlight = 256;

// An io_context on its own thread until stop(), which runs `on_stop` there first.
class ServerThread {
 public:
  void run(std::function<void()> on_stop) {
    on_stop_ = std::move(on_stop);
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() {
    asio::post(io_, [this] { on_stop_(); });
    thread_.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  std::function<void()> on_stop_;
  std::thread thread_;
};

// One message per iteration, read on the benchmark thread; dropping the connection at the end is what
// tells the server to stop writing.
void read_messages(benchmark::State& state, std::uint16_t port, std::string_view path) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  ws.handshake("127.0.0.1", std::string(path));
  boost::beast::flat_buffer buffer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    ws.read(buffer);
    bytes += buffer.size();
    buffer.clear();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  ws.next_layer().close();
}

// Keeps kInFlight messages queued on the session until it closes; reposts itself so write completions
// interleave with it on the server's thread.
void pump(asio::io_context& io, const std::shared_ptr<kimp::sim::WsSession>& session) {
  if (!session->is_open()) {
    return;
  }
  while (session->messages_sent() - session->frames_written() < kInFlight) {
    session->send(delta_frame, kimp::sim::WsFrame::kText, kimp::sim::WsMessageKind::kDelta);
  }
  asio::post(io, [&io, session] { pump(io, session); });
}

class PumpEndpoint final : public kimp::sim::WsEndpoint {
 public:
  explicit PumpEndpoint(asio::io_context& io) : io_(io) {}
  std::optional<kimp::sim::HttpResponse> admit(const kimp::sim::HttpRequest& /*upgrade*/) override {
    return std::nullopt;
  }
  void on_open(const std::shared_ptr<kimp::sim::WsSession>& session) override { pump(io_, session); }
  void on_message(const std::shared_ptr<kimp::sim::WsSession>& /*session*/, std::string_view /*message*/,
                  kimp::sim::WsFrame /*frame*/) override {}
  void on_close(const kimp::sim::WsSession& /*session*/) override {}

 private:
  asio::io_context& io_;
};

void BM_EmulatorWsSession(benchmark::State& state) {
  ServerThread server;
  PumpEndpoint endpoint(server.io());
  auto http = kimp::sim::HttpServer::start(
      server.io(), "127.0.0.1", 0, [](const kimp::sim::HttpRequest&) { return kimp::sim::HttpResponse{}; });
  if (!http) {
    state.SkipWithError(http.error().describe().c_str());
    return;
  }
  (*http)->route_websocket("/ws", endpoint, kimp::sim::WsFaultScope{});
  server.run([&http] { (*http)->stop(); });
  read_messages(state, (*http)->port(), "/ws");
  server.stop();
}
BENCHMARK(BM_EmulatorWsSession)->UseRealTime();

// Baseline: accepts one WebSocket and writes the same frame back to back until the client leaves.
class BareWriter : public std::enable_shared_from_this<BareWriter> {
 public:
  explicit BareWriter(tcp::socket socket) : ws_(std::move(socket)) {}
  void start() {
    ws_.async_accept([self = shared_from_this()](boost::system::error_code error) {
      if (!error) {
        self->ws_.text(true);
        self->write();
      }
    });
  }

 private:
  void write() {
    ws_.async_write(asio::buffer(delta_frame),
                    [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                      if (!error) {
                        self->write();
                      }
                    });
  }
  websocket::stream<tcp::socket> ws_;
};

void BM_BaselineBareBeast(benchmark::State& state) {
  ServerThread server;
  tcp::acceptor acceptor(server.io(), {asio::ip::make_address("127.0.0.1"), 0});
  acceptor.async_accept([](boost::system::error_code error, tcp::socket socket) {
    if (!error) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<BareWriter>(std::move(socket))->start();
    }
  });
  server.run([&acceptor] { acceptor.close(); });
  read_messages(state, acceptor.local_endpoint().port(), "/");
  server.stop();
}
BENCHMARK(BM_BaselineBareBeast)->UseRealTime();

}  // namespace
