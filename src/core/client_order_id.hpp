// Client order ids (Upbit `identifier`, Bybit `orderLinkId`) unique within a session and across restarts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp {

// Ids look like "BTC_EU_mb8x2k9q4f7a1z_1r": coin, tag (leg/side, the caller's choice), the session
// token, and a per-session sequence number in base 36. Every character is in [0-9A-Za-z_], which both
// exchanges accept, and the longest id is 36 characters, Bybit's limit.
//
// The 14-character session token is the session's start time (ms, 8 base-36 digits, repeating every
// ~89 years) followed by a salt (6 base-36 digits): restarts in different milliseconds never collide,
// and two sessions started in the same millisecond collide only if their salts agree modulo 36^6.
// Ids stay unique within a session because the sequence number never repeats, whatever coin or tag.
class ClientOrderIdGenerator {
 public:
  static constexpr std::size_t kMaxIdLength = 36;
  static constexpr std::size_t kMaxCoinLength = 10;
  static constexpr std::size_t kMaxTagLength = 4;

  // The salt comes from std::random_device.
  explicit ClientOrderIdGenerator(Timestamp session_start);
  // A fixed salt, for tests.
  ClientOrderIdGenerator(Timestamp session_start, std::uint64_t salt);

  // The next id. Errors: kInvalidArgument when coin (1-10 characters) or tag (1-4 characters) is
  // empty, too long, or has a character outside [0-9A-Za-z]; kResourceExhausted once the session has
  // handed out all 36^5 - 1 sequence numbers.
  Result<std::string> next(std::string_view coin, std::string_view tag);

  // Shared by every id of this session: finds the session's orders in exchange listings and logs.
  [[nodiscard]] std::string_view session_token() const { return session_token_; }

 private:
  std::string session_token_;
  std::uint64_t last_sequence_ = 0;
};

}  // namespace kimp
