// Decimal: exact signed fixed-point money type (int64 units of 10^-8) with checked arithmetic.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  // parse_plain_padded() of two texts at once, a book level's price and size: true with both set, or
  // false with neither touched. With SSE2 (every x86-64) and both texts of 1..8 bytes, the two are read
  // side by side in one vector register.
  static bool parse_plain_pair_padded(std::string_view first, std::string_view second, Decimal& first_out,
                                      Decimal& second_out);

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
  // parse_plain_padded() for all but the one-word case, out of line so that the call stays small.
  static bool parse_plain_padded_long(std::string_view text, Decimal& out);
#if defined(__SSE2__)
  // parse_plain_pair_padded() for two texts of 1..8 bytes.
  static bool parse_plain_word_pair(std::string_view first, std::string_view second, Decimal& first_out,
                                    Decimal& second_out);
#endif

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

// What 1..8 bytes of text are, given where their first byte that is not a digit lies (`first_stop`,
// the size when every byte is one) and whether there are more such bytes: plain text is digits with at
// most one dot, not ".5", "05" or "5.". The checks are folded into one flag because lengths and dot
// positions vary from one token to the next and a mispredicted branch costs more than the arithmetic.
// The byte at `first_stop` is read even when it lies past the text, in the padding.
struct WordShape {
  std::size_t int_length;
  std::size_t frac_length;
  bool dotted;
  bool refused;
};
inline WordShape word_shape(std::string_view text, std::size_t first_stop, bool several_stops) {
  const bool dotted = first_stop != text.size();
  const std::size_t frac_length = dotted ? text.size() - first_stop - 1 : 0;
  const char at_dot = text.data()[first_stop];
  const char first_digit = text.data()[0];
  const bool refused = several_stops | (dotted & (at_dot != '.')) | (first_stop == 0) |
                       ((first_stop > 1) & (first_digit == '0')) | (dotted & (frac_length == 0));
  return {first_stop, frac_length, dotted, refused};
}

}  // namespace decimal_detail

// parse_plain_padded() for 1..8 bytes of text, most prices and sizes: one word. With a dot, such text
// has at most 7 digits: once the dot is taken out they are one number, in units of the last digit.
inline bool Decimal::parse_plain_word(std::string_view text, Decimal& out) {
  constexpr std::uint64_t kZeros = 0x3030303030303030;
  constexpr std::size_t kWordBytes = 8;
  // The units of the last digit, by the number of fraction digits.
  static constexpr std::array<std::uint64_t, kWordBytes> kUnitsOfLast = {
      100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10};
  const std::size_t size = text.size();
  const std::uint64_t valid = ~std::uint64_t{0} >> (8 * (kWordBytes - size));
  std::uint64_t word = 0;
  std::memcpy(&word, text.data(), sizeof word);
  // Digits as their values 0..9; the bytes that are not digits marked by their high bits.
  const std::uint64_t values = (word ^ kZeros) & valid;
  const std::uint64_t stops = decimal_detail::non_digit_bytes(word) & valid;
  const decimal_detail::WordShape shape = decimal_detail::word_shape(
      text, stops == 0 ? size : static_cast<std::size_t>(std::countr_zero(stops)) / kWordBytes,
      (stops & (stops - 1)) != 0);
  if (shape.refused) {
    return false;
  }
  // The dot taken out: the bytes below it stay, the ones above move down by one.
  const std::uint64_t below_dot = (stops >> 7U) - 1;
  const std::uint64_t digits = (values & below_dot) | ((values >> 8U) & ~below_dot);
  const std::size_t digit_count = size - (shape.dotted ? 1 : 0);
  out = from_units(
      static_cast<std::int64_t>(decimal_detail::eight_digits(digits << (8 * (kWordBytes - digit_count))) *
                                kUnitsOfLast[shape.frac_length]));
  return true;
}

inline bool Decimal::parse_plain_padded(std::string_view text, Decimal& out) {
  constexpr std::size_t kWordBytes = 8;
  if constexpr (std::endian::native == std::endian::little) {
    if (text.size() - 1 < kWordBytes) {
      return parse_plain_word(text, out);
    }
  }
  return parse_plain_padded_long(text, out);
}

