// `berth exec [OPTIONS] CONTAINER COMMAND [ARG...]`: a process in a running
// container, attached to the CLI's stdio (the stdio session) or detached
// (-d). CLI11's prefix_command stops reading berth's flags at CONTAINER, so
// the command's own flags are left alone. Exit codes as Docker's: the
// process's; 126 when it could not be started; 1 when Berth refused.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ctl/cli/exit_codes.h"
#include "ctl/container/container_args.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/container_spec.h"
#include "ctl/container/stdio_session.h"
#include "ctl/container/terminal.h"

namespace berth::ctl::container_cli {
namespace {

using container::v1::ContainerService;

void Exec(CommandContext& context, ExecFlags flags,
          const std::vector<std::string>& positional) {
  const std::string name = positional[0];
  flags.command.assign(positional.begin() + 1, positional.end());
  std::unique_ptr<ContainerService::Stub> stub = ContainerStub(context);
  if (!flags.detach) {
    if (absl::Status s = CheckInputTerminal(flags.tty, flags.interactive, isatty(0));
        !s.ok()) {
      // As Docker: "No such container" comes before the terminal check.
      // Only then is the container looked up ahead: the exec call itself
      // resolves the name, and a second round trip would slow every exec.
      absl::StatusOr<container::v1::Container> found =
          FindContainer(context, *stub, name);
      return context.Fail(found.ok() ? s : found.status());
    }
  }
  flags.detach_keys = DetachKeysOrConfigured(flags.detach_keys);
  absl::StatusOr<container::v1::ExecConfig> config =
      BuildExecConfig(flags, SpecInputs{LookupProcessEnv, ReadWholeFile});
  if (!config.ok()) return context.Fail(config.status());
  if (flags.tty) {
    if (auto size = TerminalSize(1); size.has_value()) {
      config->set_console_height(size->first);
      config->set_console_width(size->second);
    }
  }
  container::v1::ExecStart start;
  start.set_id(name);
  *start.mutable_config() = *config;
  StdioOptions options;
  options.attach_stdin = config->attach_stdin();
  options.attach_stderr = config->attach_stderr();
  options.tty = flags.tty;
  options.detach_keys = flags.detach_keys;
  const StdioOutcome outcome = ExecInContainer(*stub, start, options);
  if (!outcome.status.ok()) {
    return context.Fail(ContainerdError(context, outcome.status, name));
  }
  if (outcome.detached || flags.detach) return;
  if (!outcome.exited) {
    return context.Fail(absl::UnavailableError(
        "the daemon ended the exec before its process exited"));
  }
  if (!outcome.error.empty()) {
    std::fprintf(stderr, "Error: %s\n", outcome.error.c_str());
  }
  context.exit_code = outcome.exit_code;
}

}  // namespace

void AddExecCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  auto flags = std::make_shared<ExecFlags>();
  const CommandUsage usage{path,
                           "[OPTIONS] CONTAINER COMMAND [ARG...]",
                           "Execute a command in a running container",
                           {ArgKind::kContainer, ArgKind::kNone}};
  CLI::App* command = parent.add_subcommand("exec", usage.summary);
  SetUsage(command, usage);
  command->set_help_flag("--help", "Print usage");
  command->add_flag("-d,--detach", flags->detach,
                    "Detached mode: run command in the background");
  command->add_option("--detach-keys", flags->detach_keys,
                      "Override the key sequence for detaching a container");
  command->add_option("-e,--env", flags->env, "Set environment variables")
      ->allow_extra_args(false);
  command->add_option("--env-file", flags->env_files,
                      "Read in a file of environment variables")
      ->allow_extra_args(false);
  command->add_flag("-i,--interactive", flags->interactive,
                    "Keep STDIN open even if not attached");
  command->add_flag("--privileged", flags->privileged,
                    "Give extended privileges to the command");
  command->add_flag("-t,--tty", flags->tty, "Allocate a pseudo-TTY");
  command->add_option("-u,--user", flags->user,
                      "Username or UID (format: \"<name|uid>[:<group|gid>]\")");
  command->add_option("-w,--workdir", flags->workdir,
                      "Working directory inside the container");
  // CONTAINER and everything after it land in remaining().
  command->prefix_command();
  command->callback([&context, flags, command, usage] {
    const std::vector<std::string> positional = command->remaining();
    if (!CheckPrefixArgs(context, usage, positional, 2)) return;
    Exec(context, *flags, positional);
  });
}

}  // namespace berth::ctl::container_cli
