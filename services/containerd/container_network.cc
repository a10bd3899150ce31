// Attaching containers to netd's networks: the namespace each gets, the
// request netd wires it by, and the record of the answer.
#include "services/containerd/container_network.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/netns.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/network_mode.h"
#include "spdlog/spdlog.h"

namespace berth::containerd {
namespace {

using container::v1::Container;

// Namespaces made ahead by a thread of the store's own, so a start binds
// one (a mount) instead of making it (the kernel's netns setup, ~1 ms) on
// its path.
class BoundNetnsStore final : public NetnsStore {
 public:
  BoundNetnsStore(std::string dir, spdlog::logger& log)
      : dir_(std::move(dir)), log_(log) {
    maker_ = std::thread([this] { MakeAhead(); });
  }

  ~BoundNetnsStore() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    maker_.join();
    for (const int fd : ready_) close(fd);
  }

  std::string PathOf(const std::string& id) const override {
    return absl::StrCat(dir_, "/", id);
  }

  absl::Status Create(const std::string& id) override {
    RETURN_IF_ERROR(MakeDirs(dir_));
    // One left by a crash between create and record is replaced.
    RETURN_IF_ERROR(RemoveNetns(PathOf(id)));
    int fd = -1;
    {
      absl::MutexLock lock(&mu_);
      if (!ready_.empty()) {
        fd = ready_.back();
        ready_.pop_back();
      }
    }
    if (fd < 0) return CreateNetns(PathOf(id));
    absl::Status bound = BindNetns(fd, PathOf(id));
    close(fd);
    return bound;
  }

  absl::Status Remove(const std::string& id) override {
    return RemoveNetns(PathOf(id));
  }

  std::set<std::string> List() const override {
    std::set<std::string> ids;
    DIR* dir = opendir(dir_.c_str());
    if (dir == nullptr) return ids;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ids.insert(entry->d_name);
    }
    closedir(dir);
    return ids;
  }

 private:
  static constexpr size_t kAhead = 2;

  // Keeps kAhead namespaces ready until the store goes; a failure to make
  // one leaves the starts to make theirs (and says why once).
  void MakeAhead() {
    absl::MutexLock lock(&mu_);
    while (true) {
      mu_.Await(absl::Condition(
          +[](BoundNetnsStore* store) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store->mu_) {
            return store->stopping_ || store->ready_.size() < kAhead;
          },
          this));
      if (stopping_) return;
      mu_.Unlock();
      absl::StatusOr<int> fd = NewNetnsFd();
      mu_.Lock();
      if (!fd.ok()) {
        log_.warn("network namespaces are not made ahead, each start makes its "
                  "own: {}",
                  std::string(fd.status().message()));
        return;
      }
      ready_.push_back(*fd);
    }
  }

  const std::string dir_;
  spdlog::logger& log_;
  absl::Mutex mu_;
  std::vector<int> ready_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread maker_;
};

network::v1::ContainerIdentity IdentityOf(const Container& container) {
  network::v1::ContainerIdentity identity;
  identity.set_container_id(container.id());
  identity.set_name(container.name());
  identity.set_hostname(container.config().hostname());
  identity.set_domainname(container.config().domainname());
  return identity;
}

// The first field of a hosts line.
absl::string_view AddressOf(absl::string_view line) {
  line = absl::StripLeadingAsciiWhitespace(line);
  return line.substr(0, line.find_first_of(" \t"));
}

}  // namespace

std::string PrimaryNetwork(const Container& container) {
  absl::StatusOr<NetworkMode> mode =
      ParseNetworkMode(container.host_config().network_mode());
  if (!mode.ok() || mode->kind != NetworkMode::Kind::kNetwork) return "bridge";
  return mode->name;
}

std::unique_ptr<NetnsStore> NewBoundNetnsStore(const std::string& dir,
                                               spdlog::logger& log) {
  return std::make_unique<BoundNetnsStore>(dir, log);
}

