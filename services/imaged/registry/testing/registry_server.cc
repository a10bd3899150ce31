#include "services/imaged/registry/testing/registry_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth::imaged::registry::testing {
namespace {

using berth::testing::Daemon;
using berth::testing::RunCommand;
using berth::testing::RunResult;
using berth::testing::Runfile;

constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kPython[] = "/usr/bin/python3";
constexpr char kTokenService[] = "berth-test-registry";
constexpr char kTokenIssuer[] = "berth-test-token-issuer";
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

std::string TempRoot() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// A port free right now on 127.0.0.1: the kernel picks it for a bound
// socket, which is closed again for the server to take it.
absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", "");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "bind", "127.0.0.1:0");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool PortAnswers(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

absl::Status WaitForPort(int port, Daemon& daemon, const std::string& name,
                         const std::string& log_path) {
  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (!PortAnswers(port)) {
    if (!daemon.running() || absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat(name, " did not start on port ", port, ": ",
                       berth::testing::ReadFile(log_path)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Run(const std::vector<std::string>& argv) {
  RunResult result = RunCommand(argv);
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "),
                                            " failed: ", result.err));
  }
  return result.out;
}

// A self-signed certificate and its key (a CA, or the token signer).
absl::Status SelfSigned(const std::string& key, const std::string& cert,
                        const std::string& subject) {
  return Run({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
              "-keyout", key, "-out", cert, "-days", "2", "-subj", subject})
      .status();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RegistryServer>> RegistryServer::Start(
    const RegistryServerOptions& options) {
  std::unique_ptr<RegistryServer> server(new RegistryServer());
  server->options_ = options;
  ASSIGN_OR_RETURN(server->dir_, MakeTempDir(TempRoot(), "registry-"));
  ASSIGN_OR_RETURN(server->port_, PickFreePort());
  server->host_ = absl::StrCat("127.0.0.1:", server->port_);
  if (options.tls) RETURN_IF_ERROR(server->MakeTlsFiles());
  if (options.auth == RegistryAuthMode::kHtpasswd) {
    ASSIGN_OR_RETURN(std::string line,
                     Run({"/usr/bin/htpasswd", "-Bbn", options.username,
                          options.password}));
    RETURN_IF_ERROR(WriteFileAtomic(server->dir_ + "/htpasswd", line));
  }
  if (options.auth == RegistryAuthMode::kToken) {
    RETURN_IF_ERROR(server->StartTokenServer());
  }
  RETURN_IF_ERROR(server->WriteConfig());
  const std::string log = server->dir_ + "/registry.log";
  server->registry_ = std::make_unique<Daemon>(
      std::vector<std::string>{"/usr/bin/docker-registry", "serve",
                               server->dir_ + "/config.yml"},
      log);
  RETURN_IF_ERROR(
      WaitForPort(server->port_, *server->registry_, "docker-registry", log));
  return server;
}

RegistryServer::~RegistryServer() {
  registry_.reset();
  token_server_.reset();
  if (!dir_.empty()) (void)RemoveTree(dir_);
}

std::string RegistryServer::url() const {
  return absl::StrCat(options_.tls ? "https://" : "http://", host_);
}

Endpoint RegistryServer::endpoint(bool trust_test_ca) const {
  Endpoint endpoint;
  endpoint.url = url();
  endpoint.scheme = options_.tls ? "https" : "http";
  endpoint.host = host_;
  if (trust_test_ca && !certs_dir_.empty()) {
    endpoint.certs_dirs = {certs_dir_};
  }
  return endpoint;
}

absl::Status RegistryServer::MakeTlsFiles() {
  const std::string ca_key = dir_ + "/ca.key";
  const std::string ca_cert = dir_ + "/ca.crt";
  RETURN_IF_ERROR(SelfSigned(ca_key, ca_cert, "/CN=Berth Test CA"));
  RETURN_IF_ERROR(Run({kOpenssl, "req", "-newkey", "rsa:2048", "-nodes",
                       "-keyout", dir_ + "/server.key", "-out",
                       dir_ + "/server.csr", "-subj", "/CN=127.0.0.1"})
                      .status());
  RETURN_IF_ERROR(WriteFileAtomic(
      dir_ + "/server.ext",
      "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
      "extendedKeyUsage=serverAuth\n"));
  RETURN_IF_ERROR(Run({kOpenssl, "x509", "-req", "-in", dir_ + "/server.csr",
                       "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
                       "-out", dir_ + "/server.crt", "-days", "2", "-extfile",
                       dir_ + "/server.ext"})
                      .status());
  // As /etc/docker/certs.d/HOST:PORT/ca.crt.
  certs_dir_ = absl::StrCat(dir_, "/certs.d/", host_);
  for (const std::string& path : {dir_ + "/certs.d", certs_dir_}) {
    if (mkdir(path.c_str(), 0755) != 0) return ErrnoStatus(errno, "mkdir", path);
  }
  ASSIGN_OR_RETURN(std::string pem, ReadFileToString(ca_cert));
  return WriteFileAtomic(certs_dir_ + "/ca.crt", pem);
}

absl::Status RegistryServer::StartTokenServer() {
  const std::string key = dir_ + "/token.key";
  const std::string cert = dir_ + "/token.crt";
  RETURN_IF_ERROR(SelfSigned(key, cert, "/CN=berth-test-token"));
  RETURN_IF_ERROR(Run({kOpenssl, "x509", "-in", cert, "-outform", "der",
                       "-out", dir_ + "/token.der"})
                      .status());
  ASSIGN_OR_RETURN(token_port_, PickFreePort());
  const std::string log = dir_ + "/token_server.log";
  token_server_ = std::make_unique<Daemon>(
      std::vector<std::string>{
          kPython, Runfile("services/imaged/registry/testing/token_server.py"),
          absl::StrCat(token_port_), key, dir_ + "/token.der", kTokenIssuer,
          kTokenService, options_.username, options_.password},
      log);
  return WaitForPort(token_port_, *token_server_, "token server", log);
}

absl::Status RegistryServer::WriteConfig() {
  std::string config = absl::StrCat(
      "version: 0.1\n"
      "log:\n  level: error\n  accesslog:\n    disabled: true\n"
      "storage:\n  filesystem:\n    rootdirectory: ", dir_, "/data\n",
      "  delete:\n    enabled: true\n"
      "http:\n  addr: ", host_, "\n");
  if (options_.tls) {
    absl::StrAppend(&config, "  tls:\n    certificate: ", dir_,
                    "/server.crt\n    key: ", dir_, "/server.key\n");
  }
  if (options_.auth == RegistryAuthMode::kHtpasswd) {
    absl::StrAppend(&config, "auth:\n  htpasswd:\n    realm: berth-test\n",
                    "    path: ", dir_, "/htpasswd\n");
  } else if (options_.auth == RegistryAuthMode::kToken) {
    absl::StrAppend(&config, "auth:\n  token:\n    realm: http://127.0.0.1:",
                    token_port_, "/token\n    service: ", kTokenService,
                    "\n    issuer: ", kTokenIssuer,
                    "\n    rootcertbundle: ", dir_, "/token.crt\n");
  }
  if (options_.catalog_max_entries > 0) {
    absl::StrAppend(&config, "catalog:\n  maxentries: ",
                    options_.catalog_max_entries, "\n");
  }
  return WriteFileAtomic(dir_ + "/config.yml", config);
}

absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> ScriptedHttpServer::Start() {
  std::unique_ptr<ScriptedHttpServer> server(new ScriptedHttpServer());
  ASSIGN_OR_RETURN(server->dir_, MakeTempDir(TempRoot(), "scripted-http-"));
  ASSIGN_OR_RETURN(server->port_, PickFreePort());
  const std::string log = server->dir_ + "/server.log";
  server->server_ = std::make_unique<Daemon>(
      std::vector<std::string>{
          kPython,
          Runfile("services/imaged/registry/testing/scripted_http_server.py"),
          absl::StrCat(server->port_)},
      log);
  RETURN_IF_ERROR(WaitForPort(server->port_, *server->server_,
                              "scripted HTTP server", log));
  return server;
}

ScriptedHttpServer::~ScriptedHttpServer() {
  server_.reset();
  if (!dir_.empty()) (void)RemoveTree(dir_);
}

std::string ScriptedHttpServer::url() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

}  // namespace berth::imaged::registry::testing
