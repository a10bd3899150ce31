#include "common/descriptor_inbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace berth {
namespace {

class DescriptorInboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/inbox-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    inbox_.reset();
    unlink((dir_ + "/data").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
  std::unique_ptr<DescriptorInbox> inbox_;
};

TEST_F(DescriptorInboxTest, NamesTheSocketBesideTheService) {
  EXPECT_EQ(InboxSocketOf("/run/berth/imaged.sock"),
            "/run/berth/imaged.files.sock");
}

TEST_F(DescriptorInboxTest, HandsAnOpenFileOverOnceUnderItsToken) {
  auto inbox = DescriptorInbox::Open(dir_ + "/in.sock");
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  inbox_ = *std::move(inbox);
  const std::string data = dir_ + "/data";
  {
    const int fd = open(data.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "payload", 7), 7);
    close(fd);
  }
  const int fd = open(data.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  absl::StatusOr<std::string> token =
      HandOffDescriptor(inbox_->socket_path(), fd, absl::Seconds(5));
  close(fd);  // the inbox holds its own copy
  ASSERT_TRUE(token.ok()) << token.status();

  absl::StatusOr<int> taken = inbox_->Take(*token);
  ASSERT_TRUE(taken.ok()) << taken.status();
  char buffer[16] = {};
  EXPECT_EQ(pread(*taken, buffer, sizeof(buffer), 0), 7);
  EXPECT_EQ(std::string(buffer), "payload");
  EXPECT_NE(fcntl(*taken, F_GETFD) & FD_CLOEXEC, 0);
  close(*taken);
  EXPECT_TRUE(absl::IsNotFound(inbox_->Take(*token).status()));
  EXPECT_TRUE(absl::IsNotFound(inbox_->Take("made-up").status()));
}

TEST_F(DescriptorInboxTest, NoInboxIsUnavailableSoTheClientStreams) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  absl::StatusOr<std::string> token =
      HandOffDescriptor(dir_ + "/none.sock", fd, absl::Seconds(1));
  close(fd);
  EXPECT_TRUE(absl::IsUnavailable(token.status())) << token.status();
}

TEST_F(DescriptorInboxTest, PendingDescriptorsAreBounded) {
  auto inbox = DescriptorInbox::Open(dir_ + "/in.sock");
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  inbox_ = *std::move(inbox);
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < DescriptorInbox::kMaxPending; ++i) {
    ASSERT_TRUE(
        HandOffDescriptor(inbox_->socket_path(), fd, absl::Seconds(5)).ok());
  }
  absl::StatusOr<std::string> refused =
      HandOffDescriptor(inbox_->socket_path(), fd, absl::Seconds(5));
  close(fd);
  EXPECT_TRUE(absl::IsResourceExhausted(refused.status())) << refused.status();
}

}  // namespace
}  // namespace berth
