// A `kimp venue-sim` child process for end-to-end tests: its own config (OS-chosen ports, the demo
// account), the ports from its ready line, and calls to its admin API.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "child_process.hpp"
#include "loopback_http.hpp"

namespace kimp::e2e {

// The emulator's demo account, as the adapters' tests sign with it.
inline constexpr std::string_view kDemoUpbitAccessKey = "demo-upbit-access-key";
inline constexpr std::string_view kDemoUpbitSecretKey = "demo-upbit-secret-key";
inline constexpr std::string_view kDemoBybitApiKey = "demo-bybit-api-key";
inline constexpr std::string_view kDemoBybitApiSecret = "demo-bybit-api-secret";

class VenueSimProcess {
 public:
  // Starts the emulator with every port chosen by the OS, the demo account (100,000,000 KRW and 100,000
  // USDT) and `extra_toml` appended (further tables: [rate_limits], [market] ...). `name` keeps the
  // config files of concurrent tests apart. started() tells whether the ready line arrived.
  explicit VenueSimProcess(std::string_view name, std::string_view extra_toml = {}) {
    config_ = std::filesystem::temp_directory_path() / fmt::format("venue_sim_{}_{}.toml", name, ::getpid());
    std::ofstream(config_) << fmt::format(R"([server]
upbit_port = 0
bybit_port = 0
fx_port = 0
admin_port = 0

[[accounts]]
name = "demo"
upbit_access_key = "{}"
upbit_secret_key = "{}"
bybit_api_key = "{}"
bybit_api_secret = "{}"
krw = 100000000
usdt = 100000

{}
)",
                                          kDemoUpbitAccessKey, kDemoUpbitSecretKey, kDemoBybitApiKey,
                                          kDemoBybitApiSecret, extra_toml);
    child_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        KIMP_CLI_PATH, "--log-level", "error", "venue-sim", "--config", config_.string()});
    if (child_->pid() <= 0) {
      return;
    }
    boost::system::error_code error;
    const auto ready = boost::json::parse(child_->read_line(), error);
    if (error || !ready.is_object()) {
      return;
    }
    const auto port = [&](const char* key) {
      const auto* value = ready.as_object().if_contains(key);
      return value == nullptr ? std::uint16_t{0} : static_cast<std::uint16_t>(value->to_number<int>());
    };
    upbit_port_ = port("upbit");
    bybit_port_ = port("bybit");
    fx_port_ = port("fx");
    admin_port_ = port("admin");
  }
  VenueSimProcess(const VenueSimProcess&) = delete;
  VenueSimProcess& operator=(const VenueSimProcess&) = delete;
  ~VenueSimProcess() {
    child_.reset();
    std::filesystem::remove(config_);
  }

  [[nodiscard]] bool started() const { return admin_port_ != 0; }
  [[nodiscard]] std::uint16_t upbit_port() const { return upbit_port_; }
  [[nodiscard]] std::uint16_t bybit_port() const { return bybit_port_; }
  [[nodiscard]] std::uint16_t fx_port() const { return fx_port_; }
  [[nodiscard]] std::uint16_t admin_port() const { return admin_port_; }
  [[nodiscard]] std::string upbit_url() const { return fmt::format("http://127.0.0.1:{}", upbit_port_); }
  [[nodiscard]] std::string bybit_url() const { return fmt::format("http://127.0.0.1:{}", bybit_port_); }
  [[nodiscard]] std::string fx_url() const { return fmt::format("http://127.0.0.1:{}", fx_port_); }
  [[nodiscard]] ChildProcess& child() { return *child_; }

  // A call to the admin API (/faults, /faults/disconnect, /ledger ...).
  HttpAnswer admin(boost::beast::http::verb verb, const std::string& target,
                   const std::string& body = {}) const {
    return http_request(admin_port_, verb, target, body);
  }

  // The injector's count for (venue, kind, target) in GET /faults; 0 when absent.
  [[nodiscard]] std::uint64_t injected(std::string_view kind, std::string_view target,
                                       std::string_view venue = "bybit") const {
    boost::system::error_code error;
    const auto faults = boost::json::parse(admin(boost::beast::http::verb::get, "/faults").body, error);
    if (error) {
      return 0;
    }
    for (const auto& entry : faults.at("counts").as_array()) {
      if (entry.at("venue").as_string() == venue && entry.at("kind").as_string() == kind &&
          entry.at("target").as_string() == target) {
        return entry.at("count").to_number<std::uint64_t>();
      }
    }
    return 0;
  }

  // SIGTERM, and the exit code (-1 when it died of a signal).
  int terminate() { return child_->terminate(); }

 private:
  std::filesystem::path config_;
  std::unique_ptr<ChildProcess> child_;
  std::uint16_t upbit_port_ = 0;
  std::uint16_t bybit_port_ = 0;
  std::uint16_t fx_port_ = 0;
  std::uint16_t admin_port_ = 0;
};

}  // namespace kimp::e2e
