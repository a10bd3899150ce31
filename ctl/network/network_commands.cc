// The network command group: `berth network create|ls|inspect|rm|prune`
// (and connect|disconnect, network_connect_commands.h).
// Each command calls netd's NetworkService and prints its answer with
// network_format.h; requests are built by network_request.h.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "berth/network/v1/network.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/network/network_connect_commands.h"
#include "ctl/network/network_format.h"
#include "ctl/network/network_group.h"
#include "ctl/network/network_request.h"

namespace berth::ctl {
namespace network_cli {
namespace {

// Creating or removing a network sets up or tears down a bridge and its
// rules: more than a lookup.
constexpr absl::Duration kChangeTimeout = absl::Seconds(30);

std::unique_ptr<network::v1::NetworkService::Stub> NetworkStub(
    CommandContext& context) {
  return network::v1::NetworkService::NewStub(
      context.connections().Channel("netd"));
}

// The error the user sees for a failed netd call: an unreachable netd is
// explained (its socket and how to start it); a NOT_FOUND about `network`
// reads as Docker's daemon words it ("network X not found") when netd's
// message does not already.
absl::Status NetdError(CommandContext& context, const grpc::Status& status,
                       const std::string& network = "") {
  absl::Status error = context.connections().Explain("netd", status);
  if (error.code() == absl::StatusCode::kNotFound && !network.empty() &&
      !absl::StrContains(error.message(), "not found")) {
    return absl::NotFoundError(
        absl::StrCat("network ", network, " not found"));
  }
  return error;
}

bool Unreachable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

// ---- network create -------------------------------------------------------

void RunCreate(CommandContext& context, const NetworkCreateFlags& flags) {
  absl::StatusOr<network::v1::CreateNetworkRequest> request =
      BuildCreateNetworkRequest(flags);
  if (!request.ok()) {
    // Docker's CLI says these itself, unframed, and exits 1.
    std::fprintf(stderr, "%s\n", std::string(request.status().message()).c_str());
    context.exit_code = kExitError;
    return;
  }
  network::v1::CreateNetworkResponse response;
  auto call = Connections::CallContext(kChangeTimeout);
  grpc::Status status =
      NetworkStub(context)->CreateNetwork(call.get(), *request, &response);
  if (!status.ok()) return context.Fail(NetdError(context, status));
  for (const std::string& warning : response.warnings()) {
    std::fprintf(stderr, "WARNING: %s\n", warning.c_str());
  }
  PrintOut(response.id() + "\n");
}

void AddCreateCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<NetworkCreateFlags>();
  CLI::App* command = AddCommand(
      parent, context, "create",
      {"berth network create", "[OPTIONS] NETWORK", "Create a network"}, 1, 1,
      [&context, flags](const std::vector<std::string>& args) {
        flags->name = args[0];
        RunCreate(context, *flags);
      });
  auto list = [command](const std::string& names, std::vector<std::string>& v,
                        const std::string& help) {
    return command->add_option(names, v, help)->allow_extra_args(false);
  };
  command->add_option("-d,--driver", flags->driver,
                      "Driver to manage the Network (default \"bridge\")");
  list("-o,--opt", flags->options, "Set driver specific options");
  list("--label", flags->labels, "Set metadata on a network")
      ->check(LabelProblem);
  command->add_flag("--internal", flags->internal,
                    "Restrict external access to the network");
  command->add_flag("--ipv6", flags->ipv6,
                    "Enable or disable IPv6 address assignment");
  command->add_flag("--attachable", flags->attachable,
                    "Enable manual container attachment");
  command->add_option("--ipam-driver", flags->ipam_driver,
                      "IP Address Management Driver (default \"default\")");
  list("--subnet", flags->subnets,
       "Subnet in CIDR format that represents a network segment");
  list("--ip-range", flags->ip_ranges,
       "Allocate container ip from a sub-range");
  list("--gateway", flags->gateways,
       "IPv4 or IPv6 Gateway for the master subnet");
  list("--aux-address", flags->aux_addresses,
       "Auxiliary IPv4 or IPv6 addresses used by Network driver");
  list("--ipam-opt", flags->ipam_options, "Set IPAM driver specific options");
}

// ---- network ls --------------------------------------------------------------

struct ListFlags {
  bool quiet = false;
  bool no_trunc = false;
  std::string format;
  std::vector<std::string> filters;
};

void RunList(CommandContext& context, const ListFlags& flags) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  std::vector<std::string> scopes;
  absl::StatusOr<network::v1::NetworkFilter> filter =
      BuildNetworkFilter(*terms, &scopes);
  if (!filter.ok()) return context.Fail(filter.status());

