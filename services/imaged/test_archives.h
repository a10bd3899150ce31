// Test-only builders of the archives imaged reads: plain tars of files, and
// docker-archive / OCI-layout tars of images made from such tars.
#ifndef BERTH_SERVICES_IMAGED_TEST_ARCHIVES_H_
#define BERTH_SERVICES_IMAGED_TEST_ARCHIVES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace berth::imaged::testing {

struct TarMember {
  std::string name;     // "dir" for a directory (is_dir), "dir/file" else
  std::string content;  // file bytes
  bool is_dir = false;
};

// An uncompressed tar of `members`, in order.
std::string MakeTar(const std::vector<TarMember>& members);

struct TestImage {
  std::vector<std::string> layers;  // layer tars, bottom first
  std::vector<std::string> tags;    // "busybox:latest"
  std::vector<std::string> cmd;     // config Cmd
  // Diff ids written into the config; empty means the true ones.
  std::vector<std::string> diff_ids_override = {};
  // Size the OCI manifest claims for every layer; negative means the true one.
  int64_t claimed_layer_size = -1;
  // Store each layer gzip-compressed (OCI media type tar+gzip), as registries
  // and `docker save` of pulled images hold them.
  bool gzip_layers = false;
};

// `data` gzip-compressed.
std::string Gzip(const std::string& data);

// A layer's bytes as an archive of `image` holds them (compressed or not).
std::string StoredLayer(const TestImage& image, const std::string& layer);

// A docker-archive (what `docker save` writes) holding `images`.
std::string MakeDockerArchive(const std::vector<TestImage>& images);

// An OCI image layout tar holding `images`.
std::string MakeOciArchive(const std::vector<TestImage>& images);

// The config JSON MakeDockerArchive writes for `image`.
std::string ConfigOf(const TestImage& image);

}  // namespace berth::imaged::testing

#endif  // BERTH_SERVICES_IMAGED_TEST_ARCHIVES_H_