bool UsesNetd(const Container& container) {
  absl::StatusOr<NetworkMode> mode =
      ParseNetworkMode(container.host_config().network_mode());
  return mode.ok() && (mode->kind == NetworkMode::Kind::kBridge ||
                       mode->kind == NetworkMode::Kind::kNetwork);
}

network::v1::AttachContainerRequest AttachRequestFor(
    const Container& container, const std::string& netns_path) {
  network::v1::AttachContainerRequest request;
  *request.mutable_container() = IdentityOf(container);
  request.set_netns_path(netns_path);

  const std::string primary = PrimaryNetwork(container);
  const auto& endpoints = container.networking_config().endpoints();
  // The networks the record lists (connects and disconnects change them);
  // none listed, the mode's and the configured ones (a create's check, and
  // as Docker, a container disconnected from all gets its mode's again).
  // By name after the primary, so eth1, eth2... are stable.
  std::set<std::string> names;
  for (const auto& [name, endpoint] : container.network_settings().networks()) {
    names.insert(name);
  }
  if (names.empty()) {
    names.insert(primary);
    for (const auto& [name, config] : endpoints) names.insert(name);
  }
  std::vector<std::string> ordered;
  if (names.erase(primary) > 0) ordered.push_back(primary);
  ordered.insert(ordered.end(), names.begin(), names.end());
  for (const std::string& name : ordered) {
    network::v1::NetworkAttachment* attachment = request.add_networks();
    attachment->set_network(name);
    if (auto it = endpoints.find(name); it != endpoints.end()) {
      *attachment->mutable_config() = it->second;
    }
  }

  const container::v1::HostConfig& host = container.host_config();
  *request.mutable_port_bindings() = host.port_bindings();
  if (host.publish_all_ports()) {
    for (const std::string& port : container.config().exposed_ports()) {
      request.add_publish_all_exposed(port);
    }
  }
  *request.mutable_dns() = host.dns();
  *request.mutable_extra_hosts() = host.extra_hosts();
  return request;
}

void RecordAttachment(const network::v1::AttachContainerResponse& attached,
                      const std::string& netns_path, Container* container) {
  container::v1::NetworkSettings* settings =
      container->mutable_network_settings();
  settings->Clear();
  settings->set_sandbox_key(netns_path);
  for (const types::v1::NetworkEndpoint& endpoint : attached.endpoints()) {
    (*settings->mutable_networks())[endpoint.network_name()] = endpoint;
  }
  *settings->mutable_ports() = attached.ports();
}

void ForgetAttachment(Container* container) {
  container::v1::NetworkSettings* settings =
      container->mutable_network_settings();
  settings->clear_sandbox_key();
  settings->clear_ports();
  for (auto& [name, endpoint] : *settings->mutable_networks()) {
    types::v1::NetworkEndpoint kept;
    kept.set_network_id(endpoint.network_id());
    kept.set_network_name(endpoint.network_name());
    endpoint = kept;
  }
}

network::v1::ConnectContainerRequest ConnectRequestFor(
    const Container& container, const std::string& network,
    const types::v1::EndpointConfig& config) {
  network::v1::ConnectContainerRequest request;
  *request.mutable_container() = IdentityOf(container);
  request.set_netns_path(container.network_settings().sandbox_key());
  request.mutable_network()->set_network(network);
  *request.mutable_network()->mutable_config() = config;
  *request.mutable_dns() = container.host_config().dns();
  return request;
}

network::v1::DisconnectContainerRequest DisconnectRequestFor(
    const Container& container, const std::string& network, bool force) {
  network::v1::DisconnectContainerRequest request;
  request.set_container_id(container.id());
  request.set_netns_path(container.network_settings().sandbox_key());
  request.set_network(network);
  request.set_force(force);
  return request;
}

std::string HostsWithAddress(absl::string_view hosts, const Container& container,
                             const std::string& ip) {
  const std::string& hostname = container.config().hostname();
  const std::string& domain = container.config().domainname();
  std::string names =
      domain.empty() ? hostname : absl::StrCat(hostname, ".", domain, " ", hostname);
  std::string out(hosts);
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  absl::StrAppend(&out, ip, "\t", names, "\n");
  return out;
}

