// Tests of quoting untrusted input inside error messages.
#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kimp {
namespace {

TEST(QuoteInput, ShortTextIsQuotedWhole) {
  EXPECT_EQ(quote_input("abc"), "\"abc\"");
  EXPECT_EQ(quote_input(""), "\"\"");
}

TEST(QuoteInput, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(quote_input("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote_input("line\nnext\x1f"), "\"line\\x0anext\\x1f\"");
}

TEST(QuoteInput, LongTextIsCutAfterFortyBytesAtACharacterBoundary) {
  EXPECT_EQ(quote_input(std::string(50, '9')), "\"" + std::string(40, '9') + "...\"");
  // 39 ASCII bytes then a 3-byte character that would straddle the cut: it is left out whole.
  const std::string text = std::string(39, 'a') + "비트코인";
  EXPECT_EQ(quote_input(text), "\"" + std::string(39, 'a') + "...\"");
}

}  // namespace
}  // namespace kimp
