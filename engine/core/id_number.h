#pragma once
// Resident ID numbers (居民身份证号码, GB 11643-1999): 6-digit region, 8-digit birth date,
// 3-digit sequence (odd: male), and an ISO 7064 MOD 11-2 check character (0-9 or X).
#include <string>
#include <string_view>

#include "engine/core/error.h"
#include "engine/core/time.h"

namespace dixian::engine {

struct IdNumberFacts {
  int birth_year = 0;
  bool male = false;
};

// The check character the first 17 digits call for ('0'..'9' or 'X').
char IdCheckCharacter(std::string_view first17);

// Checks an ID number given in `field` ("members[2].id_number"): 18 characters, a plausible
// region (a province code of GB/T 2260), a real birth date not after `now`, the check character.
// A lower-case x is taken as X (`normalized` gets the stored form).
Result<IdNumberFacts> CheckIdNumber(const std::string& field, const std::string& value,
                                    Instant now, std::string* normalized = nullptr);

// "532931********123X": the first 6 and the last 4 characters, '*' between (API.md v2). A value
// shorter than 10 characters is masked whole.
std::string MaskIdNumber(std::string_view id_number);

}  // namespace dixian::engine
