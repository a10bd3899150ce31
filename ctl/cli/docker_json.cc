#include "ctl/cli/docker_json.h"

#include <map>

namespace berth::ctl {

nlohmann::ordered_json MapOrNull(
    const google::protobuf::Map<std::string, std::string>& map) {
  if (map.empty()) return nullptr;
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, value] : sorted) out[key] = value;
  return out;
}

}  // namespace berth::ctl
