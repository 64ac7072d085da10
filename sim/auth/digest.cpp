// Hashes, HMACs and encodings for request signatures, on OpenSSL's one-shot functions.
#include "sim/auth/digest.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace kimp::sim {
namespace {

const EVP_MD* evp_md(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha256: return EVP_sha256();
    case DigestAlgorithm::kSha512: return EVP_sha512();
  }
  throw std::logic_error("unknown DigestAlgorithm");
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string digest(DigestAlgorithm algorithm, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  // Failure here means OpenSSL itself is broken (out of memory, no provider): a bug, not an input error.
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, evp_md(algorithm), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  return {reinterpret_cast<const char*>(out.data()), length};
}

std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  // An empty key would pass a null pointer, which HMAC() treats as "reuse the previous key".
  static constexpr unsigned char kEmptyKey = 0;
  const unsigned char* key_bytes = key.empty() ? &kEmptyKey : bytes_of(key);
  if (HMAC(evp_md(algorithm), key_bytes, static_cast<int>(key.size()), bytes_of(data), data.size(),
           out.data(), &length) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return {reinterpret_cast<const char*>(out.data()), length};
}

std::string to_hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4U];
    hex += kDigits[byte & 0x0FU];
  }
  return hex;
}

std::string base64url_encode(std::string_view bytes) {
  std::string encoded((bytes.size() + 2) / 3 * 4, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), bytes_of(bytes),
                                     static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  while (!encoded.empty() && encoded.back() == '=') {
    encoded.pop_back();
  }
  std::replace(encoded.begin(), encoded.end(), '+', '-');
  std::replace(encoded.begin(), encoded.end(), '/', '_');
  return encoded;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // EVP_DecodeBlock reads the standard alphabet in padded blocks of four; whatever it tolerates beyond
  // canonical base64url (whitespace, '+', '/', '=') fails the round trip below.
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  std::string decoded(standard.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()), bytes_of(standard),
                                     static_cast<int>(standard.size()));
  if (length < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the zero bytes the padding stands for.
  decoded.resize(static_cast<std::size_t>(length) - padding);
  if (base64url_encode(decoded) != text) {
    return std::nullopt;
  }
  return decoded;
}

bool constant_time_equal(std::string_view left, std::string_view right) {
  return left.size() == right.size() && CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

}  // namespace kimp::sim
