// RegistryClient against Debian's real Distribution registry in each of
// its modes (plain, TLS, htpasswd, token), plus a scripted server for
// retries. A counting wrapper over the real transport shows what went over
// the wire where a result alone cannot (resumed bytes, pages, tokens).
#include "services/imaged/registry/registry_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/fs_util.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/registry/testing/registry_server.h"

namespace berth::imaged::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::RegistryAuthMode;
using testing::RegistryServer;
using testing::RegistryServerOptions;
using testing::ScriptedHttpServer;

// A StatusOr that is OK and whose value matches `inner`.
MATCHER_P(IsOkAndHolds, inner, "") {
  if (!arg.ok()) {
    *result_listener << "status " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

constexpr char kSchema2[] =
    "application/vnd.docker.distribution.manifest.v2+json";

struct Exchange {
  std::string method;
  std::string url;
  int status = 0;
  int64_t body_bytes = 0;
};

class CountingTransport : public HttpTransport {
 public:
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    absl::StatusOr<HttpResponse> response = real_->Send(request);
    absl::MutexLock lock(&mu_);
    exchanges_.push_back({request.method, request.url,
                          response.ok() ? response->status : -1,
                          response.ok() ? response->body_bytes : 0});
    return response;
  }
  std::vector<Exchange> Matching(absl::string_view url_part) {
    absl::MutexLock lock(&mu_);
    std::vector<Exchange> found;
    for (const Exchange& exchange : exchanges_) {
      if (absl::StrContains(exchange.url, url_part)) found.push_back(exchange);
    }
    return found;
  }

 private:
  std::unique_ptr<HttpTransport> real_ = NewCurlTransport();
  absl::Mutex mu_;
  std::vector<Exchange> exchanges_ ABSL_GUARDED_BY(mu_);
};

struct TestBlob {
  Descriptor descriptor;
  std::string content;
  std::string path;
};

class RegistryClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir(std::getenv("TEST_TMPDIR"), "client-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  void StartRegistry(const RegistryServerOptions& options) {
    auto server = RegistryServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  // Options for `repository` on the server, with its account's password.
  ClientOptions Options(const std::string& repository) {
    ClientOptions options;
    options.endpoint = server_->endpoint();
    options.repository = repository;
    options.access = Access::kPullPush;
    options.retry_base_delay = absl::Milliseconds(10);
    if (server_->options().auth != RegistryAuthMode::kNone) {
      options.credentials.username = server_->options().username;
      options.credentials.password = server_->options().password;
    }
    return options;
  }

  std::unique_ptr<RegistryClient> Client(const ClientOptions& options) {
    return std::make_unique<RegistryClient>(transport_, options);
  }

  TestBlob MakeBlob(const std::string& name, const std::string& content,
                    const char* media_type) {
    TestBlob blob;
    blob.content = content;
    blob.path = absl::StrCat(dir_, "/", name);
    EXPECT_TRUE(WriteFileAtomic(blob.path, content).ok());
    blob.descriptor.media_type = media_type;
    blob.descriptor.digest = Sha256Digest(content);
    blob.descriptor.size = static_cast<int64_t>(content.size());
    return blob;
  }

  static std::string ManifestFor(const TestBlob& config, const TestBlob& layer) {
    auto descriptor = [](const TestBlob& blob) {
      return absl::StrCat(R"({"mediaType":")", blob.descriptor.media_type,
                          R"(","size":)", blob.descriptor.size,
                          R"(,"digest":")", blob.descriptor.digest, R"("})");
    };
    return absl::StrCat(R"({"schemaVersion":2,"mediaType":")", kSchema2,
                        R"(","config":)", descriptor(config), R"(,"layers":[)",
                        descriptor(layer), "]}");
  }

  // Pushes a config, a layer and a schema 2 manifest tagged `tag`; returns
  // the manifest's body.
  std::string PushImage(RegistryClient& client, const std::string& tag) {
    TestBlob config = MakeBlob("config-" + tag, R"({"architecture":"amd64"})",
                               "application/vnd.docker.container.image.v1+json");
    TestBlob layer =
        MakeBlob("layer-" + tag, "layer bytes of " + tag,
                 "application/vnd.docker.image.rootfs.diff.tar.gzip");
    for (const TestBlob* blob : {&config, &layer}) {
      absl::Status uploaded =
          client.UploadBlob(blob->descriptor, blob->path, nullptr);
      EXPECT_TRUE(uploaded.ok()) << uploaded;
    }
    const std::string body = ManifestFor(config, layer);
    absl::StatusOr<std::string> digest = client.PutManifest(tag, kSchema2, body);
    EXPECT_TRUE(digest.ok()) << digest.status();
    if (digest.ok()) {
      EXPECT_EQ(*digest, Sha256Digest(body));
    }
    return body;
  }

  // Pushes an image and pulls it back by tag.
  void ExpectRoundTrip(const ClientOptions& options) {
    std::unique_ptr<RegistryClient> client = Client(options);
    const std::string body = PushImage(*client, "v1");
    absl::StatusOr<FetchedManifest> manifest = client->GetManifest("v1");
    ASSERT_TRUE(manifest.ok()) << manifest.status();
    EXPECT_EQ(manifest->body, body);
  }

  CountingTransport transport_;
  std::unique_ptr<RegistryServer> server_;
  std::string dir_;
};

