#include "services/imaged/distribution/pusher.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "services/imaged/distribution/registry_connect.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged::distribution {
namespace {

std::string ShortId(const std::string& digest) {
  const size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

registry::Descriptor DescriptorOf(const ImageStore::PushContent::Blob& blob) {
  registry::Descriptor descriptor;
  descriptor.digest = blob.digest;
  descriptor.media_type = blob.media_type;
  descriptor.size = blob.size;
  return descriptor;
}

// Repositories of the same registry the image was pulled from or pushed
// to: a registry that has the blobs there mounts them instead of taking
// an upload.
std::vector<std::string> MountSources(const std::vector<std::string>& repo_digests,
                                      const Reference& target) {
  std::vector<std::string> sources;
  for (const std::string& repo_digest : repo_digests) {
    absl::StatusOr<Reference> ref = ParseReference(repo_digest);
    if (ref.ok() && ref->domain == target.domain && ref->path != target.path) {
      sources.push_back(ref->path);
    }
  }
  return sources;
}

}  // namespace

absl::StatusOr<std::vector<image::v1::PushResult>> Pusher::Push(
    const PushRequest& request, const RegistrySettings& settings,
    const ProgressSink& progress, const std::function<bool()>& cancelled) {
  ASSIGN_OR_RETURN(Reference ref, ParseReference(request.reference));
  if (!ref.digest.empty()) {
    return absl::InvalidArgumentError(
        "cannot push a digest reference; push a tag");
  }
  absl::Mutex sink_mu;
  auto sink = [&](const std::string& id, const std::string& status,
                  int64_t current, int64_t total) {
    if (request.quiet || !progress) return;
    absl::MutexLock lock(&sink_mu);
    progress(MakeProgress(id, status, current, total));
  };

  std::vector<std::string> tags;
  if (request.all_tags) {
    image::v1::ListImagesRequest list;
    list.set_all(true);
    ASSIGN_OR_RETURN(image::v1::ListImagesResponse images, store_.List(list));
    for (const image::v1::ImageSummary& image : images.images()) {
      for (const std::string& tag : image.repo_tags()) {
        absl::StatusOr<Reference> tagged = ParseReference(tag);
        if (tagged.ok() && tagged->Name() == ref.Name()) {
          tags.push_back(tagged->tag);
        }
      }
    }
    std::sort(tags.begin(), tags.end());
    if (tags.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "An image does not exist locally with the tag: ", ref.FamiliarName()));
    }
  } else {
    tags.push_back(ref.tag);
  }

  std::vector<image::v1::PushResult> results;
  for (const std::string& tag : tags) {
    Reference target = ref;
    target.tag = tag;
    absl::StatusOr<ImageStore::PushContent> content =
        store_.PushContentOf(target.Familiar());
    if (absl::IsNotFound(content.status())) {
      return absl::NotFoundError(absl::StrCat(
          "An image does not exist locally with the tag: ", target.FamiliarName()));
    }
    RETURN_IF_ERROR(content.status());
    ConnectRequest connect;
    connect.domain = target.domain;
    connect.repository = target.path;
    connect.credentials = request.credentials;
    connect.access = registry::Access::kPullPush;
    bool config_present = false;
    ASSIGN_OR_RETURN(
        std::unique_ptr<registry::RegistryClient> client,
        Connect(transport_, settings, connect,
                [&](registry::RegistryClient& c) -> absl::Status {
                  ASSIGN_OR_RETURN(config_present,
                                   c.HasBlob(content->config.digest));
                  return absl::OkStatus();
                }));
    const std::vector<std::string> sources =
        MountSources(content->repo_digests, target);

    for (const auto& layer : content->layers) {
      sink(ShortId(layer.diff_id), "Preparing", 0, 0);
    }
    // Layers go up a few at a time; the first failure stops new ones.
    absl::Mutex mu;
    size_t next = 0;
    absl::Status failed;
    std::set<std::string> done;  // a blob twice in one image goes once
    auto push_layer = [&](const ImageStore::PushContent::Blob& layer) -> absl::Status {
      const std::string id = ShortId(layer.diff_id);
      if (cancelled && cancelled()) {
        return absl::CancelledError("the push was cancelled");
      }
      ASSIGN_OR_RETURN(bool present, client->HasBlob(layer.digest));
      if (present) {
        sink(id, "Layer already exists", 0, 0);
        return absl::OkStatus();
      }
      for (const std::string& source : sources) {
        ASSIGN_OR_RETURN(bool mounted, client->MountBlob(layer.digest, source));
        if (mounted) {
          sink(id, absl::StrCat("Mounted from ", source), 0, 0);
          return absl::OkStatus();
        }
      }
      RETURN_IF_ERROR(client->UploadBlob(
          DescriptorOf(layer), layer.path,
          [&](int64_t bytes) { sink(id, "Pushing", bytes, layer.size); }));
      sink(id, "Pushed", 0, 0);
      return absl::OkStatus();
    };
    auto work = [&] {
      while (true) {
        const ImageStore::PushContent::Blob* layer;
        {
          absl::MutexLock lock(&mu);
          while (next < content->layers.size() &&
                 !done.insert(content->layers[next].digest).second) {
            ++next;
          }
          if (!failed.ok() || next == content->layers.size()) return;
          layer = &content->layers[next++];
        }
        absl::Status status = push_layer(*layer);
        if (!status.ok()) {
          absl::MutexLock lock(&mu);
          if (failed.ok()) failed = status;
        }
      }
    };
    std::vector<std::thread> workers;
    const int count = std::min<int>(settings.max_concurrent_uploads,
                                     static_cast<int>(content->layers.size()));
    for (int i = 0; i < count; ++i) workers.emplace_back(work);
    for (std::thread& worker : workers) worker.join();
    RETURN_IF_ERROR(failed);

    if (!config_present) {
      RETURN_IF_ERROR(client->UploadBlob(DescriptorOf(content->config),
                                         content->config.path, nullptr));
    }
    ASSIGN_OR_RETURN(std::string digest,
                     client->PutManifest(tag, content->manifest_media_type,
                                         content->manifest_json));
    RETURN_IF_ERROR(store_.AddRepoDigest(
        content->image_id, absl::StrCat(target.FamiliarName(), "@", digest)));
    image::v1::PushResult result;
    result.set_reference(target.String());
    result.set_digest(digest);
    result.set_size(static_cast<int64_t>(content->manifest_json.size()));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace berth::imaged::distribution
