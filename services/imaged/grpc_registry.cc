// ImageGrpcService: pull, push, login and search (services/imaged/
// distribution does the work).
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "services/imaged/distribution/puller.h"
#include "services/imaged/distribution/pusher.h"
#include "services/imaged/distribution/registry_queries.h"
#include "services/imaged/grpc_service.h"
#include "services/imaged/registry/platform.h"

namespace berth::imaged {
namespace {

registry::Credentials CredentialsOf(const image::v1::RegistryAuth& auth) {
  registry::Credentials credentials;
  credentials.username = auth.username();
  credentials.password = auth.password();
  credentials.identity_token = auth.identity_token();
  credentials.registry_token = auth.registry_token();
  return credentials;
}

// The platform a pull asks for: the request's, else this host's.
absl::StatusOr<registry::Platform> WantedPlatform(
    const types::v1::Platform& platform, bool* given) {
  *given = !platform.os().empty() || !platform.architecture().empty();
  if (!*given) return registry::HostPlatform();
  std::string text = platform.os().empty() ? "linux" : platform.os();
  if (!platform.architecture().empty()) {
    absl::StrAppend(&text, "/", platform.architecture());
    if (!platform.variant().empty()) {
      absl::StrAppend(&text, "/", platform.variant());
    }
  }
  return registry::ParsePlatform(text);
}

}  // namespace

grpc::Status ImageGrpcService::PullImage(
    grpc::ServerContext* context, const image::v1::PullImageRequest* request,
    grpc::ServerWriter<image::v1::PullImageResponse>* writer) {
  if (request->reference().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "pull needs an image reference: berth pull NAME[:TAG|@DIGEST]"));
  }
  distribution::PullRequest pull;
  pull.reference = request->reference();
  pull.all_tags = request->all_tags();
  pull.credentials = CredentialsOf(request->auth());
  pull.quiet = request->quiet();
  absl::StatusOr<registry::Platform> platform =
      WantedPlatform(request->platform(), &pull.platform_given);
  if (!platform.ok()) return ToGrpcStatus(platform.status());
  pull.platform = *platform;
  absl::StatusOr<distribution::RegistrySettings> settings =
      distribution::WithOptions(registry_settings_, request->registry());
  if (!settings.ok()) return ToGrpcStatus(settings.status());
  distribution::Puller puller(*store_, *transport_, *downloads_);
  auto progress = [writer](const types::v1::Progress& p) {
    image::v1::PullImageResponse response;
    *response.mutable_progress() = p;
    writer->Write(response);
  };
  absl::StatusOr<std::vector<image::v1::PullResult>> results = puller.Pull(
      pull, *settings, progress, [context] { return context->IsCancelled(); });
  if (!results.ok()) {
    core_->log().warn("pull {} failed: {}", request->reference(),
                      results.status().ToString());
    return ToGrpcStatus(results.status());
  }
  for (const image::v1::PullResult& result : *results) {
    core_->log().info("pulled {} as image {}", result.reference(),
                      result.image_id());
    image::v1::PullImageResponse response;
    *response.mutable_result() = result;
    writer->Write(response);
  }
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::PushImage(
    grpc::ServerContext* context, const image::v1::PushImageRequest* request,
    grpc::ServerWriter<image::v1::PushImageResponse>* writer) {
  if (request->reference().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "push needs an image reference: berth push NAME[:TAG]"));
  }
  distribution::PushRequest push;
  push.reference = request->reference();
  push.all_tags = request->all_tags();
  push.credentials = CredentialsOf(request->auth());
  push.quiet = request->quiet();
  absl::StatusOr<distribution::RegistrySettings> settings =
      distribution::WithOptions(registry_settings_, request->registry());
  if (!settings.ok()) return ToGrpcStatus(settings.status());
  distribution::Pusher pusher(*store_, *transport_);
  auto progress = [writer](const types::v1::Progress& p) {
    image::v1::PushImageResponse response;
    *response.mutable_progress() = p;
    writer->Write(response);
  };
  absl::StatusOr<std::vector<image::v1::PushResult>> results = pusher.Push(
      push, *settings, progress, [context] { return context->IsCancelled(); });
  if (!results.ok()) {
    core_->log().warn("push {} failed: {}", request->reference(),
                      results.status().ToString());
    return ToGrpcStatus(results.status());
  }
  for (const image::v1::PushResult& result : *results) {
    core_->log().info("pushed {} ({})", result.reference(), result.digest());
    image::v1::PushImageResponse response;
    *response.mutable_result() = result;
    writer->Write(response);
  }
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::RegistryLogin(
    grpc::ServerContext*, const image::v1::RegistryLoginRequest* request,
    image::v1::RegistryLoginResponse* response) {
  absl::StatusOr<distribution::RegistrySettings> settings =
      distribution::WithOptions(registry_settings_, request->registry());
  if (!settings.ok()) return ToGrpcStatus(settings.status());
  absl::StatusOr<std::string> token = distribution::Login(
      *transport_, *settings, request->auth().server_address(),
      CredentialsOf(request->auth()));
  if (!token.ok()) return ToGrpcStatus(token.status());
  response->set_status("Login Succeeded");
  response->set_identity_token(*token);
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::SearchImages(
    grpc::ServerContext*, const image::v1::SearchImagesRequest* request,
    image::v1::SearchImagesResponse* response) {
  absl::StatusOr<distribution::RegistrySettings> settings =
      distribution::WithOptions(registry_settings_, request->registry());
  if (!settings.ok()) return ToGrpcStatus(settings.status());
  absl::StatusOr<std::vector<registry::SearchResult>> results =
      distribution::Search(*transport_, *settings, request->term(),
                           request->limit(), CredentialsOf(request->auth()));
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (const registry::SearchResult& found : *results) {
    image::v1::SearchResult* result = response->add_results();
    result->set_name(found.name);
    result->set_description(found.description);
    result->set_star_count(found.star_count);
    result->set_is_official(found.is_official);
    result->set_is_automated(found.is_automated);
  }
  return grpc::Status::OK;
}

}  // namespace berth::imaged
