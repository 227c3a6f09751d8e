#include "adapters/chat/crypto/ciphers.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>

#include "adapters/chat/signer.h"

namespace dixian::chat::crypto {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<std::string> Cbc(bool encrypt, std::string_view key, std::string_view iv,
                               std::string_view data) {
  if (key.size() != 32 || iv.size() != 16 || data.size() % 16 != 0) return std::nullopt;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, Bytes(key), Bytes(iv),
                                encrypt ? 1 : 0) != 1) {
    return std::nullopt;
  }
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::string out(data.size() + 16, '\0');
  int len = 0, tail = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), dst, &len, Bytes(data), static_cast<int>(data.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), dst + len, &tail) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(len + tail));
  return out;
}

}  // namespace

std::string Sha1Hex(std::string_view data) {
  unsigned char out[SHA_DIGEST_LENGTH];
  SHA1(Bytes(data), data.size(), out);
  return HexLower(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(Bytes(data), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string Sha256Hex(std::string_view data) { return HexLower(Sha256(data)); }

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(text),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() > 1 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::optional<std::string> RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Aes256CbcEncrypt(std::string_view key, std::string_view iv,
                                            std::string_view data) {
  return Cbc(true, key, iv, data);
}

std::optional<std::string> Aes256CbcDecrypt(std::string_view key, std::string_view iv,
                                            std::string_view data) {
  return Cbc(false, key, iv, data);
}

std::string Pkcs7Pad(std::string_view data, std::size_t block) {
  const std::size_t pad = block - data.size() % block;  // 1..block, a whole block when aligned
  std::string out(data);
  out.append(pad, static_cast<char>(pad));
  return out;
}

std::optional<std::string> Pkcs7Unpad(std::string_view data, std::size_t block) {
  if (data.empty() || data.size() % block != 0) return std::nullopt;
  const auto pad = static_cast<unsigned char>(data.back());
  if (pad < 1 || pad > block) return std::nullopt;
  for (std::size_t i = data.size() - pad; i < data.size(); ++i) {
    if (static_cast<unsigned char>(data[i]) != pad) return std::nullopt;
  }
  return std::string(data.substr(0, data.size() - pad));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dixian::chat::crypto
