// Media types of the OCI image spec and of Docker's image formats (schema 2),
// as they appear in manifests, indexes and descriptors, and the size limit
// every JSON document of these formats shares.
#ifndef BERTH_SERVICES_IMAGED_FORMATS_MEDIA_TYPES_H_
#define BERTH_SERVICES_IMAGED_FORMATS_MEDIA_TYPES_H_

#include <cstddef>

namespace berth::imaged::formats {

// OCI image spec (github.com/opencontainers/image-spec, media-types.md).
inline constexpr char kOciManifest[] =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayerTar[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerTarGzip[] =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerTarZstd[] =
    "application/vnd.oci.image.layer.v1.tar+zstd";

// Docker image manifest v2, schema 2 (distribution/docs/spec/manifest-v2-2).
inline constexpr char kDockerManifest[] =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerConfig[] =
    "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerTar[] =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr char kDockerLayerTarGzip[] =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// Largest JSON document (config, manifest, index, manifest.json, ...) any
// Parse* function of this library accepts; bigger input is INVALID_ARGUMENT
// before it is parsed. Readers of archives should check an entry's size
// against it before reading the entry into memory.
inline constexpr size_t kMaxJsonDocumentSize = 16 << 20;

}  // namespace berth::imaged::formats

#endif  // BERTH_SERVICES_IMAGED_FORMATS_MEDIA_TYPES_H_
