// Clock: calendar dates for waiver expiry, and the one place that reads "today" (VIGIL_NOW).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// A calendar date (UTC), as days since 1970-01-01. Dates compare and subtract as integers.
struct Date {
  std::int32_t days = 0;
  auto operator<=>(const Date&) const = default;
};

/// Days from `a` to `b` (positive when b is later).
inline std::int32_t days_between(Date a, Date b) { return b.days - a.days; }

Date make_date(int year, unsigned month, unsigned day);
/// "YYYY-MM-DD" (a longer ISO 8601 timestamp is cut to its date). Rejects impossible dates.
std::optional<Date> parse_date(std::string_view text);
/// "YYYY-MM-DD".
std::string to_string(Date d);

/// Today in UTC, or the date in VIGIL_NOW=YYYY-MM-DD when set (tests and reproducible CI runs).
/// The only function in vigil that reads the current date.
Date today();

}  // namespace vigil
