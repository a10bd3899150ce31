#include "services/containerd/logs/json_line.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace berth {
namespace containerd {
namespace logs {

absl::string_view StreamName(Stream stream) {
  return stream == Stream::kStderr ? "stderr" : "stdout";
}

namespace internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i] (which is >= 0x80), or
// 0 if it is invalid (overlong, surrogate, beyond U+10FFFF or cut short).
// Sets *rune to the decoded code point.
size_t Utf8Length(absl::string_view s, size_t i, uint32_t* rune) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k, unsigned lo, unsigned hi) {
    return i + k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1, 0x80, 0xBF)) return 0;
    *rune = ((c & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF)) return 0;
    *rune = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
    if (!cont(1, lo, hi) || !cont(2, 0x80, 0xBF) || !cont(3, 0x80, 0xBF)) {
      return 0;
    }
    *rune = ((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) |
            ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    return 4;
  }
  return 0;
}

void AppendUtf8(uint32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

void AppendDigits(int64_t value, int width, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out->push_back(buf[--n]);
}

// A small cursor over a JSON text.
class JsonCursor {
 public:
  explicit JsonCursor(absl::string_view text) : s_(text) {}

  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' ||
                              s_[i_] == '\r' || s_[i_] == '\n')) {
      ++i_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }
  char Peek() {
    SkipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }

  // Decodes a JSON string; `out` may be null to skip it.
  bool String(std::string* out) {
    if (!Consume('"')) return false;
    while (i_ < s_.size()) {
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' &&
             static_cast<unsigned char>(s_[i_]) >= 0x20) {
        ++i_;
      }
      if (out != nullptr) out->append(s_.data() + start, i_ - start);
      if (i_ == s_.size()) return false;
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') return false;  // raw control character
      if (i_ == s_.size()) return false;
      char e = s_[i_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          uint32_t r;
          if (!Hex4(&r)) return false;
          if (r >= 0xD800 && r <= 0xDBFF) {
            uint32_t low;
            size_t save = i_;
            if (i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u' &&
                (i_ += 2, Hex4(&low)) && low >= 0xDC00 && low <= 0xDFFF) {
              r = 0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00);
            } else {
              i_ = save;
              r = 0xFFFD;
            }
          } else if (r >= 0xDC00 && r <= 0xDFFF) {
            r = 0xFFFD;
          }
          if (out != nullptr) AppendUtf8(r, out);
          continue;
        }
        default:
          return false;
      }
      if (out != nullptr) out->push_back(plain);
    }
    return false;
  }

  // Skips any JSON value.
  bool SkipValue(int depth = 0) {
    if (depth > 64) return false;
    char c = Peek();
    if (c == '"') return String(nullptr);
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++i_;
      if (Consume(close)) return true;
      while (true) {
        if (c == '{' && (!String(nullptr) || !Consume(':'))) return false;
        if (!SkipValue(depth + 1)) return false;
        if (Consume(close)) return true;
        if (!Consume(',')) return false;
      }
    }
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' &&
           s_[i_] != ' ' && s_[i_] != '"') {
      ++i_;
    }
    return i_ > start;
  }

 private:
  bool Hex4(uint32_t* r) {
    if (i_ + 4 > s_.size()) return false;
    *r = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      int v = (h >= '0' && h <= '9')   ? h - '0'
              : (h >= 'a' && h <= 'f') ? h - 'a' + 10
              : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                       : -1;
      if (v < 0) return false;
      *r = *r * 16 + static_cast<uint32_t>(v);
    }
    return true;
  }

  absl::string_view s_;
  size_t i_ = 0;
};

// Reads exactly `width` digits (or 1..width if `exact` is false).
bool Digits(absl::string_view s, size_t* i, int width, bool exact,
            int64_t* value) {
  int n = 0;
  *value = 0;
  while (n < width && *i < s.size() && s[*i] >= '0' && s[*i] <= '9') {
    *value = *value * 10 + (s[*i] - '0');
    ++*i;
    ++n;
  }
  return exact ? n == width : n > 0;
}

}  // namespace

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  auto flush = [&] { out->append(s.data() + start, i - start); };
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '\\' && c != '"' && c != '<' && c != '>' &&
          c != '&') {
        ++i;
        continue;
      }
      flush();
      if (c == '\\' || c == '"') {
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
      } else if (c == '\n') {
        out->append("\\n");
      } else if (c == '\r') {
        out->append("\\r");
      } else {
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
      }
      start = ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t n = Utf8Length(s, i, &rune);
    if (n == 0) {
      flush();
      out->append("\\ufffd");
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      flush();
      out->append(rune == 0x2028 ? "\\u2028" : "\\u2029");
      start = i + n;
    }
    i += n;
  }
  flush();
  out->push_back('"');
}

void AppendRfc3339Nano(absl::Time t, std::string* out) {
  absl::TimeZone::CivilInfo ci = absl::UTCTimeZone().At(t);
  AppendDigits(ci.cs.year(), 4, out);
  out->push_back('-');
  AppendDigits(ci.cs.month(), 2, out);
  out->push_back('-');
  AppendDigits(ci.cs.day(), 2, out);
  out->push_back('T');
  AppendDigits(ci.cs.hour(), 2, out);
  out->push_back(':');
  AppendDigits(ci.cs.minute(), 2, out);
  out->push_back(':');
  AppendDigits(ci.cs.second(), 2, out);
  int64_t nanos = absl::ToInt64Nanoseconds(ci.subsecond);
  if (nanos > 0) {
    int width = 9;
    while (nanos % 10 == 0) {
      nanos /= 10;
      --width;
    }
    out->push_back('.');
    AppendDigits(nanos, width, out);
  }
  out->push_back('Z');
}

