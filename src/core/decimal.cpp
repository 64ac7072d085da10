// Decimal parsing, formatting and checked arithmetic with explicit rounding, on 128-bit intermediates.
#include "core/decimal.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "core/int128.hpp"
#include "core/text.hpp"

namespace kimp {
namespace {

constexpr std::int64_t kMinUnits = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxUnits = std::numeric_limits<std::int64_t>::max();

// Larger exponents saturate while parsing: any non-zero value that far from 1 is out of range or
// inexact anyway, and saturating keeps "1e999999999" from overflowing the position arithmetic.
constexpr std::int64_t kExponentLimit = 1'000'000'000'000;
// Parsed units stay below 10^19 (at most 19 digits) so they accumulate in a uint64 without overflow;
// the exact int64 bound is checked afterwards. 10^-8 is power -kScale, so the top power is 10.
constexpr std::int64_t kMaxPower = 18 - Decimal::kScale;

// The syntactic parts of "[sign] digits [. digits] [e|E [sign] digits]".
struct NumberText {
  bool negative = false;
  std::string_view int_digits;
  std::string_view frac_digits;
  std::int64_t exponent = 0;  // saturated at ±kExponentLimit
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The run of ASCII digits at the start of `text`.
std::string_view leading_digits(std::string_view text) {
  std::size_t length = 0;
  while (length < text.size() && is_digit(text[length])) {
    ++length;
  }
  return text.substr(0, length);
}

// Reads an optional '+' or '-' at the front of `text`; true when it was '-'.
bool consume_sign(std::string_view& text) {
  if (text.empty() || (text.front() != '+' && text.front() != '-')) {
    return false;
  }
  const bool negative = text.front() == '-';
  text.remove_prefix(1);
  return negative;
}

// nullopt unless all of `text` is one number with at least one mantissa digit.
std::optional<NumberText> split_number(std::string_view text) {
  NumberText number;
  number.negative = consume_sign(text);
  number.int_digits = leading_digits(text);
  text.remove_prefix(number.int_digits.size());
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    number.frac_digits = leading_digits(text);
    text.remove_prefix(number.frac_digits.size());
  }
  if (number.int_digits.empty() && number.frac_digits.empty()) {
    return std::nullopt;
  }
  if (!text.empty() && (text.front() == 'e' || text.front() == 'E')) {
    text.remove_prefix(1);
    const bool exponent_negative = consume_sign(text);
    const std::string_view exponent_digits = leading_digits(text);
    if (exponent_digits.empty()) {
      return std::nullopt;
    }
    text.remove_prefix(exponent_digits.size());
    std::int64_t magnitude = 0;
    for (const char c : exponent_digits) {
      magnitude = std::min(magnitude * 10 + (c - '0'), kExponentLimit);
    }
    number.exponent = exponent_negative ? -magnitude : magnitude;
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  return number;
}

// `numerator / denominator` rounded with `mode`. Callers keep both far inside the Int128 range
// (|numerator| <= 2^126, denominator != 0), so negating them cannot overflow.
Int128 divide_rounded(Int128 numerator, Int128 denominator, RoundingMode mode) {
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const Int128 quotient = numerator / denominator;
  const Int128 remainder = numerator % denominator;  // truncating division: sign of the numerator
  if (remainder == 0) {
    return quotient;
  }
  const Int128 toward_remainder = remainder < 0 ? -1 : 1;
  switch (mode) {
    case RoundingMode::kDown: return remainder < 0 ? quotient - 1 : quotient;
    case RoundingMode::kUp: return remainder > 0 ? quotient + 1 : quotient;
    case RoundingMode::kHalfEven: {
      const Int128 twice_remainder = 2 * remainder * toward_remainder;
      const bool past_half = twice_remainder > denominator;
      const bool half_and_odd = twice_remainder == denominator && quotient % 2 != 0;
      return past_half || half_and_odd ? quotient + toward_remainder : quotient;
    }
  }
  return quotient;
}

tl::unexpected<Error> out_of_range(std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("decimal out of range: {}", what));
}

// `units` as a Decimal, or kInvalidArgument naming the operation (formatted only on failure).
template <class... Args>
Result<Decimal> narrow(Int128 units, fmt::format_string<Args...> operation, Args&&... args) {
  if (units < kMinUnits || units > kMaxUnits) {
    return out_of_range(fmt::format(operation, std::forward<Args>(args)...));
  }
  return Decimal::from_units(static_cast<std::int64_t>(units));
}

}  // namespace

Result<Decimal> Decimal::from_integer(std::int64_t value) {
  return narrow(Int128{value} * kUnitsPerOne, "integer {}", value);
}

// One pass over the text, the digits accumulated as they are checked. Every text that is an error is
// left to the general path, which says why.
std::optional<Decimal> Decimal::parse_plain(std::string_view text) {
  constexpr std::size_t kMaxIntDigits = 10;  // below 92233720368, the integer part of the maximum
  static constexpr std::array<std::uint64_t, kScale + 1> kPowers = {
      100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  const char* at = text.data();
  const char* const end = at + text.size();
  // Unsigned, so that a run of digits too long for the plain path wraps harmlessly before it is
  // refused by its length.
  std::uint64_t units = 0;
  while (at != end && is_digit(*at)) {
    units = units * 10 + static_cast<std::uint64_t>(*at - '0');
    ++at;
  }
  const auto int_length = static_cast<std::size_t>(at - text.data());
  if (int_length == 0 || int_length > kMaxIntDigits || (int_length > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  std::size_t frac_length = 0;
  if (at != end) {
    if (*at != '.') {
      return std::nullopt;
    }
    const char* const frac_begin = ++at;
    while (at != end && is_digit(*at)) {
      units = units * 10 + static_cast<std::uint64_t>(*at - '0');
      ++at;
    }
    frac_length = static_cast<std::size_t>(at - frac_begin);
    if (at != end || frac_length == 0 || frac_length > kScale) {
      return std::nullopt;
    }
  }
  // At most 18 digits in all: below 10^18, so the units fit an int64.
  return from_units(static_cast<std::int64_t>(units * kPowers[frac_length]));
}

bool Decimal::parse_plain_padded_long(std::string_view text, Decimal& out) {
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
    return parse_plain_word(text, out);  // big-endian words never get here
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

Result<Decimal> Decimal::parse(std::string_view text) {
  if (const std::optional<Decimal> plain = parse_plain(text)) {
    return *plain;
  }
  const std::optional<NumberText> number = split_number(text);
  if (!number) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("not a decimal number: {}", quote_input(text)));
  }
  const std::string_view int_digits = number->int_digits;
  const std::string_view frac_digits = number->frac_digits;

  // Only the digits from the first to the last non-zero one matter. Index them in int_digits
  // followed by frac_digits; the digit at `index` is worth 10^power(index).
  std::size_t first = int_digits.find_first_not_of('0');
  if (first == std::string_view::npos) {
    first = frac_digits.find_first_not_of('0');
    if (first == std::string_view::npos) {
      return Decimal();  // "0", "-0", "0.000e5"
    }
    first += int_digits.size();
  }
  std::size_t last = frac_digits.find_last_not_of('0');
  last = last == std::string_view::npos ? int_digits.find_last_not_of('0') : int_digits.size() + last;
  const auto power = [&](std::size_t index) {
    return static_cast<std::int64_t>(int_digits.size()) - 1 - static_cast<std::int64_t>(index) +
           number->exponent;
  };
  const std::int64_t lowest_power = power(last);
  if (lowest_power < -kScale) {
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("more than {} fractional digits, not exact: {}", kScale, quote_input(text)));
  }
  if (power(first) > kMaxPower) {
    return out_of_range(quote_input(text));
  }

  std::uint64_t magnitude = 0;
  for (std::size_t index = first; index <= last; ++index) {
    const char digit = index < int_digits.size() ? int_digits[index] : frac_digits[index - int_digits.size()];
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(digit - '0');
  }
  for (std::int64_t shift = lowest_power + kScale; shift > 0; --shift) {
    magnitude *= 10;
  }
  // The negative range reaches one unit further than the positive one.
  const std::uint64_t limit = static_cast<std::uint64_t>(kMaxUnits) + (number->negative ? 1 : 0);
  if (magnitude > limit) {
    return out_of_range(quote_input(text));
  }
  // Unsigned negation then conversion is exact modulo 2^64, which also yields the minimum value.
  return Decimal(static_cast<std::int64_t>(number->negative ? 0 - magnitude : magnitude));
}

std::string Decimal::to_string() const {
  // The magnitude is taken in unsigned arithmetic so that the minimum value has one too.
  const std::uint64_t magnitude =
      units_ < 0 ? 0 - static_cast<std::uint64_t>(units_) : static_cast<std::uint64_t>(units_);
  constexpr auto kUnitsPerOneUnsigned = static_cast<std::uint64_t>(kUnitsPerOne);
  std::array<char, 32> buffer{};  // "-92233720368.54775808" needs 21
  char* out = buffer.data();
  if (units_ < 0) {
    *out++ = '-';
  }
  out = std::to_chars(out, buffer.data() + buffer.size(), magnitude / kUnitsPerOneUnsigned).ptr;
  std::uint64_t fraction = magnitude % kUnitsPerOneUnsigned;
  if (fraction != 0) {
    *out++ = '.';
    // Leading zeros are written; stopping once the rest is zero drops the trailing ones.
    for (std::uint64_t place = kUnitsPerOneUnsigned / 10; fraction != 0; place /= 10) {
      *out++ = static_cast<char>('0' + fraction / place);
      fraction %= place;
    }
  }
  return std::string(buffer.data(), out);
}

double Decimal::to_double() const {
  return static_cast<double>(units_) / static_cast<double>(kUnitsPerOne);
}

Result<Decimal> Decimal::add(Decimal other) const {
  return narrow(Int128{units_} + other.units_, "{} + {}", *this, other);
}

Result<Decimal> Decimal::sub(Decimal other) const {
  return narrow(Int128{units_} - other.units_, "{} - {}", *this, other);
}

Result<Decimal> Decimal::mul(Decimal other, RoundingMode mode) const {
  const Int128 product = divide_rounded(Int128{units_} * other.units_, kUnitsPerOne, mode);
  return narrow(product, "{} * {}", *this, other);
}

Result<Decimal> Decimal::div(Decimal other, RoundingMode mode) const {
  if (other.is_zero()) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("division by zero: {} / 0", *this));
  }
  const Int128 quotient = divide_rounded(Int128{units_} * kUnitsPerOne, other.units_, mode);
  return narrow(quotient, "{} / {}", *this, other);
}

Result<Decimal> Decimal::negate() const {
  return narrow(-Int128{units_}, "-({})", *this);
}

Result<Decimal> Decimal::abs() const {
  return is_negative() ? negate() : *this;
}

Result<Decimal> Decimal::round_to_step(Decimal step, RoundingMode mode) const {
  if (!step.is_positive()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("rounding step must be positive, got {}", step));
  }
  const Int128 steps = divide_rounded(units_, step.units_, mode);
  return narrow(steps * step.units_, "{} rounded to step {}", *this, step);
}

std::ostream& operator<<(std::ostream& out, Decimal value) {
  return out << value.to_string();
}

}  // namespace kimp
