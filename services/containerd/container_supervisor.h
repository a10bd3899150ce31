// ContainerSupervisor: containerd's logic. It keeps the container records,
// creates snapshots through an ImageSource (imaged), starts each
// container's berth-shim and learns of its exit through a ShimClient,
// moves records through the lifecycle state machine
// (lifecycle/state_machine.h), applies restart policies with backoff on a
// Scheduler and auto-removal, and on open reconciles the records with the
// shims that are still alive. Everything it touches outside its records
// comes in through SupervisorDeps, so its unit tests need no root, shims or
// imaged (container_supervisor_test.cc). No gRPC types beyond the
// contract's messages.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/container/v1/container.pb.h"
#include "common/event_log.h"
#include "common/store.h"
#include "common/tree_archive/tree_tar.h"
#include "common/tree_archive/tree_untar.h"
#include "spdlog/logger.h"
#include "services/containerd/attach/stream_bridge.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/container_network.h"
#include "services/containerd/container_records.h"
#include "services/containerd/container_spec_builder.h"
#include "services/containerd/detached_execs.h"
#include "services/containerd/exec_registry.h"
#include "services/containerd/health/health_monitor.h"
#include "services/containerd/files/rootfs_access.h"
#include "services/containerd/image_source.h"
#include "services/containerd/lifecycle/state_machine.h"
#include "services/containerd/netd_client.h"
#include "services/containerd/volume_client.h"
#include "services/containerd/network_mode.h"
#include "services/containerd/scheduler.h"
#include "services/containerd/seccomp_cache.h"
#include "services/containerd/shim_client.h"
#include "services/containerd/stats/host_stats.h"
#include "services/containerd/top/command_runner.h"

namespace berth::containerd {

struct SupervisorOptions {
  std::string containers_dir;  // ROOT/containerd/containers
  std::string shims_dir;       // RUN_ROOT/shims
  std::string shim_path;       // berth-shim
  std::string cgroup_parent = "berth";
  UsernsRange userns_range;  // --userns private without mappings
  // --cgroupns when the request has none: "private" or "host", from the
  // host's layout (cgroups::DefaultCgroupnsMode) in containerd.cc. "host"
  // here keeps tests that fake the cgroups independent of the machine.
  std::string default_cgroupns_mode = "host";
  // Between two samples of a streamed `stats` (Docker's second).
  absl::Duration stats_interval = absl::Seconds(1);
  // Between the two readings of `stats --no-stream`, whose CPU % is taken
  // over this window: short, so the answer is quick for many containers.
  absl::Duration stats_window = absl::Milliseconds(50);
};

// The cgroup driver for containers under `parent` (the daemon's
// cgroup_parent or a container's --cgroup-parent).
using CgroupDriverFactory =
    std::function<absl::StatusOr<std::unique_ptr<cgroups::CgroupDriver>>(
        const std::string& parent)>;

// What the supervisor works through, wired by containerd's composition root
// (containerd.cc) or by a test.
struct SupervisorDeps {
  std::unique_ptr<ImageSource> images;
  std::unique_ptr<ShimClient> shims;
  CgroupDriverFactory cgroups;
  std::unique_ptr<Scheduler> scheduler;
  Clock* clock = nullptr;  // RealClock() when null
  // Whether host process `pid` exists (an exec whose client left); kill(pid,
  // 0) when null.
  std::function<bool(pid_t)> process_alive;
  // Runs ps for `top`; host processes (NewProcessRunner) when null.
  std::unique_ptr<CommandRunner> commands;
  // A container's root filesystem for cp, export and stat
  // (files/rootfs_access.h); the real one when null.
  std::function<absl::StatusOr<tree_archive::Fd>(
      const container::v1::Container&, files::RootfsView, bool read_only)>
      open_rootfs;
  // The host's side of `stats`; /proc when null.
  std::unique_ptr<stats::HostStats> host_stats;
  // netd and the containers' network namespaces, for containers on the
  // default bridge and user networks; without them only none, host and
  // container: modes are available.
  std::unique_ptr<NetdClient> netd;
  std::unique_ptr<NetnsStore> netns;
  // volumed, for containers with volumes; without it only binds and tmpfs
  // mounts are available.
  std::unique_ptr<VolumeClient> volumes;
};

// Makes the missing host directories of the container's `-v` binds (a
// start after the host path was removed makes it again, as Docker) and
// refuses a missing `--mount` bind source.
absl::Status PrepareBindSources(const container::v1::Container& container);

// The config of an image committed from `container`: the container's
// config over `image`'s (container_commit.cc).
image::v1::ImageConfig CommittedConfig(const container::v1::Container& container,
                                       const image::v1::ImageConfig& image);

// Writes the container's hostname, hosts and resolv.conf files (bind-mounted
// into it): hosts and resolv.conf as netd rendered them for an attached
// container, else from its record and the host's resolv.conf.
absl::Status WriteContainerFiles(
    const container::v1::Container& container,
    const network::v1::AttachContainerResponse* attached = nullptr);

class ContainerSupervisor {
 public:
  using Cancelled = std::function<bool()>;