TEST_F(RegistryClientTest, PushesAndPullsAnImage) {
  StartRegistry({});
  ClientOptions options = Options("berth/app");
  options.chunk_size = 7;  // the layer goes in PATCH chunks
  std::unique_ptr<RegistryClient> client = Client(options);

  TestBlob layer = MakeBlob("layer", std::string(50, 'L'),
                            "application/vnd.docker.image.rootfs.diff.tar.gzip");
  EXPECT_THAT(client->HasBlob(layer.descriptor.digest), IsOkAndHolds(false));
  std::vector<int64_t> sent;
  ASSERT_TRUE(client
                  ->UploadBlob(layer.descriptor, layer.path,
                               [&sent](int64_t bytes) { sent.push_back(bytes); })
                  .ok());
  EXPECT_EQ(transport_.Matching("blobs/uploads").size(), 1u + 8u + 1u);
  EXPECT_EQ(sent.back(), 50);
  EXPECT_THAT(client->HasBlob(layer.descriptor.digest), IsOkAndHolds(true));

  const std::string body = PushImage(*client, "v1");
  absl::StatusOr<FetchedManifest> by_tag = client->GetManifest("v1");
  ASSERT_TRUE(by_tag.ok()) << by_tag.status();
  EXPECT_EQ(by_tag->body, body);
  EXPECT_EQ(by_tag->media_type, kSchema2);
  EXPECT_EQ(by_tag->digest, Sha256Digest(body));
  absl::StatusOr<FetchedManifest> by_digest = client->GetManifest(by_tag->digest);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->body, body);

  EXPECT_THAT(client->ListTags(), IsOkAndHolds(ElementsAre("v1")));
  const std::string fetched = dir_ + "/fetched";
  ASSERT_TRUE(client->FetchBlobToFile(layer.descriptor, fetched, nullptr).ok());
  EXPECT_EQ(*ReadFileToString(fetched), layer.content);
  EXPECT_THAT(client->FetchBlob(layer.descriptor),
              IsOkAndHolds(layer.content));
}

TEST_F(RegistryClientTest, MountsBlobsAcrossRepositories) {
  StartRegistry({});
  std::unique_ptr<RegistryClient> source = Client(Options("team/source"));
  TestBlob blob = MakeBlob("blob", "shared layer", "application/octet-stream");
  ASSERT_TRUE(source->UploadBlob(blob.descriptor, blob.path, nullptr).ok());

  std::unique_ptr<RegistryClient> target = Client(Options("team/target"));
  EXPECT_THAT(target->MountBlob(blob.descriptor.digest, "team/source"),
              IsOkAndHolds(true));
  EXPECT_THAT(target->HasBlob(blob.descriptor.digest), IsOkAndHolds(true));
  // A blob the source lacks: the registry opens an upload instead.
  EXPECT_THAT(target->MountBlob(Sha256Digest("elsewhere"), "team/source"),
              IsOkAndHolds(false));
  EXPECT_EQ(transport_.Matching("DELETE").size(), 0u);
  bool cancelled = false;
  for (const Exchange& exchange : transport_.Matching("/team/target/blobs/uploads/")) {
    cancelled |= exchange.method == "DELETE";
  }
  EXPECT_TRUE(cancelled);
}

