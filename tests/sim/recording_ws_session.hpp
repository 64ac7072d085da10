// A WsSession that keeps what a stream sends instead of writing it to a socket, for stream-level tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/server/ws_session.hpp"

namespace kimp::sim::testing {

class RecordingWsSession final : public WsSession {
 public:
  struct Message {
    std::string text;
    WsFrame frame = WsFrame::kText;
    WsMessageKind kind = WsMessageKind::kControl;
  };

  RecordingWsSession(std::uint64_t id, HttpRequest upgrade, Timestamp opened_at = {})
      : id_(id), upgrade_(std::move(upgrade)), opened_at_(opened_at) {}

  [[nodiscard]] std::uint64_t id() const override { return id_; }
  [[nodiscard]] const HttpRequest& upgrade() const override { return upgrade_; }
  [[nodiscard]] Timestamp opened_at() const override { return opened_at_; }
  [[nodiscard]] bool is_open() const override { return !closed_code_ && !was_reset_; }

  void send(std::string message, WsFrame frame, WsMessageKind kind) override {
    if (is_open()) {
      messages_.push_back({std::move(message), frame, kind});
    }
  }
  void close(std::uint16_t code, std::string_view reason) override {
    closed_code_ = code;
    close_reason_ = std::string(reason);
  }
  void reset() override { was_reset_ = true; }
  void set_idle_timeout(std::optional<Duration> idle) override { idle_timeout_ = idle; }

  [[nodiscard]] std::uint64_t messages_sent() const override { return messages_.size(); }
  [[nodiscard]] std::uint64_t frames_written() const override { return messages_.size(); }

  // Everything sent so far, then forgets it.
  std::vector<Message> take() { return std::exchange(messages_, {}); }
  [[nodiscard]] std::optional<std::uint16_t> closed_code() const { return closed_code_; }
  [[nodiscard]] const std::string& close_reason() const { return close_reason_; }
  [[nodiscard]] bool was_reset() const { return was_reset_; }
  [[nodiscard]] std::optional<Duration> idle_timeout() const { return idle_timeout_; }

 private:
  std::uint64_t id_;
  HttpRequest upgrade_;
  Timestamp opened_at_;
  std::vector<Message> messages_;
  std::optional<std::uint16_t> closed_code_;
  std::string close_reason_;
  bool was_reset_ = false;
  std::optional<Duration> idle_timeout_;
};

}  // namespace kimp::sim::testing