  // `store` (containerd's database) and `log` outlive the supervisor.
  static absl::StatusOr<std::unique_ptr<ContainerSupervisor>> Open(
      Store& store, spdlog::logger& log, SupervisorDeps deps,
      SupervisorOptions options);
  // Stops the scheduler first (no restart or removal starts any more), then
  // the shim client (no exit arrives any more): each may still call the
  // other until it is stopped.
  ~ContainerSupervisor();

  // The calls that change a container take `cancelled`, the caller's "the
  // client went away": once they hold the container (an operation may wait
  // for another), an abandoned call returns CANCELLED before it changes
  // anything, so a start whose client timed out never runs later.
  absl::StatusOr<container::v1::CreateContainerResponse> Create(
      const container::v1::CreateContainerRequest& request,
      const Cancelled& cancelled = nullptr);
  absl::Status Start(const std::string& reference,
                     const Cancelled& cancelled = nullptr);
  absl::Status Stop(const std::string& reference, std::optional<int> timeout,
                    const std::string& signal,
                    const Cancelled& cancelled = nullptr);
  absl::Status Kill(const std::string& reference, const std::string& signal);
  absl::Status Restart(const std::string& reference,
                       std::optional<int> timeout, const std::string& signal,
                       const Cancelled& cancelled = nullptr);
  // With `remove_volumes`, the container's anonymous volumes go too.
  absl::Status Remove(const std::string& reference, bool force,
                      const Cancelled& cancelled = nullptr,
                      bool remove_volumes = false);
  absl::StatusOr<container::v1::WaitContainerResponse> Wait(
      const std::string& reference, container::v1::WaitCondition condition,
      const Cancelled& cancelled);
  absl::Status Rename(const std::string& reference,
                      const std::string& new_name);
  absl::StatusOr<container::v1::PruneContainersResponse> Prune(
      const container::v1::PruneContainersRequest& request);
  absl::StatusOr<container::v1::ListContainersResponse> List(
      const container::v1::ListContainersRequest& request);
  // With `size`, SizeRw and SizeRootFs too (imaged measures the writable
  // layer: slow).
  absl::StatusOr<container::v1::Container> Inspect(
      const std::string& reference, bool size = false);
  // Sends log entries in batches to `send` (false = the client went away).
  absl::Status Logs(
      const container::v1::ContainerLogsRequest& request,
      const std::function<bool(const container::v1::ContainerLogsResponse&)>&
          send,
      const Cancelled& cancelled);

  // Joins `client` to the container's stdio until the container exits,
  // the client detaches or goes away (container_attach.cc). A created
  // container is waited for: Attached is sent at once, and its start holds
  // the output until this attachment is in place.
  absl::Status Attach(const container::v1::AttachStart& start,
                      const ClientStream& client);

