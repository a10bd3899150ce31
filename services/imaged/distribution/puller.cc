#include "services/imaged/distribution/puller.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/imaged/distribution/registry_connect.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/image_records.h"
#include "services/imaged/reference/reference.h"
#include "services/imaged/registry/manifest.h"

namespace berth::imaged::distribution {
namespace {

using registry::Descriptor;
using registry::RegistryClient;

// Docker's progress ids: the first 12 hex digits of the layer's digest.
std::string ShortId(const std::string& digest) {
  const size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

// A progress sink several download threads may call: one at a time, and
// "Downloading" lines of one layer at most every 100 ms (a line per curl
// read would flood the client).
class SharedSink {
 public:
  explicit SharedSink(ProgressSink sink) : sink_(std::move(sink)) {}
  void operator()(const types::v1::Progress& progress) {
    if (!sink_) return;
    absl::MutexLock lock(&mu_);
    sink_(progress);
  }
  void Downloading(const std::string& id, int64_t current, int64_t total) {
    if (!sink_) return;
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    absl::Time& last = last_[id];
    if (current < total && now - last < absl::Milliseconds(100)) return;
    last = now;
    sink_(MakeProgress(id, "Downloading", current, total));
  }

 private:
  ProgressSink sink_;
  absl::Mutex mu_;
  std::map<std::string, absl::Time> last_ ABSL_GUARDED_BY(mu_);
};

// What one pull resolved: the image manifest for the platform and the
// digest the name points at (an index's, when it is one).
struct Resolved {
  registry::FetchedManifest named;     // what the tag or digest names
  registry::FetchedManifest manifest;  // the platform's image manifest
  registry::ImageManifest image;
};

absl::StatusOr<Resolved> Resolve(RegistryClient& client,
                                 registry::FetchedManifest named,
                                 const PullRequest& request,
                                 const std::string& name) {
  Resolved resolved;
  resolved.named = std::move(named);
  resolved.manifest = resolved.named;
  if (registry::IsIndexType(resolved.named.media_type)) {
    ASSIGN_OR_RETURN(registry::ImageIndex index,
                     registry::ParseImageIndex(resolved.named.body));
    absl::StatusOr<Descriptor> chosen =
        registry::SelectManifest(index, request.platform);
    if (!chosen.ok()) {
      return absl::NotFoundError(absl::StrCat(
          "no matching manifest for ", request.platform.String(),
          " in the manifest list entries of ", name));
    }
    ASSIGN_OR_RETURN(resolved.manifest, client.GetManifest(chosen->digest));
    if (!registry::IsImageManifestType(resolved.manifest.media_type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the index of ", name, " names ", chosen->digest,
          " for ", request.platform.String(), ", which is not an image "
          "manifest but ", resolved.manifest.media_type));
    }
  } else if (!registry::IsImageManifestType(resolved.named.media_type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " is a ", resolved.named.media_type,
        " manifest, which Berth cannot pull (only Docker schema 2 and OCI "
        "images and indexes)"));
  }
  ASSIGN_OR_RETURN(resolved.image,
                   registry::ParseImageManifest(resolved.manifest.body));
  return resolved;
}

// The layers a pull downloads, fetched by a few threads in manifest order;
// the caller takes them in order as they complete.
class LayerDownloads {
 public:
  LayerDownloads(RegistryClient& client, BlobDownloads& downloads,
                 SharedSink& sink, std::vector<Descriptor> layers,
                 std::vector<bool> needed, int threads,
                 const std::function<bool()>& cancelled)
      : client_(client),
        downloads_(downloads),
        sink_(sink),
        layers_(std::move(layers)),
        slots_(layers_.size()),
        cancelled_(cancelled) {
    for (size_t i = 0; i < layers_.size(); ++i) {
      if (needed[i]) queue_.push_back(i);
    }
    const int count = std::min<int>(threads, static_cast<int>(queue_.size()));
    for (int t = 0; t < count; ++t) workers_.emplace_back([this] { Work(); });
  }

