// ps as Docker answers it: name filters are regular expressions, COMMAND
// quotes the arguments that hold a space.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class QueriesTest : public SupervisorTest {
 protected:
  void SetUp() override {
    SupervisorTest::SetUp();
    Open();
  }

  std::string CreateNamed(const std::string& name,
                          const std::vector<std::string>& cmd = {"sleep", "1"}) {
    container::v1::CreateContainerRequest request;
    request.set_name(name);
    request.mutable_config()->set_image("busybox");
    for (const std::string& arg : cmd) request.mutable_config()->mutable_cmd()->add_values(arg);
    auto created = supervisor_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  absl::StatusOr<std::vector<std::string>> NamesMatching(
      const std::string& pattern) {
    container::v1::ListContainersRequest request;
    request.set_all(true);
    request.mutable_filter()->add_names(pattern);
    auto listed = supervisor_->List(request);
    if (!listed.ok()) return listed.status();
    std::vector<std::string> names;
    for (const auto& c : listed->containers()) names.push_back(c.name());
    return names;
  }
};

TEST_F(QueriesTest, NameFiltersAreRegularExpressions) {
  CreateNamed("web1");
  CreateNamed("xweb");
  CreateNamed("db");
  EXPECT_THAT(*NamesMatching("web"), UnorderedElementsAre("web1", "xweb"));
  EXPECT_THAT(*NamesMatching("^web"), UnorderedElementsAre("web1"));
  EXPECT_THAT(*NamesMatching("^/web"), UnorderedElementsAre("web1"));
  EXPECT_THAT(*NamesMatching("web.$"), UnorderedElementsAre("web1"));
  EXPECT_THAT(*NamesMatching("^(db|xweb)$"), UnorderedElementsAre("db", "xweb"));
  auto bad = NamesMatching("web[");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("name=web["));
}

TEST_F(QueriesTest, CommandQuotesArgumentsWithSpaces) {
  CreateNamed("quoted", {"sh", "-c", "echo \"a b\"; sleep 1"});
  container::v1::ListContainersRequest request;
  request.set_all(true);
  auto listed = supervisor_->List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->containers_size(), 1);
  EXPECT_EQ(listed->containers(0).command(), "sh -c 'echo \"a b\"; sleep 1'");
}

// ps --filter volume=, network=, expose= were accepted and ignored: every
// container was listed.
TEST_F(QueriesTest, VolumeNetworkAndPortFiltersSelect) {
  container::v1::CreateContainerRequest request;
  request.set_name("mounted");
  request.mutable_config()->set_image("busybox");
  request.mutable_config()->add_exposed_ports("8080/tcp");
  request.mutable_host_config()->set_network_mode("none");
  request.mutable_host_config()->add_binds(dir_ + "/data:/data");
  types::v1::Mount* tmpfs = request.mutable_host_config()->add_mounts();
  tmpfs->set_type(types::v1::Mount::TYPE_TMPFS);
  tmpfs->set_target("/scratch");
  ASSERT_TRUE(supervisor_->Create(request).ok());
  request.Clear();
  request.set_name("plain");
  request.mutable_config()->set_image("busybox");
  request.mutable_host_config()->set_network_mode("host");
  ASSERT_TRUE(supervisor_->Create(request).ok());

  auto names = [&](void (*add)(container::v1::ContainerFilter*, const char*),
                   const char* term) {
    container::v1::ListContainersRequest list;
    list.set_all(true);
    add(list.mutable_filter(), term);
    std::vector<std::string> found;
    auto listed = supervisor_->List(list);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const auto& c : listed->containers()) found.push_back(c.name());
    }
    return found;
  };
  auto volume = [](container::v1::ContainerFilter* f, const char* t) { f->add_volumes(t); };
  auto network = [](container::v1::ContainerFilter* f, const char* t) { f->add_networks(t); };
  auto expose = [](container::v1::ContainerFilter* f, const char* t) { f->add_expose(t); };
  EXPECT_THAT(names(volume, "/scratch"), UnorderedElementsAre("mounted"));
  EXPECT_THAT(names(volume, "/data"), UnorderedElementsAre("mounted"));
  EXPECT_THAT(names(volume, "/nothing"), ::testing::IsEmpty());
  EXPECT_THAT(names(network, "host"), UnorderedElementsAre("plain"));
  EXPECT_THAT(names(expose, "8080"), UnorderedElementsAre("mounted"));
  EXPECT_THAT(names(expose, "8000-8100/tcp"), UnorderedElementsAre("mounted"));
  EXPECT_THAT(names(expose, "8080/udp"), ::testing::IsEmpty());
}

// ps -s and inspect -s: SizeRw is the writable layer imaged measures,
// SizeRootFs that plus the image (both were missing).
TEST_F(QueriesTest, SizesWhenAskedFor) {
  const std::string id = CreateNamed("sized");
  {
    absl::MutexLock lock(&image_world_.mu);
    image_world_.upper_sizes[id] = 4096;
    image_world_.image_sizes["sha256:" + std::string(64, 'b')] = 2000000;
  }
  container::v1::ListContainersRequest request;
  request.set_all(true);
  auto plain = supervisor_->List(request);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->containers(0).size_rw(), -1);
  request.set_size(true);
  auto sized = supervisor_->List(request);
  ASSERT_TRUE(sized.ok()) << sized.status();
  EXPECT_EQ(sized->containers(0).size_rw(), 4096);
  EXPECT_EQ(sized->containers(0).size_root_fs(), 2004096);
  auto inspected = supervisor_->Inspect("sized", /*size=*/true);
  ASSERT_TRUE(inspected.ok()) << inspected.status();
  EXPECT_EQ(inspected->size_rw(), 4096);
  EXPECT_EQ(inspected->size_root_fs(), 2004096);
}

}  // namespace
}  // namespace berth::containerd
