#include "services/imaged/reference/reference.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace berth::imaged {
namespace {

const std::string kHex =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kDigest = "sha256:" + kHex;

struct ValidCase {
  std::string input;
  std::string string;
  std::string familiar;
  std::string familiar_name;
};

std::vector<ValidCase> ValidCases() {
  return {
      {"busybox", "docker.io/library/busybox:latest", "busybox:latest",
       "busybox"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36",
       "busybox"},
      {"library/busybox", "docker.io/library/busybox:latest", "busybox:latest",
       "busybox"},
      {"docker.io/busybox", "docker.io/library/busybox:latest",
       "busybox:latest", "busybox"},
      {"docker.io/library/busybox:latest", "docker.io/library/busybox:latest",
       "busybox:latest", "busybox"},
      {"index.docker.io/library/busybox", "docker.io/library/busybox:latest",
       "busybox:latest", "busybox"},
      {"index.docker.io/busybox", "docker.io/library/busybox:latest",
       "busybox:latest", "busybox"},
      {"myorg/app:v1", "docker.io/myorg/app:v1", "myorg/app:v1", "myorg/app"},
      {"docker.io/myorg/app", "docker.io/myorg/app:latest", "myorg/app:latest",
       "myorg/app"},
      {"library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest",
       "library/a/b"},
      {"localhost/app", "localhost/app:latest", "localhost/app:latest",
       "localhost/app"},
      {"localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1",
       "localhost:5000/app"},
      {"127.0.0.1:5000/a/b/c:tag", "127.0.0.1:5000/a/b/c:tag",
       "127.0.0.1:5000/a/b/c:tag", "127.0.0.1:5000/a/b/c"},
      {"registry.example.com/x", "registry.example.com/x:latest",
       "registry.example.com/x:latest", "registry.example.com/x"},
      {"registry.example.com:443/x", "registry.example.com:443/x:latest",
       "registry.example.com:443/x:latest", "registry.example.com:443/x"},
      {"Registry.Example.com/x", "Registry.Example.com/x:latest",
       "Registry.Example.com/x:latest", "Registry.Example.com/x"},
      {"[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest",
       "[::1]:5000/app"},
      // An uppercase first component can only be a host (Docker's rule).
      {"Foo/bar", "Foo/bar:latest", "Foo/bar:latest", "Foo/bar"},
      {"name@" + kDigest, "docker.io/library/name@" + kDigest,
       "name@" + kDigest, "name"},
      {"name:tag@" + kDigest, "docker.io/library/name:tag@" + kDigest,
       "name:tag@" + kDigest, "name"},
      {"localhost:5000/app@" + kDigest, "localhost:5000/app@" + kDigest,
       "localhost:5000/app@" + kDigest, "localhost:5000/app"},
      // Host-looking but no host by the grammar: accepted as Docker does.
      {"a-b_c.d/e__f", "a-b_c.d/e__f:latest", "a-b_c.d/e__f:latest",
       "a-b_c.d/e__f"},
      {"a.b", "docker.io/library/a.b:latest", "a.b:latest", "a.b"},
      {"a_b", "docker.io/library/a_b:latest", "a_b:latest", "a_b"},
      {"a__b", "docker.io/library/a__b:latest", "a__b:latest", "a__b"},
      {"a-b", "docker.io/library/a-b:latest", "a-b:latest", "a-b"},
      {"a--b", "docker.io/library/a--b:latest", "a--b:latest", "a--b"},
      {"a---b_c__d/e-f.g", "docker.io/a---b_c__d/e-f.g:latest",
       "a---b_c__d/e-f.g:latest", "a---b_c__d/e-f.g"},
      // Not domains without a "/" after them.
      {"localhost", "docker.io/library/localhost:latest", "localhost:latest",
       "localhost"},
      {"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000",
       "localhost"},
      // Familiar forms keep docker.io when the path would read as a host.
      {"docker.io/foo.com/bar", "docker.io/foo.com/bar:latest",
       "docker.io/foo.com/bar:latest", "docker.io/foo.com/bar"},
      {"docker.io/localhost/bar", "docker.io/localhost/bar:latest",
       "docker.io/localhost/bar:latest", "docker.io/localhost/bar"},
      {"docker.io/library/foo.com", "docker.io/library/foo.com:latest",
       "foo.com:latest", "foo.com"},
      {"busybox:Latest_1.0-rc", "docker.io/library/busybox:Latest_1.0-rc",
       "busybox:Latest_1.0-rc", "busybox"},
      {"busybox:_x", "docker.io/library/busybox:_x", "busybox:_x", "busybox"},
      {"busybox:" + std::string(128, 't'),
       "docker.io/library/busybox:" + std::string(128, 't'),
       "busybox:" + std::string(128, 't'), "busybox"},
      // Only a bare 64-hex text is refused as a name.
      {kHex + ":1", "docker.io/library/" + kHex + ":1", kHex + ":1", kHex},
      // 18 + 237 = 255 characters: the longest name allowed.
      {std::string(237, 'a'),
       "docker.io/library/" + std::string(237, 'a') + ":latest",
       std::string(237, 'a') + ":latest", std::string(237, 'a')},
  };
}

TEST(ParseReferenceTest, ValidInputs) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Reference> ref = ParseReference(c.input);
    ASSERT_TRUE(ref.ok()) << ref.status();
    EXPECT_EQ(ref->String(), c.string);
    EXPECT_EQ(ref->Familiar(), c.familiar);
    EXPECT_EQ(ref->FamiliarName(), c.familiar_name);
  }
}

