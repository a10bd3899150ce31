#include "services/netd/dns/dns_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/netd/dns/dns_message.h"
#include "spdlog/spdlog.h"

namespace berth::netd::dns {
namespace {

constexpr size_t kMaxPacket = 4096;
constexpr int kMaxForwarding = 32;
constexpr int kUpstreamTimeoutMs = 2000;

sockaddr_in Address(const std::string& ip, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

// A UDP socket bound to 127.0.0.11:53 in the namespace at `netns_path`: a
// thread enters the namespace, makes it and ends (sockets keep the
// namespace they were made in).
absl::StatusOr<int> BindIn(const std::string& netns_path) {
  absl::StatusOr<int> made = absl::InternalError("not run");
  std::thread visitor([&] {
    const int netns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (netns < 0) {
      made = ErrnoStatus(errno, "open the netns", netns_path);
      return;
    }
    const bool entered = setns(netns, CLONE_NEWNET) == 0;
    const int setns_errno = errno;
    close(netns);
    if (!entered) {
      made = ErrnoStatus(setns_errno, "enter the netns", netns_path);
      return;
    }
    const int fd =
        socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      made = ErrnoStatus(errno, "make the DNS socket in", netns_path);
      return;
    }
    const sockaddr_in address = Address(kEmbeddedDnsAddress, 53);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&address),
             sizeof(address)) != 0) {
      made = ErrnoStatus(errno, "bind 127.0.0.11:53 in", netns_path);
      close(fd);
      return;
    }
    made = fd;
  });
  visitor.join();
  return made;
}

}  // namespace

DnsServer::DnsServer(Resolver resolver, std::vector<std::string> upstreams,
                     spdlog::logger& log)
    : resolver_(std::move(resolver)),
      upstreams_(std::move(upstreams)),
      log_(log) {}

absl::StatusOr<std::unique_ptr<DnsServer>> DnsServer::Start(
    Resolver resolver, std::vector<std::string> upstreams,
    spdlog::logger& log) {
  std::unique_ptr<DnsServer> server(
      new DnsServer(std::move(resolver), std::move(upstreams), log));
  server->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (server->epoll_fd_ < 0) return ErrnoStatus(errno, "epoll_create1", "dns");
  server->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (server->wake_fd_ < 0) return ErrnoStatus(errno, "eventfd", "dns");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = server->wake_fd_;
  if (epoll_ctl(server->epoll_fd_, EPOLL_CTL_ADD, server->wake_fd_, &event) !=
      0) {
    return ErrnoStatus(errno, "epoll_ctl", "dns");
  }
  DnsServer* raw = server.get();
  server->thread_ = std::thread([raw] { raw->Serve(); });
  return server;
}

DnsServer::~DnsServer() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof(one)) != sizeof(one)) {
      log_.error("dns: cannot wake the server to stop: {}", errno);
    }
    thread_.join();
  }
  while (forwarding_.load() > 0) absl::SleepFor(absl::Milliseconds(10));
  absl::MutexLock lock(&mu_);
  for (const auto& [fd, id] : containers_) close(fd);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status DnsServer::Listen(const std::string& container_id,
                               const std::string& netns_path) {
  // The earlier socket goes first: it holds 127.0.0.11:53 there (netd's
  // attach of an attached container listens again).
  Close(container_id);
  ASSIGN_OR_RETURN(const int fd, BindIn(netns_path));
  absl::MutexLock lock(&mu_);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error = errno;
    close(fd);
    return ErrnoStatus(error, "watch the DNS socket of", netns_path);
  }
  containers_[fd] = container_id;
  sockets_[container_id] = fd;
  return absl::OkStatus();
}

void DnsServer::Close(const std::string& container_id) {
  absl::MutexLock lock(&mu_);
  auto it = sockets_.find(container_id);
  if (it == sockets_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second, nullptr);
  close(it->second);
  containers_.erase(it->second);
  sockets_.erase(it);
}

void DnsServer::Serve() {
  epoll_event events[16];
  while (true) {
    const int ready = epoll_wait(epoll_fd_, events, 16, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      log_.error("dns: epoll_wait: {}", errno);
      return;
    }
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) return;
      std::string container_id;
      {
        absl::MutexLock lock(&mu_);
        auto it = containers_.find(fd);
        if (it == containers_.end()) continue;  // closed meanwhile
        container_id = it->second;
      }
      Answer(fd, container_id);
    }
  }
}

void DnsServer::Answer(int fd, const std::string& container_id) {
  char buffer[kMaxPacket];
  sockaddr_in peer{};
  socklen_t peer_size = sizeof(peer);
  const ssize_t size = recvfrom(fd, buffer, sizeof(buffer), 0,
                                reinterpret_cast<sockaddr*>(&peer), &peer_size);
  if (size <= 0) return;
  const std::string packet(buffer, static_cast<size_t>(size));
  auto reply = [peer, peer_size](int socket, const std::string& answer) {
    if (answer.empty()) return;
    sendto(socket, answer.data(), answer.size(), 0,
           reinterpret_cast<const sockaddr*>(&peer), peer_size);
  };
  absl::StatusOr<DnsQuery> query = ParseDnsQuery(packet);
  if (!query.ok()) {
    reply(fd, DnsFormatError(packet));
    return;
  }
  if (query->qclass == kClassIn) {
    std::optional<std::vector<uint32_t>> found =
        resolver_(container_id, query->name);
    if (found.has_value()) {
      // A container's name: its IPv4 addresses; other types have none.
      reply(fd, DnsAnswer(
                    *query, Rcode::kNoError,
                    query->type == kTypeA ? *found : std::vector<uint32_t>{}));
      return;
    }
  }
  if (upstreams_.empty() || forwarding_.load() >= kMaxForwarding) {
    reply(fd, DnsAnswer(*query, Rcode::kServerFailure));
    return;
  }
  // The forwarder answers on its own copy of the socket, which stays valid
  // even if the container goes meanwhile.
  const int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    reply(fd, DnsAnswer(*query, Rcode::kServerFailure));
    return;
  }
  ++forwarding_;
  std::thread([this, own, packet, reply, query = *query] {
    std::string answer = Forward(packet);
    if (answer.empty()) answer = DnsAnswer(query, Rcode::kServerFailure);
    reply(own, answer);
    close(own);
    --forwarding_;
  }).detach();
}

std::string DnsServer::Forward(const std::string& query) {
  for (const std::string& upstream : upstreams_) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    const sockaddr_in address = Address(upstream, 53);
    std::string answer;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) == 0 &&
        send(fd, query.data(), query.size(), 0) ==
            static_cast<ssize_t>(query.size())) {
      pollfd ready{fd, POLLIN, 0};
      char buffer[kMaxPacket];
      if (poll(&ready, 1, kUpstreamTimeoutMs) == 1) {
        const ssize_t size = recv(fd, buffer, sizeof(buffer), 0);
        // The upstream's answer carries the query's id: relayed as is.
        if (size >= 12 && buffer[0] == query[0] && buffer[1] == query[1]) {
          answer.assign(buffer, static_cast<size_t>(size));
        }
      }
    }
    close(fd);
    if (!answer.empty()) return answer;
  }
  return "";
}

}  // namespace berth::netd::dns
