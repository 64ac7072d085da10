// Decimal: exact signed fixed-point money type (int64 units of 10^-8) with checked arithmetic.
#pragma once

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/result.hpp"

namespace kimp {

// Direction used when a value must lose digits (rounding to a tick or lot step, division).
enum class RoundingMode : std::uint8_t {
  kDown,      // toward negative infinity (floor)
  kUp,        // toward positive infinity (ceiling)
  kHalfEven,  // to the nearest; exact halves go to the even neighbour (banker's rounding)
};

class Decimal {
 public:
  static constexpr int kScale = 8;                           // fractional digits
  static constexpr std::int64_t kUnitsPerOne = 100'000'000;  // 10^kScale

  constexpr Decimal() = default;

  // The value raw_units × 10^-8.
  static constexpr Decimal from_units(std::int64_t raw_units) { return Decimal(raw_units); }
  // The whole number `value`; kInvalidArgument when it does not fit.
  static Result<Decimal> from_integer(std::int64_t value);

  // Exact parse of an exchange decimal string or JSON number text: "0.00000001", "150389000.0",
  // "1.5e-05", "-3.2", "+7", ".5", "5.", "1E+3". Never goes through double.
  // Errors (all kInvalidArgument): empty text, anything that is not [sign] digits [. digits]
  // [e|E [sign] digits] (whitespace, "nan", "inf", "0x10" included), a non-zero digit below 10^-8
  // (the value would not be exact; trailing zeros are fine), or a value outside the int64 unit range.
  static Result<Decimal> parse(std::string_view text);
  // parse()'s fast path on its own, for hot loops that read exchange text: the value of plain "123" or
  // "123.456" text (at most 10 integer digits without a superfluous leading zero, at most 8 fractional
  // digits), nullopt for any other text, which parse() may still accept (".5", "-3", "1e3").
  static std::optional<Decimal> parse_plain(std::string_view text);
  // parse_plain() for text inside a padded parse buffer: at least 16 bytes from text.data() may be read
  // whatever text.size() is (simdjson's input padding guarantees 64 past the document). Short text,
  // the exchanges' usual, is read 8 bytes at a time without a loop. Sets `out` to parse_plain()'s value
  // and returns true, or returns false (`out` untouched) where parse_plain() gives nullopt. A flag and
  // an out-parameter rather than an optional: this is the per-level call of book parsing, and GCC
  // copies a returned optional through the stack.
  static bool parse_plain_padded(std::string_view text, Decimal& out);

  [[nodiscard]] constexpr std::int64_t units() const { return units_; }

  // Shortest exact text: "0", "-3.2", "150389000", "0.00000001" (no exponent, no trailing zeros).
  [[nodiscard]] std::string to_string() const;
  // Approximate value for statistics only (Z-scores); never for money.
  [[nodiscard]] double to_double() const;

  // Checked arithmetic: kInvalidArgument on overflow (never wraps) or division by zero.
  [[nodiscard]] Result<Decimal> add(Decimal other) const;
  [[nodiscard]] Result<Decimal> sub(Decimal other) const;
  // The exact product rounded to 10^-8 with `mode`.
  [[nodiscard]] Result<Decimal> mul(Decimal other, RoundingMode mode = RoundingMode::kHalfEven) const;
  // The exact quotient rounded to 10^-8 with `mode`.
  [[nodiscard]] Result<Decimal> div(Decimal other, RoundingMode mode = RoundingMode::kHalfEven) const;
  // kInvalidArgument for the minimum value, whose negation does not fit.
  [[nodiscard]] Result<Decimal> negate() const;
  [[nodiscard]] Result<Decimal> abs() const;

  // The multiple of `step` nearest in direction `mode` (tick size, lot size).
  // kInvalidArgument when step <= 0 or the result does not fit.
  [[nodiscard]] Result<Decimal> round_to_step(Decimal step, RoundingMode mode) const;

  [[nodiscard]] constexpr bool is_zero() const { return units_ == 0; }
  [[nodiscard]] constexpr bool is_negative() const { return units_ < 0; }
  [[nodiscard]] constexpr bool is_positive() const { return units_ > 0; }

  friend constexpr auto operator<=>(Decimal, Decimal) = default;
  friend constexpr bool operator==(Decimal, Decimal) = default;

 private:
  static bool parse_plain_word(std::string_view text, Decimal& out);

