// Create, remove, list, inspect, prune and the repairs of Open.
#include <sys/stat.h>

#include <fstream>

#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "services/volumed/controller_fixture.h"

namespace berth::volumed {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST_F(VolumeControllerTest, CreateMakesRecordAndDirectory) {
  CreateVolumeRequest request = Named("data");
  (*request.mutable_labels())["env"] = "prod";
  auto created = controller_->Create(request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created());
  const Volume& volume = created->volume();
  EXPECT_EQ(volume.name(), "data");
  EXPECT_EQ(volume.driver(), "local");
  EXPECT_EQ(volume.scope(), "local");
  EXPECT_EQ(volume.mountpoint(), DataOf("data"));
  EXPECT_EQ(volume.labels().at("env"), "prod");
  EXPECT_FALSE(volume.anonymous());
  EXPECT_EQ(volume.usage().size(), -1);
  EXPECT_TRUE(volume.status().empty());
  EXPECT_TRUE(Exists(DataOf("data")));
}

TEST_F(VolumeControllerTest, EmptyNameIsGenerated) {
  Volume volume = Create(Named(""));
  EXPECT_EQ(volume.name().size(), 64u);
  EXPECT_EQ(volume.name().find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(VolumeControllerTest, CreateRefusesBadNamesDriversAndOptions) {
  auto slash = controller_->Create(Named("a/b"));
  EXPECT_EQ(slash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(slash.status().message().find("\"a/b\""), std::string::npos);
  CreateVolumeRequest driver = Named("x");
  driver.set_driver("nfs");
  EXPECT_EQ(controller_->Create(driver).status().code(),
            absl::StatusCode::kInvalidArgument);
  CreateVolumeRequest option = Named("x");
  (*option.mutable_driver_options())["colour"] = "blue";
  auto bad = controller_->Create(option);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("colour"), std::string::npos);
  CreateVolumeRequest bind = Named("x");
  (*bind.mutable_driver_options())["type"] = "none";
  (*bind.mutable_driver_options())["o"] = "bind";
  (*bind.mutable_driver_options())["device"] = dir_ + "/missing";
  EXPECT_EQ(controller_->Create(bind).status().code(),
            absl::StatusCode::kInvalidArgument);
  (*bind.mutable_driver_options())["device"] = dir_;
  EXPECT_TRUE(controller_->Create(bind).ok());
  EXPECT_EQ(Names(), std::vector<std::string>{"x"});
}

TEST_F(VolumeControllerTest, CreateIsIdempotentForTheSameOptions) {
  CreateVolumeRequest request = Named("cache");
  (*request.mutable_driver_options())["type"] = "tmpfs";
  ASSERT_TRUE(controller_->Create(request).ok());
  request.set_driver("local");
  auto again = controller_->Create(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->volume().name(), "cache");
  (*request.mutable_driver_options())["o"] = "size=1m";
  EXPECT_EQ(controller_->Create(request).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(VolumeControllerTest, RemoveRefusesAVolumeInUseNamingContainers) {
  Create(Named("data"));
  Acquire(Acquisition("data", Cid('b')));
  Acquire(Acquisition("data", Cid('a')));
  for (bool force : {false, true}) {
    absl::Status status = controller_->Remove("data", force);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(status.message(), "remove data: volume is in use - [" + Cid('a') +
                                    ", " + Cid('b') + "]");
  }
  ASSERT_TRUE(controller_->Release(Release("", Cid('a'))).ok());
  ASSERT_TRUE(controller_->Release(Release("", Cid('b'))).ok());
  EXPECT_TRUE(controller_->Remove("data", false).ok());
  EXPECT_FALSE(Exists(VolumesDir() + "/data"));
  EXPECT_TRUE(Names().empty());
}

TEST_F(VolumeControllerTest, RemoveOfAMissingVolume) {
  absl::Status status = controller_->Remove("nope", false);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no such volume: nope");
  EXPECT_TRUE(controller_->Remove("nope", true).ok());
}

TEST_F(VolumeControllerTest, ListFiltersAndSorts) {
  Create(Named("b-web"));
  Create(Named("a-db"));
  CreateVolumeRequest anonymous = Named("c-anon");
  anonymous.set_anonymous(true);
  Create(anonymous);
  Acquire(Acquisition("a-db", Cid('1')));
  EXPECT_EQ(Names(), (std::vector<std::string>{"a-db", "b-web", "c-anon"}));
  volume::v1::VolumeFilter filter;
  filter.set_dangling(true);
  EXPECT_EQ(Names(filter), (std::vector<std::string>{"b-web", "c-anon"}));
  filter.set_anonymous(false);
  EXPECT_EQ(Names(filter), std::vector<std::string>{"b-web"});
  volume::v1::VolumeFilter names;
  names.add_names("db");
  names.add_names("anon");
  EXPECT_EQ(Names(names), (std::vector<std::string>{"a-db", "c-anon"}));
  auto listed = controller_->List({}, false);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].usage().ref_count(), 1);
  EXPECT_EQ((*listed)[0].usage().size(), -1);
}

TEST_F(VolumeControllerTest, SizeOnlyWhenAsked) {
  Create(Named("data"));
  std::ofstream(DataOf("data") + "/file") << std::string(10000, 'x');
  EXPECT_EQ(Inspect("data").usage().size(), -1);
  EXPECT_GE(Inspect("data", true).usage().size(), 10000);
  auto listed = controller_->List({}, true);
  ASSERT_TRUE(listed.ok());
  EXPECT_GE((*listed)[0].usage().size(), 10000);
  EXPECT_EQ(controller_->Inspect("nope", false).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(VolumeControllerTest, PruneTakesUnusedAnonymousOrAllWithFilters) {
  Create(Named("named"));
  CreateVolumeRequest anonymous = Named("anon");
  anonymous.set_anonymous(true);
  Create(anonymous);
  anonymous.set_name("anon-used");
  Create(anonymous);
  anonymous.set_name("anon-kept");
  (*anonymous.mutable_labels())["keep"] = "yes";
  Create(anonymous);
  std::ofstream(DataOf("anon") + "/f") << std::string(8192, 'x');
  Acquire(Acquisition("anon-used", Cid('1')));

  types::v1::PruneFilter filter;
  types::v1::LabelFilter* keep = filter.add_labels();
  keep->set_key("keep");
  keep->set_negate(true);
  auto pruned = controller_->Prune(false, filter);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  ASSERT_EQ(pruned->deleted_size(), 1);
  EXPECT_EQ(pruned->deleted(0), "anon");
  EXPECT_GE(pruned->space_reclaimed(), 8192);
  EXPECT_FALSE(Exists(VolumesDir() + "/anon"));

  types::v1::PruneFilter until;
  *until.mutable_until() = ToTimestamp(absl::Now() - absl::Hours(1));
  pruned = controller_->Prune(true, until);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->deleted_size(), 0);

  pruned = controller_->Prune(true, {});
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(std::vector<std::string>(pruned->deleted().begin(), pruned->deleted().end()),
            (std::vector<std::string>{"anon-kept", "named"}));
  EXPECT_EQ(Names(), std::vector<std::string>{"anon-used"});
}

TEST_F(VolumeControllerTest, RecordsSurviveReopen) {
  Create(Named("kept"));
  Acquire(Acquisition("kept", Cid('1')));
  Reopen();
  Volume volume = Inspect("kept");
  EXPECT_EQ(volume.used_by_size(), 1);
  EXPECT_EQ(volume.usage().ref_count(), 1);
  EXPECT_TRUE(Exists(DataOf("kept")));
  EXPECT_EQ(*controller_->InUseCount(), 1);
}

TEST_F(VolumeControllerTest, OpenRemovesUnrecordedAndRemakesMissingDirectories) {
  Create(Named("kept"));
  ASSERT_EQ(mkdir((VolumesDir() + "/stray").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((VolumesDir() + "/stray/_data").c_str(), 0755), 0);
  std::ofstream(VolumesDir() + "/stray/_data/f") << "x";
  ASSERT_EQ(std::system(("rm -rf " + VolumesDir() + "/kept").c_str()), 0);
  Reopen();
  EXPECT_FALSE(Exists(VolumesDir() + "/stray"));
  EXPECT_TRUE(Exists(DataOf("kept")));
}

TEST_F(VolumeControllerTest, EmitsCreateAndDestroyWithDriver) {
  std::vector<types::v1::Event> seen;
  Create(Named("data"));
  ASSERT_TRUE(controller_->Remove("data", false).ok());
  types::v1::EventFilter filter;
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Seconds(1));
  ASSERT_TRUE(controller_->events()
                  .Stream(
                      filter,
                      [&](const types::v1::Event& event) {
                        seen.push_back(event);
                        return true;
                      },
                      [] { return false; })
                  .ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].type(), types::v1::OBJECT_TYPE_VOLUME);
  EXPECT_EQ(seen[0].action(), "create");
  EXPECT_EQ(seen[0].actor().id(), "data");
  EXPECT_EQ(seen[0].actor().attributes().at("driver"), "local");
  EXPECT_EQ(seen[1].action(), "destroy");
}

}  // namespace
}  // namespace berth::volumed
