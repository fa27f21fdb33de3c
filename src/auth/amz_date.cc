#include "auth/amz_date.h"

#include <array>

namespace sluice::auth {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int64_t y, int64_t m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads `n` decimal digits at s[pos]; -1 when they are not all digits.
int64_t Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

Result<int64_t> EpochSeconds(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t sec) {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      sec < 0 || sec > 60) {
    return Status::InvalidArgument("no such date and time");
  }
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

// Appends `v` (>= 0) in decimal, zero-padded to `width` digits.
void AppendPadded(std::string* out, int64_t v, size_t width) {
  const std::string digits = std::to_string(v);
  if (digits.size() < width) out->append(width - digits.size(), '0');
  out->append(digits);
}

}  // namespace

Result<int64_t> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
    return Status::InvalidArgument("not yyyymmddThhmmssZ: " + std::string(s));
  }
  return EpochSeconds(Digits(s, 0, 4), Digits(s, 4, 2), Digits(s, 6, 2), Digits(s, 9, 2), Digits(s, 11, 2),
                      Digits(s, 13, 2));
}

Result<int64_t> ParseHttpDate(std::string_view s) {
  // "Www, DD Mon YYYY HH:MM:SS GMT"
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT") {
    return Status::InvalidArgument("not 'Www, DD Mon YYYY HH:MM:SS GMT': " + std::string(s));
  }
  int64_t month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(8, 3) == kMonths[i]) month = static_cast<int64_t>(i) + 1;
  }
  if (month == 0) return Status::InvalidArgument("no such month: " + std::string(s.substr(8, 3)));
  return EpochSeconds(Digits(s, 12, 4), month, Digits(s, 5, 2), Digits(s, 17, 2), Digits(s, 20, 2), Digits(s, 23, 2));
}

std::string FormatAmzDate(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const int64_t secs = t - days * 86400;
  // Inverse of DaysFromCivil.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  std::string out;
  out.reserve(16);
  AppendPadded(&out, y, 4);
  AppendPadded(&out, m, 2);
  AppendPadded(&out, d, 2);
  out.push_back('T');
  AppendPadded(&out, secs / 3600, 2);
  AppendPadded(&out, secs / 60 % 60, 2);
  AppendPadded(&out, secs % 60, 2);
  out.push_back('Z');
  return out;
}

}  // namespace sluice::auth