  constexpr explicit Decimal(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

std::ostream& operator<<(std::ostream& out, Decimal value);

namespace decimal_detail {

// The low `count` bytes (0..8) of a word set.
constexpr std::uint64_t low_bytes(std::size_t count) {
  return count >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * count)) - 1;
}

// The high bit of each byte of `word` that is not zero.
constexpr std::uint64_t nonzero_bytes(std::uint64_t word) {
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7F;
  return (((word & kLow7) + kLow7) | word) & ~kLow7;
}

// The high bit of each byte of `word` that is not an ASCII digit.
constexpr std::uint64_t non_digit_bytes(std::uint64_t word) {
  // XOR with '0' maps the digits, and only them, to 0..9; adding 0x76 to the low 7 bits then sets the
  // high bit of every byte above 9 without carrying into the next byte.
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7F;
  const std::uint64_t offset = word ^ 0x3030303030303030;
  return (((offset & kLow7) + 0x7676767676767676) | offset) & ~kLow7;
}

// The number written by 8 bytes of digits or zero bytes (zero bytes count as 0), first in the lowest.
constexpr std::uint64_t eight_digits(std::uint64_t word) {
  word = ((word & 0x0F0F0F0F0F0F0F0F) * (10 * 256 + 1)) >> 8;
  word = ((word & 0x00FF00FF00FF00FF) * (100 * 65536 + 1)) >> 16;
  return ((word & 0x0000FFFF0000FFFF) * ((std::uint64_t{10000} << 32) + 1)) >> 32;
}

}  // namespace decimal_detail

// parse_plain_padded() for 1..8 bytes of text, most prices and sizes: one word.
inline bool Decimal::parse_plain_word(std::string_view text, Decimal& out) {
  constexpr std::uint64_t kDots = 0x2E2E2E2E2E2E2E2E;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  const std::size_t size = text.size();
  const std::uint64_t valid = decimal_detail::low_bytes(size);
  std::uint64_t word = 0;
  std::memcpy(&word, text.data(), sizeof word);
  word &= valid;
  const std::uint64_t dots = ~decimal_detail::nonzero_bytes(word ^ kDots) & valid & kHighBits;
  if ((decimal_detail::non_digit_bytes(word) & valid) != dots || (dots & (dots - 1)) != 0) {
    return false;  // a byte other than a digit or the one dot
  }
  const std::size_t int_length = dots == 0 ? size : static_cast<std::size_t>(std::countr_zero(dots)) / 8;
  if (int_length == 0 || (int_length > 1 && (word & 0xFF) == '0') || int_length + 1 == size) {
    return false;  // ".5", "05", "5."
  }
  const std::uint64_t int_word = word << (8 * (sizeof word - int_length));
  // Without a dot the fraction is 0; with one it has 1..6 digits here, left-aligned before zero bytes.
  const std::uint64_t frac_word = dots == 0 ? 0 : word >> (8 * (int_length + 1));
  out = from_units(static_cast<std::int64_t>(decimal_detail::eight_digits(int_word) * kUnitsPerOne +
                                             decimal_detail::eight_digits(frac_word)));
  return true;
}

inline bool Decimal::parse_plain_padded(std::string_view text, Decimal& out) {
  using decimal_detail::low_bytes;
  constexpr std::size_t kWordBytes = 8;
  const std::size_t size = text.size();
  // Big-endian words, long text and 9 or more integer digits (rare, and one word does not hold them)
  // take the scalar path.
  const auto scalar = [&] {
    const std::optional<Decimal> plain = parse_plain(text);
    if (plain) {
      out = *plain;
    }
    return plain.has_value();
  };
  if constexpr (std::endian::native != std::endian::little) {
    return scalar();
  }
  if (size == 0 || size > 2 * kWordBytes) {
    return scalar();
  }
  if (size <= kWordBytes) {
    return parse_plain_word(text, out);
  }
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  std::memcpy(&low, text.data(), kWordBytes);
  std::memcpy(&high, text.data() + kWordBytes, kWordBytes);
  const std::uint64_t low_valid = low_bytes(size);
  const std::uint64_t high_valid = size > kWordBytes ? low_bytes(size - kWordBytes) : 0;
  low &= low_valid;
  high &= high_valid;
  constexpr std::uint64_t kDots = 0x2E2E2E2E2E2E2E2E;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  const std::uint64_t low_dots = ~decimal_detail::nonzero_bytes(low ^ kDots) & low_valid & kHighBits;
  const std::uint64_t high_dots = ~decimal_detail::nonzero_bytes(high ^ kDots) & high_valid & kHighBits;
  // Every byte is a digit but for at most one dot.
  if ((decimal_detail::non_digit_bytes(low) & low_valid) != low_dots ||
      (decimal_detail::non_digit_bytes(high) & high_valid) != high_dots ||
      (low_dots != 0 && high_dots != 0) || (low_dots & (low_dots - 1)) != 0 ||
      (high_dots & (high_dots - 1)) != 0) {
    return false;
  }
  std::size_t int_length = size;
  if (low_dots != 0) {
    int_length = static_cast<std::size_t>(std::countr_zero(low_dots)) / 8;
  } else if (high_dots != 0) {
    int_length = kWordBytes + static_cast<std::size_t>(std::countr_zero(high_dots)) / 8;
  }
  if (int_length > kWordBytes) {
    return scalar();
  }
  const std::size_t frac_length = int_length == size ? 0 : size - int_length - 1;
  if (int_length == 0 || (int_length > 1 && (low & 0xFF) == '0') ||
      (int_length != size && (frac_length == 0 || frac_length > kScale))) {
    return false;
  }
  // The integer digits right-aligned behind zero bytes, the fraction's left-aligned before them: as
  // eight digits, the integer part and the fraction in units of 10^-8.
  const std::uint64_t int_word = low << (8 * (kWordBytes - int_length));
  const std::size_t frac_shift = 8 * (int_length + 1);
  const std::uint64_t frac_word =
      (frac_shift < 64 ? (low >> frac_shift) | (high << (64 - frac_shift)) : high >> (frac_shift - 64)) &
      low_bytes(frac_length);
  out = from_units(static_cast<std::int64_t>(decimal_detail::eight_digits(int_word) * kUnitsPerOne +
                                             decimal_detail::eight_digits(frac_word)));
  return true;
}

}  // namespace kimp

// fmt::format("{}", price) prints to_string(); width and alignment specs work as for strings.
template <>
struct fmt::formatter<kimp::Decimal> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(kimp::Decimal value, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(value.to_string(), ctx);
  }
};