TEST_F(RegistryClientTest, ResumesADownloadFromWhatTheFileHolds) {
  StartRegistry({});
  std::unique_ptr<RegistryClient> client = Client(Options("berth/resume"));
  std::string content;
  for (int i = 0; i < 1000; ++i) content.push_back(static_cast<char>('a' + i % 26));
  TestBlob blob = MakeBlob("blob", content, "application/octet-stream");
  ASSERT_TRUE(client->UploadBlob(blob.descriptor, blob.path, nullptr).ok());

  const std::string partial = dir_ + "/partial";
  ASSERT_TRUE(WriteFileAtomic(partial, content.substr(0, 600)).ok());
  std::vector<int64_t> progress;
  absl::Status fetched = client->FetchBlobToFile(
      blob.descriptor, partial, [&progress](int64_t bytes) {
        progress.push_back(bytes);
      });
  ASSERT_TRUE(fetched.ok()) << fetched;
  EXPECT_EQ(*ReadFileToString(partial), content);
  ASSERT_FALSE(progress.empty());
  EXPECT_GT(progress.front(), 600);
  EXPECT_EQ(progress.back(), 1000);
  std::vector<Exchange> gets = transport_.Matching(
      "/blobs/" + blob.descriptor.digest);
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].status, 206);
  EXPECT_EQ(gets[0].body_bytes, 400);
}

