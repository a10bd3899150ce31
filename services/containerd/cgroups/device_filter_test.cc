#include "services/containerd/cgroups/device_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::HasSubstr;

TEST(ParseDeviceRuleTest, ReadsDevicesAllowSyntax) {
  absl::StatusOr<DeviceRule> null = ParseDeviceRule("c 1:3 rwm");
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_EQ(null->type, 'c');
  EXPECT_EQ(null->major, 1);
  EXPECT_EQ(null->minor, 3);
  EXPECT_EQ(null->access, uint32_t{BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE |
                                   BPF_DEVCG_ACC_MKNOD});
  absl::StatusOr<DeviceRule> any_block = ParseDeviceRule("b *:* m");
  ASSERT_TRUE(any_block.ok());
  EXPECT_EQ(any_block->major, -1);
  EXPECT_EQ(any_block->minor, -1);
  EXPECT_EQ(any_block->access, uint32_t{BPF_DEVCG_ACC_MKNOD});
  EXPECT_EQ(ParseDeviceRule("a")->type, 'a');
}

TEST(ParseDeviceRuleTest, RejectsMalformedRules) {
  for (const char* bad : {"", "x 1:3 r", "c 1:3", "c 1-3 r", "c 1:3 rx",
                          "c q:3 r", "a 1:3 r"}) {
    EXPECT_FALSE(ParseDeviceRule(bad).ok()) << bad;
  }
  EXPECT_THAT(std::string(ParseDeviceRule("c 1:3 rx").status().message()),
              HasSubstr("r, w and m"));
}

TEST(DeviceFilterProgramTest, EveryDefaultRuleParsesAndCompiles) {
  std::vector<DeviceRule> rules;
  for (const char* text : kDefaultDeviceRules) {
    absl::StatusOr<DeviceRule> rule = ParseDeviceRule(text);
    ASSERT_TRUE(rule.ok()) << text;
    rules.push_back(*rule);
  }
  const std::vector<bpf_insn> program = DeviceFilterProgram(rules);
  // Ends by denying: r0 = 0; exit.
  ASSERT_GE(program.size(), 2u);
  EXPECT_EQ(program[program.size() - 2].imm, 0);
  EXPECT_EQ(program.back().code, BPF_JMP | BPF_EXIT);
  // Every jump lands inside the program.
  for (size_t i = 0; i < program.size(); ++i) {
    if (program[i].code == (BPF_JMP | BPF_JNE | BPF_K)) {
      EXPECT_LT(i + 1 + program[i].off, program.size()) << i;
    }
  }
}

}  // namespace
}  // namespace berth::containerd::cgroups