TEST(ParseReferenceTest, RoundTripsThroughStringAndFamiliar) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Reference> ref = ParseReference(c.input);
    ASSERT_TRUE(ref.ok()) << ref.status();
    absl::StatusOr<Reference> from_string = ParseReference(ref->String());
    ASSERT_TRUE(from_string.ok()) << from_string.status();
    EXPECT_EQ(*from_string, *ref) << from_string->String();
    absl::StatusOr<Reference> from_familiar = ParseReference(ref->Familiar());
    ASSERT_TRUE(from_familiar.ok()) << from_familiar.status();
    EXPECT_EQ(*from_familiar, *ref) << from_familiar->String();
  }
}

TEST(ParseReferenceTest, Fields) {
  absl::StatusOr<Reference> ref = ParseReference("busybox");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "docker.io");
  EXPECT_EQ(ref->path, "library/busybox");
  EXPECT_EQ(ref->tag, "latest");
  EXPECT_EQ(ref->digest, "");
  EXPECT_EQ(ref->Name(), "docker.io/library/busybox");

  ref = ParseReference("127.0.0.1:5000/a/b/c:tag");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "127.0.0.1:5000");
  EXPECT_EQ(ref->path, "a/b/c");
  EXPECT_EQ(ref->tag, "tag");
  EXPECT_EQ(ref->Name(), "127.0.0.1:5000/a/b/c");

  // A digest alone gets no default tag.
  ref = ParseReference("name@" + kDigest);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->tag, "");
  EXPECT_EQ(ref->digest, kDigest);

  ref = ParseReference("name:1@" + kDigest);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->tag, "1");
  EXPECT_EQ(ref->digest, kDigest);

  ref = ParseReference("a-b_c.d/e__f");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "a-b_c.d");
  EXPECT_EQ(ref->path, "e__f");
}

struct InvalidCase {
  std::string input;
  std::string message;
};

constexpr char kInvalid[] = "invalid reference format";
constexpr char kUppercase[] =
    "invalid reference format: repository name must be lowercase";
constexpr char kTooLong[] =
    "invalid reference format: repository name must not be more than 255 "
    "characters";

