#include "engine/core/id_number.h"

#include <algorithm>
#include <cctype>

#include "engine/core/fields.h"

namespace dixian::engine {
namespace {

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr const char kCheck[] = "10X98765432";

// Province-level codes of GB/T 2260 (the first two digits of every region code).
bool KnownProvince(int code) {
  static constexpr int kProvinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36,
                                       37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
                                       63, 64, 65, 71, 81, 82};
  return std::find(std::begin(kProvinces), std::end(kProvinces), code) != std::end(kProvinces);
}

int Digits(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

char IdCheckCharacter(std::string_view first17) {
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

Result<IdNumberFacts> CheckIdNumber(const std::string& field, const std::string& value,
                                    Instant now, std::string* normalized) {
  if (value.empty()) return MissingField(field);
  std::string id = value;
  if (id.size() == 18 && id[17] == 'x') id[17] = 'X';
  const bool shape = id.size() == 18 &&
                     std::all_of(id.begin(), id.begin() + 17,
                                 [](char c) { return c >= '0' && c <= '9'; }) &&
                     ((id[17] >= '0' && id[17] <= '9') || id[17] == 'X');
  if (!shape) return InvalidField(field, "身份证号码应为 18 位（前 17 位为数字，末位为数字或 X）");
  if (!KnownProvince(Digits(std::string_view(id).substr(0, 2))) ||
      Digits(std::string_view(id).substr(2, 4)) == 0)
    return InvalidField(field, "身份证号码的地址码（前 6 位）不是有效的行政区划代码");
  const std::string date = id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2);
  auto birth = ParseDate(date);
  if (!birth || birth->year < 1900 || DaysFromCivil(*birth) > DaysFromCivil(ChinaDate(now)))
    return InvalidField(field, "身份证号码中的出生日期（第 7 至 14 位）不是有效日期");
  if (IdCheckCharacter(id) != id[17])
    return InvalidField(field, "身份证号码校验码（末位）不正确，请核对后重新填写");
  if (normalized) *normalized = id;
  return IdNumberFacts{birth->year, (id[16] - '0') % 2 == 1};
}

std::string MaskIdNumber(std::string_view id) {
  if (id.size() < 10) return std::string(id.size(), '*');
  return std::string(id.substr(0, 6)) + std::string(id.size() - 10, '*') +
         std::string(id.substr(id.size() - 4));
}

}  // namespace dixian::engine
