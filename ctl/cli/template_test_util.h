// Helpers of the template tests: run a template over JSON and get its text
// or its error message.
#ifndef BERTH_CTL_CLI_TEMPLATE_TEST_UTIL_H_
#define BERTH_CTL_CLI_TEMPLATE_TEST_UTIL_H_

#include <string>

#include "ctl/cli/template.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// A container as Docker's inspect shows it, cut down.
inline nlohmann::ordered_json InspectData() {
  return nlohmann::ordered_json::parse(R"({
    "Id": "abc", "Name": "/web", "Args": ["-c", "ls"], "Count": 3,
    "Ratio": 0.5,
    "State": {"Status": "running", "Running": true, "Pid": 42,
              "ExitCode": 0, "Health": null},
    "Config": {"Labels": {"b": "2", "a": "1", "com.x": "y"},
               "Env": ["A=1", "B=<&>"], "Cmd": null, "Volumes": null,
               "Hostname": ""},
    "HostConfig": {"LogConfig": {"Type": "json-file", "Config": {}},
                   "Binds": null},
    "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "10.0.0.2"},
                                     "alpha": {"IPAddress": "10.1.0.2"}}}
  })");
}

// The template's output, or "ERROR: message".
inline std::string Render(const std::string& text,
                       const nlohmann::ordered_json& data = InspectData(),
                       const TemplateOptions& options = TemplateOptions()) {
  absl::StatusOr<Template> tmpl = Template::Parse(text);
  if (!tmpl.ok()) return "ERROR: " + std::string(tmpl.status().message());
  absl::StatusOr<std::string> out = tmpl->Execute(data, options);
  if (!out.ok()) return "ERROR: " + std::string(out.status().message());
  return *out;
}

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_TEMPLATE_TEST_UTIL_H_
