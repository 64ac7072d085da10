// USD/KRW from a Dunamu quotation answer (GET /v1/forex/recent?codes=FRX.KRWUSD).
#pragma once

#include <string_view>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::venues::fx {

inline constexpr std::string_view kDunamuUsdKrwCode = "FRX.KRWUSD";

struct DunamuQuote {
  Decimal usd_krw;     // basePrice, exactly as written (KRW per 1 USD)
  Timestamp ts_event;  // the quote's `timestamp` (ms)
  bool operator==(const DunamuQuote&) const = default;
};

// The FRX.KRWUSD entry of the answer, a JSON array of quote objects.
// Errors (all kInvalidArgument, quoting what was wrong): a body that is not a JSON array of objects, no
// FRX.KRWUSD entry (an empty array included), a basePrice missing, not a number, not an exact decimal or
// not positive, or a timestamp missing or not integer milliseconds.
Result<DunamuQuote> parse_dunamu_quote(std::string_view body);

}  // namespace kimp::venues::fx
