#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;

struct SizeCase {
  const char* input;
  int64_t bytes;
};

class ParseMemorySizeValidTest : public ::testing::TestWithParam<SizeCase> {};

TEST_P(ParseMemorySizeValidTest, Parses) {
  absl::StatusOr<int64_t> bytes = ParseMemorySize(GetParam().input);
  ASSERT_TRUE(bytes.ok()) << GetParam().input << ": " << bytes.status();
  EXPECT_EQ(*bytes, GetParam().bytes) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Docker, ParseMemorySizeValidTest,
    ::testing::Values(SizeCase{"0", 0}, SizeCase{"1024", 1024},
                      SizeCase{"1024b", 1024}, SizeCase{"1024B", 1024},
                      SizeCase{"512k", 512 * kKiB},
                      SizeCase{"512K", 512 * kKiB}, SizeCase{"32m", 32 * kMiB},
                      SizeCase{"32mb", 32 * kMiB}, SizeCase{"32MB", 32 * kMiB},
                      SizeCase{"32MiB", 32 * kMiB}, SizeCase{"32mi", 32 * kMiB},
                      SizeCase{"32 m", 32 * kMiB}, SizeCase{"1g", kGiB},
                      SizeCase{"1.5g", kGiB * 3 / 2}, SizeCase{"0.5k", 512},
                      SizeCase{"2t", 2 * kGiB * 1024},
                      SizeCase{"1p", kGiB * 1024 * 1024},
                      SizeCase{"8191p", 8191 * kGiB * 1024 * 1024},
                      SizeCase{"9223372036854775807", 9223372036854775807}));

class ParseMemorySizeInvalidTest
    : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseMemorySizeInvalidTest, NamesTheValue) {
  absl::StatusOr<int64_t> bytes = ParseMemorySize(GetParam());
  ASSERT_FALSE(bytes.ok()) << GetParam() << " parsed as " << *bytes;
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bytes.status().message()),
              HasSubstr(absl::StrCat("'", GetParam(), "'")));
}

INSTANTIATE_TEST_SUITE_P(Docker, ParseMemorySizeInvalidTest,
                         ::testing::Values("", "m", "-1", "-32m", "32x", "32mm",
                                           "32  m", " 32m", "32m ", "1.g",
                                           ".5g", "1.2.3", "32kbb", "1e3",
                                           "0x10", "8192p",
                                           "9223372036854775808", "32 ib"));

TEST(ParseNanoCpusTest, ParsesDecimalsAndFractions) {
  struct {
    const char* input;
    int64_t nano;
  } cases[] = {{"1.5", 1500000000},
               {"1", 1000000000},
               {"0.01", 10000000},
               {".5", 500000000},
               {"2.", 2000000000},
               {"3/2", 1500000000},
               {"0", 0},
               {"1e-3", 1000000},
               {"1.5E1", 15000000000},
               {"0.000000001", 1},
               {"+2", 2000000000},
               {"-0", 0}};
  for (const auto& c : cases) {
    absl::StatusOr<int64_t> nano = ParseNanoCpus(c.input);
    ASSERT_TRUE(nano.ok()) << c.input << ": " << nano.status();
    EXPECT_EQ(*nano, c.nano) << c.input;
  }
}

TEST(ParseNanoCpusTest, RejectsWithDockersMessages) {
  struct {
    const char* input;
    const char* message;
  } cases[] = {
      {"x",
       "invalid argument \"x\" for \"--cpus\" flag: failed to parse x as a "
       "rational number"},
      {"", "failed to parse  as a rational number"},
      {"1.5.5", "failed to parse 1.5.5 as a rational number"},
      {"1/0", "failed to parse 1/0 as a rational number"},
      {"1.5/2", "failed to parse 1.5/2 as a rational number"},
      {"1e", "failed to parse 1e as a rational number"},
      {"1.5 ", "failed to parse 1.5  as a rational number"},
      {"0.0000000001",
       "invalid argument \"0.0000000001\" for \"--cpus\" flag: "
       "value is too precise"},
      {"1/3", "value is too precise"},
      {"1e-300", "value is too precise"},
      {"1e300", "value is too large"},
      {"-1", "must not be negative"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<int64_t> nano = ParseNanoCpus(c.input);
    ASSERT_FALSE(nano.ok()) << c.input << " parsed as " << *nano;
    EXPECT_EQ(nano.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(nano.status().message()), HasSubstr(c.message))
        << c.input;
  }
}

TEST(CpuSharesToWeightTest, MatchesRuncsMapping) {
  EXPECT_EQ(CpuSharesToWeight(0), 0);
  EXPECT_EQ(CpuSharesToWeight(1), 1);
  EXPECT_EQ(CpuSharesToWeight(2), 1);
  EXPECT_EQ(CpuSharesToWeight(1024), 100);  // both defaults
  EXPECT_EQ(CpuSharesToWeight(262144), 10000);
  EXPECT_EQ(CpuSharesToWeight(1 << 20), 10000);
  // Monotonic in between.
  int64_t previous = 1;
  for (int64_t shares = 3; shares < 262144; shares += 97) {
    int64_t weight = CpuSharesToWeight(shares);
    EXPECT_GE(weight, previous) << shares;
    EXPECT_LE(weight, 10000) << shares;
    previous = weight;
  }
  EXPECT_LT(CpuSharesToWeight(512), 100);
  EXPECT_GT(CpuSharesToWeight(2048), 100);
}

}  // namespace
}  // namespace berth::containerd::cgroups