TEST(ParseReferenceTest, InvalidInputs) {
  const std::vector<InvalidCase> cases = {
      {"", kInvalid},
      {"UPPER", kUppercase},
      {"busyBox:1", kUppercase},
      {"myorg/App", kUppercase},
      {"localhost:5000/App", kUppercase},
      {"UPPER:", kUppercase},  // the case is checked before the grammar
      {"a_B.c/d", kUppercase},
      {"busybox:", kInvalid},
      {":tag", kInvalid},
      {"/busybox", kInvalid},
      {"a//b", kInvalid},
      {"a/", kInvalid},
      {"localhost/", kInvalid},
      {"-a", kInvalid},
      {"a-", kInvalid},
      {".a", kInvalid},
      {"a..b", kInvalid},
      {"a___b", kInvalid},
      {"a_-b", kInvalid},
      {"a.-b", kInvalid},
      {"a:b:c", kInvalid},
      {"busybox:a/b", kInvalid},
      {"busybox:.x", kInvalid},
      {"busybox:-x", kInvalid},
      {"busybox:" + std::string(129, 't'), kInvalid},
      {"localhost:port/app", kInvalid},
      {"example.com:/app", kInvalid},
      {"-example.com/app", kInvalid},
      {"[]/app", kInvalid},
      {"[::1/app", kInvalid},
      {"@sha256:abc", kInvalid},
      {"@" + kDigest, kInvalid},
      {"name@sha256:abc", kInvalid},
      {"name@sha256", kInvalid},
      {"name@", kInvalid},
      {"name@sha256:" + kHex + "@" + kDigest, kInvalid},
      {"name@" + kDigest + ":tag", kInvalid},
      {"name@md5:" + kHex.substr(0, 32), "unsupported digest algorithm"},
      {"name@sha512:" + kHex + kHex, "unsupported digest algorithm"},
      {"name@sha256:" + kHex.substr(0, 63), "invalid checksum digest length"},
      {"name@sha256:" + kHex + "0", "invalid checksum digest length"},
      {"name@sha256:" + std::string(64, 'A'), "invalid checksum digest format"},
      {kHex, absl::StrCat("invalid repository name (", kHex,
                          "), cannot specify 64-byte hexadecimal strings")},
      {std::string(300, 'a'), kTooLong},
      {std::string(238, 'a'), kTooLong},  // 18 + 238 = 256
      {"registry.example.com/" + std::string(240, 'a'), kTooLong},
      {"a b", kInvalid},
      {"busybox ", kInvalid},
      {" busybox", kInvalid},
      {"busybox:latest ", kInvalid},
      {"busybox\n", kInvalid},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Reference> ref = ParseReference(c.input);
    ASSERT_FALSE(ref.ok()) << ref->String();
    EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ref.status().message(), c.message);
  }
}

TEST(ParseTagReferenceTest, DefaultsTheTag) {
  absl::StatusOr<Reference> ref = ParseTagReference("myrepo");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->String(), "docker.io/library/myrepo:latest");

  ref = ParseTagReference("localhost:5000/app:v2");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->String(), "localhost:5000/app:v2");
  EXPECT_EQ(ref->Familiar(), "localhost:5000/app:v2");
}

TEST(ParseTagReferenceTest, RefusesDigests) {
  for (const std::string& input : {"name@" + kDigest, "name:tag@" + kDigest,
                                   "localhost:5000/app@" + kDigest}) {
    SCOPED_TRACE(input);
    absl::StatusOr<Reference> ref = ParseTagReference(input);
    ASSERT_FALSE(ref.ok());
    EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ref.status().message(),
              "refusing to create a tag with a digest reference");
  }
}

TEST(ParseTagReferenceTest, ReportsParseErrors) {
  absl::StatusOr<Reference> ref = ParseTagReference("busybox:");
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.status().message(), kInvalid);
  ref = ParseTagReference("MyRepo");
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.status().message(), kUppercase);
}

TEST(ReferenceTest, EqualityComparesEveryField) {
  const Reference base{"docker.io", "library/busybox", "latest", ""};
  EXPECT_EQ(base, (Reference{"docker.io", "library/busybox", "latest", ""}));
  EXPECT_NE(base, (Reference{"quay.io", "library/busybox", "latest", ""}));
  EXPECT_NE(base, (Reference{"docker.io", "library/alpine", "latest", ""}));
  EXPECT_NE(base, (Reference{"docker.io", "library/busybox", "1", ""}));
  EXPECT_NE(base,
            (Reference{"docker.io", "library/busybox", "latest", kDigest}));
}

TEST(IdPrefixTest, AcceptsIdShapedText) {
  EXPECT_EQ(IdPrefix("abc"), "abc");
  EXPECT_EQ(IdPrefix("0"), "0");
  EXPECT_EQ(IdPrefix("sha256:abc"), "abc");
  EXPECT_EQ(IdPrefix(kHex), kHex);
  EXPECT_EQ(IdPrefix(kDigest), kHex);
}

TEST(IdPrefixTest, RefusesOtherText) {
  EXPECT_EQ(IdPrefix(""), "");
  EXPECT_EQ(IdPrefix("sha256:"), "");
  EXPECT_EQ(IdPrefix("ABC"), "");
  EXPECT_EQ(IdPrefix("sha256:ABC"), "");
  EXPECT_EQ(IdPrefix("xyz"), "");
  EXPECT_EQ(IdPrefix("abg"), "");
  EXPECT_EQ(IdPrefix(kHex + "0"), "");
  EXPECT_EQ(IdPrefix("sha512:abc"), "");
  EXPECT_EQ(IdPrefix("sha256:sha256:abc"), "");
  EXPECT_EQ(IdPrefix(" abc"), "");
  EXPECT_EQ(IdPrefix("busybox:latest"), "");
}

}  // namespace
}  // namespace berth::imaged