  // Runs a process in the running container and joins `client` to it until
  // it exits or the client detaches or goes away (container_exec.cc).
  // `created` hears of the process once it runs; with config.detach the
  // call returns then. A command that cannot be started is an exit of 126
  // with the reason (Docker's code), after no `created`.
  absl::Status Exec(
      const container::v1::ExecStart& start, const ClientStream& client,
      const std::function<bool(const container::v1::ExecCreated&)>& created);
  absl::StatusOr<container::v1::ExecInfo> InspectExec(const std::string& exec_id);

  // A new image of the container's changes (container_commit.cc); its id.
  absl::StatusOr<std::string> Commit(
      const container::v1::CommitContainerRequest& request);

  // Files (container_files.cc), running or not. `diff`: the writable
  // layer's changes (imaged's DiffRootfs) in Docker's order.
  absl::StatusOr<container::v1::DiffContainerResponse> Diff(
      const std::string& reference);
  // lstat of `path` in the container (a trailing "/" follows a symlink),
  // with a symlink's target resolved inside it. NOT_FOUND in Docker's words.
  absl::StatusOr<container::v1::PathStat> StatPath(const std::string& reference,
                                                   const std::string& path);
  // `path`'s stat to `stat` (false = the client left), then a tar of it to
  // `data`, entries named after its base name.
  absl::Status CopyFrom(
      const std::string& reference, const std::string& path,
      const std::function<bool(const container::v1::PathStat&)>& stat,
      const tree_archive::TarSink& data);
  // Extracts the tar `data` gives into the directory options.path.
  absl::Status CopyTo(const container::v1::CopyToOptions& options,
                      const tree_archive::ChunkSource& data);
  // A tar of the container's overlay, without what is mounted on it.
  absl::Status Export(const std::string& reference,
                      const tree_archive::TarSink& data);

  // `network connect` and `disconnect` (container_networking.cc): the
  // record's networks change; a running container's namespace gets or
  // loses the endpoint through netd at once, its /etc/hosts edited in
  // place. Connect returns the endpoint of a running container.
  absl::StatusOr<types::v1::NetworkEndpoint> ConnectNetwork(
      const container::v1::ConnectContainerNetworkRequest& request);
  absl::Status DisconnectNetwork(
      const container::v1::DisconnectContainerNetworkRequest& request);
  // Records for Info: containers and how many run.
  absl::StatusOr<int64_t> RunningCount();
  // How many containers are in `status` (Info's "paused").
  int64_t CountInStatus(container::v1::ContainerStatus status);

  // `berth pause` and `unpause` (container_pause.cc): freeze or thaw the
  // container's cgroup and record it. FAILED_PRECONDITION in Docker's
  // words when it does not run, is restarting, is (not) paused already.
  absl::Status Pause(const std::string& reference);
  absl::Status Unpause(const std::string& reference);

  // `berth update` (container_update.cc): Docker's checks and merge of the
  // new resources and restart policy into the record, written live into
  // the cgroup of a running or paused container. Returns Docker's warnings.
  absl::StatusOr<container::v1::UpdateContainerResponse> Update(
      const container::v1::UpdateContainerRequest& request);

  // `berth top` (container_top.cc): ps(1) through the CommandRunner, kept
  // to the pids of the container's cgroup.
  absl::StatusOr<container::v1::TopContainerResponse> Top(
      const std::string& reference, const std::string& ps_args);

  // `stats` (container_stats.cc): samples of the named containers (every
  // active one, as found at each sample, when none is named) through
  // `send`; with request.stream() one per stats_interval until `send`
  // fails, the client cancels or every named container is gone, else one
  // over stats_window (or from one reading with one_shot). A
  // container without a process gives zeroes, as in Docker.
  absl::Status Stats(
      const container::v1::ContainerStatsRequest& request,
      const std::function<bool(const container::v1::ContainerStatsResponse&)>&
          send,
      const Cancelled& cancelled);
  // Container events for `berth events` (container_events.cc).
  EventLog& events() { return events_; }

  // The daemon is stopping: a stop waiting for its container's exit returns
  // UNAVAILABLE (the container runs on) instead of holding the shutdown.
  void BeginShutdown();

  // Fault injection for tests (ContainerRecords::SetWriteFaultForTesting).
  void SetRecordWriteFaultForTesting(ContainerRecords::WriteFault fault) {
    records_->SetWriteFaultForTesting(std::move(fault));
  }

