// Hashes, HMACs and encodings the venues' request signatures are built from (OpenSSL underneath).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kimp::sim {

enum class DigestAlgorithm : std::uint8_t { kSha256, kSha512 };

// The raw digest bytes of `data`.
std::string digest(DigestAlgorithm algorithm, std::string_view data);
// The raw HMAC bytes of `data` keyed with `key`.
std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data);

// Lowercase hex of raw bytes, the form Bybit signatures and Upbit query hashes take.
std::string to_hex(std::string_view bytes);

// Unpadded base64url (RFC 4648 §5), the encoding of JWT segments.
std::string base64url_encode(std::string_view bytes);
// The inverse of base64url_encode. nullopt for any text base64url_encode does not produce: characters
// outside the alphabet, padding, impossible lengths, or non-zero unused trailing bits (so one token
// has exactly one spelling and a flipped low bit in a signature is not silently accepted).
std::optional<std::string> base64url_decode(std::string_view text);

// Equality whose running time does not depend on where the inputs differ, so a forger cannot find
// a valid signature byte by byte from response times.
bool constant_time_equal(std::string_view left, std::string_view right);

}  // namespace kimp::sim
