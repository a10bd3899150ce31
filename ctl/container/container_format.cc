#include "common/proto_util.h"
#include "ctl/container/container_format.h"
#include "ctl/cli/docker_json.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/cli/format.h"
#include "ctl/cli/docker_template.h"

namespace berth::ctl {
namespace {

using container::v1::ContainerStatus;
using container::v1::ContainerSummary;
using nlohmann::ordered_json;

bool IsSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string Since(const google::protobuf::Timestamp& ts, absl::Time now) {
  return HumanDuration(now - ToTime(ts));
}

std::string SizeText(const ContainerSummary& c) {
  const double rw = static_cast<double>(std::max<int64_t>(c.size_rw(), 0));
  std::string out = HumanSizeWithPrecision(rw, 3);
  if (c.size_root_fs() > 0) {
    absl::StrAppend(&out, " (virtual ",
                    HumanSizeWithPrecision(
                        static_cast<double>(c.size_root_fs()), 3),
                    ")");
  }
  return out;
}

// Docker's IMAGE column: an id shortened, a digest dropped, unless
// --no-trunc.
std::string ImageColumn(const ContainerSummary& c, bool no_trunc) {
  if (c.image().empty()) return "<no image>";
  if (no_trunc) return c.image();
  if (!c.image_id().empty() && TruncateId(c.image_id()) == TruncateId(c.image())) {
    return TruncateId(c.image());
  }
  const size_t at = c.image().find('@');
  return at == std::string::npos ? c.image() : c.image().substr(0, at);
}

// The ps row's methods: Docker's ContainerContext.Label.
TemplateMethods RowMethods(
    const google::protobuf::Map<std::string, std::string>& labels) {
  return LabelMethods({labels.begin(), labels.end()});
}

// Headers of the ps fields, for "table" templates.
ordered_json ListHeader() {
  return ordered_json{{"Command", "COMMAND"},     {"CreatedAt", "CREATED AT"},
                      {"ID", "CONTAINER ID"},     {"Image", "IMAGE"},
                      {"Labels", "LABELS"},       {"LocalVolumes", "LOCAL VOLUMES"},
                      {"Mounts", "MOUNTS"},       {"Names", "NAMES"},
                      {"Networks", "NETWORKS"},   {"Ports", "PORTS"},
                      {"RunningFor", "CREATED"},  {"Size", "SIZE"},
                      {"State", "STATE"},         {"Status", "STATUS"}};
}

}  // namespace

absl::StatusOr<container::v1::ContainerFilter> BuildContainerFilter(
    const std::vector<FilterTerm>& terms) {
  container::v1::ContainerFilter filter;
  for (const FilterTerm& term : terms) {
    const std::string& v = term.value;
    if (term.name == "status") {
      static const std::pair<const char*, ContainerStatus> kStates[] = {
          {"created", container::v1::CONTAINER_STATUS_CREATED},
          {"running", container::v1::CONTAINER_STATUS_RUNNING},
          {"paused", container::v1::CONTAINER_STATUS_PAUSED},
          {"restarting", container::v1::CONTAINER_STATUS_RESTARTING},
          {"removing", container::v1::CONTAINER_STATUS_REMOVING},
          {"exited", container::v1::CONTAINER_STATUS_EXITED},
          {"dead", container::v1::CONTAINER_STATUS_DEAD}};
      bool found = false;
      for (const auto& [name, status] : kStates) {
        if (v == name) {
          filter.add_statuses(status);
          found = true;
        }
      }
      if (!found) return InvalidFilter("status", v);
    } else if (term.name == "name") {
      filter.add_names(v);
    } else if (term.name == "id") {
      filter.add_ids(v);
    } else if (term.name == "label" || term.name == "label!") {
      *filter.add_labels() = ParseLabelFilter(v, term.name == "label!");
    } else if (term.name == "ancestor") {
      filter.add_ancestors(v);
    } else if (term.name == "exited") {
      int32_t code = 0;
      if (!absl::SimpleAtoi(v, &code)) return InvalidFilter("exited", v);
      filter.add_exit_codes(code);
    } else if (term.name == "before") {
      filter.set_before(v);
    } else if (term.name == "since") {
      filter.set_since(v);
    } else if (term.name == "health") {
      using container::v1::Health;
      if (v == "starting") {
        filter.add_health(Health::STATUS_STARTING);
      } else if (v == "healthy") {
        filter.add_health(Health::STATUS_HEALTHY);
      } else if (v == "unhealthy") {
        filter.add_health(Health::STATUS_UNHEALTHY);
      } else if (v == "none") {
        filter.add_health(Health::STATUS_NONE);
      } else {
        return InvalidFilter("health", v);
      }
    } else if (term.name == "network") {
      filter.add_networks(v);
    } else if (term.name == "volume") {
      filter.add_volumes(v);
    } else if (term.name == "publish") {
      filter.add_publish(v);
    } else if (term.name == "expose") {
      filter.add_expose(v);
    } else {
      return InvalidFilter(term.name);
    }
  }
  return filter;
}

std::string StateName(ContainerStatus status) {
  switch (status) {
    case container::v1::CONTAINER_STATUS_CREATED:
      return "created";
    case container::v1::CONTAINER_STATUS_RUNNING:
      return "running";
    case container::v1::CONTAINER_STATUS_PAUSED:
      return "paused";
    case container::v1::CONTAINER_STATUS_RESTARTING:
      return "restarting";
    case container::v1::CONTAINER_STATUS_REMOVING:
      return "removing";
    case container::v1::CONTAINER_STATUS_EXITED:
      return "exited";
    case container::v1::CONTAINER_STATUS_DEAD:
      return "dead";
    default:
      return "unknown";
  }
}

std::string StatusText(const ContainerSummary& c, absl::Time now) {
  using container::v1::Health;
  switch (c.status()) {
    case container::v1::CONTAINER_STATUS_RUNNING: {
      std::string out = absl::StrCat("Up ", Since(c.started_at(), now));
      if (c.health() == Health::STATUS_STARTING) {
        absl::StrAppend(&out, " (health: starting)");
      } else if (c.health() == Health::STATUS_HEALTHY) {
        absl::StrAppend(&out, " (healthy)");
      } else if (c.health() == Health::STATUS_UNHEALTHY) {
        absl::StrAppend(&out, " (unhealthy)");
      }
      return out;
    }
    case container::v1::CONTAINER_STATUS_PAUSED:
      return absl::StrCat("Up ", Since(c.started_at(), now), " (Paused)");
    case container::v1::CONTAINER_STATUS_RESTARTING:
      return absl::StrCat("Restarting (", c.exit_code(), ") ",
                          Since(c.finished_at(), now), " ago");
    case container::v1::CONTAINER_STATUS_REMOVING:
      return "Removal In Progress";
    case container::v1::CONTAINER_STATUS_DEAD:
      return "Dead";
    case container::v1::CONTAINER_STATUS_EXITED:
      if (!IsSet(c.started_at())) return "Created";
      if (!IsSet(c.finished_at())) return "";
      return absl::StrCat("Exited (", c.exit_code(), ") ",
                          Since(c.finished_at(), now), " ago");
    default:
      return "Created";
  }
}

std::string CommandColumn(absl::string_view command, bool no_trunc) {
  return GoQuote(no_trunc ? std::string(command) : Ellipsis(command, 20));
}

std::string PortsText(
    const google::protobuf::RepeatedPtrField<types::v1::PortBinding>& ports) {
  std::vector<std::string> parts;
  for (const types::v1::PortBinding& port : ports) {
    const std::string inside =
        absl::StrCat(port.container_port(), "/", ProtocolName(port.protocol()));
    if (port.host_port() == 0) {
      parts.push_back(inside);
      continue;
    }
    std::string ip = port.host_ip().empty() ? "0.0.0.0" : port.host_ip();
    if (absl::StrContains(ip, ':')) ip = absl::StrCat("[", ip, "]");
    parts.push_back(absl::StrCat(ip, ":", port.host_port(), "->", inside));
  }
  return absl::StrJoin(parts, ", ");
}

absl::StatusOr<std::string> RenderPortList(
    const google::protobuf::RepeatedPtrField<types::v1::PortBinding>& ports,
    const std::string& filter, const std::string& container) {
  std::string wanted = filter;
  if (!wanted.empty() && wanted.find('/') == std::string::npos) {
    absl::StrAppend(&wanted, "/tcp");
  }
  std::vector<std::pair<std::tuple<uint32_t, std::string, std::string, uint32_t>,
                        std::string>>
      lines;
  for (const types::v1::PortBinding& port : ports) {
    if (port.host_port() == 0) continue;  // exposed, not published
    const std::string inside =
        absl::StrCat(port.container_port(), "/", ProtocolName(port.protocol()));
    if (!wanted.empty() && inside != absl::AsciiStrToLower(wanted)) continue;
    const std::string ip = port.host_ip().empty() ? "0.0.0.0" : port.host_ip();
    const std::string host = absl::StrCat(ip, ":", port.host_port());
    lines.push_back({{port.container_port(), ProtocolName(port.protocol()), ip,
                      port.host_port()},
                     wanted.empty() ? absl::StrCat(inside, " -> ", host) : host});
  }
  if (!wanted.empty() && lines.empty()) {
    return absl::NotFoundError(absl::StrCat("Error: No public port '",
                                            absl::AsciiStrToLower(wanted),
                                            "' published for ", container));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& [key, line] : lines) absl::StrAppend(&out, line, "\n");
  return out;
}

ordered_json ContainerRowJson(const ContainerSummary& c, bool no_trunc,
                              absl::Time now, absl::TimeZone zone) {
  std::map<std::string, std::string> labels(c.labels().begin(),
                                            c.labels().end());
  std::vector<std::string> label_parts;
  for (const auto& [key, value] : labels) {
    label_parts.push_back(absl::StrCat(key, "=", value));
  }
  std::vector<std::string> mounts;
  int local_volumes = 0;
  for (const container::v1::MountPoint& m : c.mounts()) {
    std::string name = m.name().empty() ? m.source() : m.name();
    if (!no_trunc) name = Ellipsis(name, 15);
    mounts.push_back(name);
    if (m.driver() == "local") ++local_volumes;
  }
  std::vector<std::string> networks(c.networks().begin(), c.networks().end());
  std::sort(networks.begin(), networks.end());
  const absl::Time created = absl::FromUnixSeconds(c.created().seconds());
  return ordered_json{
      {"Command", CommandColumn(c.command(), no_trunc)},
      {"CreatedAt", FormatGoTime(created, zone)},
      {"ID", no_trunc ? c.id() : TruncateId(c.id())},
      {"Image", ImageColumn(c, no_trunc)},
      {"Labels", absl::StrJoin(label_parts, ",")},
      {"LocalVolumes", absl::StrCat(local_volumes)},
      {"Mounts", absl::StrJoin(mounts, ",")},
      {"Names", c.name()},
      {"Networks", absl::StrJoin(networks, ",")},
      {"Ports", PortsText(c.ports())},
      {"RunningFor", TimeAgo(created, now)},
      {"Size", SizeText(c)},
      {"State", StateName(c.status())},
      {"Status", StatusText(c, now)},
  };
}

ListTemplate ContainerListTemplate(const std::string& format) {
  return ListTemplate{format, ListHeader(), "*formatter.ContainerContext"};
}

TemplateRow ContainerTemplateRow(const ContainerSummary& c, bool no_trunc,
                                 absl::Time now, absl::TimeZone zone) {
  return TemplateRow{ContainerRowJson(c, no_trunc, now, zone),
                     RowMethods(c.labels())};
}

absl::StatusOr<std::string> RenderContainerList(
    const container::v1::ListContainersResponse& response,
    const ContainerListOptions& options, absl::Time now, absl::TimeZone zone) {
  std::string out;
  if (options.quiet) {
    for (const ContainerSummary& c : response.containers()) {
      absl::StrAppend(&out, options.no_trunc ? c.id() : TruncateId(c.id()),
                      "\n");
    }
    return out;
  }
  if (options.format.empty() || options.format == "table") {
    // The default table without the template engine: `ps` of thousands of
    // containers spends its time here otherwise.
    std::vector<std::string> header = {"CONTAINER ID", "IMAGE",  "COMMAND",
                                       "CREATED",      "STATUS", "PORTS",
                                       "NAMES"};
    if (options.size) header.push_back("SIZE");
    Table table(std::move(header));
    for (const ContainerSummary& c : response.containers()) {
      const absl::Time created = absl::FromUnixSeconds(c.created().seconds());
      std::vector<std::string> row = {
          options.no_trunc ? c.id() : TruncateId(c.id()),
          ImageColumn(c, options.no_trunc),
          CommandColumn(c.command(), options.no_trunc),
          TimeAgo(created, now),
          StatusText(c, now),
          PortsText(c.ports()),
          c.name()};
      if (options.size) row.push_back(SizeText(c));
      table.AddRow(std::move(row));
    }
    return table.Render();
  }
  std::vector<TemplateRow> rows;
  rows.reserve(response.containers_size());
  for (const ContainerSummary& c : response.containers()) {
    rows.push_back(ContainerTemplateRow(c, options.no_trunc, now, zone));
  }
  return RenderListTemplate(ContainerListTemplate(options.format), rows);
}

std::string PrunedContainersSection(
    const container::v1::PruneContainersResponse& response) {
  if (response.deleted().empty()) return "";
  std::string out = "Deleted Containers:\n";
  for (const std::string& id : response.deleted()) {
    absl::StrAppend(&out, id, "\n");
  }
  return out + "\n";
}

std::string RenderContainerPruned(
    const container::v1::PruneContainersResponse& response) {
  // Docker counts the space only when a container went.
  return PrunedContainersSection(response) +
         ReclaimedSpaceLine(
             response.deleted().empty() ? 0 : response.space_reclaimed());
}

int StartFailureExitCode(const absl::Status& error, int recorded) {
  if (recorded == kExitCannotInvoke || recorded == kExitNotFound) {
    return recorded;
  }
  if (error.code() == absl::StatusCode::kUnavailable ||
      absl::StrContains(error.message(), "No such container")) {
    return kExitUsage;
  }
  const std::string message = absl::AsciiStrToLower(error.message());
  if (absl::StrContains(message, "executable file not found") ||
      absl::StrContains(message, "no such file or directory")) {
    return kExitNotFound;
  }
  if (absl::StrContains(message, "permission denied") ||
      absl::StrContains(message, "is a directory") ||
      absl::StrContains(message, "not executable")) {
    return kExitCannotInvoke;
  }
  return kExitUsage;
}

std::string LogTimestamp(const google::protobuf::Timestamp& time) {
  const absl::Time t = absl::FromUnixSeconds(time.seconds());
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%S", t, absl::UTCTimeZone()),
      absl::StrFormat(".%09dZ ", time.nanos()));
}

}  // namespace berth::ctl
