// Docker's seccomp JSON profile format (moby's profiles/seccomp types),
// resolved for one container's capabilities and the running host.
#include <errno.h>
#include <linux/seccomp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/seccomp.h"
#include "services/containerd/security/seccomp_profile.h"

namespace berth::containerd::security {
namespace {

using Json = nlohmann::json;

absl::Status Error(const std::string& path, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("seccomp profile: ", path, ": ", message));
}

std::string Join(const std::string& path, const char* key) {
  return path.empty() ? key : absl::StrCat(path, ".", key);
}

// Go's encoding/json, which Docker uses, treats absent and null alike.
const Json* Find(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::Status GetString(const Json& object, const char* key,
                       const std::string& path, std::string* out) {
  const Json* value = Find(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) return Error(Join(path, key), "must be a string");
  *out = value->get<std::string>();
  return absl::OkStatus();
}

absl::Status GetStrings(const Json& object, const char* key,
                        const std::string& path,
                        std::vector<std::string>* out) {
  const Json* value = Find(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_array()) {
    return Error(Join(path, key), "must be an array of strings");
  }
  for (const Json& item : *value) {
    if (!item.is_string()) {
      return Error(Join(path, key), "must be an array of strings");
    }
    out->push_back(item.get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> GetUint(const Json& object,
                                                const char* key,
                                                const std::string& path) {
  const Json* value = Find(object, key);
  if (value == nullptr) return std::optional<uint64_t>();
  if (value->is_number_unsigned()) return value->get<uint64_t>();
  return Error(Join(path, key), "must be a non-negative integer");
}

// "SCMP_ACT_ERRNO" with errnoRet into libseccomp's action value.
absl::StatusOr<uint32_t> ParseAction(const std::string& name,
                                     std::optional<uint64_t> errno_ret,
                                     const std::string& path) {
  if (errno_ret && *errno_ret > 0xffff) {
    return Error(path,
                 absl::StrCat("errnoRet ", *errno_ret, " is out of range"));
  }
  const uint16_t ret = static_cast<uint16_t>(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(ret);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
    return SCMP_ACT_KILL_THREAD;
  }
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(ret);
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") {
    return Error(path,
                 "SCMP_ACT_NOTIFY needs a seccomp agent, which berth "
                 "does not support");
  }
  return Error(path, absl::StrCat("unknown action \"", name, "\""));
}

absl::StatusOr<scmp_compare> ParseOp(const std::string& name,
                                     const std::string& path) {
  static const std::pair<const char*, scmp_compare> kOps[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (const auto& [op_name, op] : kOps) {
    if (name == op_name) return op;
  }
  return Error(path, absl::StrCat("unknown operator \"", name, "\""));
}

// "SCMP_ARCH_X86_64" -> libseccomp's token.
absl::StatusOr<uint32_t> ParseArch(const std::string& name,
                                   const std::string& path) {
  std::string token = name;
  if (absl::StartsWith(token, "SCMP_ARCH_")) token = token.substr(10);
  absl::AsciiStrToLower(&token);
  uint32_t arch = seccomp_arch_resolve_name(token.c_str());
  if (arch == 0) {
    return Error(path, absl::StrCat("unknown architecture \"", name, "\""));
  }
  return arch;
}

// Docker matches includes/excludes "arches" against Go's name for the host.
bool IsNativeArchName(const std::string& name) {
#if defined(__x86_64__)
  return name == "amd64" || name == "x86_64";
#elif defined(__aarch64__)
  return name == "arm64" || name == "aarch64";
#else
  return false;
#endif
}

// major * 1000 + minor of "X.Y"; nullopt if malformed.
std::optional<int> ParseKernelVersion(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  int major = 0;
  int minor = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &major) ||
      !absl::SimpleAtoi(parts[1], &minor) || major < 0 || minor < 0 ||
      minor >= 1000) {
    return std::nullopt;
  }
  return major * 1000 + minor;
}

int RunningKernelVersion() {
  struct utsname uts;
  if (uname(&uts) != 0) return 0;
  // "6.1.0-18-amd64": keep the digits of the first two fields.
  int major = 0;
  int minor = 0;
  if (std::sscanf(uts.release, "%d.%d", &major, &minor) != 2) return 0;
  return major * 1000 + minor;
}

struct Condition {
  std::vector<int> caps;
  std::vector<std::string> arches;
  std::optional<int> min_kernel;
};

absl::StatusOr<Condition> ParseCondition(const Json& rule, const char* key,
                                         const std::string& rule_path) {
  Condition condition;
  const Json* value = Find(rule, key);
  if (value == nullptr) return condition;
  const std::string path = Join(rule_path, key);
  if (!value->is_object()) return Error(path, "must be an object");
  std::vector<std::string> cap_names;
  RETURN_IF_ERROR(GetStrings(*value, "caps", path, &cap_names));
  for (const std::string& name : cap_names) {
    absl::StatusOr<int> cap = CapabilityFromName(name);
    if (!cap.ok()) return Error(Join(path, "caps"), cap.status().message());
    condition.caps.push_back(*cap);
  }
  RETURN_IF_ERROR(GetStrings(*value, "arches", path, &condition.arches));
  std::string min_kernel;
  RETURN_IF_ERROR(GetString(*value, "minKernel", path, &min_kernel));
  if (!min_kernel.empty()) {
    condition.min_kernel = ParseKernelVersion(min_kernel);
    if (!condition.min_kernel) {
      return Error(Join(path, "minKernel"),
                   absl::StrCat("\"", min_kernel,
                                "\" is not a kernel version like \"4.8\""));
    }
  }
  return condition;
}

// Whether a rule applies, with Docker's semantics: includes need every cap
// listed, excludes are triggered by any.
bool Selected(const Condition& includes, const Condition& excludes,
              const std::vector<int>& caps, int kernel) {
  auto has = [&caps](int cap) {
    return std::find(caps.begin(), caps.end(), cap) != caps.end();
  };
  auto native_listed = [](const std::vector<std::string>& arches) {
    return std::any_of(arches.begin(), arches.end(), IsNativeArchName);
  };
  if (!excludes.arches.empty() && native_listed(excludes.arches)) return false;
  if (std::any_of(excludes.caps.begin(), excludes.caps.end(), has)) {
    return false;
  }
  if (excludes.min_kernel && kernel >= *excludes.min_kernel) return false;
  if (!includes.arches.empty() && !native_listed(includes.arches)) {
    return false;
  }
  if (!std::all_of(includes.caps.begin(), includes.caps.end(), has)) {
    return false;
  }
  if (includes.min_kernel && kernel < *includes.min_kernel) return false;
  return true;
}

absl::Status ParseArches(const Json& root, internal::Profile* profile) {
  std::vector<std::string> arches;
  RETURN_IF_ERROR(GetStrings(root, "architectures", "", &arches));
  const Json* arch_map = Find(root, "archMap");
  if (!arches.empty() && arch_map != nullptr && !arch_map->empty()) {
    return Error("architectures",
                 "use either \"architectures\" or "
                 "\"archMap\", not both");
  }
  for (const std::string& name : arches) {
    ASSIGN_OR_RETURN(uint32_t arch, ParseArch(name, "architectures"));
    profile->arches.push_back(arch);
  }
  if (arch_map == nullptr) return absl::OkStatus();
  if (!arch_map->is_array()) return Error("archMap", "must be an array");
  const uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i < arch_map->size(); ++i) {
    const Json& entry = (*arch_map)[i];
    const std::string path = absl::StrCat("archMap[", i, "]");
    if (!entry.is_object()) return Error(path, "must be an object");
    std::string main_name;
    std::vector<std::string> sub_names;
    RETURN_IF_ERROR(GetString(entry, "architecture", path, &main_name));
    RETURN_IF_ERROR(GetStrings(entry, "subArchitectures", path, &sub_names));
    ASSIGN_OR_RETURN(uint32_t main,
                     ParseArch(main_name, Join(path, "architecture")));
    std::vector<uint32_t> subs;
    for (const std::string& name : sub_names) {
      ASSIGN_OR_RETURN(uint32_t sub,
                       ParseArch(name, Join(path, "subArchitectures")));
      subs.push_back(sub);
    }
    // Only the host's entry counts: it names what else the host runs.
    if (main != native) continue;
    profile->arches.push_back(main);
    profile->arches.insert(profile->arches.end(), subs.begin(), subs.end());
  }
  return absl::OkStatus();
}

absl::Status ParseFlags(const Json& root, internal::Profile* profile) {
  std::vector<std::string> flags;
  RETURN_IF_ERROR(GetStrings(root, "flags", "", &flags));
  for (const std::string& flag : flags) {
    if (flag == "SECCOMP_FILTER_FLAG_TSYNC") {
      profile->flags |= SECCOMP_FILTER_FLAG_TSYNC;
    } else if (flag == "SECCOMP_FILTER_FLAG_LOG") {
      profile->flags |= SECCOMP_FILTER_FLAG_LOG;
    } else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
      profile->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    } else {
      return Error("flags", absl::StrCat("unknown flag \"", flag, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseArgs(const Json& rule, const std::string& rule_path,
                       std::vector<internal::ArgRule>* args) {
  const Json* value = Find(rule, "args");
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_array())
    return Error(Join(rule_path, "args"), "must be an array");
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& arg = (*value)[i];
    const std::string path = absl::StrCat(rule_path, ".args[", i, "]");
    if (!arg.is_object()) return Error(path, "must be an object");
    internal::ArgRule parsed;
    ASSIGN_OR_RETURN(std::optional<uint64_t> index,
                     GetUint(arg, "index", path));
    if (!index || *index > 5) {
      return Error(Join(path, "index"),
                   "must be 0..5 (syscalls have six "
                   "arguments)");
    }
    parsed.index = static_cast<unsigned int>(*index);
    ASSIGN_OR_RETURN(std::optional<uint64_t> v, GetUint(arg, "value", path));
    ASSIGN_OR_RETURN(std::optional<uint64_t> v2,
                     GetUint(arg, "valueTwo", path));
    parsed.value = v.value_or(0);
    parsed.value_two = v2.value_or(0);
    std::string op;
    RETURN_IF_ERROR(GetString(arg, "op", path, &op));
    ASSIGN_OR_RETURN(parsed.op, ParseOp(op, Join(path, "op")));
    args->push_back(parsed);
  }
  return absl::OkStatus();
}

absl::Status ParseSyscalls(const Json& root, const std::vector<int>& caps,
                           internal::Profile* profile) {
  const Json* syscalls = Find(root, "syscalls");
  if (syscalls == nullptr) return absl::OkStatus();
  if (!syscalls->is_array()) return Error("syscalls", "must be an array");
  const int kernel = RunningKernelVersion();
  for (size_t i = 0; i < syscalls->size(); ++i) {
    const Json& rule = (*syscalls)[i];
    const std::string path = absl::StrCat("syscalls[", i, "]");
    if (!rule.is_object()) return Error(path, "must be an object");
    internal::SyscallRule parsed;
    std::string name;
    RETURN_IF_ERROR(GetString(rule, "name", path, &name));
    RETURN_IF_ERROR(GetStrings(rule, "names", path, &parsed.names));
    if (!name.empty() && !parsed.names.empty()) {
      return Error(path, "use either \"name\" or \"names\", not both");
    }
    if (!name.empty()) parsed.names.push_back(name);
    if (parsed.names.empty())
      return Error(path, "needs \"names\" (the syscalls it is for)");
    std::string action;
    RETURN_IF_ERROR(GetString(rule, "action", path, &action));
    ASSIGN_OR_RETURN(std::optional<uint64_t> errno_ret,
                     GetUint(rule, "errnoRet", path));
    ASSIGN_OR_RETURN(parsed.action,
                     ParseAction(action, errno_ret, Join(path, "action")));
    RETURN_IF_ERROR(ParseArgs(rule, path, &parsed.args));
    ASSIGN_OR_RETURN(Condition includes,
                     ParseCondition(rule, "includes", path));
    ASSIGN_OR_RETURN(Condition excludes,
                     ParseCondition(rule, "excludes", path));
    if (Selected(includes, excludes, caps, kernel)) {
      profile->rules.push_back(std::move(parsed));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SeccompFilter> SeccompProfileFromJson(
    absl::string_view json, const std::vector<int>& caps) {
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("seccomp profile is not valid JSON: ", e.what()));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError("seccomp profile must be a JSON object");
  }
  internal::Profile profile;
  std::string default_action;
  RETURN_IF_ERROR(GetString(root, "defaultAction", "", &default_action));
  if (default_action.empty()) {
    return Error("defaultAction", "is missing (e.g. \"SCMP_ACT_ERRNO\")");
  }
  ASSIGN_OR_RETURN(std::optional<uint64_t> default_errno,
                   GetUint(root, "defaultErrnoRet", ""));
  ASSIGN_OR_RETURN(profile.default_action,
                   ParseAction(default_action, default_errno, "defaultAction"));
  std::string listener;
  RETURN_IF_ERROR(GetString(root, "listenerPath", "", &listener));
  if (!listener.empty()) {
    return Error("listenerPath", "seccomp agents are not supported by berth");
  }
  RETURN_IF_ERROR(ParseArches(root, &profile));
  RETURN_IF_ERROR(ParseFlags(root, &profile));
  RETURN_IF_ERROR(ParseSyscalls(root, caps, &profile));
  return CompileProfile(profile);
}

}  // namespace berth::containerd::security