  network::v1::ListNetworksRequest request;
  *request.mutable_filter() = *std::move(filter);
  network::v1::ListNetworksResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      NetworkStub(context)->ListNetworks(call.get(), request, &response);
  if (!status.ok()) return context.Fail(NetdError(context, status));

  std::vector<const network::v1::Network*> networks;
  for (const network::v1::Network& network : response.networks()) {
    const std::string scope =
        network.scope().empty() ? "local" : network.scope();
    if (!scopes.empty() &&
        std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
      continue;
    }
    networks.push_back(&network);
  }
  NetworkListOptions options;
  options.format = flags.format;
  options.quiet = flags.quiet;
  options.no_trunc = flags.no_trunc;
  absl::StatusOr<std::string> out =
      RenderNetworkList(networks, options, absl::LocalTimeZone());
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

void AddListCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<ListFlags>();
  CLI::App* command =
      AddCommand(parent, context, "ls",
                 {"berth network ls", "[OPTIONS]", "List networks"}, 0, 0,
                 [&context, flags](const std::vector<std::string>&) {
                   RunList(context, *flags);
                 });
  command->alias("list");
  command->add_flag("-q,--quiet", flags->quiet, "Only display network IDs");
  command->add_flag("--no-trunc", flags->no_trunc,
                    "Do not truncate the output");
  command->add_option("--format", flags->format,
                      "Format output: table (default), json (one object "
                      "per line), 'table TEMPLATE' or a Go template such as "
                      "'{{.ID}} {{.Name}}'");
  command
      ->add_option("-f,--filter", flags->filters,
                   "Provide filter values (e.g. \"driver=bridge\"): driver=, "
                   "id=, label=, name=, scope=, type=custom|builtin, "
                   "dangling=true|false")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
}

// ---- network inspect ---------------------------------------------------------

void RunInspect(CommandContext& context, const std::string& format,
                const std::vector<std::string>& names) {
  std::string out;
  std::vector<absl::Status> errors;
  // A template that does not parse stops the command before any lookup.
  absl::Status parsed = RenderInspected(format, {}, &out, &errors);
  if (!parsed.ok()) return context.Fail(parsed, kExitTemplateParse);
  auto stub = NetworkStub(context);
  std::vector<nlohmann::ordered_json> found;
  for (const std::string& name : names) {
    network::v1::InspectNetworkRequest request;
    request.set_network(name);
    network::v1::InspectNetworkResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub->InspectNetwork(call.get(), request, &response);
    // netd is not there: one explanation, not one per network.
    if (Unreachable(status)) return context.Fail(NetdError(context, status));
    if (status.ok()) {
      found.push_back(NetworkInspectJson(response.network()));
    } else {
      errors.push_back(NetdError(context, status, name));
    }
  }
  // Docker prints what it found, then an error per network it did not (or
  // its template failed on).
  (void)RenderInspected(format, found, &out, &errors);
  PrintOut(out);
  for (const absl::Status& error : errors) context.Fail(error);
}

void AddInspectCommand(CLI::App& parent, CommandContext& context) {
  auto format = std::make_shared<std::string>();
  CLI::App* command = AddCommand(
      parent, context, "inspect",
      {"berth network inspect", "[OPTIONS] NETWORK [NETWORK...]",
       "Display detailed information on one or more networks",
       {ArgKind::kNetwork}},
      1, kUnlimited,
      [&context, format](const std::vector<std::string>& names) {
        RunInspect(context, *format, names);
      });
  command->add_option("-f,--format", *format,
                      "Format output: json (the default) or a Go template "
                      "such as '{{.Id}} {{.IPAM.Config}}'");
}

// ---- network rm ------------------------------------------------------------------

void RunRemove(CommandContext& context, bool force,
               const std::vector<std::string>& names) {
  auto stub = NetworkStub(context);
  for (const std::string& name : names) {
    network::v1::RemoveNetworkRequest request;
    request.set_network(name);
    network::v1::RemoveNetworkResponse response;
    auto call = Connections::CallContext(kChangeTimeout);
    grpc::Status status = stub->RemoveNetwork(call.get(), request, &response);
    if (Unreachable(status)) return context.Fail(NetdError(context, status));
    if (status.ok()) {
      PrintOut(name + "\n");
      continue;
    }
    // As Docker: with -f, a network that does not exist is no error.
    if (force && status.error_code() == grpc::StatusCode::NOT_FOUND) continue;
    context.Fail(NetdError(context, status, name));
  }
}

void AddRemoveCommand(CLI::App& parent, CommandContext& context) {
  auto force = std::make_shared<bool>(false);
  CLI::App* command = AddCommand(
      parent, context, "rm",
      {"berth network rm", "NETWORK [NETWORK...]", "Remove one or more networks",
       {ArgKind::kNetwork}},
      1, kUnlimited, [&context, force](const std::vector<std::string>& names) {
        RunRemove(context, *force, names);
      });
  command->alias("remove");
  command->add_flag("-f,--force", *force,
                    "Do not error if the network does not exist");
}

// ---- network prune ---------------------------------------------------------------

struct PruneFlags {
  bool force = false;
  std::vector<std::string> filters;
};

void RunPrune(CommandContext& context, const PruneFlags& flags) {
  std::optional<PruneFilters> filters =
      ParsePruneFilters(context, flags.filters);
  if (!filters.has_value()) return;
  // A "no" cancels quietly and successfully, as in Docker.
  if (!flags.force && !Confirm(kNetworkPruneWarning)) return;
  network::v1::PruneNetworksRequest request;
  *request.mutable_filter() = filters->filter;
  network::v1::PruneNetworksResponse response;
  auto call = Connections::CallContext(kChangeTimeout);
  grpc::Status status =
      NetworkStub(context)->PruneNetworks(call.get(), request, &response);
  if (!status.ok()) return context.Fail(NetdError(context, status));
  PrintOut(RenderPrunedNetworks(response));
}

void AddPruneCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command =
      AddCommand(parent, context, "prune",
                 {"berth network prune", "[OPTIONS]",
                  "Remove all unused networks"},
                 0, 0, [&context, flags](const std::vector<std::string>&) {
                   RunPrune(context, *flags);
                 });
  command->add_flag("-f,--force", flags->force,
                    "Do not prompt for confirmation");
  AddPruneFilterOption(command, flags->filters);
}

}  // namespace
}  // namespace network_cli

