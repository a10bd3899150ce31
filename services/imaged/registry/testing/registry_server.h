// Real servers for tests of the registry client, on 127.0.0.1 only, each in
// its own temporary directory removed (with its processes killed by pid)
// when the object goes, even when a test fails:
//
//   RegistryServer      Debian's Distribution registry (docker-registry),
//                       plain HTTP or TLS with a CA made for the test, no
//                       auth, htpasswd Basic auth, or token auth with a
//                       token server (token_server.py) the fixture runs.
//   ScriptedHttpServer  scripted_http_server.py: flaky answers, redirects,
//                       dropped and stalled transfers (see the script).
//
// Needs /usr/bin/docker-registry, openssl, htpasswd (apache2-utils) and
// python3, which tools/setup installs.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_TESTING_REGISTRY_SERVER_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_TESTING_REGISTRY_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/imaged/registry/endpoints.h"
#include "tests/support/process.h"

namespace berth::imaged::registry::testing {

enum class RegistryAuthMode { kNone, kHtpasswd, kToken };

struct RegistryServerOptions {
  bool tls = false;
  RegistryAuthMode auth = RegistryAuthMode::kNone;
  // The one account htpasswd or the token server accepts.
  std::string username = "berth";
  std::string password = "s3cret-pass";
  // Catalog page size the registry enforces (its catalog.maxentries), so a
  // test can make it paginate; 0 keeps its default.
  int catalog_max_entries = 0;
};

class RegistryServer {
 public:
  // Starts the registry (and the token server) and waits until they answer.
  static absl::StatusOr<std::unique_ptr<RegistryServer>> Start(
      const RegistryServerOptions& options);
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  // "127.0.0.1:PORT".
  const std::string& host() const { return host_; }
  // "http://127.0.0.1:PORT" or "https://...".
  std::string url() const;
  // A certs.d directory for host() holding the test CA as ca.crt; "" for
  // plain HTTP.
  const std::string& certs_dir() const { return certs_dir_; }
  // The endpoint a client uses: certs_dirs = {certs_dir()} when
  // `trust_test_ca`, none otherwise; TLS verified.
  Endpoint endpoint(bool trust_test_ca = true) const;
  const RegistryServerOptions& options() const { return options_; }

 private:
  RegistryServer() = default;
  absl::Status MakeTlsFiles();
  absl::Status StartTokenServer();
  absl::Status WriteConfig();

  RegistryServerOptions options_;
  std::string dir_;
  std::string host_;
  int port_ = 0;
  int token_port_ = 0;
  std::string certs_dir_;
  std::unique_ptr<berth::testing::Daemon> token_server_;
  std::unique_ptr<berth::testing::Daemon> registry_;
};

class ScriptedHttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> Start();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT".
  std::string url() const;

 private:
  ScriptedHttpServer() = default;
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<berth::testing::Daemon> server_;
};

}  // namespace berth::imaged::registry::testing

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_TESTING_REGISTRY_SERVER_H_
