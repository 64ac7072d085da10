// The emulator's view of an account's API key, and how the authenticators look one up.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"

namespace kimp::sim {

struct ApiKey {
  std::string account_id;  // the ledger account the key trades for
  std::string secret;
  std::optional<Timestamp> expires_at;  // requests at or after this instant are refused; nullopt: never
};

// The key registered under a public key id (Upbit access key, Bybit API key), or nullptr when none is.
// The pointer is only read during the call that received it.
using ApiKeyLookup = std::function<const ApiKey*(std::string_view key_id)>;

// Who a verified request acts for.
struct Authenticated {
  std::string account_id;
  std::string key_id;

  bool operator==(const Authenticated&) const = default;
};

}  // namespace kimp::sim