std::string HostsWithoutAddress(absl::string_view hosts, const std::string& ip) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(hosts, '\n')) {
    if (AddressOf(line) == ip) continue;
    absl::StrAppend(&out, line, "\n");
  }
  // StrSplit gives a last empty piece after the final newline.
  if (!out.empty()) out.pop_back();
  return out;
}

void ForgetNetwork(Container* container, const std::string& network) {
  container->mutable_network_settings()->mutable_networks()->erase(network);
  container->mutable_networking_config()->mutable_endpoints()->erase(network);
}

absl::StatusOr<Link> ParseLink(const std::string& link) {
  Link parsed;
  const size_t colon = link.find(':');
  parsed.name = link.substr(0, colon);
  parsed.alias = colon == std::string::npos ? parsed.name : link.substr(colon + 1);
  if (parsed.name.empty() || parsed.alias.empty() ||
      parsed.alias.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid link \"", link, "\": use --link NAME or --link NAME:ALIAS"));
  }
  return parsed;
}

types::v1::HostEntry LinkHostEntry(const Link& link, const Container& target,
                                   const std::string& ip) {
  types::v1::HostEntry entry;
  entry.set_ip(ip);
  for (const std::string& name :
       {link.alias, target.config().hostname(), target.name()}) {
    if (name.empty() || std::find(entry.names().begin(), entry.names().end(),
                                  name) != entry.names().end()) {
      continue;
    }
    entry.add_names(name);
  }
  return entry;
}

google::protobuf::RepeatedPtrField<std::string> WithLinkEnvironment(
    const std::vector<std::string>& links,
    const google::protobuf::RepeatedPtrField<std::string>& own) {
  std::set<std::string> keys;
  for (const std::string& variable : own) {
    keys.insert(variable.substr(0, variable.find('=')));
  }
  google::protobuf::RepeatedPtrField<std::string> env;
  for (const std::string& variable : links) {
    if (keys.count(variable.substr(0, variable.find('='))) == 0) {
      *env.Add() = variable;
    }
  }
  env.MergeFrom(own);
  return env;
}

std::vector<std::string> LinkEnvironment(const Link& link,
                                         const std::string& name,
                                         const Container& target,
                                         const std::string& ip) {
  std::string prefix = absl::AsciiStrToUpper(link.alias);
  std::replace(prefix.begin(), prefix.end(), '-', '_');
  // "80/tcp" -> (80, "tcp"), in port order as Docker lists them.
  std::vector<std::pair<int, std::string>> ports;
  for (const std::string& exposed : target.config().exposed_ports()) {
    const size_t slash = exposed.find('/');
    int port = 0;
    if (!absl::SimpleAtoi(exposed.substr(0, slash), &port)) continue;
    ports.emplace_back(port, slash == std::string::npos
                                 ? "tcp"
                                 : absl::AsciiStrToLower(exposed.substr(slash + 1)));
  }
  std::sort(ports.begin(), ports.end());
  std::vector<std::string> env;
  if (!ports.empty()) {
    env.push_back(absl::StrCat(prefix, "_PORT=", ports[0].second, "://", ip, ":",
                               ports[0].first));
  }
  for (const auto& [port, proto] : ports) {
    const std::string key = absl::StrCat(prefix, "_PORT_", port, "_",
                                         absl::AsciiStrToUpper(proto));
    env.push_back(absl::StrCat(key, "=", proto, "://", ip, ":", port));
    env.push_back(absl::StrCat(key, "_ADDR=", ip));
    env.push_back(absl::StrCat(key, "_PORT=", port));
    env.push_back(absl::StrCat(key, "_PROTO=", proto));
  }
  env.push_back(absl::StrCat(prefix, "_NAME=/", name, "/", link.alias));
  for (const std::string& variable : target.config().env()) {
    const size_t equals = variable.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = variable.substr(0, equals);
    if (key == "HOME" || key == "PATH") continue;
    env.push_back(absl::StrCat(prefix, "_ENV_", variable));
  }
  return env;
}

}  // namespace berth::containerd
