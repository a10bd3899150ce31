#include "common/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "common/logging.h"
#include "common/root_lock.h"
#include "common/socket_server.h"
#include "common/status_macros.h"
#include "common/version.h"

namespace berth {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

struct DaemonFlags {
  std::string config_path;
  ConfigOverrides overrides;
};

// A service while it runs; members are destroyed in reverse order, so the
// server stops before the module it calls, and the lock goes last.
struct HostedService {
  std::unique_ptr<RootLock> lock;
  std::unique_ptr<ServiceModule> module;
  std::unique_ptr<SocketServer> server;
};

absl::StatusOr<config::v1::Config> LoadConfig(const DaemonFlags& flags) {
  config::v1::Config file_config;
  const bool explicit_path = !flags.config_path.empty();
  const std::string path =
      explicit_path ? flags.config_path : kDefaultConfigPath;
  absl::StatusOr<config::v1::Config> loaded = LoadConfigFile(path);
  if (loaded.ok()) {
    file_config = *std::move(loaded);
  } else if (explicit_path || !absl::IsNotFound(loaded.status())) {
    return loaded.status();
  }
  return ResolveConfig(std::move(file_config), flags.overrides);
}

absl::StatusOr<HostedService> StartService(const ServiceDefinition& definition,
                                           const config::v1::Config& config,
                                           const std::string& program) {
  const std::optional<ServiceSettings> section =
      ServiceSection(config, definition.name);
  if (!section) {
    return absl::InternalError(
        absl::StrCat("no config section for service ", definition.name));
  }
  ServiceContext context;
  context.identity.name = definition.name;
  context.identity.root = absl::StrCat(config.root(), "/", definition.name);
  context.identity.socket = section->socket;
  context.identity.host_process = program;
  context.identity.pid = getpid();
  context.identity.started_at = absl::Now();
  context.config = &config;
  ASSIGN_OR_RETURN(context.logger,
                   MakeLogger(definition.name, section->log.level(),
                              section->log.file()));

  HostedService hosted;
  ASSIGN_OR_RETURN(hosted.lock, RootLock::Acquire(context.identity.root));
  ASSIGN_OR_RETURN(hosted.module, definition.create(context));
  ASSIGN_OR_RETURN(hosted.server,
                   SocketServer::Start(context.identity.socket,
                                       hosted.module->GrpcServices(),
                                       hosted.module->HealthNames()));
  context.logger->info("serving on {} (state in {})", context.identity.socket,
                       context.identity.root);
  return hosted;
}

int WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace

int RunDaemon(int argc, char** argv, const std::string& program,
              const std::string& description,
              const std::vector<ServiceDefinition>& services) {
  // Debian's Abseil is built with lock-order (deadlock) tracking on, which
  // every gRPC and service mutex acquisition then pays for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app(description, program);
  DaemonFlags flags;
  app.add_option("--config", flags.config_path,
                 absl::StrCat("Config file (default ", kDefaultConfigPath,
                              " if it exists)"));
  app.add_option("--root", flags.overrides.root,
                 absl::StrCat("State directory (default ", kDefaultRoot, ")"));
  app.add_option(
      "--run-root", flags.overrides.run_root,
      absl::StrCat("Directory for sockets (default ", kDefaultRunRoot, ")"));
  app.add_option("-l,--log-level", flags.overrides.log_level,
                 "Log level: trace, debug, info, warn, error, critical, off");
  app.add_option("--log-file", flags.overrides.log_file,
                 "Append logs to this file instead of standard error");
  app.set_version_flag("-v,--version",
                       absl::StrCat(program, " version ", kVersion));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }

  auto fail = [&](const absl::Status& status) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(),
                 std::string(status.message()).c_str());
    return 1;
  };
  absl::StatusOr<config::v1::Config> config = LoadConfig(flags);
  if (!config.ok()) return fail(config.status());
  absl::StatusOr<std::shared_ptr<spdlog::logger>> log =
      MakeLogger(program, config->log().level(), config->log().file());
  if (!log.ok()) return fail(log.status());

  // Block the stop signals in every thread (gRPC's included, which inherit
  // this mask) so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<HostedService> hosted;
  for (const ServiceDefinition& definition : services) {
    absl::StatusOr<HostedService> started =
        StartService(definition, *config, program);
    if (!started.ok()) {
      for (auto it = hosted.rbegin(); it != hosted.rend(); ++it) {
        it->server->Shutdown(absl::ZeroDuration());
      }
      return fail(
          Annotate(started.status(), absl::StrCat("start ", definition.name)));
    }
    hosted.push_back(*std::move(started));
  }

  (*log)->info("{} (pid {}) started, version {}", program, getpid(), kVersion);
  const int signal_number = WaitForStopSignal(stop_signals);
  (*log)->info("received {}, shutting down", strsignal(signal_number));
  for (HostedService& service : hosted) service.module->BeginShutdown();
  for (auto it = hosted.rbegin(); it != hosted.rend(); ++it) {
    it->server->Shutdown(kShutdownGrace);
  }
  while (!hosted.empty()) hosted.pop_back();
  (*log)->info("stopped");
  return 0;
}

}  // namespace berth
