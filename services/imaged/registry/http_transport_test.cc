#include "services/imaged/registry/http_transport.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/registry/testing/registry_server.h"

namespace berth::imaged::registry {
namespace {

using ::testing::HasSubstr;
using testing::RegistryServer;
using testing::RegistryServerOptions;
using testing::ScriptedHttpServer;

// What the scripted server's /bytes sends: "0123456789" repeated.
std::string Payload(int n) {
  std::string data;
  for (int i = 0; i < n; ++i) data.push_back(static_cast<char>('0' + i % 10));
  return data;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ScriptedHttpServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto dir = MakeTempDir(std::getenv("TEST_TMPDIR"), "transport-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  HttpRequest Get(const std::string& path) {
    HttpRequest request;
    request.url = server_->url() + path;
    return request;
  }

  std::unique_ptr<HttpTransport> transport_ = NewCurlTransport();
  std::unique_ptr<ScriptedHttpServer> server_;
  std::string dir_;
};

TEST_F(HttpTransportTest, ReturnsBodyAndLowercasedHeaders) {
  auto response = transport_->Send(Get("/bytes?n=100"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, Payload(100));
  EXPECT_EQ(response->body_bytes, 100);
  EXPECT_EQ(response->Header("Content-Length"), "100");
  EXPECT_EQ(response->Headers("content-length").size(), 1u);
}

TEST_F(HttpTransportTest, ErrorStatusIsAResponse) {
  auto response = transport_->Send(Get("/nothing-here"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "no such script");
}

TEST_F(HttpTransportTest, HeadHasNoBody) {
  HttpRequest request = Get("/bytes?n=10");
  request.method = "HEAD";
  auto response = transport_->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(response->Header("content-length"), "10");
}

TEST_F(HttpTransportTest, ConnectionRefusedNamesTheHost) {
  HttpRequest request;
  request.url = "http://127.0.0.1:1/v2/";
  auto response = transport_->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(), "127.0.0.1:1: connection refused");
}

TEST_F(HttpTransportTest, SendsBodiesFromMemoryAndFileRanges) {
  HttpRequest patch = Get("/echo");
  patch.method = "PATCH";
  patch.body = "chunk";
  patch.headers = {{"Content-Type", "application/octet-stream"}};
  auto response = transport_->Send(patch);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "PATCH chunk");
  EXPECT_EQ(response->Header("x-got-type"), "application/octet-stream");

  const std::string file = dir_ + "/body";
  ASSERT_TRUE(WriteFileAtomic(file, Payload(30)).ok());
  HttpRequest put = Get("/echo");
  put.method = "PUT";
  put.body_path = file;
  put.body_offset = 5;
  put.body_length = 10;
  int64_t sent = 0;
  put.on_progress = [&sent](int64_t bytes) {
    sent = bytes;
    return true;
  };
  response = transport_->Send(put);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "PUT 5678901234");
  EXPECT_EQ(sent, 10);

  HttpRequest post = Get("/echo");
  post.method = "POST";
  response = transport_->Send(post);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "POST ");
}

TEST_F(HttpTransportTest, AuthorizationStaysWithTheFirstHost) {
  HttpRequest same = Get(absl::StrCat("/redirect?to=", server_->url(), "/auth"));
  same.headers = {{"Authorization", "Bearer secret"}};
  auto response = transport_->Send(same);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "present");
  EXPECT_EQ(response->effective_url, server_->url() + "/auth");

  // localhost is the same machine but another host to the rule.
  HttpRequest other = Get(absl::StrCat(
      "/redirect?status=307&to=http://localhost:", server_->port(), "/auth"));
  other.headers = {{"Authorization", "Bearer secret"}};
  response = transport_->Send(other);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "absent");

  other.follow_redirects = false;
  response = transport_->Send(other);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 307);
}

TEST_F(HttpTransportTest, DownloadsAppendOnPartialAndReplaceOnFullAnswers) {
  const std::string file = dir_ + "/blob";
  ASSERT_TRUE(WriteFileAtomic(file, Payload(20)).ok());
  HttpRequest resume = Get("/bytes?n=50");
  resume.headers = {{"Range", "bytes=20-"}};
  resume.output_path = file;
  int64_t arrived = 0;
  resume.on_progress = [&arrived](int64_t bytes) {
    arrived = bytes;
    return true;
  };
  auto response = transport_->Send(resume);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 206);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(arrived, 30);
  EXPECT_EQ(*ReadFileToString(file), Payload(50));

  // /flaky ignores Range: its 200 replaces the file.
  HttpRequest ignored = Get("/flaky/full?fail=0");
  ignored.headers = {{"Range", "bytes=50-"}};
  ignored.output_path = file;
  response = transport_->Send(ignored);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(*ReadFileToString(file), "ok");

  // An error body never reaches the file.
  HttpRequest missing = Get("/nothing-here");
  missing.output_path = file;
  response = transport_->Send(missing);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "no such script");
  EXPECT_EQ(*ReadFileToString(file), "ok");
}

TEST_F(HttpTransportTest, DroppedTransferKeepsWhatArrived) {
  const std::string file = dir_ + "/blob";
  HttpRequest request = Get("/drop?n=1000&send=10");
  request.output_path = file;
  auto response = transport_->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("connection dropped"));
  EXPECT_EQ(*ReadFileToString(file), Payload(10));
}

TEST_F(HttpTransportTest, StalledTransferTimesOut) {
  HttpRequest request = Get("/stall");
  request.stall_timeout = absl::Seconds(1);
  const absl::Time start = absl::Now();
  auto response = transport_->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("timed out"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(HttpTransportTest, BodyLimitAndCancel) {
  HttpRequest big = Get("/bytes?n=1000");
  big.max_body_in_memory = 100;
  EXPECT_EQ(transport_->Send(big).status().code(),
            absl::StatusCode::kOutOfRange);

  HttpRequest cancelled = Get("/bytes?n=1000");
  cancelled.on_progress = [](int64_t) { return false; };
  EXPECT_EQ(transport_->Send(cancelled).status().code(),
            absl::StatusCode::kCancelled);
}

TEST(HttpTransportTlsTest, VerifiesWithExtraCaOrSkipsWhenInsecure) {
  RegistryServerOptions options;
  options.tls = true;
  auto registry = RegistryServer::Start(options);
  ASSERT_TRUE(registry.ok()) << registry.status();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  HttpRequest request;
  request.url = (*registry)->url() + "/v2/";

  auto response = transport->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              HasSubstr((*registry)->host() + ": TLS verification failed"));

  request.tls.ca_files = {(*registry)->certs_dir() + "/ca.crt"};
  response = transport->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);

  request.tls = TlsSettings();
  request.tls.verify = false;
  response = transport->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace berth::imaged::registry
