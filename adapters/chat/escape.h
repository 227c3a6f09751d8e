#pragma once
// Text users typed (a head name, a village name, a comment), made inert inside a platform's
// markup, so that `[核验](https://evil)` cannot become a link, `# 标题` a heading, or
// `<at user_id="all">` a mention. Where a platform documents no escape that every client honours,
// the characters its markup gives meaning to are replaced by their full-width forms, which read
// the same in Chinese text and mean nothing to any renderer: ［核验］（https：//evil）.
#include <string>
#include <string_view>

namespace dixian::chat {

struct InertRules {
  // ASCII characters replaced by their full-width forms wherever they appear.
  std::string_view anywhere;
  // Markers that start a block only at the beginning of a line (heading, quote, list):
  // replaced there (after leading spaces), as is the dot of "1." (an ordered list).
  std::string_view line_start;
  // "://" becomes "：//", so no renderer recognises a URL in the text and links it.
  bool break_urls = true;
};

// Line breaks become spaces: one value never starts a line of its own.
std::string Inert(std::string_view text, const InertRules& rules);

// A URL we put in markup ourselves (a console link), with every character that could end the
// link or open markup there ( ) [ ] < > " ' ` space and controls percent-encoded.
std::string MarkupUrl(std::string_view url);

// The full-width form of a printable ASCII character (U+FF01..U+FF5E), as UTF-8.
std::string FullWidth(char c);

}  // namespace dixian::chat
