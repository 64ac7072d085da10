// Decimal: exact signed fixed-point money type (int64 units of 10^-8) with checked arithmetic.
#pragma once

#include <compare>
#include <cstdint>
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
  constexpr explicit Decimal(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

std::ostream& operator<<(std::ostream& out, Decimal value);

}  // namespace kimp

// fmt::format("{}", price) prints to_string(); width and alignment specs work as for strings.
template <>
struct fmt::formatter<kimp::Decimal> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(kimp::Decimal value, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(value.to_string(), ctx);
  }
};
