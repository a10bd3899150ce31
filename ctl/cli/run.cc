#include "ctl/cli/run.h"

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/default_paths.h"
#include "common/log_level.h"
#include "common/version.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/diagnostics.h"
#include "ctl/cli/pflag_compat.h"
#include "ctl/cli/usage_errors.h"

namespace berth::ctl {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  options.endpoints.run_root = kDefaultRunRoot;
  app.add_option("--run-root", options.endpoints.run_root,
                 "Directory holding the services' sockets")
      ->envname("BERTH_RUN_ROOT")
      ->capture_default_str();
  struct SocketFlag {
    const char* service;
    std::string* target;
  };
  for (SocketFlag flag :
       {SocketFlag{"imaged", &options.endpoints.imaged_socket},
        SocketFlag{"containerd", &options.endpoints.containerd_socket},
        SocketFlag{"netd", &options.endpoints.netd_socket},
        SocketFlag{"volumed", &options.endpoints.volumed_socket}}) {
    std::string upper = flag.service;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    app.add_option(absl::StrCat("--", flag.service, "-socket"), *flag.target,
                   absl::StrCat("Socket of ", flag.service,
                                " (default RUN_ROOT/", flag.service, ".sock)"))
        ->envname(absl::StrCat("BERTH_", upper, "_SOCKET"));
  }
  app.add_option("-l,--log-level", options.log_level,
                 "Log level: trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check([](const std::string& level) {
        absl::StatusOr<LogLevel> parsed = ParseLogLevel(level);
        return parsed.ok() ? std::string()
                           : std::string(parsed.status().message());
      });
  app.set_version_flag("-v,--version",
                       absl::StrCat("Berth version ", kVersion));
}

// The index of the first word after the global options (and their values)
// in `args`, or 0 when there is none or help or the version is asked for
// before it: then every command is built, for the help listing or CLI11's
// own error.
size_t ChosenCommand(const CLI::App& app,
                     const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.empty() || arg[0] != '-') return i;
    if (arg == "--") return 0;
    if (arg.find('=') != std::string::npos) continue;  // --run-root=/x
    const CLI::Option* option = app.get_option_no_throw(arg);
    // Unknown options, help and version: build everything and let CLI11
    // answer.
    if (option == nullptr || option == app.get_help_ptr() ||
        option == app.get_version_ptr()) {
      return 0;
    }
    if (option->get_items_expected_min() > 0) ++i;  // skip its value
  }
  return 0;
}

// Docker's `help [COMMAND...]` is `[COMMAND...] --help`. `args[at]` is the
// first topic word, already built; false, with Docker's error printed, when
// a topic word is no command.
bool AskForHelp(const CLI::App& app, std::vector<std::string>& args,
                size_t at) {
  const CLI::App* command = &app;
  for (size_t i = at; at != 0 && i < args.size(); ++i) {
    if (args[i].empty() || args[i][0] == '-') break;
    command = FindSubcommand(*command, args[i]);
    if (command == nullptr) {
      std::fprintf(stderr, "unknown help topic: %s\n", args[i].c_str());
      return false;
    }
  }
  args.push_back("--help");
  return true;
}

}  // namespace

int RunCli(const CommandRegistry& registry, int argc, char** argv) {
  // Debian's Abseil tracks lock order (deadlock detection) on every gRPC
  // mutex acquisition unless told not to.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Neither is destroyed: main ends with _exit, and tearing down the
  // option tree and the gRPC channels would only cost time.
  CLI::App& app = *new CLI::App(
      "A container platform: images, containers, networks and "
      "volumes, served by the Berth daemons",
      "berth");
  CommandContext& context = *new CommandContext;
  AddGlobalOptions(app, context.options);
  app.require_subcommand(0, 1);
  // The CLI's own diagnostics go to stderr, at the level -l chooses.
  app.parse_complete_callback([&context] {
    absl::StatusOr<LogLevel> level = ParseLogLevel(context.options.log_level);
    if (level.ok()) SetDiagnosticLevel(*level);
  });
  std::vector<std::string> args(argv, argv + argc);
  size_t chosen = ChosenCommand(app, args);
  const bool help_command = chosen != 0 && args[chosen] == "help";
  if (help_command) {
    args.erase(args.begin() + chosen);
    if (chosen == args.size() || args[chosen].rfind('-', 0) == 0) chosen = 0;
  }
  // Only the chosen command is built: building all of them, with every
  // option, would cost each invocation more than a short command itself.
  const std::string name = chosen == 0 ? "" : args[chosen];
  const absl::Status added = registry.AddTo(app, context, name);
  if (absl::IsNotFound(added)) {
    if (help_command) {
      std::fprintf(stderr, "unknown help topic: %s\n", name.c_str());
    } else {
      std::fputs(UnknownCommandError("berth " + name, "berth", "").c_str(),
                 stderr);
    }
    return kExitError;  // as Docker's
  }
  if (!added.ok()) {
    std::fprintf(stderr, "berth: %s\n", std::string(added.message()).c_str());
    return kExitError;
  }
  if (help_command && !AskForHelp(app, args, chosen)) return kExitError;
  if (!ShapeFlagsAsPflag(app, args)) return kExitUsage;

  std::vector<char*> parsed_argv;
  for (std::string& arg : args) parsed_argv.push_back(arg.data());
  try {
    app.parse(static_cast<int>(parsed_argv.size()), parsed_argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportParseError(app, args, e);
  }
  if (app.get_subcommands().empty()) {
    std::printf("%s", app.help().c_str());
  }
  return context.exit_code;
}

}  // namespace berth::ctl