void AppendJsonLine(Stream stream, absl::string_view bytes, absl::Time time,
                    std::string* out) {
  out->push_back('{');
  if (!bytes.empty()) {  // Docker omits an empty "log"
    out->append("\"log\":");
    AppendJsonString(bytes, out);
    out->push_back(',');
  }
  out->append("\"stream\":\"");
  out->append(StreamName(stream).data(), StreamName(stream).size());
  out->append("\",\"time\":\"");
  AppendRfc3339Nano(time, out);
  out->append("\"}\n");
}

bool ParseJsonLine(absl::string_view line, LogRecord* record) {
  JsonCursor json(line);
  if (!json.Consume('{')) return false;
  bool have_stream = false, have_time = false;
  record->bytes.clear();
  if (!json.Consume('}')) {
    while (true) {
      std::string key;
      if (!json.String(&key) || !json.Consume(':')) return false;
      if (key == "log") {
        record->bytes.clear();
        if (!json.String(&record->bytes)) return false;
      } else if (key == "stream") {
        std::string stream;
        if (!json.String(&stream)) return false;
        if (stream == "stdout") {
          record->stream = Stream::kStdout;
        } else if (stream == "stderr") {
          record->stream = Stream::kStderr;
        } else {
          return false;
        }
        have_stream = true;
      } else if (key == "time") {
        std::string text, error;
        TimeFields fields;
        if (!json.String(&text) || !ParseTimeFields(text, &fields, &error) ||
            !fields.has_second || !fields.has_zone) {
          return false;
        }
        record->time = TimeFromFields(fields, 0);
        have_time = true;
      } else if (!json.SkipValue()) {
        return false;
      }
      if (json.Consume('}')) break;
      if (!json.Consume(',')) return false;
    }
  }
  return json.AtEnd() && have_stream && have_time;
}

bool ParseTimeFields(absl::string_view s, TimeFields* f, std::string* error) {
  *f = TimeFields();
  size_t i = 0;
  int64_t v = 0;
  auto fail = [&](absl::string_view why) {
    *error = std::string(why);
    return false;
  };
  auto expect = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  if (!Digits(s, &i, 4, true, &f->year)) return fail("expected a 4-digit year");
  if (!expect('-') || !Digits(s, &i, 2, true, &v)) {
    return fail("expected YYYY-MM-DD");
  }
  f->month = static_cast<int>(v);
  if (!expect('-') || !Digits(s, &i, 2, true, &v)) {
    return fail("expected YYYY-MM-DD");
  }
  f->day = static_cast<int>(v);
  if (expect('T')) {
    if (!Digits(s, &i, 2, false, &v)) return fail("expected an hour after T");
    f->hour = static_cast<int>(v);
    f->has_hour = true;
    if (expect(':')) {
      if (!Digits(s, &i, 2, true, &v)) return fail("expected 2-digit minutes");
      f->minute = static_cast<int>(v);
      f->has_minute = true;
      if (expect(':')) {
        if (!Digits(s, &i, 2, true, &v)) {
          return fail("expected 2-digit seconds");
        }
        f->second = static_cast<int>(v);
        f->has_second = true;
        if (expect('.')) {
          int n = 0;
          while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (n < 9) f->nanos = f->nanos * 10 + (s[i] - '0');
            ++n;
            ++i;
          }
          if (n == 0) return fail("expected digits after '.'");
          for (int k = n; k < 9; ++k) f->nanos *= 10;
          f->has_fraction = true;
        }
      }
    }
  }
  if (expect('Z')) {
    f->has_zone = true;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int64_t hh = 0, mm = 0;
    if (!Digits(s, &i, 2, true, &hh) || !expect(':') ||
        !Digits(s, &i, 2, true, &mm)) {
      return fail("expected a zone offset like +07:00");
    }
    if (hh >= 24 || mm >= 60) return fail("time zone offset out of range");
    f->has_zone = true;
    f->zone_offset_seconds = sign * static_cast<int>(hh * 3600 + mm * 60);
  }
  if (i != s.size()) {
    return fail(absl::StrCat("unexpected text \"", s.substr(i), "\""));
  }
  if (f->month < 1 || f->month > 12) return fail("month out of range");
  absl::CivilDay day(f->year, f->month, f->day);
  if (f->day < 1 || day.day() != f->day) return fail("day out of range");
  if (f->hour > 23) return fail("hour out of range");
  if (f->minute > 59) return fail("minute out of range");
  if (f->second > 59) return fail("second out of range");
  return true;
}

absl::Time TimeFromFields(const TimeFields& f, int default_offset_seconds) {
  absl::CivilSecond cs(f.year, f.month, f.day, f.hour, f.minute, f.second);
  int offset = f.has_zone ? f.zone_offset_seconds : default_offset_seconds;
  return absl::FromCivil(cs, absl::UTCTimeZone()) - absl::Seconds(offset) +
         absl::Nanoseconds(f.nanos);
}

}  // namespace internal
}  // namespace logs
}  // namespace containerd
}  // namespace berth