 private:
  // How long a SIGKILLed container may take to be seen exiting.
  static constexpr absl::Duration kKillGrace = absl::Seconds(30);
  struct Live {
    int64_t exits = 0;  // exits seen since the daemon started
    absl::Duration backoff = absl::ZeroDuration();
    std::shared_ptr<absl::Mutex> op = std::make_shared<absl::Mutex>();
    // Why the shim was killed (it stopped answering); the error of the
    // exit that follows.
    std::string shim_killed;
    // Retries of an exit whose record could not be written.
    absl::Duration persist_retry = absl::ZeroDuration();
    // Clients waiting for the container's start to attach, and the starts
    // recorded since the daemon started (what they wait for).
    int awaiting_attach = 0;
    int64_t starts = 0;
  };

  ContainerSupervisor(spdlog::logger& log, SupervisorDeps deps,
                      SupervisorOptions options);
  absl::Status Recover();
  // A record without a process whose shim answers anyway (containerd died
  // between launching a start's shim and recording it): its container is
  // killed, so the record (created or exited) is true again.
  void EndUntrackedShim(const container::v1::Container& container);
  // What a create interrupted by a crash left without a record (it writes
  // the record last): state directories and shim sockets, removed before
  // the supervisor serves (container_orphans.cc).
  void RemoveUnrecordedState();
  // ... and rootfs snapshots leased to a container without a record, which
  // needs imaged: tried on the scheduler until imaged answers. Containers
  // this supervisor is creating meanwhile are spared (created_here_).
  void SweepUnrecordedRootfs(int attempt);
  // A sweep whose service did not answer (UNAVAILABLE, DEADLINE_EXCEEDED)
  // is posted again with backoff, a few times: true when it was.
  bool RetrySweep(int attempt, const absl::Status& failure,
                  const std::function<void(int)>& sweep);
  // Networks (container_networking.cc). The networks a create names must
  // exist; the record lists them (names and ids) until the first start.
  absl::Status CheckNetworks(container::v1::Container* container);
  // A namespace for the container wired by netd to its networks; undone
  // by ReleaseNetwork, which is fine to call when nothing is attached.
  absl::StatusOr<network::v1::AttachContainerResponse> AttachNetwork(
      const container::v1::Container& container,
      const std::vector<types::v1::HostEntry>& links);
  // `network connect`/`disconnect`'s frame: the container under its
  // operation lock, its mode, netd's network (host refused either way);
  // `change` edits the record and sets `changed` for it to be saved.
  using NetworkChange = std::function<absl::Status(
      container::v1::Container& container, const NetworkMode& mode,
      const network::v1::Network& network, bool* changed)>;
  absl::Status ChangeNetworks(const std::string& reference,
                              const std::string& network_reference,
                              const char* action, const NetworkChange& change);
  // --link: the running containers linked to, as hosts lines and Docker's
  // legacy environment (container_network.h).
  struct ResolvedLinks {
    std::vector<types::v1::HostEntry> hosts;
    std::vector<std::string> env;
  };
  absl::StatusOr<ResolvedLinks> ResolveLinks(
      const container::v1::Container& container);
  void ReleaseNetwork(const container::v1::Container& container);
  // --network container:NAME: the running container's namespace and a copy
  // of its hosts and resolv.conf.
  struct JoinedNetwork {
    std::string netns_path;
    std::string hostname;  // the other's, as Docker gives it
    network::v1::AttachContainerResponse files;  // hosts, resolv_conf
  };
  absl::StatusOr<JoinedNetwork> JoinNetwork(
      const container::v1::Container& container);
  // A start's network: on the bridge or a user network its links resolved
  // and its namespace attached (`attached`: ReleaseNetwork undoes it), with
  // container:NAME the other's namespace joined. Sets the spec's network
  // mode, netns path, hostname and environment, and gives the hosts and
  // resolv.conf to write (none for none and host).
  struct StartNetwork {
    bool attached = false;
    std::optional<network::v1::AttachContainerResponse> files;
  };
  absl::StatusOr<StartNetwork> PrepareNetwork(
      container::v1::Container& container, shim::ShimSpec& spec);
  // At recovery: the namespaces of containers that do not run (they ended
  // while containerd was down, or a start was interrupted) are removed,
  // and the endpoints netd holds for them are released by
  // SweepStaleEndpoints, tried on the scheduler until netd answers.
  void RemoveStaleNamespaces();
  void SweepStaleEndpoints(int attempt);
  // A new container's mounts (container_volumes.cc): planned from its
  // host config, its image's VOLUMEs and --volumes-from, bind sources
  // checked, volumes acquired (all released again on failure). Call with
  // the container's operation lock held until its record is written.
  absl::StatusOr<std::vector<container::v1::MountPoint>> AcquireMounts(
      const container::v1::Container& container);
  // Lets go of the container's volumes (and removes its anonymous ones).
  absl::Status ReleaseVolumes(const container::v1::Container& container,
                              bool remove_anonymous);
  // Lets go of the volumes of `id`, a failed create or a removed container,
  // retried on the scheduler while volumed does not answer.
  void ReleaseLostVolumes(const std::string& id, int attempt,
                          bool remove_anonymous = true);
  // A restart policy's start when the daemon starts: a container with
  // volumes waits until volumed answers (it mounts their filesystems).
  void StartAtDaemonStart(const std::string& id, int attempt);
  // At recovery: volumes held for containers without a record are let go,
  // tried on the scheduler until volumed answers.
  void SweepStaleVolumeHolders(int attempt);
  // Moves `container` by `event` per the state machine (the status and the
  // flags derived from it); FAILED_PRECONDITION if the table forbids it.
  static absl::Status Move(container::v1::Container& container,
                           LifecycleEvent event);
  // The cgroup driver for the container's parent (cached per parent).
  absl::StatusOr<cgroups::CgroupDriver*> CgroupsOf(
      const container::v1::Container& container);
  // A shim that stopped answering: killed, with the container's processes
  // (through its cgroup); the monitor then reports the exit.
  void KillUnresponsiveShim(const container::v1::Container& container,
                            const absl::Status& why);
  // Health checks (container_health.cc): the check of a running container
  // begins (nothing without one); a probe through the shim's exec; a
  // result kept in the record while that run lasts.
  void WatchHealth(const container::v1::Container& container);
  health::ProbeResult RunHealthProbe(const std::string& id,
                                     const health::ProbeSettings& settings,
                                     const std::function<bool()>& stopped);
  bool RecordHealth(const std::string& id, absl::Time started_at,
                    const container::v1::Health& health);
  // Writes the record of an exit again until it sticks.
  void PersistExit(const std::string& id);
  // After `signal` reached a paused container, thaws it when Docker would
  // (a kill, or the container's stop signal), so the signal is delivered,
  // and records it running again (container_pause.cc).
  void ResumeAfterSignal(const std::string& id, int signal);
  // At recovery, the record of an adopted container follows its cgroup's
  // freezer: a pause or unpause the daemon did not see recorded is.
  void RecoverPauseState(container::v1::Container container);
  // One reading of a container for `stats` (container_stats.cc), with the
  // host's CPU time and memory read once for the round (as Docker's daemon).
  absl::StatusOr<container::v1::ContainerStats> ReadStats(
      const container::v1::Container& container, const stats::HostCpu& host,
      uint64_t host_memory);

