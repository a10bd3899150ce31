// Go's fmt printing of template values: %v (Sprint, Sprintln, the output
// of actions) and Sprintf with the common verbs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ctl/cli/format.h"
#include "ctl/cli/template_value.h"

namespace berth::ctl::template_internal {
namespace {

// The shortest decimal digits that read back as `value`, in %e form.
std::string ShortestExponent(double value) {
  char buffer[64];
  for (int precision = 0; precision < 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*e", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

// Go's %v of a float64: strconv's shortest 'g', with an exponent when it
// is below -4 or at least 6 (fmt.Println(1e6) prints "1e+06").
std::string GoFloat(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  const std::string e_form = ShortestExponent(value);
  const size_t e = e_form.find('e');
  const int exponent = std::atoi(e_form.c_str() + e + 1);
  std::string mantissa = e_form.substr(0, e);
  if (exponent < -4 || exponent >= 6) {
    const char sign = exponent < 0 ? '-' : '+';
    const int magnitude = std::abs(exponent);
    return absl::StrCat(mantissa, "e", std::string(1, sign),
                        magnitude < 10 ? "0" : "", magnitude);
  }
  // Plain form with exactly the significant digits of the mantissa.
  std::string digits;
  const bool negative = mantissa[0] == '-';
  for (char c : mantissa) {
    if (absl::ascii_isdigit(c)) digits += c;
  }
  std::string out;
  if (exponent < 0) {
    out = absl::StrCat("0.", std::string(-exponent - 1, '0'), digits);
  } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
    out = digits + std::string(exponent + 1 - digits.size(), '0');
  } else {
    out = absl::StrCat(digits.substr(0, exponent + 1), ".",
                       digits.substr(exponent + 1));
  }
  return negative ? "-" + out : out;
}

std::string Number(const Json& json) {
  if (json.is_number_integer()) {
    return json.is_number_unsigned() ? absl::StrCat(json.get<uint64_t>())
                                     : absl::StrCat(json.get<int64_t>());
  }
  return GoFloat(json.get<double>());
}

// The kind of a value inside another: raw JSON stays raw, anything else is
// taken as a struct or pointer.
GoKind Child(GoKind parent) {
  return parent == GoKind::kInterface ? GoKind::kInterface : GoKind::kPointer;
}

struct Spec {
  bool minus = false, plus = false, sharp = false, space = false, zero = false;
  int width = -1, precision = -1;
};

std::string Pad(std::string text, const Spec& spec, bool numeric) {
  const int length = static_cast<int>(text.size());
  if (spec.width <= length) return text;
  const size_t fill = static_cast<size_t>(spec.width - length);
  if (spec.minus) return text + std::string(fill, ' ');
  if (spec.zero && numeric) {
    const size_t sign = (!text.empty() && (text[0] == '-' || text[0] == '+'))
                            ? 1 : 0;
    return text.insert(sign, fill, '0');
  }
  return std::string(fill, ' ') + text;
}

std::string Hex(const Value& value, bool upper) {
  const Json& json = value.json();
  std::string out;
  if (json.is_number_integer()) {
    const int64_t n = json.get<int64_t>();
    out = n < 0 ? absl::StrFormat("-%x", -static_cast<uint64_t>(n))
                : absl::StrFormat("%x", static_cast<uint64_t>(n));
  } else if (json.is_string()) {
    for (unsigned char c : json.get<std::string>()) {
      out += absl::StrFormat("%02x", c);
    }
  } else {
    return absl::StrCat("%!", upper ? "X" : "x", "(", TypeName(value), "=",
                        Print(value), ")");
  }
  return upper ? absl::AsciiStrToUpper(out) : out;
}

// One verb applied to one value, as fmt does for the kinds JSON has.
std::string FormatOne(char verb, const Spec& spec, const Value& value) {
  const Json& json = value.json();
  auto bad = [&] {
    return absl::StrCat("%!", std::string(1, verb), "(", TypeName(value), "=",
                        Print(value), ")");
  };
  switch (verb) {
    case 'v':
    case 's': {
      if (verb == 's' && json.is_number()) return bad();
      std::string text = Print(value);
      if (spec.precision >= 0 && json.is_string() &&
          text.size() > static_cast<size_t>(spec.precision)) {
        text.resize(spec.precision);
      }
      if (spec.plus && json.is_number() && !text.empty() && text[0] != '-') {
        text = "+" + text;
      }
      return Pad(text, spec, json.is_number());
    }
    case 'q':
      if (json.is_string()) return Pad(GoQuote(json.get<std::string>()), spec, false);
      if (json.is_number_integer()) {
        std::string one;
        const int64_t code = json.get<int64_t>();
        if (code >= 0x20 && code < 0x7f) {
          return Pad(absl::StrCat("'", std::string(1, static_cast<char>(code)),
                                  "'"), spec, false);
        }
      }
      return bad();
    case 'd': {
      if (!json.is_number_integer()) return bad();
      std::string text = Number(json);
      if (spec.plus && text[0] != '-') text = "+" + text;
      if (spec.space && text[0] != '-') text = " " + text;
      return Pad(text, spec, true);
    }
    case 'x':
    case 'X': {
      std::string text = Hex(value, verb == 'X');
      if (spec.sharp && json.is_number_integer()) {
        text = (verb == 'x' ? "0x" : "0X") + text;
      }
      return Pad(text, spec, json.is_number());
    }
    case 'o':
    case 'b': {
      if (!json.is_number_integer()) return bad();
      const int64_t n = json.get<int64_t>();
      const uint64_t magnitude = n < 0 ? -static_cast<uint64_t>(n) : n;
      std::string digits;
      const unsigned base = verb == 'o' ? 8 : 2;
      for (uint64_t m = magnitude; m > 0 || digits.empty(); m /= base) {
        digits.insert(digits.begin(), static_cast<char>('0' + m % base));
      }
      return Pad((n < 0 ? "-" : "") + digits, spec, true);
    }
    case 'c':
      if (!json.is_number_integer()) return bad();
      return Pad(std::string(1, static_cast<char>(json.get<int64_t>())), spec,
                 false);
    case 't':
      if (!json.is_boolean()) return bad();
      return Pad(json.get<bool>() ? "true" : "false", spec, false);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (!json.is_number()) return bad();
      const double d = json.get<double>();
      if ((verb == 'g' || verb == 'G') && spec.precision < 0) {
        std::string text = GoFloat(d);
        if (verb == 'G') text = absl::AsciiStrToUpper(text);
        if (spec.plus && d >= 0) text = "+" + text;
        return Pad(text, spec, true);
      }
      const std::string c_format = absl::StrCat(
          "%", spec.plus ? "+" : "", spec.space ? " " : "", ".",
          spec.precision < 0 ? 6 : spec.precision,
          std::string(1, verb == 'F' ? 'f' : verb));
      char buffer[512];
      std::snprintf(buffer, sizeof(buffer), c_format.c_str(), d);
      return Pad(buffer, spec, true);
    }
    default:
      return absl::StrCat("%!", std::string(1, verb), "(", TypeName(value),
                          "=", Print(value), ")");
  }
}

}  // namespace

Value Value::Zero(GoKind kind) {
  switch (kind) {
    case GoKind::kString: return Own(Json(""), kind);
    case GoKind::kEmptyStruct: return Own(Json::object(), kind);
    case GoKind::kInterface: return Value();
    default: return Own(Json(), kind);
  }
}

const Json& Value::Null() {
  static const Json* const kNull = new Json();
  return *kNull;
}

bool IsTrue(const Value& value) {
  if (value.missing()) return false;
  const Json& json = value.json();
  switch (json.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return json.get<bool>();
    case Json::value_t::string: return !json.get_ref<const std::string&>().empty();
    case Json::value_t::array: return !json.empty();
    case Json::value_t::object: return value.is_map() ? !json.empty() : true;
    case Json::value_t::number_float: return json.get<double>() != 0;
    default: return json.is_number() ? json.get<int64_t>() != 0 : true;
  }
}

std::string PrintJson(const Json& json, GoKind kind) {
  switch (json.type()) {
    case Json::value_t::null:
      return kind == GoKind::kSlice ? "[]"
             : kind == GoKind::kMap ? "map[]" : "<nil>";
    case Json::value_t::string: return json.get<std::string>();
    case Json::value_t::boolean: return json.get<bool>() ? "true" : "false";
    case Json::value_t::array: {
      std::vector<std::string> items;
      for (const Json& item : json) items.push_back(PrintJson(item, Child(kind)));
      return absl::StrCat("[", absl::StrJoin(items, " "), "]");
    }
    case Json::value_t::object: {
      if (kind != GoKind::kMap && kind != GoKind::kInterface) {
        std::vector<std::string> fields;
        for (const auto& item : json.items()) {
          fields.push_back(PrintJson(item.value(), Child(kind)));
        }
        return absl::StrCat("{", absl::StrJoin(fields, " "), "}");
      }
      std::map<std::string, std::string> sorted;
      for (const auto& item : json.items()) {
        sorted[item.key()] = PrintJson(item.value(), Child(kind));
      }
      std::vector<std::string> items;
      for (const auto& [key, text] : sorted) {
        items.push_back(absl::StrCat(key, ":", text));
      }
      return absl::StrCat("map[", absl::StrJoin(items, " "), "]");
    }
    default:
      return json.is_number() ? Number(json) : json.dump();
  }
}

std::string Print(const Value& value) {
  if (value.missing()) return "<no value>";
  return PrintJson(value.json(), value.kind());
}

std::string TypeName(const Value& value) {
  if (value.missing()) return "<no value>";
  const Json& json = value.json();
  switch (json.type()) {
    case Json::value_t::null:
      return value.kind() == GoKind::kSlice ? "[]string"
             : value.kind() == GoKind::kMap ? "map[string]string"
                                            : "<nil>";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::array: return "[]interface {}";
    case Json::value_t::object:
      return value.is_map() ? "map[string]interface {}" : "struct";
    case Json::value_t::number_float: return "float64";
    default: return "int";
  }
}

std::string Sprint(const std::vector<Value>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    // fmt adds a space between operands when neither is a string.
    if (i > 0 && !args[i].json().is_string() &&
        !args[i - 1].json().is_string()) {
      out += ' ';
    }
    out += Print(args[i]);
  }
  return out;
}

