#include "services/containerd/container_records.h"

#include <memory>
#include <string>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using ::testing::HasSubstr;

Container Record(const std::string& id, const std::string& name) {
  Container c;
  c.set_id(id);
  c.set_name(name);
  return c;
}

class ContainerRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "records-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    Reopen();
  }
  void TearDown() override {
    records_.reset();
    store_.reset();
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }
  void Reopen() {
    records_.reset();
    store_.reset();
    auto store = Store::Open(dir_ + "/db", ContainerdSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto records = ContainerRecords::Load(*store_);
    ASSERT_TRUE(records.ok()) << records.status();
    records_ = *std::move(records);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ContainerRecords> records_;
};

TEST_F(ContainerRecordsTest, FindsByIdNameAndUniquePrefix) {
  ASSERT_TRUE(records_->Put(Record("abc123", "web")).ok());
  ASSERT_TRUE(records_->Put(Record("abd456", "db")).ok());
  EXPECT_EQ(records_->Find("abc123")->name(), "web");
  EXPECT_EQ(records_->Find("web")->id(), "abc123");
  EXPECT_EQ(records_->Find("/db")->id(), "abd456");
  EXPECT_EQ(records_->Find("abd")->id(), "abd456");
  absl::StatusOr<Container> ambiguous = records_->Find("ab");
  EXPECT_TRUE(absl::IsInvalidArgument(ambiguous.status()));
  EXPECT_THAT(ambiguous.status().message(),
              HasSubstr("multiple IDs found with provided prefix: ab"));
  absl::StatusOr<Container> missing = records_->Find("nope");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "No such container: nope");
  EXPECT_TRUE(absl::IsInvalidArgument(records_->Find("").status()));
}

TEST_F(ContainerRecordsTest, DuplicateNameChangesNothing) {
  ASSERT_TRUE(records_->Put(Record("aaa", "web")).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(records_->Put(Record("bbb", "web"))));
  EXPECT_TRUE(absl::IsNotFound(records_->Get("bbb").status()));
  EXPECT_EQ(records_->NameOwner("web"), "aaa");
  EXPECT_EQ(records_->Snapshot().size(), 1u);
}

TEST_F(ContainerRecordsTest, RenameAndDeleteUpdateTheNameLookup) {
  ASSERT_TRUE(records_->Put(Record("aaa", "old")).ok());
  ASSERT_TRUE(records_->Put(Record("aaa", "new")).ok());
  EXPECT_EQ(records_->NameOwner("old"), std::nullopt);
  EXPECT_EQ(records_->NameOwner("new"), "aaa");
  // The old name is free again, in the table as well as in memory.
  ASSERT_TRUE(records_->Put(Record("bbb", "old")).ok());
  ASSERT_TRUE(records_->Delete("aaa").ok());
  EXPECT_EQ(records_->NameOwner("new"), std::nullopt);
  EXPECT_TRUE(absl::IsNotFound(records_->Delete("aaa")));
  ASSERT_TRUE(records_->Put(Record("ccc", "new")).ok());
}

TEST_F(ContainerRecordsTest, SnapshotIsUnchangedByLaterWrites) {
  ASSERT_TRUE(records_->Put(Record("aaa", "web")).ok());
  std::vector<ContainerRecords::Record> before = records_->Snapshot();
  Container changed = Record("aaa", "web");
  changed.set_restart_count(3);
  ASSERT_TRUE(records_->Put(changed).ok());
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]->restart_count(), 0);
  EXPECT_EQ(records_->Get("aaa")->restart_count(), 3);
}

TEST_F(ContainerRecordsTest, LoadReadsWhatWasStored) {
  ASSERT_TRUE(records_->Put(Record("aaa", "web")).ok());
  ASSERT_TRUE(records_->Put(Record("bbb", "db")).ok());
  ASSERT_TRUE(records_->Delete("bbb").ok());
  Reopen();
  ASSERT_EQ(records_->Snapshot().size(), 1u);
  EXPECT_EQ(records_->Find("web")->id(), "aaa");
  EXPECT_TRUE(absl::IsNotFound(records_->Find("db").status()));
  EXPECT_TRUE(absl::IsAlreadyExists(records_->Put(Record("zzz", "web"))));
}

}  // namespace
}  // namespace berth::containerd
