// Tests of Decimal: exact parsing and formatting, checked arithmetic, rounding modes and step rounding.
#include "core/decimal.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/int128.hpp"

namespace kimp {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kSeed = 0x6b696d70'64656331;
constexpr int kIterations = 1'000'000;
constexpr RoundingMode kModes[] = {RoundingMode::kDown, RoundingMode::kUp, RoundingMode::kHalfEven};

Decimal units(std::int64_t raw) {
  return Decimal::from_units(raw);
}

Decimal dec(std::string_view text) {
  const Result<Decimal> parsed = Decimal::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Decimal());
}

std::string_view mode_name(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kDown: return "kDown";
    case RoundingMode::kUp: return "kUp";
    case RoundingMode::kHalfEven: return "kHalfEven";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Parsing and formatting tables

struct ParseCase {
  std::string_view text;
  std::int64_t units;
};

TEST(DecimalParse, ExchangeAndJsonNumberText_ParsesExactly) {
  const ParseCase cases[] = {
      {"0.00000001", 1},
      {"150389000.0", 15'038'900'000'000'000},
      {"1.5e-05", 1'500},
      {"-3.2", -320'000'000},
      {"+7", 700'000'000},
      {"0", 0},
      {"-0", 0},
      {"+0.0", 0},
      {"1E+3", 100'000'000'000},
      {"1e3", 100'000'000'000},
      {"0.100000000000", 10'000'000},
      {".5", 50'000'000},
      {"5.", 500'000'000},
      {"62000.5", 6'200'050'000'000},
      {"0.00012345", 12'345},
      {"0009.5000", 950'000'000},
      {"100e-10", 1},
      {"123.45e2", 1'234'500'000'000},
      {"0.0000000100", 1},
      {"0e999999999", 0},
      {"0.000e-999999999", 0},
      {"1e10", 1'000'000'000'000'000'000},
      {"92233720368.54775807", kMax},
      {"-92233720368.54775808", kMin},
      {"9.2233720368547758070e10", kMax},
      {"9223372036854775807e-8", kMax},
      {"-9223372036854775808e-8", kMin},
      {"-12345e-8", -12'345},
  };
  for (const ParseCase& c : cases) {
    const Result<Decimal> parsed = Decimal::parse(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text << ": " << parsed.error().describe();
    EXPECT_EQ(parsed->units(), c.units) << c.text;
  }
}

struct ParseErrorCase {
  std::string_view text;
  std::string_view message_part;
};

TEST(DecimalParse, MalformedInexactOrOutOfRangeText_ReturnsInvalidArgument) {
  const ParseErrorCase cases[] = {
      {"", "not a decimal number"},
      {"abc", "not a decimal number"},
      {"1.2.3", "not a decimal number"},
      {"--1", "not a decimal number"},
      {"+-1", "not a decimal number"},
      {"1e", "not a decimal number"},
      {"1e+", "not a decimal number"},
      {"e5", "not a decimal number"},
      {".e5", "not a decimal number"},
      {" 1", "not a decimal number"},
      {"1 ", "not a decimal number"},
      {"nan", "not a decimal number"},
      {"inf", "not a decimal number"},
      {"-inf", "not a decimal number"},
      {"0x10", "not a decimal number"},
      {"-", "not a decimal number"},
      {".", "not a decimal number"},
      {"1,5", "not a decimal number"},
      {"1e5.5", "not a decimal number"},
      {"0.000000001", "more than 8 fractional digits"},
      {"1.000000001", "more than 8 fractional digits"},
      {"1.5e-8", "more than 8 fractional digits"},
      {"1e-999999999", "more than 8 fractional digits"},
      {"92233720368.54775808", "out of range"},
      {"-92233720368.54775809", "out of range"},
      {"9223372036854775808e-8", "out of range"},
      {"-9223372036854775809e-8", "out of range"},
      {"100000000000", "out of range"},
      {"1e11", "out of range"},
      {"1e999999999", "out of range"},
      {"1e99999999999999999999999999999999", "out of range"},
      {"-1e999999999", "out of range"},
  };
  for (const ParseErrorCase& c : cases) {
    const Result<Decimal> parsed = Decimal::parse(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text << " parsed as " << *parsed;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_THAT(parsed.error().message, HasSubstr(c.message_part)) << c.text;
  }
}

TEST(DecimalParse, ErrorMessages_QuoteTheInputCutToFortyCharacters) {
  EXPECT_EQ(Decimal::parse("abc").error().message, "not a decimal number: \"abc\"");
  EXPECT_EQ(Decimal::parse("0.000000001").error().message,
            "more than 8 fractional digits, not exact: \"0.000000001\"");
  EXPECT_EQ(Decimal::parse(std::string(50, '9')).error().message,
            fmt::format("decimal out of range: \"{}...\"", std::string(40, '9')));
}

TEST(DecimalParse, HugeDigitStrings_AreJudgedByValueNotLength) {
  // Thousands of insignificant zeros on either side still give an exact, in-range value.
  const std::string padded = std::string(5000, '0') + "12.5" + std::string(5000, '0');
  EXPECT_EQ(Decimal::parse(padded).value(), units(1'250'000'000));
  const std::string long_exponent = "1e-" + std::string(5000, '0') + "8";
  EXPECT_EQ(Decimal::parse(long_exponent).value(), units(1));
}

// ---------------------------------------------------------------------------------------------
// The plain fast paths (parse_plain, parse_plain_padded) against the general path

// The text followed by junk that is neither a digit nor a dot, in a buffer with 16 bytes to spare
// after it, as parse_plain_padded() requires; the junk would change the value if it were read as text.
class PaddedText {
 public:
  explicit PaddedText(std::string_view text, char junk = '7') : buffer_(text.size() + 16, junk) {
    std::copy(text.begin(), text.end(), buffer_.begin());
  }
  [[nodiscard]] std::string_view view() const { return {buffer_.data(), buffer_.size() - 16}; }

 private:
  std::string buffer_;
};

// parse_plain_padded() as an optional; a sentinel in `out` shows that a refusal leaves it untouched.
std::optional<Decimal> padded_parse(const PaddedText& text) {
  const Decimal sentinel = Decimal::from_units(-424242);
  Decimal out = sentinel;
  if (!Decimal::parse_plain_padded(text.view(), out)) {
    EXPECT_EQ(out, sentinel) << text.view();
    return std::nullopt;
  }
  return out;
}

// What the general path makes of `text`: appending "e0" keeps the value and keeps the fast paths,
// which accept no exponent, out of it. Text with an exponent already goes there as it is.
Result<Decimal> general_parse(std::string_view text) {
  if (text.find_first_of("eE") != std::string_view::npos) {
    return Decimal::parse(text);
  }
  return Decimal::parse(std::string(text) + "e0");
}

// parse(), parse_plain() and parse_plain_padded() (with two kinds of junk after the text) agree on
// `text`: the fast paths give parse()'s value or nullopt, and a value only for plain text.
void expect_paths_agree(std::string_view text, bool plain) {
  const Result<Decimal> parsed = Decimal::parse(text);
  const Result<Decimal> general = general_parse(text);
  ASSERT_EQ(parsed.has_value(), general.has_value()) << text;
  if (parsed.has_value()) {
    EXPECT_EQ(*parsed, *general) << text;
  }
  const std::optional<Decimal> fast = Decimal::parse_plain(text);
  EXPECT_EQ(fast.has_value(), plain) << text;
  if (fast.has_value()) {
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*fast, *parsed) << text;
  }
  for (const char junk : {'7', '.'}) {
    EXPECT_EQ(padded_parse(PaddedText(text, junk)), fast) << text << " with " << junk << " after it";
  }
}

TEST(DecimalParsePlain, EdgeCases_AgreeWithTheGeneralPath) {
  const std::pair<std::string_view, bool> cases[] = {
      // Plain text, at the limits of the fast paths.
      {"0", true},
      {"7", true},
      {"0.5", true},
      {"65123.6", true},
      {"0.119625", true},
      {"0.00000001", true},
      {"12345678", true},
      {"12345678.12345678", true},
      {"123456789.5", true},
      {"1234567890", true},
      {"9999999999.99999999", true},
      {"1234567.1234", true},
      {"0.10000000", true},
      // Leading zeros, signs, missing digits on one side of the dot: the general path's.
      {"00", false},
      {"007", false},
      {"0009.5000", false},
      {"01.5", false},
      {"-0", false},
      {"+0", false},
      {"-1.5", false},
      {".5", false},
      {"5.", false},
      {".", false},
      {"", false},
      // More digits than the fast paths take: 11 integer digits, 9 fractional ones.
      {"12345678901", false},
      {"92233720368.54775807", false},
      {"92233720368.54775808", false},
      {"99999999999", false},
      {"100000000000", false},
      {"1.123456789", false},
      {"1.000000000", false},
      {"0.000000001", false},
      {"12345678.123456789", false},
      // Exponents, whitespace and other characters.
      {"1e3", false},
      {"1E+3", false},
      {"1.5e-05", false},
      {"1.5e", false},
      {" 1", false},
      {"1 ", false},
      {"1\t", false},
      {" ", false},
      {"1..5", false},
      {"1.2.3", false},
      {"1,5", false},
      {"0x10", false},
      {"nan", false},
      {"1/2", false},
      {"1:2", false},
      {"12345678:", false},
      {"123456789012345678", false},
      {"1234567890123456789", false},
  };
  for (const auto& [text, plain] : cases) {
    expect_paths_agree(text, plain);
  }
}

TEST(DecimalParsePlain, RandomShortTexts_AgreeWithTheGeneralPath) {
  // Texts of up to 20 characters drawn mostly from digits and the dot, so that plain numbers, near
  // misses and every position of the dot around the 8-byte words all occur.
  constexpr std::string_view kAlphabet = "0123456789012345678901234567890123456789...e-+ /:";
  std::mt19937_64 engine(kSeed);
  int plain = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string text(engine() % 21, '0');
    for (char& c : text) {
      c = kAlphabet[engine() % kAlphabet.size()];
    }
    const Result<Decimal> parsed = Decimal::parse(text);
    const std::optional<Decimal> fast = Decimal::parse_plain(text);
    if (fast.has_value()) {
      ASSERT_TRUE(parsed.has_value()) << text;
      ASSERT_EQ(*fast, *parsed) << text;
    }
    ASSERT_EQ(padded_parse(PaddedText(text, static_cast<char>('0' + engine() % 10))), fast) << text;
    plain += fast.has_value() ? 1 : 0;
  }
  EXPECT_GT(plain, 20'000);  // the draw reaches the fast paths' values, not only their refusals
}

// parse_plain_pair_padded() of two texts gives what parse_plain_padded() gives each, or refuses when
// either is refused, leaving both outputs untouched. Texts of up to 10 characters take both the
// side-by-side path (1..8 bytes each) and the one-at-a-time path.
TEST(DecimalParsePlain, RandomPairs_AgreeWithOneAtATime) {
  constexpr std::string_view kAlphabet = "01234567890123456789012345678901234567890...e-+ /:\x80";
  std::mt19937_64 engine(kSeed);
  const auto draw = [&] {
    std::string text(engine() % 11, '0');
    for (char& c : text) {
      c = kAlphabet[engine() % kAlphabet.size()];
    }
    return text;
  };
  const Decimal sentinel = Decimal::from_units(-424242);
  int both_plain = 0;
  for (int i = 0; i < 300'000; ++i) {
    const std::string first_text = draw();
    const std::string second_text = draw();
    const PaddedText first(first_text, static_cast<char>('0' + engine() % 10));
    const PaddedText second(second_text, engine() % 2 == 0 ? '.' : '5');
    const std::optional<Decimal> first_alone = padded_parse(first);
    const std::optional<Decimal> second_alone = padded_parse(second);
    Decimal first_out = sentinel;
    Decimal second_out = sentinel;
    const bool parsed = Decimal::parse_plain_pair_padded(first.view(), second.view(), first_out, second_out);
    ASSERT_EQ(parsed, first_alone.has_value() && second_alone.has_value())
        << first_text << " " << second_text;
    ASSERT_EQ(first_out, parsed ? *first_alone : sentinel) << first_text << " " << second_text;
    ASSERT_EQ(second_out, parsed ? *second_alone : sentinel) << first_text << " " << second_text;
    both_plain += parsed ? 1 : 0;
  }
  EXPECT_GT(both_plain, 10'000);  // the draw reaches pairs of values, not only refusals
}

struct FormatCase {
  std::int64_t units;
  std::string_view text;
};

TEST(DecimalFormat, ToString_IsShortestExactTextWithoutExponent) {
  const FormatCase cases[] = {
      {0, "0"},
      {-320'000'000, "-3.2"},
      {15'038'900'000'000'000, "150389000"},
      {1, "0.00000001"},
      {-1, "-0.00000001"},
      {-50'000'000, "-0.5"},
      {10'000'000, "0.1"},
      {100'000'001, "1.00000001"},
      {6'200'050'000'000, "62000.5"},
      {kMax, "92233720368.54775807"},
      {kMin, "-92233720368.54775808"},
  };
  for (const FormatCase& c : cases) {
    EXPECT_EQ(units(c.units).to_string(), c.text);
    EXPECT_EQ(Decimal::parse(c.text).value(), units(c.units)) << c.text;
  }
}

TEST(DecimalFormat, FmtAndOstream_PrintToString) {
  EXPECT_EQ(fmt::format("{}", dec("-3.2")), "-3.2");
  EXPECT_EQ(fmt::format("[{:>8}]", dec("62000.5")), "[ 62000.5]");
  std::ostringstream out;
  out << dec("0.00012345");
  EXPECT_EQ(out.str(), "0.00012345");
}

TEST(DecimalFormat, ToDouble_ApproximatesValue) {
  EXPECT_EQ(dec("1.5").to_double(), 1.5);
  EXPECT_DOUBLE_EQ(dec("-0.00000001").to_double(), -1e-8);
  EXPECT_DOUBLE_EQ(dec("150389000").to_double(), 150389000.0);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic tables

TEST(DecimalArithmetic, AddAndSub_AreExact) {
  EXPECT_EQ(dec("0.1").add(dec("0.2")).value(), dec("0.3"));
  EXPECT_EQ(dec("-3.2").add(dec("3.2")).value(), Decimal());
  EXPECT_EQ(dec("62000.5").sub(dec("0.00000001")).value(), dec("62000.49999999"));
  EXPECT_EQ(units(kMin).add(units(kMax)).value(), units(-1));
}

TEST(DecimalArithmetic, AddAndSubOverflow_ReturnInvalidArgumentNamingOperands) {
  const Result<Decimal> sum = units(kMax).add(units(1));
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sum.error().message, "decimal out of range: 92233720368.54775807 + 0.00000001");
  EXPECT_FALSE(units(kMin).add(units(-1)).has_value());
  const Result<Decimal> difference = units(kMin).sub(units(1));
  ASSERT_FALSE(difference.has_value());
  EXPECT_EQ(difference.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(difference.error().message, "decimal out of range: -92233720368.54775808 - 0.00000001");
  EXPECT_FALSE(Decimal().sub(units(kMin)).has_value());
}

struct RoundedCase {
  std::string_view lhs;
  std::string_view rhs;
  RoundingMode mode;
  std::string_view expected;
};

TEST(DecimalArithmetic, Mul_RoundsExactProductWithMode) {
  // 62000.5 × 0.00012345 = 7.653961725, an exact half at the ninth digit.
  const RoundedCase cases[] = {
      {"62000.5", "0.00012345", RoundingMode::kDown, "7.65396172"},
      {"62000.5", "0.00012345", RoundingMode::kUp, "7.65396173"},
      {"62000.5", "0.00012345", RoundingMode::kHalfEven, "7.65396172"},
      {"-62000.5", "0.00012345", RoundingMode::kDown, "-7.65396173"},
      {"-62000.5", "0.00012345", RoundingMode::kUp, "-7.65396172"},
      {"-62000.5", "0.00012345", RoundingMode::kHalfEven, "-7.65396172"},
      {"0.00000015", "0.1", RoundingMode::kHalfEven, "0.00000002"},
      {"0.00000025", "0.1", RoundingMode::kHalfEven, "0.00000002"},
      {"0.00000026", "0.1", RoundingMode::kHalfEven, "0.00000003"},
      {"0.00000001", "0.00000001", RoundingMode::kDown, "0"},
      {"0.00000001", "0.00000001", RoundingMode::kUp, "0.00000001"},
      {"-0.00000001", "0.00000001", RoundingMode::kDown, "-0.00000001"},
      {"150389000", "1.5", RoundingMode::kHalfEven, "225583500"},
      {"92233720368.54775807", "1", RoundingMode::kHalfEven, "92233720368.54775807"},
      {"-92233720368.54775808", "1", RoundingMode::kDown, "-92233720368.54775808"},
  };
  for (const RoundedCase& c : cases) {
    const Result<Decimal> product = dec(c.lhs).mul(dec(c.rhs), c.mode);
    ASSERT_TRUE(product.has_value()) << c.lhs << " * " << c.rhs;
    EXPECT_EQ(product->to_string(), c.expected) << c.lhs << " * " << c.rhs << " " << mode_name(c.mode);
  }
}

TEST(DecimalArithmetic, Div_RoundsExactQuotientWithMode) {
  const RoundedCase cases[] = {
      {"1", "3", RoundingMode::kDown, "0.33333333"},
      {"1", "3", RoundingMode::kUp, "0.33333334"},
      {"1", "3", RoundingMode::kHalfEven, "0.33333333"},
      {"2", "3", RoundingMode::kHalfEven, "0.66666667"},
      {"-1", "3", RoundingMode::kDown, "-0.33333334"},
      {"-1", "3", RoundingMode::kUp, "-0.33333333"},
      {"1", "-3", RoundingMode::kDown, "-0.33333334"},
      {"0.00000001", "2", RoundingMode::kHalfEven, "0"},
      {"0.00000003", "2", RoundingMode::kHalfEven, "0.00000002"},
      {"-0.00000003", "2", RoundingMode::kHalfEven, "-0.00000002"},
      {"1", "0.00000001", RoundingMode::kDown, "100000000"},
      {"150389000", "1350.5", RoundingMode::kHalfEven, "111358.0155498"},
      {"150389000", "1350.5", RoundingMode::kDown, "111358.01554979"},
      {"-92233720368.54775808", "2", RoundingMode::kDown, "-46116860184.27387904"},
  };
  for (const RoundedCase& c : cases) {
    const Result<Decimal> quotient = dec(c.lhs).div(dec(c.rhs), c.mode);
    ASSERT_TRUE(quotient.has_value()) << c.lhs << " / " << c.rhs;
    EXPECT_EQ(quotient->to_string(), c.expected) << c.lhs << " / " << c.rhs << " " << mode_name(c.mode);
  }
}

TEST(DecimalArithmetic, MulAndDivOverflowOrDivisionByZero_ReturnInvalidArgument) {
  const Result<Decimal> product = dec("100000").mul(dec("100000000"));
  ASSERT_FALSE(product.has_value());
  EXPECT_EQ(product.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(product.error().message, "decimal out of range: 100000 * 100000000");
  EXPECT_FALSE(units(kMin).mul(dec("-1")).has_value());
  // 1.5 × 61489146912.36517205 is the maximum plus half a unit: only rounding down stays in range
  // (half-even goes up because the maximum's last digit is odd).
  const Decimal just_above = dec("61489146912.36517205");
  EXPECT_EQ(dec("1.5").mul(just_above, RoundingMode::kDown).value(), units(kMax));
  EXPECT_FALSE(dec("1.5").mul(just_above, RoundingMode::kUp).has_value());
  EXPECT_FALSE(dec("1.5").mul(just_above, RoundingMode::kHalfEven).has_value());

  const Result<Decimal> quotient = units(kMax).div(dec("0.5"));
  ASSERT_FALSE(quotient.has_value());
  EXPECT_EQ(quotient.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(quotient.error().message, HasSubstr("out of range"));
  EXPECT_FALSE(units(kMin).div(dec("-1")).has_value());

  const Result<Decimal> by_zero = dec("1").div(Decimal());
  ASSERT_FALSE(by_zero.has_value());
  EXPECT_EQ(by_zero.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(by_zero.error().message, "division by zero: 1 / 0");
}

TEST(DecimalArithmetic, NegateAndAbsOfMinimum_ReturnInvalidArgument) {
  EXPECT_EQ(dec("-3.2").negate().value(), dec("3.2"));
  EXPECT_EQ(dec("-3.2").abs().value(), dec("3.2"));
  EXPECT_EQ(dec("3.2").abs().value(), dec("3.2"));
  EXPECT_EQ(units(kMax).negate().value(), units(-kMax));
  const Result<Decimal> negated = units(kMin).negate();
  ASSERT_FALSE(negated.has_value());
  EXPECT_EQ(negated.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(negated.error().message, HasSubstr("out of range"));
  const Result<Decimal> absolute = units(kMin).abs();
  ASSERT_FALSE(absolute.has_value());
  EXPECT_EQ(absolute.error().code, ErrorCode::kInvalidArgument);
}

TEST(DecimalArithmetic, FromIntegerBeyondRange_ReturnsInvalidArgument) {
  EXPECT_EQ(Decimal::from_integer(7).value(), dec("7"));
  EXPECT_EQ(Decimal::from_integer(92'233'720'368).value(), dec("92233720368"));
  EXPECT_EQ(Decimal::from_integer(-92'233'720'368).value(), dec("-92233720368"));
  for (const std::int64_t value : {std::int64_t{92'233'720'369}, std::int64_t{-92'233'720'369}, kMax, kMin}) {
    const Result<Decimal> converted = Decimal::from_integer(value);
    ASSERT_FALSE(converted.has_value()) << value;
    EXPECT_EQ(converted.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(converted.error().message, fmt::format("decimal out of range: integer {}", value));
  }
}

TEST(DecimalArithmetic, RoundToStep_MovesToMultipleInModeDirection) {
  const RoundedCase cases[] = {
      {"-1.5", "1", RoundingMode::kDown, "-2"},
      {"-1.5", "1", RoundingMode::kUp, "-1"},
      {"-1.5", "1", RoundingMode::kHalfEven, "-2"},
      {"-2.5", "1", RoundingMode::kHalfEven, "-2"},
      {"2.5", "1", RoundingMode::kHalfEven, "2"},
      {"3.5", "1", RoundingMode::kHalfEven, "4"},
      {"62000.53", "0.5", RoundingMode::kDown, "62000.5"},
      {"62000.53", "0.5", RoundingMode::kUp, "62001"},
      {"62000.53", "0.5", RoundingMode::kHalfEven, "62000.5"},
      {"0.00012345", "0.0001", RoundingMode::kHalfEven, "0.0001"},
      {"0.00015", "0.0001", RoundingMode::kHalfEven, "0.0002"},
      {"0.00025", "0.0001", RoundingMode::kHalfEven, "0.0002"},
      {"7", "0.5", RoundingMode::kUp, "7"},
      {"-0.3", "1000", RoundingMode::kDown, "-1000"},
      {"-0.3", "1000", RoundingMode::kUp, "0"},
  };
  for (const RoundedCase& c : cases) {
    const Result<Decimal> rounded = dec(c.lhs).round_to_step(dec(c.rhs), c.mode);
    ASSERT_TRUE(rounded.has_value()) << c.lhs << " step " << c.rhs;
    EXPECT_EQ(rounded->to_string(), c.expected) << c.lhs << " step " << c.rhs << " " << mode_name(c.mode);
  }
}

TEST(DecimalArithmetic, RoundToStepWithBadStepOrOverflow_ReturnsInvalidArgument) {
  for (const std::string_view step : {"0", "-1", "-0.00000001"}) {
    const Result<Decimal> rounded = dec("1.5").round_to_step(dec(step), RoundingMode::kDown);
    ASSERT_FALSE(rounded.has_value()) << step;
    EXPECT_EQ(rounded.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(rounded.error().message, fmt::format("rounding step must be positive, got {}", step));
  }
  const Result<Decimal> up = units(kMax).round_to_step(dec("1"), RoundingMode::kUp);
  ASSERT_FALSE(up.has_value());
  EXPECT_EQ(up.error().message, "decimal out of range: 92233720368.54775807 rounded to step 1");
  EXPECT_FALSE(units(kMin).round_to_step(dec("1"), RoundingMode::kDown).has_value());
  EXPECT_EQ(units(kMax).round_to_step(dec("1"), RoundingMode::kDown).value(), dec("92233720368"));
}

TEST(DecimalCompare, OrdersByValue) {
  EXPECT_LT(dec("1.5"), dec("1.50000001"));
  EXPECT_LT(dec("-2"), dec("-1.99999999"));
  EXPECT_EQ(dec("-0"), Decimal());
  EXPECT_EQ(dec("1.50"), dec("15e-1"));
  EXPECT_GT(units(kMax), units(kMin));
  EXPECT_TRUE(dec("0.1").is_positive());
  EXPECT_TRUE(dec("-0.1").is_negative());
  EXPECT_TRUE(dec("0.0").is_zero());
}

// ---------------------------------------------------------------------------------------------
// Property tests over random values of every magnitude, against an independent 128-bit reference

// Random unit counts whose digit count is uniform, so that dust, prices, notionals and the int64
// extremes all occur often (uniform int64 values would almost all have 18-19 digits).
class RandomUnits {
 public:
  explicit RandomUnits(std::uint64_t seed) : engine_(seed) {}

  // A signed value with 1..max_digits digits; with max_digits 19 also the edge values.
  std::int64_t next(int max_digits = 19) {
    constexpr std::int64_t kEdges[] = {0, 1, -1, kMin, kMax, kMin + 1, kMax - 1, Decimal::kUnitsPerOne};
    if (max_digits == 19 && engine_() % 64 == 0) {
      return kEdges[engine_() % std::size(kEdges)];
    }
    const auto magnitude = static_cast<std::int64_t>(next_magnitude(max_digits));
    return engine_() % 2 == 0 ? magnitude : -magnitude;
  }

  // A value >= 1 with 1..max_digits digits.
  std::int64_t next_positive(int max_digits = 19) {
    return static_cast<std::int64_t>(std::max<std::uint64_t>(next_magnitude(max_digits), 1));
  }

  std::uint64_t next_raw() { return engine_(); }

 private:
  std::uint64_t next_magnitude(int max_digits) {
    // Modulo draws are slightly biased, which does not matter here and keeps a million draws cheap.
    const std::uint64_t bound = kDigitBounds[engine_() % static_cast<std::uint64_t>(max_digits)];
    return engine_() % (bound + 1);
  }

  // kDigitBounds[d] is the largest magnitude with d + 1 digits (capped at the int64 maximum).
  static constexpr std::array<std::uint64_t, 19> kDigitBounds = [] {
    std::array<std::uint64_t, 19> bounds{};
    std::uint64_t power = 10;
    for (std::size_t digits = 0; digits + 1 < bounds.size(); ++digits, power *= 10) {
      bounds[digits] = power - 1;
    }
    bounds.back() = kMax;
    return bounds;
  }();

  std::mt19937_64 engine_;
};

// Collects disagreements so that a million iterations cost one assertion, yet report an example.
class Mismatches {
 public:
  template <class... Args>
  void record(fmt::format_string<Args...> format, Args&&... args) {
    if (count_++ == 0) {
      first_ = fmt::format(format, std::forward<Args>(args)...);
    }
  }
  [[nodiscard]] std::int64_t count() const { return count_; }
  [[nodiscard]] const std::string& first() const { return first_; }

 private:
  std::int64_t count_ = 0;
  std::string first_;
};

// Reference rounding of numerator / denominator, built on floor division and the remainder
// in [0, denominator) rather than on the sign of a truncated remainder as the implementation is.
Int128 reference_round(Int128 numerator, Int128 denominator, RoundingMode mode) {
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  Int128 floor = numerator / denominator;
  if (floor * denominator > numerator) {
    --floor;
  }
  const Int128 rest = numerator - floor * denominator;
  switch (mode) {
    case RoundingMode::kDown: return floor;
    case RoundingMode::kUp: return rest == 0 ? floor : floor + 1;
    case RoundingMode::kHalfEven:
      if (2 * rest != denominator) {
        return 2 * rest < denominator ? floor : floor + 1;
      }
      return floor % 2 == 0 ? floor : floor + 1;
  }
  return floor;
}

bool fits_int64(Int128 value) {
  return value >= kMin && value <= kMax;
}

// True when `actual` is the reference value, or an overflow error exactly when that does not fit.
bool agrees(const Result<Decimal>& actual, Int128 expected) {
  if (!fits_int64(expected)) {
    return !actual.has_value() && actual.error().code == ErrorCode::kInvalidArgument;
  }
  return actual.has_value() && actual->units() == expected;
}

std::string describe(const Result<Decimal>& result) {
  return result.has_value() ? result->to_string() : result.error().describe();
}

// True for the one canonical spelling of a value: no exponent, no leading zeros, no trailing
// fractional zeros, no "-0". With an exact round trip this pins to_string down completely.
bool is_canonical(std::string_view text, bool negative) {
  if (negative != (!text.empty() && text.front() == '-')) {
    return false;
  }
  const std::string_view digits = negative ? text.substr(1) : text;
  const std::size_t point = digits.find('.');
  const std::string_view whole = digits.substr(0, point);
  if (whole.empty() || (whole.size() > 1 && whole.front() == '0') ||
      whole.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  if (point == std::string_view::npos) {
    return true;
  }
  const std::string_view fraction = digits.substr(point + 1);
  return !fraction.empty() && fraction.size() <= Decimal::kScale && fraction.back() != '0' &&
         fraction.find_first_not_of("0123456789") == std::string_view::npos;
}

TEST(DecimalProperty, ToStringThenParse_RoundTripsExactlyInCanonicalForm) {
  RandomUnits random(kSeed);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    const Decimal value = units(random.next());
    const std::string text = value.to_string();
    if (!is_canonical(text, value.is_negative())) {
      mismatches.record("{} units formatted as {}", value.units(), text);
    }
    const Result<Decimal> parsed = Decimal::parse(text);
    if (!parsed.has_value() || *parsed != value) {
      mismatches.record("{} parsed as {}", text, describe(parsed));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

TEST(DecimalProperty, AddAndSub_AgreeWithReferenceIncludingOverflow) {
  RandomUnits random(kSeed + 1);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    const Decimal a = units(random.next());
    const Decimal b = units(random.next());
    const Result<Decimal> sum = a.add(b);
    if (!agrees(sum, Int128{a.units()} + b.units())) {
      mismatches.record("{} + {} gave {}", a, b, describe(sum));
    }
    const Result<Decimal> difference = a.sub(b);
    if (!agrees(difference, Int128{a.units()} - b.units())) {
      mismatches.record("{} - {} gave {}", a, b, describe(difference));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

TEST(DecimalProperty, MulAndDiv_AgreeWithReferenceInEveryMode) {
  RandomUnits random(kSeed + 2);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    const Decimal a = units(random.next());
    const Decimal b = units(random.next());
    const RoundingMode mode = kModes[random.next_raw() % std::size(kModes)];
    const Result<Decimal> product = a.mul(b, mode);
    if (!agrees(product, reference_round(Int128{a.units()} * b.units(), Decimal::kUnitsPerOne, mode))) {
      mismatches.record("{} * {} {} gave {}", a, b, mode_name(mode), describe(product));
    }
    const Result<Decimal> quotient = a.div(b, mode);
    const bool quotient_ok =
        b.is_zero()
            ? !quotient.has_value()
            : agrees(quotient, reference_round(Int128{a.units()} * Decimal::kUnitsPerOne, b.units(), mode));
    if (!quotient_ok) {
      mismatches.record("{} / {} {} gave {}", a, b, mode_name(mode), describe(quotient));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

struct HalfwayResults {
  Result<Decimal> down;
  Result<Decimal> up;
  Result<Decimal> half_even;
};

// True when the results for a value halfway between `below` and `below + step` are floor,
// ceiling and the neighbour with an even multiple count.
bool rounds_halfway(const HalfwayResults& results, std::int64_t below, std::int64_t step) {
  const std::int64_t even = (below / step) % 2 == 0 ? below : below + step;
  return results.down.has_value() && results.down->units() == below && results.up.has_value() &&
         results.up->units() == below + step && results.half_even.has_value() &&
         results.half_even->units() == even;
}

TEST(DecimalProperty, MulAndDivAtExactHalves_RoundDownUpAndToEven) {
  RandomUnits random(kSeed + 3);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    // (0.5 / d) × ((2r + 1) × d units) = r + 0.5 units for any divisor d of 5×10^7 = 2^7 × 5^8.
    std::int64_t divisor = 1;
    for (auto twos = random.next_raw() % 8; twos > 0; --twos) {
      divisor *= 2;
    }
    for (auto fives = random.next_raw() % 9; fives > 0; --fives) {
      divisor *= 5;
    }
    const std::int64_t product_below = random.next(10);
    const Decimal a = units(Decimal::kUnitsPerOne / 2 / divisor);
    const Decimal b = units((2 * product_below + 1) * divisor);
    const HalfwayResults product{a.mul(b, RoundingMode::kDown), a.mul(b, RoundingMode::kUp),
                                 a.mul(b, RoundingMode::kHalfEven)};
    if (!rounds_halfway(product, product_below, 1)) {
      mismatches.record("{} * {} gave {} / {} / {}", a, b, describe(product.down), describe(product.up),
                        describe(product.half_even));
    }

    // ((2r + 1) × k units) / (±2k) = ±(r + 0.5) units for any whole k.
    const std::int64_t whole = random.next_positive(9);
    const std::int64_t half_count = random.next(9);
    const bool negative_divisor = random.next_raw() % 2 == 0;
    const Decimal dividend = units((2 * half_count + 1) * whole);
    const Decimal divisor_value = units((negative_divisor ? -2 : 2) * whole * Decimal::kUnitsPerOne);
    const HalfwayResults quotient{dividend.div(divisor_value, RoundingMode::kDown),
                                  dividend.div(divisor_value, RoundingMode::kUp),
                                  dividend.div(divisor_value, RoundingMode::kHalfEven)};
    if (!rounds_halfway(quotient, negative_divisor ? -half_count - 1 : half_count, 1)) {
      mismatches.record("{} / {} gave {} / {} / {}", dividend, divisor_value, describe(quotient.down),
                        describe(quotient.up), describe(quotient.half_even));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

TEST(DecimalProperty, RoundToStepAtExactHalves_RoundsDownUpAndToEvenMultiple) {
  RandomUnits random(kSeed + 4);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    // (2k + 1) × h lies exactly between the multiples k × 2h and (k + 1) × 2h.
    const std::int64_t half_step = random.next_positive(9);
    const std::int64_t multiple = random.next(9);
    const Decimal value = units((2 * multiple + 1) * half_step);
    const Decimal step = units(2 * half_step);
    const HalfwayResults rounded{value.round_to_step(step, RoundingMode::kDown),
                                 value.round_to_step(step, RoundingMode::kUp),
                                 value.round_to_step(step, RoundingMode::kHalfEven)};
    if (!rounds_halfway(rounded, multiple * step.units(), step.units())) {
      mismatches.record("{} step {} gave {} / {} / {}", value, step, describe(rounded.down),
                        describe(rounded.up), describe(rounded.half_even));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

TEST(DecimalProperty, RoundToStep_GivesMultipleWithinOneStepInModeDirection) {
  RandomUnits random(kSeed + 5);
  Mismatches mismatches;
  for (int i = 0; i < kIterations; ++i) {
    const Decimal value = units(random.next());
    const Decimal step = units(random.next_positive());
    const RoundingMode mode = kModes[random.next_raw() % std::size(kModes)];
    const Result<Decimal> rounded = value.round_to_step(step, mode);
    if (!agrees(rounded, reference_round(value.units(), step.units(), mode) * step.units())) {
      mismatches.record("{} step {} {} gave {}", value, step, mode_name(mode), describe(rounded));
      continue;
    }
    if (!rounded.has_value()) {
      continue;
    }
    const Int128 moved = Int128{rounded->units()} - value.units();
    const Int128 step_units = step.units();
    bool in_direction = false;
    switch (mode) {
      case RoundingMode::kDown: in_direction = moved <= 0 && -moved < step_units; break;
      case RoundingMode::kUp: in_direction = moved >= 0 && moved < step_units; break;
      case RoundingMode::kHalfEven: in_direction = 2 * moved <= step_units && -2 * moved <= step_units; break;
    }
    if (rounded->units() % step.units() != 0 || !in_direction) {
      mismatches.record("{} step {} {} gave {}", value, step, mode_name(mode), describe(rounded));
    }
  }
  EXPECT_EQ(mismatches.count(), 0) << mismatches.first();
}

}  // namespace
}  // namespace kimp
