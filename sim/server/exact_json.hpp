// Exact JSON numbers from Decimals on top of Boost.JSON, which writes doubles in exponent form with
// at most 17 significant digits: Upbit's prices and volumes must reach the client digit for digit.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "core/decimal.hpp"

namespace kimp::sim {

// A placeholder value that serialize_exact() writes as the bare number `value.to_string()`.
boost::json::value exact_number(Decimal value);

// boost::json::serialize, with every exact_number placeholder written as its bare decimal number.
std::string serialize_exact(const boost::json::value& value);

}  // namespace kimp::sim
