// SecretString: a credential that prints as a mask everywhere; only reveal() hands out the value.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace kimp::config {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}

  // For the code that signs requests or authenticates; never for logs, errors or output.
  [[nodiscard]] const std::string& reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }

  // What every printout shows instead of the value.
  [[nodiscard]] std::string_view mask() const { return value_.empty() ? "<unset>" : "***"; }

  // Streaming would print the value by accident; write mask() or reveal() explicitly.
  friend std::ostream& operator<<(std::ostream& out, const SecretString& secret) = delete;

 private:
  std::string value_;
};

// GoogleTest prints objects without operator<< as raw bytes, which would show a short (inline-stored)
// secret in a failure message; this gives it the mask instead.
// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up.
inline void PrintTo(const SecretString& secret, std::ostream* out) {
  *out << secret.mask();
}

}  // namespace kimp::config

// fmt::format("{}", secret) and log fields print the mask.
template <>
struct fmt::formatter<kimp::config::SecretString> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const kimp::config::SecretString& secret, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(secret.mask(), ctx);
  }
};