  ~LayerDownloads() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& worker : workers_) worker.join();
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].held) downloads_.Release(layers_[i].digest);
    }
  }

  // The verified file of layer `i`, once downloaded.
  absl::StatusOr<std::string> Wait(size_t i) {
    absl::MutexLock lock(&mu_);
    Slot& slot = slots_[i];
    auto done = [&slot]() { return slot.done; };
    mu_.Await(absl::Condition(&done));
    if (!slot.status.ok()) return slot.status;
    return slot.path;
  }

 private:
  struct Slot {
    bool done = false;
    bool held = false;
    absl::Status status;
    std::string path;
  };

  void Work() {
    while (true) {
      size_t i;
      {
        absl::MutexLock lock(&mu_);
        if (stop_ || next_ == queue_.size()) return;
        i = queue_[next_++];
      }
      absl::StatusOr<std::string> path = Fetch(layers_[i]);
      absl::MutexLock lock(&mu_);
      slots_[i].done = true;
      slots_[i].held = path.ok();
      if (path.ok()) {
        slots_[i].path = *path;
      } else {
        slots_[i].status = path.status();
        stop_ = true;  // the pull fails; start no more downloads
      }
    }
  }

  absl::StatusOr<std::string> Fetch(const Descriptor& layer) {
    if (cancelled_ && cancelled_()) {
      return absl::CancelledError("the pull was cancelled");
    }
    const std::string id = ShortId(layer.digest);
    ASSIGN_OR_RETURN(
        std::string path,
        downloads_.Acquire(
            layer.digest,
            [&](const std::string& partial) {
              return client_.FetchBlobToFile(
                  layer, partial, [&](int64_t bytes) {
                    sink_.Downloading(id, bytes, layer.size);
                  });
            },
            [&] { sink_(MakeProgress(id, "Waiting", 0, 0)); }));
    sink_(MakeProgress(id, "Verifying Checksum", 0, 0));
    sink_(MakeProgress(id, "Download complete", 0, 0));
    return path;
  }

  RegistryClient& client_;
  BlobDownloads& downloads_;
  SharedSink& sink_;
  const std::vector<Descriptor> layers_;
  absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> queue_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  const std::function<bool()>& cancelled_;
  std::vector<std::thread> workers_;  // last: started after the rest
};

// The client names a repository by its path in the registry
// ("manifest for library/busybox:nosuch not found"); a person typed the
// familiar name, as Docker shows it ("manifest for busybox:nosuch ...").
absl::Status FamiliarNotFound(const absl::Status& status, const Reference& ref,
                              const std::string& wanted) {
  if (!absl::IsNotFound(status)) return status;
  const std::string raw = absl::StrCat(
      "manifest for ", ref.path, ref.digest.empty() ? ":" : "@", wanted);
  std::string message(status.message());
  if (message.rfind(raw, 0) == 0) {
    message = absl::StrCat("manifest for ", ref.Familiar(),
                           message.substr(raw.size()));
  }
  return absl::NotFoundError(message);
}

}  // namespace