#if defined(__SSE2__)
inline bool Decimal::parse_plain_word_pair(std::string_view first, std::string_view second,
                                           Decimal& first_out, Decimal& second_out) {
  constexpr std::uint64_t kEveryByte = 0x0101010101010101;
  static constexpr std::array<std::uint64_t, 9> kPowers = {1,       10,        100,        1'000,      10'000,
                                                           100'000, 1'000'000, 10'000'000, 100'000'000};
  // Lane 0 holds the first text, lane 1 the second, each in the 8 bytes of a 64-bit half.
  const auto per_lane = [](std::size_t first_count, std::size_t second_count) {
    const std::uint64_t first_bytes = first_count * kEveryByte;
    const std::uint64_t second_bytes = second_count * kEveryByte;
    return _mm_set_epi64x(static_cast<long long>(second_bytes), static_cast<long long>(first_bytes));
  };
  const __m128i index = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
  const __m128i text = _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(first.data())),
                                          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(second.data())));
  const __m128i valid = _mm_cmpgt_epi8(per_lane(first.size(), second.size()), index);
  // Digits as their values 0..9, every byte past a text 0; any other byte is above 9.
  const __m128i values = _mm_and_si128(_mm_sub_epi8(text, _mm_set1_epi8('0')), valid);
  const __m128i nine = _mm_set1_epi8(9);
  const auto digit_bits =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(values, nine), nine)));
  const unsigned stops = ~digit_bits & static_cast<unsigned>(_mm_movemask_epi8(valid));
  const auto lane = [](std::string_view lane_text, unsigned lane_stops) {
    return decimal_detail::word_shape(
        lane_text,
        lane_stops == 0 ? lane_text.size() : static_cast<std::size_t>(std::countr_zero(lane_stops)),
        (lane_stops & (lane_stops - 1)) != 0);
  };
  constexpr unsigned kLaneBits = 8;
  const decimal_detail::WordShape first_lane = lane(first, stops & ((1U << kLaneBits) - 1));
  const decimal_detail::WordShape second_lane = lane(second, stops >> kLaneBits);
  if (first_lane.refused | second_lane.refused) {
    return false;
  }
  // The dot taken out (the bytes from it on move down by one), then each lane's eight bytes as one
  // number: the digits' value times 10^(8 - digits), which times 10^(integer digits) is in units.
  const __m128i before_dot = _mm_cmpgt_epi8(per_lane(first_lane.int_length, second_lane.int_length), index);
  const __m128i digits = _mm_or_si128(_mm_and_si128(before_dot, values),
                                      _mm_andnot_si128(before_dot, _mm_srli_epi64(values, 8)));
  const __m128i pairs =
      _mm_add_epi16(_mm_mullo_epi16(_mm_and_si128(digits, _mm_set1_epi16(0xFF)), _mm_set1_epi16(10)),
                    _mm_srli_epi16(digits, 8));
  const __m128i quads = _mm_madd_epi16(pairs, _mm_set1_epi32((1 << 16) | 100));
  const __m128i eights =
      _mm_add_epi64(_mm_mul_epu32(quads, _mm_set1_epi32(10'000)), _mm_srli_epi64(quads, 32));
  const auto lane_value = [](__m128i lane_eights, std::size_t int_length) {
    return from_units(static_cast<std::int64_t>(static_cast<std::uint64_t>(_mm_cvtsi128_si64(lane_eights)) *
                                                kPowers[int_length]));
  };
  first_out = lane_value(eights, first_lane.int_length);
  second_out = lane_value(_mm_unpackhi_epi64(eights, eights), second_lane.int_length);
  return true;
}
#endif

inline bool Decimal::parse_plain_pair_padded(std::string_view first, std::string_view second,
                                             Decimal& first_out, Decimal& second_out) {
#if defined(__SSE2__)
  constexpr std::size_t kWordBytes = 8;
  if (first.size() - 1 < kWordBytes && second.size() - 1 < kWordBytes) {
    return parse_plain_word_pair(first, second, first_out, second_out);
  }
#endif
  Decimal first_value;
  Decimal second_value;
  if (!parse_plain_padded(first, first_value) || !parse_plain_padded(second, second_value)) {
    return false;
  }
  first_out = first_value;
  second_out = second_value;
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
