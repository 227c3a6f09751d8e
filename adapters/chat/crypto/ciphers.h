#pragma once
// The primitives the platforms' callback schemes are built from (OpenSSL underneath).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dixian::chat::crypto {

std::string Sha1Hex(std::string_view data);
std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Sha256Hex(std::string_view data);
// Standard Base64 with padding; nothing on malformed input.
std::optional<std::string> Base64Decode(std::string_view text);
// `n` bytes from the system's random generator; nothing when it fails (never used unseeded).
std::optional<std::string> RandomBytes(std::size_t n);

// AES-256-CBC without padding: `data` is a multiple of 16 bytes (the caller pads).
std::optional<std::string> Aes256CbcEncrypt(std::string_view key, std::string_view iv,
                                            std::string_view data);
std::optional<std::string> Aes256CbcDecrypt(std::string_view key, std::string_view iv,
                                            std::string_view data);

// PKCS#7 to a multiple of `block` bytes (WeCom pads to 32, Feishu to 16).
std::string Pkcs7Pad(std::string_view data, std::size_t block);
// Checks every padding byte; nothing when the padding is not valid for `block`.
std::optional<std::string> Pkcs7Unpad(std::string_view data, std::size_t block);

// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace dixian::chat::crypto