  // Publishes a container event with Docker's attributes (labels, image,
  // name, then `extra`); EmitExec adds execID to the container's.
  void Emit(const container::v1::Container& container,
            const std::string& action,
            const std::map<std::string, std::string>& extra = {});
  void EmitExec(const std::string& id, const std::string& action,
                const std::string& exec_id,
                const std::map<std::string, std::string>& extra = {});

  ContainerPaths PathsOf(const std::string& id) const;
  // The container's root for a file call (container_files.cc); a container
  // without a process stays locked against starts until it is released.
  struct OpenedRootfs;
  absl::StatusOr<OpenedRootfs> OpenRootfs(const std::string& reference,
                                          files::RootfsView view,
                                          bool read_only);
  // Serialises lifecycle operations on one container.
  std::shared_ptr<absl::Mutex> OpLock(const std::string& id);
  absl::StatusOr<container::v1::Container> Load(const std::string& id);
  absl::Status Save(const container::v1::Container& container)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Status StartLocked(container::v1::Container container,
                           bool by_policy);
  absl::Status SignalLocked(const container::v1::Container& container,
                            int signal);
  // Waits until the container's exit count passes `exits` or `deadline`.
  bool AwaitExit(const std::string& id, int64_t exits, absl::Time deadline);
  // Returns when the container's next exit is recorded, or after `at_most`.
  void AwaitNextExit(const std::string& id, absl::Duration at_most);
  absl::Status StopLocked(const container::v1::Container& container,
                          std::optional<int> timeout,
                          const std::string& signal);
  // With `remove_volumes`, its anonymous volumes go too (`rm -v`, `--rm`).
  absl::Status RemoveLocked(container::v1::Container container,
                            bool remove_volumes);
  void OnExit(const std::string& id,
              const absl::StatusOr<shim::ExitRecord>& exit);
  void RestartByPolicy(const std::string& id);
  // Image id -> its size, for the containers of one call.
  using ImageSizes = std::map<std::string, int64_t>;
  // Docker's SizeRw (the writable layer) and SizeRootFs (it plus the image).
  std::pair<int64_t, int64_t> SizesOf(const container::v1::Container& container,
                                      ImageSizes& images);
  bool Matches(const container::v1::Container& container,
               const container::v1::ContainerFilter& filter,
               const std::map<std::string, std::string>& ancestor_ids,
               const std::vector<std::regex>& names);

