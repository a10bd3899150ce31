// berth version, berth info: fan out to all four services and print each
// one's answer. A service that does not answer is reported, the others are
// still shown, and the command exits 1.
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/version.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/cli/docker_template.h"
#include "ctl/system/server_info.h"
#include "ctl/system/system_group.h"
#include "ctl/system/system_client.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {
namespace {

using nlohmann::json;

std::vector<ServiceReport> QueryAll(CommandContext& context, bool with_info) {
  std::vector<ServiceReport> reports;
  for (const char* service : kServiceNames) {
    reports.push_back(QueryService(context.connections(), service, with_info));
  }
  return reports;
}

void Line(int indent, const std::string& key, const std::string& value) {
  std::printf("%*s%-14s%s\n", indent, "", (key + ":").c_str(), value.c_str());
}

void PrintVersion(int indent, const types::v1::VersionInfo& v) {
  Line(indent, "Version", v.version());
  Line(indent, "API version", v.api_version());
  Line(indent, "Built with", v.compiler());
  Line(indent, "OS/Arch", absl::StrCat(v.os(), "/", v.arch()));
  if (!v.kernel_version().empty()) Line(indent, "Kernel", v.kernel_version());
}

json VersionJson(const types::v1::VersionInfo& v) {
  json out = {{"Version", v.version()},
              {"ApiVersion", v.api_version()},
              {"Compiler", v.compiler()},
              {"Os", v.os()},
              {"Arch", v.arch()}};
  if (!v.kernel_version().empty()) out["KernelVersion"] = v.kernel_version();
  return out;
}

// "imaged" -> "Images" style labels come from the record kind.
std::string KindLabel(const std::string& kind) {
  if (kind.empty()) return kind;
  std::string label = kind;
  label[0] = static_cast<char>(std::toupper(label[0]));
  return label;
}

// Go-style durations as Docker prints them: "0s", "42s", "3m12s", "26h5m0s".
std::string Uptime(int64_t seconds) {
  if (seconds <= 0) return "0s";
  return absl::FormatDuration(absl::Seconds(seconds));
}

json InfoJson(const ServiceReport& report) {
  json out = {{"Name", report.service}, {"Socket", report.socket}};
  if (!report.status.ok()) {
    out["Status"] = "unreachable";
    out["Error"] = std::string(report.status.message());
    return out;
  }
  const types::v1::ServiceInfo& info = report.info;
  out["Status"] = report.healthy ? "healthy" : "unhealthy";
  out["Version"] = VersionJson(report.version);
  out["Root"] = info.root();
  out["HostProcess"] = info.host_process();
  out["Pid"] = info.pid();
  out["StartedAt"] = absl::FormatTime(
      absl::RFC3339_sec, absl::FromUnixSeconds(info.started_at().seconds()),
      absl::UTCTimeZone());
  out["UptimeSeconds"] = info.uptime_seconds();
  json records = json::object();
  for (const auto& record : info.records()) {
    records[KindLabel(record.kind())] = record.count();
  }
  out["Records"] = records;
  return out;
}

void PrintInfo(const ServiceReport& report) {
  std::printf(" %s:\n", report.service.c_str());
  if (!report.status.ok()) {
    Line(2, "Status", "unreachable");
    Line(2, "Socket", report.socket);
    return;
  }
  const types::v1::ServiceInfo& info = report.info;
  Line(2, "Status", report.healthy ? "healthy" : "unhealthy");
  Line(2, "Socket", report.socket);
  Line(2, "Version",
       absl::StrCat(report.version.version(), " (API ",
                    report.version.api_version(), ")"));
  Line(2, "Process",
       absl::StrCat(info.host_process(), " (pid ", info.pid(), ")"));
  Line(2, "Root", info.root());
  Line(2, "Uptime", Uptime(info.uptime_seconds()));
  for (const auto& record : info.records()) {
    Line(2, KindLabel(record.kind()), absl::StrCat(record.count()));
  }
}

// Reports every service that did not answer on stderr.
void ReportFailures(CommandContext& context,
                    const std::vector<ServiceReport>& reports) {
  for (const ServiceReport& report : reports) {
    if (!report.status.ok()) context.Fail(report.status);
  }
}

bool IsTemplate(const std::string& format) {
  return !format.empty() && format != "json";
}

// A --format template over `document` (Docker's version and info
// formats): a parse error fails with Docker's exit code 64, an execution
// error prints what was printed and fails with 1.
void PrintTemplate(CommandContext& context, const std::string& format,
                   const char* name, const json& document, bool tabwriter) {
  std::string partial;
  bool parse_error = false;
  absl::StatusOr<std::string> out = RenderDocumentTemplate(
      format, name, nlohmann::ordered_json::parse(document.dump()), tabwriter,
      &partial, &parse_error);
  if (out.ok()) {
    std::fputs(out->c_str(), stdout);
    return;
  }
  std::fputs(partial.c_str(), stdout);
  std::fflush(stdout);
  context.Fail(out.status(), parse_error ? kExitTemplateParse : kExitError);
}

// Checks a template before any service is asked, as Docker does.
bool TemplateParses(CommandContext& context, const std::string& format,
                    const char* name) {
  if (!IsTemplate(format)) return true;
  std::string partial;
  bool parse_error = false;
  absl::StatusOr<std::string> out = RenderDocumentTemplate(
      format, name, nlohmann::ordered_json::object(), false, &partial,
      &parse_error);
  if (!parse_error) return true;
  context.Fail(out.status(), kExitTemplateParse);
  return false;
}

// What `version --format TEMPLATE` sees: the --format json document, plus
// Docker's `Server` (the first service that answered, with every service
// as a component) so that `{{.Server.Version}}` works as with Docker.
json VersionDocument(const types::v1::VersionInfo& client,
                     const std::vector<ServiceReport>& reports) {
  json servers = json::array();
  json components = json::array();
  json server = nullptr;
  for (const ServiceReport& report : reports) {
    if (!report.status.ok()) continue;
    json one = VersionJson(report.version);
    one["Name"] = report.service;
    servers.push_back(one);
    json details = VersionJson(report.version);
    details.erase("Version");
    components.push_back({{"Name", report.service},
                          {"Version", report.version.version()},
                          {"Details", details}});
    if (server.is_null()) server = VersionJson(report.version);
  }
  if (!server.is_null()) {
    server["Platform"] = {{"Name", "Berth"}};
    server["Components"] = components;
  }
  return {{"Client", VersionJson(client)},
          {"Server", server},
          {"Servers", servers}};
}

void RunVersion(CommandContext& context, const std::string& format) {
  if (!TemplateParses(context, format, "version")) return;
  const types::v1::VersionInfo client = BuildVersionInfo();
  std::vector<ServiceReport> reports = QueryAll(context, /*with_info=*/false);
  if (IsTemplate(format)) {
    PrintTemplate(context, format, "version", VersionDocument(client, reports),
                  /*tabwriter=*/true);
  } else if (format == "json") {
    json servers = json::array();
    for (const ServiceReport& report : reports) {
      if (!report.status.ok()) continue;
      json server = VersionJson(report.version);
      server["Name"] = report.service;
      servers.push_back(server);
    }
    std::printf("%s\n",
                json({{"Client", VersionJson(client)}, {"Servers", servers}})
                    .dump()
                    .c_str());
  } else {
    std::printf("Client:\n");
    PrintVersion(1, client);
    for (const ServiceReport& report : reports) {
      if (!report.status.ok()) continue;
      std::printf("\nServer: %s\n", report.service.c_str());
      PrintVersion(1, report.version);
    }
  }
  std::fflush(stdout);
  ReportFailures(context, reports);
}

void RunInfo(CommandContext& context, const std::string& format) {
  if (!TemplateParses(context, format, "")) return;
  std::vector<ServiceReport> reports = QueryAll(context, /*with_info=*/true);
  if (!format.empty()) {
    json services = json::array();
    for (const ServiceReport& report : reports) {
      services.push_back(InfoJson(report));
    }
    json out = {{"ClientVersion", kVersion},
                {"RunRoot", context.options.endpoints.run_root},
                {"Services", services}};
    // Docker's keys at the top level, as `docker info --format json` has.
    const nlohmann::ordered_json server = ServerInfoJson(reports);
    for (const auto& [key, value] : server.items()) out[key] = value;
    if (IsTemplate(format)) {
      PrintTemplate(context, format, "", out, /*tabwriter=*/false);
    } else {
      std::printf("%s\n", out.dump().c_str());
    }
  } else {
    std::printf("Client:\n");
    Line(1, "Version", kVersion);
    Line(1, "Run root", context.options.endpoints.run_root);
    std::printf("\n%s", ServerInfoText(ServerInfoJson(reports)).c_str());
    std::printf("\nServices:\n");
    for (const ServiceReport& report : reports) PrintInfo(report);
  }
  std::fflush(stdout);
  ReportFailures(context, reports);
  for (const ServiceReport& report : reports) {
    if (report.status.ok() && !report.healthy) {
      context.Fail(absl::UnavailableError(
          absl::StrCat(report.service, " reports that it is not serving")));
    }
  }
}

// `version` and `info`: each takes -f/--format and fans out to every service.
void AddFanOutCommand(CLI::App& app, CommandContext& context,
                      const std::string& name,
                      void (*run)(CommandContext&, const std::string&)) {
  auto format = std::make_shared<std::string>();
  // The table sets the summary; what matters here is Docker's "accepts no
  // arguments".
  CLI::App* command = AddCommand(
      app, context, name, {absl::StrCat("berth ", name), "[OPTIONS]", name}, 0,
      0, [&context, format, run](const std::vector<std::string>&) {
        run(context, *format);
      });
  command->add_option("-f,--format", *format,
                      "Format output: json or a Go template (default: "
                      "human-readable)");
}

}  // namespace

std::vector<CommandSpec> SystemCommands() {
  return {
      {"version", "system",
       "Show the Berth version of the CLI and of each service",
       [](CLI::App& app, CommandContext& context) {
         AddFanOutCommand(app, context, "version", RunVersion);
       }},
      {"info", "system",
       "Show each service's state: health, uptime, records, paths",
       [](CLI::App& app, CommandContext& context) {
         AddFanOutCommand(app, context, "info", RunInfo);
       }},
  };
}

}  // namespace berth::ctl
