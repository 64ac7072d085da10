// Requests per second the emulator serves on loopback (one keep-alive client, single-threaded server),
// next to a baseline server that answers the same bytes without doing any work.
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "sim/server/http_server.hpp"
#include "sim/server/venue_sim.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using kimp::sim::HttpRequest;
using kimp::sim::HttpResponse;

// A server running on its own thread until stop(), which the benchmark calls while the servers the
// stop callback touches still exist.
class ServerThread {
 public:
  template <class Stop>
  void run(Stop stop) {
    stop_ = std::move(stop);
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() {
    asio::post(io_, [this] { stop_(); });
    thread_.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  std::function<void()> stop_;
  std::thread thread_;
};

// Requests in flight on the connection at once: the client writes a batch, then reads its answers, so
// the figure measures the server rather than loopback round trips.
constexpr int kPipelineDepth = 16;

// One keep-alive connection sending GET `target` in pipelined batches; every answer must be a success
// (Bybit's retCode 0 included, which rate limiting would break).
void run_client(benchmark::State& state, std::uint16_t port, const std::string& target) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  std::string batch;
  for (int i = 0; i < kPipelineDepth; ++i) {
    std::ostringstream one;
    one << request;
    batch += one.str();
  }
  boost::beast::flat_buffer buffer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    asio::write(socket, asio::buffer(batch));
    for (int i = 0; i < kPipelineDepth; ++i) {
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      if (response.result() != http::status::ok ||
          response.body().find("\"retCode\":1") != std::string::npos) {
        state.SkipWithError(("unexpected answer: " + response.body().substr(0, 200)).c_str());
        return;
      }
      bytes += response.body().size();
    }
  }
  const auto requests = state.iterations() * kPipelineDepth;
  state.SetItemsProcessed(requests);
  state.counters["body_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(std::max<int64_t>(1, requests));
}

const std::string kBybitBook = "/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=50";
const std::string kUpbitBook = "/v1/orderbook?markets=KRW-BTC";

kimp::sim::SimConfig loopback_config() {
  kimp::sim::SimConfig config;
  config.server.upbit_port = 0;
  config.server.bybit_port = 0;
  config.server.fx_port = 0;
  config.server.admin_port = 0;
  // The benchmark measures serving, not the venues' request budgets.
  config.rate_limits.upbit_quotation = 1'000'000;
  config.rate_limits.bybit_public = 1'000'000;
  return config;
}

void BM_EmulatorRest(benchmark::State& state, bool bybit) {
  ServerThread server;
  auto venue = kimp::sim::VenueSim::start(server.io(), loopback_config());
  if (!venue) {
    state.SkipWithError(venue.error().describe().c_str());
    return;
  }
  const auto ports = (*venue)->ports();
  server.run([&venue] { (*venue)->stop(); });
  run_client(state, bybit ? ports.bybit : ports.upbit, bybit ? kBybitBook : kUpbitBook);
  server.stop();
}
BENCHMARK_CAPTURE(BM_EmulatorRest, bybit_orderbook_50, true)->UseRealTime();
BENCHMARK_CAPTURE(BM_EmulatorRest, upbit_orderbook, false)->UseRealTime();

// Baseline: the same HTTP plumbing answering a fixed body of the Bybit book's size.
void BM_BaselineFixedBody(benchmark::State& state) {
  ServerThread server;
  const std::string body(4'500, 'x');  // about the size of the Bybit book answer (body_bytes)
  auto fixed = kimp::sim::HttpServer::start(
      server.io(), "127.0.0.1", 0, [&body](const HttpRequest&) { return HttpResponse::json(200, body); });
  if (!fixed) {
    state.SkipWithError(fixed.error().describe().c_str());
    return;
  }
  server.run([&fixed] { (*fixed)->stop(); });
  run_client(state, (*fixed)->port(), kBybitBook);
  server.stop();
}
BENCHMARK(BM_BaselineFixedBody)->UseRealTime();

}  // namespace