  spdlog::logger& log_;
  // Before the threads below, which emit until they are stopped.
  EventLog events_;
  std::unique_ptr<ImageSource> images_;
  std::unique_ptr<CommandRunner> commands_;
  CgroupDriverFactory cgroup_factory_;
  Clock& clock_;
  const SupervisorOptions options_;
  std::unique_ptr<ContainerRecords> records_;
  SeccompCache seccomp_;
  ExecRegistry execs_;
  decltype(SupervisorDeps::open_rootfs) open_rootfs_;
  std::unique_ptr<stats::HostStats> host_stats_;
  std::unique_ptr<NetdClient> netd_;
  std::unique_ptr<NetnsStore> netns_;
  std::unique_ptr<VolumeClient> volumes_;

  absl::Mutex drivers_mu_;
  std::map<std::string, std::unique_ptr<cgroups::CgroupDriver>> drivers_
      ABSL_GUARDED_BY(drivers_mu_);

  absl::Mutex mu_;
  std::map<std::string, Live> live_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  // Ids this supervisor made, until the rootfs sweep has run.
  bool rootfs_sweep_pending_ ABSL_GUARDED_BY(mu_) = true;
  std::set<std::string> created_here_ ABSL_GUARDED_BY(mu_);
  // Last exit of containers removed since, for WAIT_CONDITION_REMOVED.
  std::map<std::string, container::v1::WaitContainerResponse> removed_
      ABSL_GUARDED_BY(mu_);

  // Declared last: their threads call back into the members above (and
  // into each other until the destructor stops them).
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ShimClient> shims_;
  // Exec streams without a client, read to their exits.
  std::unique_ptr<DetachedExecs> detached_execs_;
  // Its probes use shims_: shut down before it.
  std::unique_ptr<health::HealthMonitor> health_;
};

// Docker's action for an exec event: "exec_start: CMD ARGS".
std::string ExecAction(const std::string& action,
                       const container::v1::ExecConfig& config);

// Docker's word for a health status in "health_status: healthy".
std::string HealthWord(container::v1::Health::Status status);

// CANCELLED when `cancelled` says the client of `operation` on container
// `id` went away (nothing was changed then); OK otherwise or when null.
absl::Status Abandoned(const ContainerSupervisor::Cancelled& cancelled,
                       absl::string_view operation, const std::string& id);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_
