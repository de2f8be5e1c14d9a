// Escaping text for HTML and XML: the one rule every page and document Lontar writes follows.
#pragma once

#include <string>
#include <string_view>

namespace lontar {

// `text` with & < > " ' written as &amp; &lt; &gt; &quot; &#39;, safe in an HTML or XML text
// node and in a double- or single-quoted attribute value. Pure.
std::string MarkupEscape(std::string_view text);

}  // namespace lontar
