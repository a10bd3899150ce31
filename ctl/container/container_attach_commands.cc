// `berth attach` and `berth start` (with -a/-i, attached to the container's
// stdio as Docker's are): both go through one stdio session
// (stdio_session.h). Docker's rules: `attach` refuses a container that is
// not running on the client side, takes stdin only when the container was
// created with -i, proxies signals unless the container has a tty, and
// exits with the container's code — or 1 with "read escape sequence" when
// the user detached. `start -a` attaches first and starts second, so no
// output is missed; its detach exits 0.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ctl/cli/client_config.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/container_spec.h"
#include "ctl/container/signal_proxy.h"
#include "ctl/container/stdio_session.h"

namespace berth::ctl::container_cli {

using container::v1::ContainerService;

std::string DetachKeysOrConfigured(const std::string& flag) {
  if (!flag.empty()) return flag;
  return ClientConfigOrDefaults().detach_keys;
}

void ForwardSignals(SignalProxy& proxy,
                    const std::shared_ptr<ContainerService::Stub>& stub,
                    const std::string& id) {
  // The proxy's thread may outlive the command's call: it keeps the stub.
  proxy.Forward([stub, id](int signal) {
    container::v1::KillContainerRequest request;
    request.set_id(id);
    request.set_signal(std::to_string(signal));
    container::v1::KillContainerResponse response;
    auto call = Connections::CallContext();
    // A container that is already gone needs no signal.
    stub->KillContainer(call.get(), request, &response);
  });
}

namespace {

// Docker's client-side check of `attach`.
absl::Status CheckRunning(const container::v1::ContainerState& state) {
  if (!state.running()) {
    return absl::FailedPreconditionError(
        "You cannot attach to a stopped container, start it first");
  }
  if (state.paused()) {
    return absl::FailedPreconditionError(
        "You cannot attach to a paused container, unpause it first");
  }
  if (state.restarting()) {
    return absl::FailedPreconditionError(
        "You cannot attach to a restarting container, wait until it is "
        "running");
  }
  return absl::OkStatus();
}

// The command's exit once the session ended: the container's code, or the
// error that ended the session.
void ExitAfterSession(CommandContext& context, const StdioOutcome& outcome,
                      const std::string& name, bool detach_is_error) {
  if (outcome.detached) {
    if (detach_is_error) {
      // Docker's attach reports the detach as its error.
      std::fprintf(stderr, "read escape sequence\n");
      context.exit_code = kExitError;
    }
    return;
  }
  if (!outcome.status.ok()) {
    return context.Fail(ContainerdError(context, outcome.status, name));
  }
  if (!outcome.exited) {
    return context.Fail(absl::UnavailableError(absl::StrCat(
        "the daemon ended the attachment to ", name,
        " before the container exited")));
  }
  if (!outcome.error.empty()) {
    std::fprintf(stderr, "Error: %s\n", outcome.error.c_str());
  }
  context.exit_code = outcome.exit_code;
}

struct AttachFlags {
  bool no_stdin = false;
  bool sig_proxy = true;
  std::string detach_keys;
};

void Attach(CommandContext& context, const AttachFlags& flags,
            const std::string& name) {
  // Before the first channel, so that gRPC's threads block the signals too.
  auto proxy = flags.sig_proxy ? std::make_unique<SignalProxy>() : nullptr;
  std::shared_ptr<ContainerService::Stub> stub = ContainerStub(context);
  absl::StatusOr<container::v1::Container> found = FindContainer(context, *stub, name);
  if (!found.ok()) return context.Fail(found.status());
  if (absl::Status s = CheckRunning(found->state()); !s.ok()) {
    return context.Fail(s);
  }
  const bool tty = found->config().tty();
  if (absl::Status s = CheckInputTerminal(tty, !flags.no_stdin, isatty(0));
      !s.ok()) {
    return context.Fail(s);
  }
  // With a tty the keys are the container's, Ctrl-C included.
  if (tty) proxy.reset();
  if (proxy != nullptr) ForwardSignals(*proxy, stub, found->id());
  StdioOptions options;
  options.attach_stdin = !flags.no_stdin && found->config().open_stdin();
  options.tty = tty;
  options.detach_keys = DetachKeysOrConfigured(flags.detach_keys);
  // A shell that already drew its prompt draws it again for the newcomer.
  options.redraw = true;
  const StdioOutcome outcome = AttachToContainer(*stub, found->id(), options);
  ExitAfterSession(context, outcome, name, /*detach_is_error=*/true);
}

struct StartFlags {
  bool attach = false;
  bool interactive = false;
  std::string detach_keys;
};

grpc::Status StartOne(ContainerService::Stub& stub, const std::string& id) {
  container::v1::StartContainerRequest request;
  request.set_id(id);
  container::v1::StartContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(2));
  return stub.StartContainer(call.get(), request, &response);
}

void StartAttached(CommandContext& context, const StartFlags& flags,
                   const std::string& name) {
  auto proxy = std::make_unique<SignalProxy>();
  std::shared_ptr<ContainerService::Stub> stub = ContainerStub(context);
  absl::StatusOr<container::v1::Container> found = FindContainer(context, *stub, name);
  if (!found.ok()) return context.Fail(found.status());
  const bool tty = found->config().tty();
  if (absl::Status s = CheckInputTerminal(tty, flags.interactive, isatty(0));
      !s.ok()) {
    return context.Fail(s);
  }
  if (tty) proxy.reset();
  const std::string id = found->id();
  StdioOptions options;
  options.attach_stdin = flags.interactive && found->config().open_stdin();
  options.tty = tty;
  options.detach_keys = DetachKeysOrConfigured(flags.detach_keys);
  options.on_attached = [&] {
    if (grpc::Status s = StartOne(*stub, id); !s.ok()) {
      context.Fail(ContainerdError(context, s, name));
      return false;
    }
    if (proxy != nullptr) ForwardSignals(*proxy, stub, id);
    return true;
  };
  const StdioOutcome outcome = AttachToContainer(*stub, id, options);
  if (context.exit_code != kExitOk) return;  // the start failed
  ExitAfterSession(context, outcome, name, /*detach_is_error=*/false);
}

}  // namespace

void AddAttachCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto flags = std::make_shared<AttachFlags>();
  CLI::App* command = AddCommand(
      parent, context, "attach",
      {path, "[OPTIONS] CONTAINER",
       "Attach local standard input, output, and error streams to a running "
       "container",
       {ArgKind::kContainer}},
      1, 1, [&context, flags](const std::vector<std::string>& names) {
        Attach(context, *flags, names[0]);
      });
  command->add_option("--detach-keys", flags->detach_keys,
                      "Override the key sequence for detaching a container");
  command->add_flag("--no-stdin", flags->no_stdin, "Do not attach STDIN");
  command->add_flag("--sig-proxy", flags->sig_proxy,
                    "Proxy all received signals to the process (default "
                    "true)");
}

void AddStartCommand(CLI::App& parent, CommandContext& context,
                     const std::string& path) {
  auto flags = std::make_shared<StartFlags>();
  CLI::App* command = AddCommand(
      parent, context, "start",
      {path, "[OPTIONS] CONTAINER [CONTAINER...]",
       "Start one or more stopped containers", {ArgKind::kContainer}},
      1, kUnlimited, [&context, flags](const std::vector<std::string>& names) {
        if (flags->attach || flags->interactive) {
          if (names.size() > 1) {
            // Docker prints this one bare.
            std::fprintf(stderr,
                         "you cannot start and attach multiple containers at "
                         "once\n");
            context.exit_code = kExitError;
            return;
          }
          return StartAttached(context, *flags, names[0]);
        }
        auto stub = ContainerStub(context);
        std::vector<std::string> failed;
        for (const std::string& name : names) {
          grpc::Status status = StartOne(*stub, name);
          if (status.ok()) {
            PrintOut(name + "\n");
            continue;
          }
          context.Fail(ContainerdError(context, status, name));
          failed.push_back(name);
          // Every other start would fail the same way.
          if (status.error_code() == grpc::StatusCode::UNAVAILABLE) break;
        }
        if (!failed.empty()) {
          context.Fail(absl::UnknownError(absl::StrCat(
              "failed to start containers: ", absl::StrJoin(failed, ", "))));
        }
      });
  command->add_flag("-a,--attach", flags->attach,
                    "Attach STDOUT/STDERR and forward signals");
  command->add_option("--detach-keys", flags->detach_keys,
                      "Override the key sequence for detaching a container");
  command->add_flag("-i,--interactive", flags->interactive,
                    "Attach container's STDIN");
}

}  // namespace berth::ctl::container_cli
