#include "ctl/network/network_connect_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/command.h"

namespace berth::ctl::network_cli {
namespace {

// Wiring an endpoint is netlink work in netd behind containerd.
constexpr absl::Duration kConnectTimeout = absl::Seconds(30);

struct ConnectFlags {
  std::vector<std::string> aliases;
  std::string ip;
};

// containerd's NOT_FOUND for the container reads as Docker's "No such
// container"; for the network its message says "network X not found".
absl::Status ConnectError(CommandContext& context, const grpc::Status& status,
                          const std::string& container) {
  if (status.error_code() == grpc::StatusCode::NOT_FOUND &&
      absl::StrContains(status.error_message(), "network")) {
    return context.connections().Explain("containerd", status);
  }
  return context.connections().ExplainAbout("containerd", status, "container",
                                            container);
}

void RunConnect(CommandContext& context, const ConnectFlags& flags,
                const std::string& network, const std::string& container) {
  container::v1::ConnectContainerNetworkRequest request;
  request.set_id(container);
  request.set_network(network);
  types::v1::EndpointConfig* config = request.mutable_endpoint_config();
  config->set_ipv4_address(flags.ip);
  for (const std::string& alias : flags.aliases) config->add_aliases(alias);
  container::v1::ConnectContainerNetworkResponse response;
  auto call = Connections::CallContext(kConnectTimeout);
  grpc::Status status =
      container::v1::ContainerService::NewStub(
          context.connections().Channel("containerd"))
          ->ConnectContainerNetwork(call.get(), request, &response);
  if (!status.ok()) context.Fail(ConnectError(context, status, container));
}

void RunDisconnect(CommandContext& context, bool force,
                   const std::string& network, const std::string& container) {
  container::v1::DisconnectContainerNetworkRequest request;
  request.set_id(container);
  request.set_network(network);
  request.set_force(force);
  container::v1::DisconnectContainerNetworkResponse response;
  auto call = Connections::CallContext(kConnectTimeout);
  grpc::Status status =
      container::v1::ContainerService::NewStub(
          context.connections().Channel("containerd"))
          ->DisconnectContainerNetwork(call.get(), request, &response);
  if (!status.ok()) context.Fail(ConnectError(context, status, container));
}

}  // namespace

void AddConnectCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<ConnectFlags>();
  CLI::App* command = AddCommand(
      parent, context, "connect",
      {"berth network connect", "[OPTIONS] NETWORK CONTAINER",
       "Connect a container to a network",
       {ArgKind::kNetwork, ArgKind::kContainer}},
      2, 2, [&context, flags](const std::vector<std::string>& args) {
        RunConnect(context, *flags, args[0], args[1]);
      });
  command
      ->add_option("--alias", flags->aliases,
                   "Add network-scoped alias for the container")
      ->allow_extra_args(false);
  command->add_option("--ip", flags->ip, "IPv4 address (e.g., \"172.30.100.104\")");
}

void AddDisconnectCommand(CLI::App& parent, CommandContext& context) {
  auto force = std::make_shared<bool>(false);
  CLI::App* command = AddCommand(
      parent, context, "disconnect",
      {"berth network disconnect", "[OPTIONS] NETWORK CONTAINER",
       "Disconnect a container from a network",
       {ArgKind::kNetwork, ArgKind::kContainer}},
      2, 2, [&context, force](const std::vector<std::string>& args) {
        RunDisconnect(context, *force, args[0], args[1]);
      });
  command->add_flag("-f,--force", *force,
                    "Force the container to disconnect from a network");
}

}  // namespace berth::ctl::network_cli
