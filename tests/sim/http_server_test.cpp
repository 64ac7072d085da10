// Tests of the emulator's HTTP server over real loopback sockets: raw request bytes in, response bytes out.
#include "sim/server/http_server.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace kimp::sim {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Serves on a background thread; requests are sent as raw bytes from the test thread.
class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpHandler handler) {
    auto server = HttpServer::start(io_, "127.0.0.1", 0, std::move(handler));
    ASSERT_TRUE(server.has_value()) << server.error();
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  // Sends `raw` on a new connection and returns everything the server writes until it closes.
  [[nodiscard]] std::string exchange(const std::string& raw) const {
    asio::io_context client_io;
    tcp::socket socket(client_io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    asio::write(socket, asio::buffer(raw));
    std::string reply;
    boost::system::error_code error;
    asio::read(socket, asio::dynamic_buffer(reply), error);
    return reply;
  }

  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, HandlerSeesRawQueryBodyAndHeaders_AndItsResponseIsSent) {
  HttpRequest seen;
  start([&seen](const HttpRequest& request) {
    seen = request;
    return HttpResponse{
        201, R"({"ok":true})", "application/json", {{"Remaining-Req", "group=order; min=1799; sec=7"}}};
  });
  const std::string body = R"({"market":"KRW-BTC"})";
  const auto reply = exchange(
      "POST /v1/orders?b=2&a=%5B1%5D HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(seen.method, HttpMethod::kPost);
  EXPECT_EQ(seen.path, "/v1/orders");
  EXPECT_EQ(seen.query, "b=2&a=%5B1%5D");
  EXPECT_EQ(seen.body, body);
  EXPECT_EQ(seen.header("authorization"), "Bearer t");
  EXPECT_EQ(reply.rfind("HTTP/1.1 201 Created\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find("Remaining-Req: group=order; min=1799; sec=7\r\n"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Content-Type: application/json\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.substr(reply.size() - 11), R"({"ok":true})");
}

TEST_F(HttpServerTest, KeepAliveConnection_AnswersEveryRequestInOrder) {
  int count = 0;
  start([&count](const HttpRequest& request) {
    return HttpResponse::json(200, request.path + std::to_string(++count));
  });
  const auto reply = exchange(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n");
  const auto a = reply.find("\r\n\r\n/a1");
  const auto b = reply.find("\r\n\r\n/b2");
  const auto c = reply.find("\r\n\r\n/c3");
  ASSERT_NE(a, std::string::npos) << reply;
  ASSERT_NE(b, std::string::npos) << reply;
  ASSERT_NE(c, std::string::npos) << reply;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST_F(HttpServerTest, MalformedRequest_Gets400AndTheConnectionCloses) {
  start([](const HttpRequest&) { return HttpResponse::json(200, "{}"); });
  const auto reply = exchange("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find(R"({"error":"malformed HTTP request"})"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, ThrowingHandler_Gets500WithTheReason) {
  start([](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom \"quoted\""); });
  const auto reply = exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find(R"({"error":"internal emulator error: boom \"quoted\""})"), std::string::npos)
      << reply;
}

TEST(HttpServer, PortInUse_IsUnavailable) {
  asio::io_context io;
  auto first = HttpServer::start(io, "127.0.0.1", 0, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_TRUE(first.has_value());
  auto second =
      HttpServer::start(io, "127.0.0.1", (*first)->port(), [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("cannot bind 127.0.0.1:"), std::string::npos)
      << second.error().message;
}

}  // namespace
}  // namespace kimp::sim
