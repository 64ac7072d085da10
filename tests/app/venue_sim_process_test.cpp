// End-to-end test of `kimp venue-sim` as a process: ready line, real HTTP on its ports, clean SIGTERM stop.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "child_process.hpp"

namespace kimp {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

std::string http_get(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string reply;
  boost::system::error_code error;
  asio::read(socket, asio::dynamic_buffer(reply), error);
  return reply.substr(reply.find("\r\n\r\n") + 4);
}

TEST(VenueSimProcess, PrintsPortsServesEveryVenueAndStopsCleanlyOnSigterm) {
  const auto config = fs::path(testing::TempDir()) / ("venue_sim_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(config) << R"([server]
upbit_port = 0
bybit_port = 0
fx_port = 0
admin_port = 0

[[accounts]]
name = "alice"
upbit_access_key = "alice-upbit-access"
upbit_secret_key = "alice-upbit-secret"
bybit_api_key = "alice-bybit-key"
bybit_api_secret = "alice-bybit-secret"
krw = 100000000
usdt = 10000
)";
  e2e::ChildProcess child({KIMP_CLI_PATH, "--log-level", "warn", "venue-sim", "--config", config.string()});
  const auto ready = boost::json::parse(child.read_line()).as_object();
  const auto port = [&](const char* name) { return static_cast<std::uint16_t>(ready.at(name).as_int64()); };
  for (const char* name : {"upbit", "bybit", "fx", "admin"}) {
    EXPECT_GT(port(name), 0) << name;
  }

  const auto ledger = boost::json::parse(http_get(port("admin"), "/ledger"));
  const auto& account = ledger.at("accounts").at(0);
  EXPECT_EQ(account.at("id").as_string(), "alice");
  EXPECT_EQ(account.at("bybit").at("wallet").at("wallet_balance").as_string(), "10000");

  const auto fx = boost::json::parse(http_get(port("fx"), "/v1/forex/recent?codes=FRX.KRWUSD"));
  EXPECT_EQ(fx.at(0).at("code").as_string(), "FRX.KRWUSD");
  EXPECT_GT(fx.at(0).at("basePrice").to_number<double>(), 1000.0);

  const auto time = boost::json::parse(http_get(port("bybit"), "/v5/market/time"));
  EXPECT_EQ(time.at("retCode").as_int64(), 0);
  const auto book = boost::json::parse(http_get(port("upbit"), "/v1/orderbook?markets=KRW-BTC"));
  EXPECT_EQ(book.at(0).at("market").as_string(), "KRW-BTC");

  EXPECT_EQ(child.terminate(), 0);
  fs::remove(config);
}

TEST(VenueSimProcess, InvalidConfigIsReportedWithExit2) {
  const auto config =
      fs::path(testing::TempDir()) / ("venue_sim_bad_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(config) << "[server]\naddress = \"0.0.0.0\"\n";
  const std::string command =
      std::string(KIMP_CLI_PATH) + " venue-sim --config " + config.string() + " 2>/dev/null";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  fs::remove(config);
}

}  // namespace
}  // namespace kimp
