// Result<T>: a value or an Error, with KIMP_TRY / KIMP_TRY_ASSIGN (and KIMP_CO_ in coroutines) for early
// return on failure.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "core/error.hpp"

namespace kimp {

template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(const tl::expected<T, Error>& other)
      : tl::expected<T, Error>(other) {}  // NOLINT(google-explicit-constructor)
  Result(tl::expected<T, Error>&& other)
      : tl::expected<T, Error>(std::move(other)) {}  // NOLINT(google-explicit-constructor)
};

// Success or an Error, for operations with no value.
using Status = Result<void>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message, std::string venue_code = {}) {
  return tl::unexpected<Error>(Error{code, std::move(venue_code), std::move(message)});
}

inline Status ok() {
  return {};
}

}  // namespace kimp

#define KIMP_CONCAT_INNER(a, b) a##b
#define KIMP_CONCAT(a, b) KIMP_CONCAT_INNER(a, b)

// KIMP_TRY(expr): evaluates a Result-returning expression and returns its Error from the
// enclosing function (which must itself return a Result) when it failed.
#define KIMP_TRY(expr)                                                             \
  do {                                                                             \
    auto&& kimp_try_result_ = (expr);                                              \
    if (!kimp_try_result_) {                                                       \
      return ::tl::unexpected<::kimp::Error>(std::move(kimp_try_result_).error()); \
    }                                                                              \
  } while (false)

// KIMP_TRY_ASSIGN(lhs, expr): like KIMP_TRY, and on success moves the value into `lhs`
// (which may be a declaration: KIMP_TRY_ASSIGN(auto price, Decimal::parse(text))).
#define KIMP_TRY_ASSIGN(lhs, expr) KIMP_TRY_ASSIGN_IMPL(KIMP_CONCAT(kimp_try_value_, __LINE__), lhs, expr)
#define KIMP_TRY_ASSIGN_IMPL(tmp, lhs, expr)                        \
  auto tmp = (expr);                                                \
  if (!tmp) {                                                       \
    return ::tl::unexpected<::kimp::Error>(std::move(tmp).error()); \
  }                                                                 \
  lhs = std::move(*tmp)

// KIMP_CO_TRY(expr) and KIMP_CO_TRY_ASSIGN(lhs, expr): the same inside a coroutine returning an awaitable
// of a Result (co_return instead of return). `expr` may itself contain co_await.
#define KIMP_CO_TRY(expr)                                                             \
  do {                                                                                \
    auto&& kimp_try_result_ = (expr);                                                 \
    if (!kimp_try_result_) {                                                          \
      co_return ::tl::unexpected<::kimp::Error>(std::move(kimp_try_result_).error()); \
    }                                                                                 \
  } while (false)

#define KIMP_CO_TRY_ASSIGN(lhs, expr) \
  KIMP_CO_TRY_ASSIGN_IMPL(KIMP_CONCAT(kimp_try_value_, __LINE__), lhs, expr)
#define KIMP_CO_TRY_ASSIGN_IMPL(tmp, lhs, expr)                        \
  auto tmp = (expr);                                                   \
  if (!tmp) {                                                          \
    co_return ::tl::unexpected<::kimp::Error>(std::move(tmp).error()); \
  }                                                                    \
  lhs = std::move(*tmp)
