// Image references as users type them ("busybox", "myorg/app:v1",
// "localhost:5000/app@sha256:...") and their normalised, fully qualified form
// ("docker.io/library/busybox:latest"). The grammar and the normalisation are
// Docker's (github.com/distribution/reference):
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] path
//   domain           := host [ ":" port ]
//   host             := domain-component ( "." domain-component )*
//                     | "[" [a-fA-F0-9:]+ "]"
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   port             := [0-9]+
//   path             := path-component ( "/" path-component )*
//   path-component   := [a-z0-9]+ ( separator [a-z0-9]+ )*
//   separator        := "." | "_" | "__" | "-"+
//   tag              := [\w][\w.-]{0,127}
//   digest           := "sha256:" [a-f0-9]{64}
//
// Pure functions on values; thread-safe.
#ifndef BERTH_SERVICES_IMAGED_REFERENCE_REFERENCE_H_
#define BERTH_SERVICES_IMAGED_REFERENCE_REFERENCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged {

// A normalised reference. Values returned by ParseReference always have a
// domain and a path; for Docker Hub the path carries the "library/" namespace
// of official images.
struct Reference {
  // Registry host with optional port: "docker.io", "127.0.0.1:5000",
  // "localhost", "registry.example.com:443".
  std::string domain;
  // Repository path within the registry: "library/busybox", "myorg/app".
  std::string path;
  // "latest", "1.36"; empty only when a digest was given without a tag.
  std::string tag;
  // "sha256:<64 lowercase hex>" or empty.
  std::string digest;

  // "docker.io/library/busybox".
  std::string Name() const;
  // Fully qualified: "docker.io/library/busybox:latest",
  // "docker.io/library/busybox@sha256:...", or "name:tag@sha256:...".
  std::string String() const;
  // The name as Docker shows it: "busybox", "myorg/app",
  // "127.0.0.1:5000/app". Docker Hub's domain is dropped, and "library/" too
  // when nothing follows the official image's name. Unlike Docker, the domain
  // is kept when dropping it would change the meaning of the name on a
  // re-parse ("docker.io/foo.com/bar" stays as is, not "foo.com/bar").
  std::string FamiliarName() const;
  // FamiliarName() with the tag and digest: "busybox:latest",
  // "busybox@sha256:...", "127.0.0.1:5000/app:1".
  std::string Familiar() const;

  bool operator==(const Reference& other) const;
  bool operator!=(const Reference& other) const { return !(*this == other); }
};

// Parses and normalises `text` as `docker pull` and `docker run` accept it:
// - the first "/"-separated component is the domain if it contains "." or
//   ":", is "localhost", or has an uppercase letter (Docker's rule: paths are
//   lowercase, so such a component can only be a host); otherwise the domain
//   is "docker.io";
// - "index.docker.io" becomes "docker.io"; a single-component path on
//   docker.io gets the "library/" namespace ("busybox" -> "library/busybox");
// - the tag "latest" is added when neither a tag nor a digest is given.
// As in Docker, a first component that looks like a host but is not one by the
// grammar, yet is a valid path component ("a_b.c/d"), is still accepted; it is
// kept as the domain (Docker keeps it as the path's first component under an
// empty domain; Name() and String() are the same either way).
//
// Errors, all INVALID_ARGUMENT, with Docker's messages:
// - "invalid reference format": not in the grammar (empty, whitespace, bad
//   separators, empty tag, ...);
// - "invalid reference format: repository name must be lowercase";
// - "invalid repository name (<hex>), cannot specify 64-byte hexadecimal
//   strings": the whole text is 64 lowercase hex digits (an image id);
// - "invalid reference format: repository name must not be more than 255
//   characters": the normalised Name() is longer than 255;
// - digests well formed by the grammar but not sha256 with 64 lowercase hex
//   digits: "unsupported digest algorithm" (e.g. "md5:..." or "sha512:...",
//   which Docker accepts but Berth's content store does not),
//   "invalid checksum digest length", "invalid checksum digest format".
absl::StatusOr<Reference> ParseReference(absl::string_view text);

// Like ParseReference, for a name being assigned (berth tag TARGET,
// import REPO[:TAG], commit REPO[:TAG]): the tag defaults to "latest" and a
// digest is refused with INVALID_ARGUMENT "refusing to create a tag with a
// digest reference" (Docker's message).
absl::StatusOr<Reference> ParseTagReference(absl::string_view text);

// The hex part of an image id as users type it: "sha256:<1..64 hex>" or
// "<1..64 hex>", hex being lowercase. Returns "" when `text` is not shaped so.
// "abc" is both a short id and a repository name: callers try ParseReference
// first and the id second, as Docker does.
std::string IdPrefix(absl::string_view text);

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_REFERENCE_REFERENCE_H_
