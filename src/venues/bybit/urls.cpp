// Category spellings and the derivation of one public stream URL from another.
#include "venues/bybit/urls.hpp"

#include "core/text.hpp"

namespace kimp::venues::bybit {

std::string_view to_string(BybitCategory category) {
  return category == BybitCategory::kSpot ? "spot" : "linear";
}

Result<std::string> public_stream_url(std::string_view configured_public_url, BybitCategory category) {
  for (const std::string_view suffix :
       {std::string_view("/public/linear"), std::string_view("/public/spot")}) {
    if (configured_public_url.ends_with(suffix)) {
      std::string url(configured_public_url.substr(0, configured_public_url.size() - suffix.size()));
      url += "/public/";
      url += to_string(category);
      return url;
    }
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "Bybit public stream URL must end in /public/linear or /public/spot: " +
                        quote_input(configured_public_url));
}

}  // namespace kimp::venues::bybit