absl::StatusOr<std::vector<image::v1::PullResult>> Puller::Pull(
    const PullRequest& request, const RegistrySettings& settings,
    const ProgressSink& progress, const std::function<bool()>& cancelled) {
  ASSIGN_OR_RETURN(Reference ref, ParseReference(request.reference));
  if (request.all_tags && (!ref.digest.empty() || ref.tag != "latest")) {
    // ParseReference adds "latest"; a tag the user typed is refused as
    // Docker refuses it.
    if (!ref.digest.empty() ||
        request.reference.find(':', request.reference.rfind('/') + 1) !=
            std::string::npos) {
      return absl::InvalidArgumentError(
          "tag can't be used with --all-tags/-a");
    }
  }
  SharedSink sink(request.quiet ? ProgressSink() : progress);
  ConnectRequest connect;
  connect.domain = ref.domain;
  connect.repository = ref.path;
  connect.credentials = request.credentials;
  connect.use_mirrors = true;

  std::vector<std::string> tags;
  registry::FetchedManifest first;
  const std::string first_name = ref.digest.empty() ? ref.tag : ref.digest;
  std::unique_ptr<RegistryClient> client;
  if (request.all_tags) {
    ASSIGN_OR_RETURN(client, Connect(transport_, settings, connect,
                                     [&](RegistryClient& c) {
                                       ASSIGN_OR_RETURN(tags, c.ListTags());
                                       return absl::OkStatus();
                                     }));
    std::sort(tags.begin(), tags.end());
  } else {
    ASSIGN_OR_RETURN(client, Connect(transport_, settings, connect,
                                     [&](RegistryClient& c) -> absl::Status {
                                       absl::StatusOr<registry::FetchedManifest>
                                           got = c.GetManifest(first_name);
                                       if (!got.ok()) {
                                         return FamiliarNotFound(
                                             got.status(), ref, first_name);
                                       }
                                       first = std::move(*got);
                                       return absl::OkStatus();
                                     }));
    tags.push_back(first_name);
  }

  std::vector<image::v1::PullResult> results;
  for (size_t t = 0; t < tags.size(); ++t) {
    Reference target = ref;
    if (request.all_tags) target.tag = tags[t];
    const bool by_digest = !target.digest.empty();
    const std::string wanted = by_digest ? target.digest : target.tag;
    sink(MakeProgress(wanted, absl::StrCat("Pulling from ", ref.path), 0, 0));
    registry::FetchedManifest named;
    if (request.all_tags) {
      ASSIGN_OR_RETURN(named, client->GetManifest(wanted));
    } else {
      named = std::move(first);
    }
    const std::string familiar = target.Familiar();
    ASSIGN_OR_RETURN(Resolved resolved,
                     Resolve(*client, std::move(named), request, familiar));
    ASSIGN_OR_RETURN(std::string config_json,
                     client->FetchBlob(resolved.image.config));
    ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                     formats::ParseImageConfig(config_json));
    if (doc.diff_ids.size() != resolved.image.layers.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the manifest of ", familiar, " lists ",
          resolved.image.layers.size(), " layers but its config lists ",
          doc.diff_ids.size()));
    }
    if (request.platform_given &&
        !registry::IsIndexType(resolved.named.media_type)) {
      registry::Platform actual;
      actual.os = doc.os;
      actual.architecture = doc.architecture;
      actual.variant = doc.variant;
      if (registry::PlatformRank(request.platform,
                                 registry::NormalizePlatform(actual)) < 0) {
        return absl::NotFoundError(absl::StrCat(
            "image with reference ", familiar,
            " was found but does not match the specified platform: wanted ",
            request.platform.String(), ", actual: ",
            registry::NormalizePlatform(actual).String()));
      }
    }

    image::v1::PullResult result;
    result.set_reference(target.String());
    result.set_digest(resolved.named.digest);
    const std::string image_id = resolved.image.config.digest;
    const std::string tag = by_digest ? "" : familiar;
    const std::string repo_digest =
        absl::StrCat(target.FamiliarName(), "@", resolved.named.digest);

    if (store_.Find(image_id).ok()) {
      // Up to date: only the names are new.
      if (!tag.empty()) RETURN_IF_ERROR(store_.Tag(image_id, tag).status());
      RETURN_IF_ERROR(store_.AddRepoDigest(image_id, repo_digest));
      result.set_image_id(image_id);
      result.set_downloaded(false);
      results.push_back(std::move(result));
      continue;
    }

    const std::vector<Descriptor>& layers = resolved.image.layers;
    std::vector<bool> needed(layers.size());
    std::string chain;
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::optional<registry::LayerType> type =
          registry::ClassifyLayer(layers[i].media_type);
      if (!type.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "layer ", layers[i].digest, " of ", familiar,
            " has media type ", layers[i].media_type,
            ", which is not an image layer Berth can unpack"));
      }
      chain = ChainId(chain, doc.diff_ids[i]);
      needed[i] = !store_.HasLayer(chain);
      sink(MakeProgress(ShortId(layers[i].digest),
                        needed[i] ? "Pulling fs layer" : "Already exists", 0,
                        0));
    }
    ImageStore::RemoteImage image(store_);
    {
      LayerDownloads downloads(*client, downloads_, sink, layers, needed,
                               settings.max_concurrent_downloads, cancelled);
      for (size_t i = 0; i < layers.size(); ++i) {
        const std::string id = ShortId(layers[i].digest);
        LayerStore::Source source;
        source.diff_id = doc.diff_ids[i];
        if (!needed[i]) {
          RETURN_IF_ERROR(image.AddLayer(source, id, ProgressSink()));
          continue;
        }
        ASSIGN_OR_RETURN(source.path, downloads.Wait(i));
        source.keep_compressed = true;
        source.digest = layers[i].digest;  // verified by the download
        source.media_type = layers[i].media_type;
        ProgressSink extracting = [&sink](const types::v1::Progress& p) {
          types::v1::Progress line = p;
          if (line.status() == "Loading layer") line.set_status("Extracting");
          sink(line);
        };
        absl::Status added = image.AddLayer(source, id, extracting);
        if (!added.ok()) {
          return Annotate(added, absl::StrCat("layer ", layers[i].digest,
                                              " of ", familiar));
        }
        sink(MakeProgress(id, "Pull complete", 0, 0));
      }
      ImageStore::RemoteManifest remote;
      remote.config_json = std::move(config_json);
      remote.manifest_json = resolved.manifest.body;
      remote.manifest_media_type = resolved.manifest.media_type;
      remote.tag = tag;
      remote.repo_digest = repo_digest;
      ASSIGN_OR_RETURN(std::string id, image.Commit(remote));
      result.set_image_id(id);
    }
    result.set_downloaded(true);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace berth::imaged::distribution
