// What the container commands print, from containerd's answers, in Docker's
// words and layouts (`docker ps`, `docker container prune`, `docker logs
// -t`), the `ps --filter` terms, and how a failed start becomes an exit
// code. Pure functions; the commands call containerd and print these.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_FORMAT_H_
#define BERTH_CTL_CONTAINER_CONTAINER_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/container/v1/container.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/docker_template.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// `berth ps --filter`: status=created|restarting|running|removing|paused|
// exited|dead, name=, id=, label=KEY[=VALUE], ancestor=, exited=CODE,
// before=, since=, health=starting|healthy|unhealthy|none, network=,
// volume=, publish=, expose=. Others: Docker's "invalid filter".
absl::StatusOr<container::v1::ContainerFilter> BuildContainerFilter(
    const std::vector<FilterTerm>& terms);

// Docker's lower-case state names: "created", "running", "paused",
// "restarting", "removing", "exited", "dead".
std::string StateName(container::v1::ContainerStatus status);

// The STATUS column (Docker's State.String()): "Up 3 seconds", "Up 2 hours
// (Paused)", "Up 5 minutes (healthy)", "Exited (0) 5 seconds ago",
// "Restarting (1) 2 seconds ago", "Created", "Removal In Progress", "Dead".
std::string StatusText(const container::v1::ContainerSummary& container,
                       absl::Time now);

// The COMMAND column: quoted as Go's %q, cut to 20 characters with "…"
// unless `no_trunc`.
std::string CommandColumn(absl::string_view command, bool no_trunc);

// The PORTS column: "0.0.0.0:8080->80/tcp, 53/udp".
std::string PortsText(
    const google::protobuf::RepeatedPtrField<types::v1::PortBinding>& ports);

// `berth port CONTAINER [PORT[/PROTO]]`: "80/tcp -> 0.0.0.0:32768" lines
// sorted, or with `filter` ("80" is 80/tcp) the host addresses of that
// port alone. NOT_FOUND in Docker's words when `filter` has none:
// "Error: No public port '80/tcp' published for NAME".
absl::StatusOr<std::string> RenderPortList(
    const google::protobuf::RepeatedPtrField<types::v1::PortBinding>& ports,
    const std::string& filter, const std::string& container);

// One container as `ps --format json` shows it, and the fields templates
// see: Command, CreatedAt, ID, Image, Labels, LocalVolumes, Mounts, Names,
// Networks, Ports, RunningFor, Size, State, Status.
nlohmann::ordered_json ContainerRowJson(
    const container::v1::ContainerSummary& container, bool no_trunc,
    absl::Time now, absl::TimeZone zone);

// `ps --format` templates: the row type and headers Docker's
// ContainerContext has, and a row with its `Label` method.
ListTemplate ContainerListTemplate(const std::string& format);
TemplateRow ContainerTemplateRow(
    const container::v1::ContainerSummary& container, bool no_trunc,
    absl::Time now, absl::TimeZone zone);

struct ContainerListOptions {
  // "" or "table", "json", "table TEMPLATE" or a template.
  std::string format;
  bool quiet = false;     // ids only
  bool no_trunc = false;  // full ids and commands
  bool size = false;      // a SIZE column
};

// The whole output of `berth ps`. INVALID_ARGUMENT for a bad template, in
// Docker's words ("template parsing error: ...").
absl::StatusOr<std::string> RenderContainerList(
    const container::v1::ListContainersResponse& response,
    const ContainerListOptions& options, absl::Time now, absl::TimeZone zone);

// `container prune`: PrunedContainersSection, then "Total reclaimed
// space: 1.2kB" (0B when none went).
std::string RenderContainerPruned(
    const container::v1::PruneContainersResponse& response);

// "Deleted Containers:" with one id a line and a blank line when any went,
// else "" (also `system prune`'s containers part).
std::string PrunedContainersSection(
    const container::v1::PruneContainersResponse& response);

// The exit code of `run`/`start` when StartContainer failed: the 126 or 127
// containerd recorded in the state (`recorded`, -1 when unknown) or, as
// Docker's CLI does, read from the message ("executable file not found",
// "no such file or directory" -> 127; "permission denied", "is a
// directory" -> 126); 125 otherwise.
int StartFailureExitCode(const absl::Status& error, int recorded);

// `logs -t` prefix: the entry's time as Docker prints it (RFC 3339, nine
// fractional digits, UTC) and a space: "2024-01-02T03:04:05.000000006Z ".
std::string LogTimestamp(const google::protobuf::Timestamp& time);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_CONTAINER_FORMAT_H_