TEST_F(RegistryClientTest, DiscardsACorruptDownload) {
  StartRegistry({});
  std::unique_ptr<RegistryClient> client = Client(Options("berth/corrupt"));
  TestBlob blob = MakeBlob("blob", std::string(100, 'x'), "application/octet-stream");
  ASSERT_TRUE(client->UploadBlob(blob.descriptor, blob.path, nullptr).ok());

  const std::string partial = dir_ + "/partial";
  ASSERT_TRUE(WriteFileAtomic(partial, std::string(40, 'y')).ok());
  absl::Status fetched = client->FetchBlobToFile(blob.descriptor, partial, nullptr);
  EXPECT_EQ(fetched.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(fetched.message(),
              HasSubstr(absl::StrCat("blob ", blob.descriptor.digest,
                                     " has digest sha256:")));
  EXPECT_THAT(fetched.message(), HasSubstr("discarded"));
  EXPECT_NE(access(partial.c_str(), F_OK), 0);
}

TEST_F(RegistryClientTest, MissingManifestNamesTheTag) {
  StartRegistry({});
  std::unique_ptr<RegistryClient> client = Client(Options("berth/app"));
  PushImage(*client, "v1");
  absl::StatusOr<FetchedManifest> manifest = client->GetManifest("nosuch");
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(manifest.status().message(),
            "manifest for berth/app:nosuch not found: manifest unknown: "
            "manifest unknown");
}

TEST_F(RegistryClientTest, CatalogFollowsPages) {
  RegistryServerOptions options;
  options.catalog_max_entries = 1;
  StartRegistry(options);
  for (const char* repository : {"c/one", "a/two", "b/three"}) {
    PushImage(*Client(Options(repository)), "v1");
  }
  std::unique_ptr<RegistryClient> client = Client(Options(""));
  EXPECT_THAT(client->Catalog(10),
              IsOkAndHolds(ElementsAre("a/two", "b/three", "c/one")));
  EXPECT_GE(transport_.Matching("/v2/_catalog").size(), 3u);
  EXPECT_THAT(client->Catalog(2),
              IsOkAndHolds(ElementsAre("a/two", "b/three")));
}

TEST_F(RegistryClientTest, DistributionHasNoV1Search) {
  StartRegistry({});
  EXPECT_EQ(Client(Options(""))->SearchV1("app", 10).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RegistryClientTest, BasicAuthWithHtpasswd) {
  RegistryServerOptions options;
  options.auth = RegistryAuthMode::kHtpasswd;
  StartRegistry(options);
  EXPECT_THAT(Client(Options(""))->Login(), IsOkAndHolds(std::string()));
  ExpectRoundTrip(Options("berth/basic"));

  ClientOptions wrong = Options("berth/basic");
  wrong.credentials.password = "wrong";
  absl::StatusOr<FetchedManifest> manifest = Client(wrong)->GetManifest("v1");
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(manifest.status().message(),
              HasSubstr(absl::StrCat("run `berth login ", server_->host(), "`")));
  EXPECT_THAT(manifest.status().message(), ::testing::Not(HasSubstr("wrong")));
  EXPECT_EQ(Client(wrong)->Login().status().code(),
            absl::StatusCode::kUnauthenticated);

  ClientOptions anonymous = Options("berth/basic");
  anonymous.credentials = Credentials();
  EXPECT_EQ(Client(anonymous)->GetManifest("v1").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(RegistryClientTest, TokenAuthWithRefreshToken) {
  RegistryServerOptions options;
  options.auth = RegistryAuthMode::kToken;
  StartRegistry(options);
  absl::StatusOr<std::string> identity_token = Client(Options(""))->Login();
  ASSERT_TRUE(identity_token.ok()) << identity_token.status();
  EXPECT_FALSE(identity_token->empty());

  // With the refresh token alone, no password.
  ClientOptions refreshed = Options("berth/refreshed");
  refreshed.credentials.password.clear();
  refreshed.credentials.identity_token = *identity_token;
  std::unique_ptr<RegistryClient> client = Client(refreshed);
  PushImage(*client, "v1");
  ASSERT_TRUE(client->GetManifest("v1").ok());
  ASSERT_TRUE(client->GetManifest("v1").ok());
  // One token for the repository's scope, reused until it expires.
  size_t posts = 0;
  for (const Exchange& exchange : transport_.Matching("/token")) {
    posts += exchange.method == "POST";
  }
  EXPECT_EQ(posts, 1u);

  ClientOptions catalog = Options("");
  EXPECT_THAT(Client(catalog)->Catalog(10),
              IsOkAndHolds(ElementsAre("berth/refreshed")));

  ClientOptions wrong = Options("berth/refreshed");
  wrong.credentials.password = "wrong";
  absl::StatusOr<std::string> refused = Client(wrong)->Login();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(refused.status().message(), HasSubstr("berth login"));
  EXPECT_EQ(Client(wrong)->GetManifest("v1").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(RegistryClientTest, TlsTrustsTheCertsDirCa) {
  RegistryServerOptions options;
  options.tls = true;
  StartRegistry(options);
  ExpectRoundTrip(Options("berth/tls"));

  ClientOptions untrusted = Options("berth/tls");
  untrusted.endpoint = server_->endpoint(/*trust_test_ca=*/false);
  absl::StatusOr<FetchedManifest> manifest = Client(untrusted)->GetManifest("v1");
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(manifest.status().message(), HasSubstr("TLS verification failed"));

  untrusted.endpoint.skip_tls_verify = true;
  EXPECT_TRUE(Client(untrusted)->GetManifest("v1").ok());
}

TEST_F(RegistryClientTest, ConnectionRefusedIsUnavailable) {
  ClientOptions options;
  options.endpoint.url = "http://127.0.0.1:1";
  options.endpoint.scheme = "http";
  options.endpoint.host = "127.0.0.1:1";
  options.repository = "app";
  options.attempts = 1;
  absl::StatusOr<FetchedManifest> manifest = Client(options)->GetManifest("v1");
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(manifest.status().message(), HasSubstr("connection refused"));
}

TEST_F(RegistryClientTest, RetriesServerErrors) {
  auto server = ScriptedHttpServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  // The scripted server answers 503 twice per name, then 200.
  ClientOptions options;
  options.endpoint.url = (*server)->url() + "/flaky/third";
  options.endpoint.scheme = "http";
  options.endpoint.host = absl::StrCat("127.0.0.1:", (*server)->port());
  options.repository = "app";
  options.retry_base_delay = absl::Milliseconds(10);
  EXPECT_THAT(Client(options)->HasBlob(Sha256Digest("x")),
              IsOkAndHolds(true));
  EXPECT_EQ(transport_.Matching("/flaky/third").size(), 3u);

  options.endpoint.url = (*server)->url() + "/flaky/never";
  options.attempts = 2;
  absl::StatusOr<bool> has = Client(options)->HasBlob(Sha256Digest("x"));
  EXPECT_EQ(has.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(has.status().message(),
              HasSubstr(options.endpoint.url + " answered HTTP 503"));
}

}  // namespace
}  // namespace berth::imaged::registry
