// netd's embedded DNS server, Docker's 127.0.0.11: for every container on a
// user network, a UDP socket bound to 127.0.0.11:53 inside the container's
// network namespace (made from a thread that visits it; the socket stays
// there). One thread serves them all: names of containers come from the
// resolver (the controller's endpoints); other names are forwarded to the
// host's resolvers when forwarding is on, else answered SERVFAIL.
#ifndef BERTH_SERVICES_NETD_DNS_DNS_SERVER_H_
#define BERTH_SERVICES_NETD_DNS_DNS_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/netd/dns/container_dns.h"

namespace spdlog {
class logger;
}

namespace berth::netd::dns {

inline constexpr char kEmbeddedDnsAddress[] = "127.0.0.11";

// The addresses (IPv4, host order) `name` has for container `container_id`,
// or nullopt when no container it can reach has that name.
using Resolver = std::function<std::optional<std::vector<uint32_t>>(
    const std::string& container_id, const std::string& name)>;

class DnsServer final : public ContainerDns {
 public:
  // `upstreams`: the host resolvers' IPv4 addresses for forwarding; empty:
  // nothing is forwarded.
  static absl::StatusOr<std::unique_ptr<DnsServer>> Start(
      Resolver resolver, std::vector<std::string> upstreams,
      spdlog::logger& log);
  ~DnsServer();

  // Listens for `container_id` in the namespace at `netns_path` (its
  // loopback up); a second call for the same container replaces the first.
  absl::Status Listen(const std::string& container_id,
                      const std::string& netns_path) override;
  // Fine when it does not listen.
  void Close(const std::string& container_id) override;

 private:
  DnsServer(Resolver resolver, std::vector<std::string> upstreams,
            spdlog::logger& log);
  void Serve();
  void Answer(int fd, const std::string& container_id);
  // Asks the upstreams for `query` (the bytes a container sent); the
  // answer, or "" when none came in time.
  std::string Forward(const std::string& query);

  const Resolver resolver_;
  const std::vector<std::string> upstreams_;
  spdlog::logger& log_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop
  absl::Mutex mu_;
  // Socket -> container, and container -> socket.
  std::map<int, std::string> containers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> sockets_ ABSL_GUARDED_BY(mu_);
  // Forwarded queries in flight, each on a thread of its own (the serving
  // thread never waits for an upstream); the destructor waits for them.
  std::atomic<int> forwarding_{0};
  std::thread thread_;
};

}  // namespace berth::netd::dns

#endif  // BERTH_SERVICES_NETD_DNS_DNS_SERVER_H_
