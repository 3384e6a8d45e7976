#include "detectors/policy/clock.h"

#include <cstdlib>
#include <ctime>

namespace vigil {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian
// calendar, and free of the time-zone traps of mktime.
Date make_date(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{static_cast<std::int32_t>(era * 146097 + static_cast<int>(doe) - 719468)};
}

namespace {

struct Ymd {
  int y;
  unsigned m, d;
};

Ymd civil(Date date) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(yoe) + era * 400 + (m <= 2), m, d};
}

}  // namespace

std::optional<Date> parse_date(std::string_view t) {
  if (t.size() > 10 && (t[10] == 'T' || t[10] == ' ')) t = t.substr(0, 10);
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const Date date = make_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  const Ymd back = civil(date);  // 2025-02-30 would come back as March: reject it
  if (back.m != static_cast<unsigned>(m) || back.d != static_cast<unsigned>(d)) return std::nullopt;
  return date;
}

std::string to_string(Date d) {
  const Ymd c = civil(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.y, c.m, c.d);
  return buf;
}

Date today() {
  if (const char* now = std::getenv("VIGIL_NOW"); now && *now) {
    if (auto d = parse_date(now)) return *d;
  }
  return Date{static_cast<std::int32_t>(std::time(nullptr) / 86400)};
}

}  // namespace vigil
