// The fixture of ImageStore's tests: a store over a real filesystem in a
// temporary root, and two layers whose merge exercises whiteouts.
#ifndef BERTH_SERVICES_IMAGED_IMAGE_STORE_FIXTURE_H_
#define BERTH_SERVICES_IMAGED_IMAGE_STORE_FIXTURE_H_

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/fs_util.h"
#include "gtest/gtest.h"
#include "services/imaged/image_store.h"
#include "services/imaged/quota/fake_project_quota.h"
#include "services/imaged/test_archives.h"
#include "services/imaged/test_core.h"

namespace berth::imaged {

inline std::string BaseLayer() {
  return testing::MakeTar({{"a", "", true},
                  {"a/f1", "one"},
                  {"a/f2", "two"},
                  {"b", "", true},
                  {"b/x", "x"},
                  {"c", "cee"}});
}

// Deletes a/f1, makes b opaque (hiding b/x), adds b/y and d.
inline std::string TopLayer() {
  return testing::MakeTar({{"a", "", true},
                  {"a/.wh.f1", ""},
                  {"b", "", true},
                  {"b/.wh..wh..opq", ""},
                  {"b/y", "y"},
                  {"d", "dee"}});
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "bis-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    ASSERT_EQ(mkdir((dir_ + "/outside").c_str(), 0755), 0);
    Open();
  }

  void TearDown() override {
    store_.reset();
    core_.reset();
    ASSERT_TRUE(RemoveTree(dir_).ok());
  }

  void Open() {
    store_.reset();
    core_.reset();
    auto core = testing::OpenTestCore(dir_ + "/root", ImageStore::Schema());
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    auto store = ImageStore::Open(
        *core_, std::make_unique<testing::FakeProjectQuota>());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::string WriteFile(const std::string& name, const std::string& data) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  absl::StatusOr<image::v1::LoadResult> LoadBytes(const std::string& data) {
    return store_->Load(WriteFile("archive.tar", data), {}, nullptr);
  }

  int ImageCount() { return store_->List({})->images_size(); }

  std::string SaveToString(const std::vector<std::string>& names,
                           image::v1::ArchiveFormat format =
                               image::v1::ARCHIVE_FORMAT_DOCKER) {
    std::string out;
    absl::Status status = store_->Save(names, format, false,
                                       [&](absl::string_view data) {
                                         out.append(data.data(), data.size());
                                         return absl::OkStatus();
                                       });
    EXPECT_TRUE(status.ok()) << status;
    return out;
  }

  // Entries of the outside sentinel dir: an escape would leave one.
  std::vector<std::string> Outside() { return *ListDir(dir_ + "/outside"); }

  std::string dir_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ImageStore> store_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGE_STORE_FIXTURE_H_