std::string Sprintln(const std::vector<Value>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += Print(args[i]);
  }
  return out + "\n";
}

std::string Sprintf(absl::string_view format, const std::vector<Value>& args) {
  std::string out;
  size_t next_arg = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    Spec spec;
    ++i;
    for (; i < format.size(); ++i) {
      const char f = format[i];
      if (f == '-') spec.minus = true;
      else if (f == '+') spec.plus = true;
      else if (f == '#') spec.sharp = true;
      else if (f == ' ') spec.space = true;
      else if (f == '0') spec.zero = true;
      else break;
    }
    auto read_number = [&](int* number) {
      if (i < format.size() && format[i] == '*' && next_arg < args.size() &&
          args[next_arg].json().is_number_integer()) {
        *number = static_cast<int>(args[next_arg++].json().get<int64_t>());
        ++i;
        return;
      }
      int n = -1;
      while (i < format.size() && absl::ascii_isdigit(format[i])) {
        n = (n < 0 ? 0 : n * 10) + (format[i++] - '0');
      }
      *number = n;
    };
    read_number(&spec.width);
    if (i < format.size() && format[i] == '.') {
      ++i;
      read_number(&spec.precision);
      if (spec.precision < 0) spec.precision = 0;
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    const char verb = format[i];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next_arg >= args.size()) {
      absl::StrAppend(&out, "%!", std::string(1, verb), "(MISSING)");
      continue;
    }
    out += FormatOne(verb, spec, args[next_arg++]);
  }
  if (next_arg < args.size()) {
    std::vector<std::string> extra;
    for (; next_arg < args.size(); ++next_arg) {
      extra.push_back(absl::StrCat(TypeName(args[next_arg]), "=",
                                   Print(args[next_arg])));
    }
    absl::StrAppend(&out, "%!(EXTRA ", absl::StrJoin(extra, ", "), ")");
  }
  return out;
}


}  // namespace berth::ctl::template_internal
