#include "services/imaged/registry/endpoints.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::imaged::registry {

// Found by gtest through ADL: failures show the endpoint, not its bytes.
void PrintTo(const Endpoint& e, std::ostream* os) {
  *os << "{" << e.url << " " << e.scheme << " " << e.host
      << (e.mirror ? " mirror" : "") << (e.skip_tls_verify ? " skip-verify" : "")
      << " dirs=" << e.certs_dirs.size() << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Dirs(const std::string& host) {
  return {"/etc/berth/certs.d/" + host + "/", "/etc/docker/certs.d/" + host + "/"};
}

Endpoint Https(const std::string& host, bool skip_verify = false) {
  return Endpoint{"https://" + host, "https", host, false, skip_verify,
                  Dirs(host)};
}

Endpoint Http(const std::string& host) {
  return Endpoint{"http://" + host, "http", host, false, false, {}};
}

std::vector<Endpoint> Endpoints(const std::string& domain,
                                const EndpointConfig& config = {}) {
  auto endpoints = RegistryEndpoints(domain, config);
  EXPECT_TRUE(endpoints.ok()) << domain << ": " << endpoints.status();
  return endpoints.ok() ? *endpoints : std::vector<Endpoint>();
}

TEST(RegistryEndpointsTest, DockerHubOrigin) {
  const Endpoint hub{kDockerHubOrigin, "https", "registry-1.docker.io",
                     false, false, {}};
  EXPECT_THAT(Endpoints("docker.io"), ElementsAre(hub));
  EXPECT_THAT(Endpoints("index.docker.io"), ElementsAre(hub));
}

TEST(RegistryEndpointsTest, SecureRegistryIsHttpsOnlyWithCertsDirs) {
  EXPECT_THAT(Endpoints("registry.example:5000"),
              ElementsAre(Https("registry.example:5000")));
  EXPECT_THAT(Endpoints("registry.example"),
              ElementsAre(Https("registry.example")));
  EXPECT_THAT(Endpoints("10.1.2.3:5000"), ElementsAre(Https("10.1.2.3:5000")));
}

TEST(RegistryEndpointsTest, LoopbackIsInsecureByDefaultHttpsThenHttp) {
  for (const std::string host :
       {"127.0.0.1:5000", "127.9.9.9", "localhost:5000", "localhost",
        "[::1]:5000"}) {
    EXPECT_THAT(Endpoints(host),
                ElementsAre(Https(host, /*skip_verify=*/true), Http(host)))
        << host;
  }
}

TEST(RegistryEndpointsTest, MirrorsFirstThenOrigin) {
  EndpointConfig config;
  config.mirrors["docker.io"] = {"http://127.0.0.1:5000",
                                 "https://mirror.example/prefix/",
                                 "mirror2.example:443"};
  auto endpoints = Endpoints("docker.io", config);
  ASSERT_EQ(endpoints.size(), 4u);
  EXPECT_EQ(endpoints[0], (Endpoint{"http://127.0.0.1:5000", "http",
                                    "127.0.0.1:5000", true, false, {}}));
  EXPECT_EQ(endpoints[1],
            (Endpoint{"https://mirror.example/prefix", "https",
                      "mirror.example", true, false, Dirs("mirror.example")}));
  EXPECT_EQ(endpoints[2], (Endpoint{"https://mirror2.example:443", "https",
                                    "mirror2.example:443", true, false,
                                    Dirs("mirror2.example:443")}));
  EXPECT_EQ(endpoints[3].url, kDockerHubOrigin);
  EXPECT_FALSE(endpoints[3].mirror);
  // "index.docker.io" names the same registry.
  config.mirrors = {{"index.docker.io", {"https://m.example"}}};
  EXPECT_EQ(Endpoints("docker.io", config).front().url, "https://m.example");
  EXPECT_EQ(Endpoints("docker.io", config).size(), 2u);
}

TEST(RegistryEndpointsTest, MirrorsOfOtherRegistriesAndInsecureMirrors) {
  EndpointConfig config;
  config.mirrors["quay.io"] = {"https://127.0.0.1:6000"};
  config.mirrors["docker.io"] = {"https://unused.example"};
  EXPECT_THAT(Endpoints("quay.io", config),
              ElementsAre(Endpoint{"https://127.0.0.1:6000", "https",
                                   "127.0.0.1:6000", true,
                                   /*skip_tls_verify=*/true,
                                   Dirs("127.0.0.1:6000")},
                          Https("quay.io")));
  EXPECT_THAT(Endpoints("QUAY.io", config).size(), 2u);
  EXPECT_THAT(Endpoints("ghcr.io", config), ElementsAre(Https("ghcr.io")));
}

TEST(RegistryEndpointsTest, InsecureByNameAndByCidr) {
  EndpointConfig config;
  config.insecure_registries = {"reg.example:5000", "http://plain.example",
                                "10.0.0.0/8", "fd00::/8"};
  EXPECT_THAT(Endpoints("reg.example:5000", config),
              ElementsAre(Https("reg.example:5000", true),
                          Http("reg.example:5000")));
  // The entry names host:port exactly.
  EXPECT_THAT(Endpoints("reg.example", config),
              ElementsAre(Https("reg.example")));
  EXPECT_THAT(Endpoints("reg.example:5001", config).size(), 1u);
  EXPECT_THAT(Endpoints("plain.example", config).size(), 2u);
  EXPECT_THAT(Endpoints("10.20.30.40:5000", config).size(), 2u);
  EXPECT_THAT(Endpoints("11.0.0.1:5000", config).size(), 1u);
  EXPECT_THAT(Endpoints("[fd12::1]:5000", config).size(), 2u);
  EXPECT_THAT(Endpoints("[fe80::1]:5000", config).size(), 1u);
  // Docker Hub is never insecure.
  config.insecure_registries.push_back("docker.io");
  EXPECT_THAT(Endpoints("docker.io", config).size(), 1u);
  EXPECT_FALSE(IsInsecureRegistry("docker.io", config));
}

TEST(IsInsecureRegistryTest, NamesResolvedThroughTheResolver) {
  EndpointConfig config;
  config.insecure_registries = {"192.168.0.0/16"};
  EXPECT_FALSE(IsInsecureRegistry("lan.example:5000", config));
  EXPECT_TRUE(IsInsecureRegistry("localhost:5000", config));
  std::vector<std::string> asked;
  config.resolve = [&asked](const std::string& host) {
    asked.push_back(host);
    if (host == "lan.example") return std::vector<std::string>{"192.168.1.7"};
    if (host == "six.example") return std::vector<std::string>{"::1"};
    return std::vector<std::string>{"8.8.8.8", "not an ip"};
  };
  EXPECT_TRUE(IsInsecureRegistry("lan.example:5000", config));
  EXPECT_TRUE(IsInsecureRegistry("six.example", config));
  EXPECT_FALSE(IsInsecureRegistry("far.example", config));
  // The resolver replaces the built-in localhost rule.
  EXPECT_FALSE(IsInsecureRegistry("localhost", config));
  // IP literals are never sent to the resolver.
  EXPECT_TRUE(IsInsecureRegistry("192.168.9.9:80", config));
  EXPECT_FALSE(IsInsecureRegistry("8.8.4.4", config));
  EXPECT_THAT(asked, ElementsAre("lan.example", "six.example", "far.example",
                                 "localhost"));
}

TEST(IsInsecureRegistryTest, CidrEdges) {
  EndpointConfig config;
  config.insecure_registries = {"10.1.2.3/32", "172.16.0.0/12", "0.0.0.0/0"};
  EXPECT_TRUE(IsInsecureRegistry("10.1.2.3", config));
  // 0.0.0.0/0 takes every IPv4 address, no IPv6 one.
  EXPECT_TRUE(IsInsecureRegistry("1.2.3.4", config));
  EXPECT_FALSE(IsInsecureRegistry("[2001:db8::1]:5000", config));
  config.insecure_registries = {"172.16.0.0/12"};
  EXPECT_TRUE(IsInsecureRegistry("172.31.255.255", config));
  EXPECT_FALSE(IsInsecureRegistry("172.32.0.0", config));
  EXPECT_FALSE(IsInsecureRegistry("128.0.0.1", EndpointConfig()));
}

TEST(RegistryEndpointsTest, CertsRootsAreConfigurable) {
  EndpointConfig config;
  config.certs_roots = {"/tmp/x/certs.d/"};
  auto endpoints = Endpoints("reg.example:443", config);
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_THAT(endpoints[0].certs_dirs,
              ElementsAre("/tmp/x/certs.d/reg.example:443/"));
}

TEST(ValidateEndpointConfigTest, Errors) {
  struct Case {
    EndpointConfig config;
    std::string message;
  };
  auto mirrors = [](std::string mirror) {
    EndpointConfig config;
    config.mirrors["docker.io"] = {std::move(mirror)};
    return config;
  };
  auto insecure = [](std::string entry) {
    EndpointConfig config;
    config.insecure_registries = {std::move(entry)};
    return config;
  };
  std::vector<Case> cases = {
      {mirrors("ftp://m.example"),
       "invalid mirror: unsupported scheme \"ftp\" in \"ftp://m.example\""},
      {mirrors("https://m.example/?x=1"),
       "invalid mirror: query or fragment at end of the URI in "
       "\"https://m.example/?x=1\""},
      {mirrors("https://m.example#f"),
       "invalid mirror: query or fragment at end of the URI in "
       "\"https://m.example#f\""},
      {mirrors("https://user:pw@m.example"),
       "invalid mirror: username/password not allowed in "
       "\"https://user:pw@m.example\""},
      {mirrors("https:///path"), "invalid mirror: no host in \"https:///path\""},
      {mirrors("https://m .example"),
       "invalid mirror: white space in \"https://m .example\""},
      {insecure("ftp://r.example"),
       "insecure registry ftp://r.example should not contain '://'"},
      {insecure("10.0.0.0/33"), "insecure registry 10.0.0.0/33 is not valid"},
      {insecure("r.example/path"),
       "insecure registry r.example/path is not valid"},
      {insecure("r.example:0"), "insecure registry r.example:0 is not valid"},
      {insecure("r.example:99999"),
       "insecure registry r.example:99999 is not valid"},
      {insecure("r.example:"), "insecure registry r.example: is not valid"},
      {insecure(":5000"), "insecure registry :5000 is not valid"},
      {insecure(""), "insecure registry  is not valid"},
      {insecure("[::1"), "insecure registry [::1 is not valid"},
      {insecure("[::1]:"), "insecure registry [::1]: is not valid"},
      {insecure("[nothost]:5000"),
       "insecure registry [nothost]:5000 is not valid"},
  };
  EndpointConfig empty_key;
  empty_key.mirrors[""] = {};
  cases.push_back({empty_key, "mirrors: empty registry name"});
  for (const Case& c : cases) {
    absl::Status status = ValidateEndpointConfig(c.config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    // RegistryEndpoints refuses the same config.
    EXPECT_EQ(RegistryEndpoints("docker.io", c.config).status(), status);
  }
  EXPECT_THAT(RegistryEndpoints("", EndpointConfig()).status().message(),
              HasSubstr("empty registry"));
}

TEST(ValidateEndpointConfigTest, Accepts) {
  EndpointConfig config;
  config.mirrors["docker.io"] = {"http://127.0.0.1:5000", "https://m.example/",
                                 "HTTPS://m.example/a/b", "bare.example"};
  config.insecure_registries = {"r.example",    "r.example:5000",
                                "https://s:1",  "10.0.0.0/8",
                                "::1/128",      "[::1]:5000",
                                "[fd00::1]",    "127.0.0.1"};
  EXPECT_TRUE(ValidateEndpointConfig(config).ok())
      << ValidateEndpointConfig(config);
  auto endpoints = Endpoints("docker.io", config);
  ASSERT_EQ(endpoints.size(), 5u);
  EXPECT_EQ(endpoints[2].url, "https://m.example/a/b");
  EXPECT_EQ(endpoints[3].url, "https://bare.example");
}

}  // namespace
}  // namespace berth::imaged::registry
