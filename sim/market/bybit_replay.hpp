// Bybit linear order books replayed from a recorded public WebSocket capture (orderbook.N snapshot/delta).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "sim/market/book.hpp"

namespace kimp::sim {

class BybitCaptureReplay {
 public:
  // Reads the orderbook messages of the capture's linear connections (spot connections are ignored:
  // their symbols share names with the perpetuals). Errors: kFailedPrecondition when the file cannot be
  // read or holds no linear orderbook message; kInvalidArgument for a malformed orderbook message.
  static Result<BybitCaptureReplay> load(const std::string& path);

  // Symbols with recorded books, sorted.
  [[nodiscard]] std::vector<std::string> symbols() const;
  [[nodiscard]] Timestamp first_event() const { return messages_.front().ts_event; }
  [[nodiscard]] Timestamp last_event() const { return messages_.back().ts_event; }

  // Applies, in recorded order, every message stamped at or before `until` not applied yet.
  // Returns whether any book changed.
  bool advance_to(Timestamp until);

  // The book as of the last applied message: full recorded depth, update_id = Bybit's `u`, ts_event =
  // the message's `ts`. nullptr for an unknown symbol or before its first snapshot.
  [[nodiscard]] const OrderBook* book(std::string_view symbol) const;

 private:
  struct Message {
    Timestamp ts_event;
    std::size_t book = 0;
    bool snapshot = false;
    std::uint64_t update_id = 0;
    std::vector<BookLevel> bids;  // quantity zero deletes the level
    std::vector<BookLevel> asks;
  };
  struct ReplayBook {
    std::string symbol;
    std::map<Decimal, Decimal, std::greater<>> bids;
    std::map<Decimal, Decimal> asks;
    OrderBook view;
    bool live = false;  // a snapshot has been applied
  };

  void apply(const Message& message);

  std::vector<Message> messages_;
  std::size_t next_ = 0;
  std::vector<ReplayBook> books_;
};

}  // namespace kimp::sim
