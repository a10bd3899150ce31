#include "services/imaged/test_archives.h"

#include <archive.h>
#include <archive_entry.h>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "services/imaged/formats/docker_archive.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/formats/oci_layout.h"
#include "services/imaged/tar_writer.h"

namespace berth::imaged::testing {
namespace {

std::string Hex(const std::string& digest) { return digest.substr(7); }

}  // namespace

std::string Gzip(const std::string& data) {
  std::string out;
  struct archive* writer = archive_write_new();
  archive_write_set_format_raw(writer);
  archive_write_add_filter_gzip(writer);
  // No time in the gzip header: the same data gzips to the same bytes, so a
  // test can compute the digest of what an archive holds (it differed when
  // the clock's second changed in between).
  archive_write_set_options(writer, "gzip:!timestamp");
  archive_write_set_bytes_in_last_block(writer, 1);
  auto append = [](struct archive*, void* sink, const void* buffer,
                   size_t size) -> la_ssize_t {
    static_cast<std::string*>(sink)->append(static_cast<const char*>(buffer),
                                            size);
    return static_cast<la_ssize_t>(size);
  };
  archive_write_open(writer, &out, nullptr, append, nullptr);
  struct archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, "layer.tar");
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  bool ok = archive_write_header(writer, entry) == ARCHIVE_OK &&
            archive_write_data(writer, data.data(), data.size()) ==
                static_cast<la_ssize_t>(data.size());
  archive_entry_free(entry);
  ok = archive_write_close(writer) == ARCHIVE_OK && ok;
  archive_write_free(writer);
  return ok ? out : "";
}

std::string StoredLayer(const TestImage& image, const std::string& layer) {
  return image.gzip_layers ? Gzip(layer) : layer;
}

std::string MakeTar(const std::vector<TarMember>& members) {
  std::string out;
  TarWriter tar(
      [&](absl::string_view data) {
        out.append(data.data(), data.size());
        return absl::OkStatus();
      },
      absl::FromUnixSeconds(1700000000));
  for (const TarMember& member : members) {
    absl::Status status = member.is_dir ? tar.AddDirectory(member.name)
                                        : tar.AddBytes(member.name, member.content);
    if (!status.ok()) return "";
  }
  if (!tar.Finish().ok()) return "";
  return out;
}

std::string ConfigOf(const TestImage& image) {
  formats::ImageConfigDoc doc;
  doc.architecture = "amd64";
  doc.os = "linux";
  doc.created = absl::FromUnixSeconds(1700000000);
  doc.has_created = true;
  for (const std::string& arg : image.cmd) doc.config.add_cmd(arg);
  for (size_t i = 0; i < image.layers.size(); ++i) {
    doc.diff_ids.push_back(i < image.diff_ids_override.size()
                               ? image.diff_ids_override[i]
                               : Sha256Digest(image.layers[i]));
    formats::ConfigHistory step;
    step.created = doc.created;
    step.created_by = absl::StrCat("/bin/sh -c #(nop) layer ", i);
    doc.history.push_back(step);
  }
  return formats::SerializeImageConfig(doc);
}

std::string MakeDockerArchive(const std::vector<TestImage>& images) {
  std::vector<TarMember> members;
  std::vector<formats::DockerManifestEntry> manifest;
  for (const TestImage& image : images) {
    const std::string config = ConfigOf(image);
    formats::DockerManifestEntry entry;
    entry.config = Hex(Sha256Digest(config)) + ".json";
    members.push_back({entry.config, config});
    for (const std::string& layer : image.layers) {
      const std::string dir = Hex(Sha256Digest(layer));
      members.push_back({dir, "", true});
      members.push_back({dir + "/layer.tar", StoredLayer(image, layer)});
      entry.layers.push_back(dir + "/layer.tar");
    }
    entry.repo_tags = image.tags;
    manifest.push_back(entry);
  }
  members.push_back({"manifest.json", formats::SerializeDockerManifest(manifest)});
  return MakeTar(members);
}

std::string MakeOciArchive(const std::vector<TestImage>& images) {
  std::vector<TarMember> members = {
      {"oci-layout", formats::OciLayoutFile()},
      {"blobs", "", true},
      {"blobs/sha256", "", true}};
  std::vector<formats::Descriptor> index;
  for (const TestImage& image : images) {
    const std::string config = ConfigOf(image);
    formats::OciManifest manifest;
    manifest.media_type = formats::kOciManifest;
    manifest.config = {formats::kOciConfig, Sha256Digest(config),
                       static_cast<int64_t>(config.size())};
    members.push_back({"blobs/sha256/" + Hex(Sha256Digest(config)), config});
    for (const std::string& layer : image.layers) {
      const std::string blob = StoredLayer(image, layer);
      manifest.layers.push_back(
          {image.gzip_layers ? formats::kOciLayerTarGzip : formats::kOciLayerTar,
           Sha256Digest(blob),
           image.claimed_layer_size >= 0 ? image.claimed_layer_size
                                         : static_cast<int64_t>(blob.size())});
      members.push_back({"blobs/sha256/" + Hex(Sha256Digest(blob)), blob});
    }
    const std::string manifest_json = formats::SerializeOciManifest(manifest);
    members.push_back(
        {"blobs/sha256/" + Hex(Sha256Digest(manifest_json)), manifest_json});
    formats::Descriptor descriptor{formats::kOciManifest,
                                   Sha256Digest(manifest_json),
                                   static_cast<int64_t>(manifest_json.size())};
    if (!image.tags.empty()) {
      descriptor.annotations["io.containerd.image.name"] = image.tags[0];
    }
    index.push_back(descriptor);
  }
  members.push_back({"index.json", formats::SerializeOciIndex(index)});
  return MakeTar(members);
}

}  // namespace berth::imaged::testing
