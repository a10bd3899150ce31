// Needs root: the test moves into a network namespace of its own (where
// the fake upstream resolver listens on 127.0.0.1:53) and makes a
// container's namespace beside it, where the server listens.
#include "services/netd/dns/dns_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "common/fs_util.h"
#include "common/netns.h"
#include "gtest/gtest.h"
#include "services/netd/dns/dns_message.h"
#include "spdlog/sinks/null_sink.h"
#include "spdlog/spdlog.h"

namespace berth::netd::dns {
namespace {

bool LoopbackUp() {
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  const bool up =
      sock >= 0 && ioctl(sock, SIOCGIFFLAGS, &request) == 0 &&
      (request.ifr_flags |= IFF_UP, ioctl(sock, SIOCSIFFLAGS, &request) == 0);
  if (sock >= 0) close(sock);
  return up;
}

sockaddr_in At(const char* ip, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  return address;
}

std::string QueryFor(const std::string& name, uint16_t id) {
  std::string packet = {static_cast<char>(id >> 8),
                        static_cast<char>(id),
                        0x01,
                        0x00,
                        0,
                        1,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    packet.push_back(static_cast<char>(dot - start));
    packet += name.substr(start, dot - start);
    start = dot + 1;
  }
  packet += std::string{0, 0, 1, 0, 1};
  return packet;
}

// Sends `query` to 127.0.0.11:53 from inside the namespace at `netns`; the
// answer ("" after a second).
std::string Ask(const std::string& netns, const std::string& query) {
  std::string answer;
  std::thread asker([&] {
    const int ns = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return;
    close(ns);
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const sockaddr_in server = At("127.0.0.11", 53);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&server),
                sizeof(server)) == 0 &&
        send(fd, query.data(), query.size(), 0) > 0) {
      pollfd ready{fd, POLLIN, 0};
      char buffer[512];
      if (poll(&ready, 1, 1000) == 1) {
        const ssize_t size = recv(fd, buffer, sizeof(buffer), 0);
        if (size > 0) answer.assign(buffer, static_cast<size_t>(size));
      }
    }
    close(fd);
  });
  asker.join();
  return answer;
}

// A container's namespace with its loopback up, at DIR/ns; DIR ("" on
// failure, reported).
std::string MakeContainerNetns() {
  absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "dns-test-");
  if (!dir.ok() || !CreateNetns(*dir + "/ns").ok()) {
    ADD_FAILURE() << "cannot make a netns";
    return "";
  }
  bool up = false;
  std::thread([&] {
    const int ns = open((*dir + "/ns").c_str(), O_RDONLY | O_CLOEXEC);
    up = ns >= 0 && setns(ns, CLONE_NEWNET) == 0 && LoopbackUp();
    if (ns >= 0) close(ns);
  }).join();
  if (!up) ADD_FAILURE() << "cannot bring up the netns' loopback";
  return *dir;
}

int RcodeOf(const std::string& answer) {
  return answer.size() < 4 ? -1 : static_cast<uint8_t>(answer[3]) & 0x0f;
}

TEST(DnsServerTest, AnswersContainersNamesAndForwardsTheRest) {
  ASSERT_EQ(unshare(CLONE_NEWNET), 0);
  ASSERT_TRUE(LoopbackUp());
  const std::string dir = MakeContainerNetns();
  ASSERT_FALSE(dir.empty());
  const std::string netns = dir + "/ns";

  // The upstream: answers every query with its id and REFUSED... as a
  // marker that the answer came from it.
  const int upstream = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const sockaddr_in upstream_at = At("127.0.0.1", 53);
  ASSERT_EQ(bind(upstream, reinterpret_cast<const sockaddr*>(&upstream_at),
                 sizeof(upstream_at)),
            0);
  std::thread upstream_thread([upstream] {
    char buffer[512];
    sockaddr_in peer{};
    socklen_t size = sizeof(peer);
    const ssize_t got = recvfrom(upstream, buffer, sizeof(buffer), 0,
                                 reinterpret_cast<sockaddr*>(&peer), &size);
    if (got < 12) return;
    absl::StatusOr<DnsQuery> query = ParseDnsQuery(std::string(buffer, got));
    if (!query.ok()) return;
    const std::string answer = DnsAnswer(*query, Rcode::kRefused);
    sendto(upstream, answer.data(), answer.size(), 0,
           reinterpret_cast<sockaddr*>(&peer), size);
  });

  spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::string asked_by;
  absl::StatusOr<std::unique_ptr<DnsServer>> server = DnsServer::Start(
      [&](const std::string& container,
          const std::string& name) -> std::optional<std::vector<uint32_t>> {
        asked_by = container;
        if (name == "web") return std::vector<uint32_t>{0xac120005};
        return std::nullopt;
      },
      {"127.0.0.1"}, log);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Listen("c1", netns).ok());

  const std::string known = Ask(netns, QueryFor("Web", 7));
  ASSERT_GE(known.size(), 16u);
  EXPECT_EQ(RcodeOf(known), 0);
  EXPECT_EQ(known.substr(known.size() - 4), std::string("\xac\x12\x00\x05", 4));
  EXPECT_EQ(asked_by, "c1");

  const std::string forwarded = Ask(netns, QueryFor("example.org", 8));
  EXPECT_EQ(RcodeOf(forwarded), 5);  // the upstream's REFUSED
  EXPECT_EQ(forwarded.substr(0, 2), std::string("\x00\x08", 2));
  upstream_thread.join();
  close(upstream);

  // Listening again without a Close replaces the socket.
  ASSERT_TRUE((*server)->Listen("c1", netns).ok());
  EXPECT_EQ(RcodeOf(Ask(netns, QueryFor("web", 11))), 0);

  (*server)->Close("c1");
  EXPECT_EQ(Ask(netns, QueryFor("web", 9)), "");
  // Listening again works (the port was given back).
  ASSERT_TRUE((*server)->Listen("c1", netns).ok());
  EXPECT_EQ(RcodeOf(Ask(netns, QueryFor("web", 10))), 0);
  server->reset();
  EXPECT_TRUE(RemoveNetns(netns).ok());
  EXPECT_TRUE(RemoveTree(dir).ok());
}

TEST(DnsServerTest, WithoutUpstreamsUnknownNamesFail) {
  ASSERT_EQ(unshare(CLONE_NEWNET), 0);
  const std::string dir = MakeContainerNetns();
  ASSERT_FALSE(dir.empty());
  const std::string netns = dir + "/ns";
  spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto server = DnsServer::Start(
      [](const std::string&, const std::string&) {
        return std::optional<std::vector<uint32_t>>();
      },
      {}, log);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->Listen("c1", netns).ok());
  EXPECT_EQ(RcodeOf(Ask(netns, QueryFor("example.org", 1))), 2);  // SERVFAIL
  std::string garbage = "\x01\x02\x80";
  const std::string refused = Ask(netns, garbage + std::string(9, '\0'));
  EXPECT_EQ(RcodeOf(refused), 1);  // FORMERR
  server->reset();
  EXPECT_TRUE(RemoveNetns(netns).ok());
  EXPECT_TRUE(RemoveTree(dir).ok());
}

}  // namespace
}  // namespace berth::netd::dns
