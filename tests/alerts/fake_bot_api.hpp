// Test doubles: a scripted fake Telegram Bot API on 127.0.0.1 that records requests, a recording sink.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/records.hpp"

namespace kimp::alerts::testing {

struct BotRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
};

struct BotAnswer {
  unsigned status = 200;
  std::string body = R"({"ok":true,"result":{"message_id":1}})";
  bool never_answer = false;  // read the request, keep the connection open, answer nothing
};

class FakeBotApi {
 public:
  // Answers request `index` (0-based, over all connections) with script(index, request).
  using Script = std::function<BotAnswer(int index, const BotRequest& request)>;

  explicit FakeBotApi(Script script = {});
  ~FakeBotApi();
  FakeBotApi(const FakeBotApi&) = delete;
  FakeBotApi& operator=(const FakeBotApi&) = delete;

  [[nodiscard]] std::string url() const;
  [[nodiscard]] std::vector<BotRequest> requests() const;
  [[nodiscard]] std::size_t request_count() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 nothing listens on (bound once, then closed).
std::uint16_t unused_port();

class RecordingSink final : public storage::RecordSink {
 public:
  void enqueue(storage::StorageRecord record) override;

  [[nodiscard]] std::vector<storage::StorageRecord> records() const;
  [[nodiscard]] std::vector<storage::AlertRow> rows() const;
  [[nodiscard]] std::vector<storage::AlertDelivery> deliveries() const;
  // Waits until at least `count` AlertDelivery records are held; false when `limit` passes first.
  bool wait_for_deliveries(std::size_t count,
                           std::chrono::milliseconds limit = std::chrono::seconds{20}) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<storage::StorageRecord> records_;
};

}  // namespace kimp::alerts::testing