std::vector<CommandSpec> NetworkCommands() {
  using namespace network_cli;  // NOLINT: the group's own commands
  auto group = [](CLI::App& app, CommandContext& context) {
    AddCommandGroup(app, "network", "Manage networks",
                    [&context](CLI::App& network) {
                      AddConnectCommand(network, context);
                      AddCreateCommand(network, context);
                      AddDisconnectCommand(network, context);
                      AddInspectCommand(network, context);
                      AddListCommand(network, context);
                      AddPruneCommand(network, context);
                      AddRemoveCommand(network, context);
                    });
  };
  return {{"network", "network", "Manage networks", group}};
}

absl::StatusOr<nlohmann::ordered_json> InspectNetworkObject(CommandContext& context,
                                                          const std::string& name) {
  network::v1::InspectNetworkRequest request;
  request.set_network(name);
  network::v1::InspectNetworkResponse response;
  auto call = Connections::CallContext();
  const grpc::Status status =
      network_cli::NetworkStub(context)->InspectNetwork(call.get(), request, &response);
  if (!status.ok()) return network_cli::NetdError(context, status, name);
  return NetworkInspectJson(response.network());
}

std::vector<NameSource> NetworkNameSources() {
  auto networks = [](CommandContext& context)
      -> absl::StatusOr<std::vector<std::string>> {
    network::v1::ListNetworksRequest request;
    network::v1::ListNetworksResponse response;
    auto call = Connections::CallContext(absl::Seconds(10));
    const grpc::Status status = network_cli::NetworkStub(context)->ListNetworks(
        call.get(), request, &response);
    if (!status.ok()) return network_cli::NetdError(context, status);
    std::vector<std::string> names;
    for (const network::v1::Network& network : response.networks()) {
      names.push_back(network.name());
    }
    return names;
  };
  return {{ArgKind::kNetwork, networks}};
}

}  // namespace berth::ctl
