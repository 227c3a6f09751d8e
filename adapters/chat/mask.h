#pragma once
// Masking of personal numbers in anything sent to chat or logged.
#include <string>
#include <string_view>

namespace dixian::chat {

// "13812341234" -> "138****1234". Anything that is not 11 digits is returned with all but
// its last 4 characters replaced by '*'.
std::string MaskMobile(std::string_view mobile);

// Masks, inside free text, every run of exactly 11 digits starting with '1' (a mainland
// mobile) and every 18-character ID-card number (17 digits + digit or X): the latter keeps
// its first 6 and last 4 characters. Digit runs of other lengths are left alone.
std::string MaskText(std::string_view text);

}  // namespace dixian::chat
