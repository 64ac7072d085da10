// Client order id layout: validated coin and tag, base-36 session token and sequence number.
#include "core/client_order_id.hpp"

#include <array>
#include <random>

#include <fmt/format.h>

namespace kimp {
namespace {

constexpr std::string_view kBase36Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kTimeDigits = 8;
constexpr std::size_t kSaltDigits = 6;
// What is left of kMaxIdLength after the longest coin and tag, the token and three separators.
constexpr std::size_t kSequenceDigits = ClientOrderIdGenerator::kMaxIdLength -
                                        ClientOrderIdGenerator::kMaxCoinLength -
                                        ClientOrderIdGenerator::kMaxTagLength - kTimeDigits - kSaltDigits - 3;

constexpr std::uint64_t power_of_36(std::size_t exponent) {
  std::uint64_t result = 1;
  for (std::size_t i = 0; i < exponent; ++i) {
    result *= 36;
  }
  return result;
}

constexpr std::uint64_t kMaxSequence = power_of_36(kSequenceDigits) - 1;

// `value` in base 36, left-padded with zeros to at least `width` digits.
void append_base36(std::string& out, std::uint64_t value, std::size_t width) {
  std::array<char, 16> digits{};  // 13 base-36 digits hold any uint64
  std::size_t count = 0;
  do {
    digits[count++] = kBase36Digits[value % 36];
    value /= 36;
  } while (value != 0);
  for (; count < width; ++count) {
    digits[count] = '0';
  }
  while (count > 0) {
    out += digits[--count];
  }
}

Status check_part(std::string_view what, std::string_view value, std::size_t max_length) {
  const bool alphanumeric =
      value.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
      std::string_view::npos;
  if (value.empty() || value.size() > max_length || !alphanumeric) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("client order id {} \"{}\" must be 1 to {} characters of [0-9A-Za-z]", what,
                                  value, max_length));
  }
  return ok();
}

std::uint64_t random_salt() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

}  // namespace

ClientOrderIdGenerator::ClientOrderIdGenerator(Timestamp session_start)
    : ClientOrderIdGenerator(session_start, random_salt()) {}

ClientOrderIdGenerator::ClientOrderIdGenerator(Timestamp session_start, std::uint64_t salt) {
  constexpr auto kTimeModulus = static_cast<std::int64_t>(power_of_36(kTimeDigits));
  // Floor modulo, so a start before 1970 (only ever in tests) still gives kTimeDigits digits.
  const auto start_ms =
      static_cast<std::uint64_t>((session_start.ms() % kTimeModulus + kTimeModulus) % kTimeModulus);
  append_base36(session_token_, start_ms, kTimeDigits);
  append_base36(session_token_, salt % power_of_36(kSaltDigits), kSaltDigits);
}

Result<std::string> ClientOrderIdGenerator::next(std::string_view coin, std::string_view tag) {
  KIMP_TRY(check_part("coin", coin, kMaxCoinLength));
  KIMP_TRY(check_part("tag", tag, kMaxTagLength));
  if (last_sequence_ == kMaxSequence) {
    return make_error(ErrorCode::kResourceExhausted,
                      fmt::format("client order id session {} has used all {} sequence numbers",
                                  session_token_, kMaxSequence));
  }
  std::string id;
  id.reserve(kMaxIdLength);
  id.append(coin).append("_").append(tag).append("_").append(session_token_).append("_");
  append_base36(id, ++last_sequence_, 1);
  return id;
}

}  // namespace kimp
