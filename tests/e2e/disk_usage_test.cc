// End to end: `berth system df` and `berth system prune` through the CLI
// against berthd. df counts images (a layer two images share counted once)
// and containers (their writable layers: 1 MB written shows), active and
// reclaimable; prune removes stopped containers and dangling images but no
// image a container uses, -a also unused tagged images, --filter until=
// keeps what is newer, label= and label!= pick by label, and without -f
// the answer is read from stdin.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class DiskUsageE2eTest : public ContainerE2eTest {
 protected:
  // Type -> {TotalCount, Active, Size, Reclaimable} of `system df`.
  std::map<std::string, std::vector<std::string>> Df() {
    RunResult df = env_.Berth(
        {"system", "df", "--format",
         "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}"});
    EXPECT_EQ(df.exit_code, 0) << df.err;
    std::map<std::string, std::vector<std::string>> rows;
    for (const std::string& line : Lines(df.out)) {
      std::vector<std::string> fields = absl::StrSplit(line, '|');
      EXPECT_EQ(fields.size(), 5u) << line;
      if (fields.size() != 5u) continue;
      rows[fields[0]] = {fields.begin() + 1, fields.end()};
    }
    EXPECT_EQ(rows.size(), 4u) << df.out;
    return rows;
  }

  // The id `import` prints for busybox's tar as `reference` (none: an
  // untagged, dangling image); `cmd` makes its config, so its id, unique.
  // `label` ("key=value"), if any, is set on the image.
  std::string Import(const std::string& cmd, const std::string& reference,
                     const std::string& label = "") {
    std::vector<std::string> args = {"import", "--change",
                                     "CMD [\"" + cmd + "\"]"};
    if (!label.empty()) {
      args.insert(args.end(), {"--change", "LABEL " + label});
    }
    args.push_back(MakeBusyboxTar(env_.dir()));
    if (!reference.empty()) args.push_back(reference);
    RunResult imported = env_.Berth(args);
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    return std::string(absl::StripAsciiWhitespace(imported.out));
  }

  std::string Ids(const std::vector<std::string>& args) {
    RunResult listed = env_.Berth(args);
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    return listed.out;
  }
};

// "1.049MB" -> 1049000.
double Bytes(absl::string_view size) {
  size = size.substr(0, size.find(' '));
  for (const auto& [unit, factor] : std::vector<std::pair<const char*, double>>{
           {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}) {
    if (absl::ConsumeSuffix(&size, unit)) {
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(size, &value)) << size;
      return value * factor;
    }
  }
  ADD_FAILURE() << "not a size: " << size;
  return -1;
}

TEST_F(DiskUsageE2eTest, DfCountsSharedLayersOnceAndWritableLayers) {
  auto rows = Df();
  EXPECT_EQ(rows["Images"][0], "1");
  EXPECT_EQ(rows["Images"][1], "0");
  const double busybox = Bytes(rows["Images"][2]);
  EXPECT_GT(busybox, 100000);
  EXPECT_THAT(rows["Images"][3], ::testing::EndsWith("(100%)"));
  for (const char* empty : {"Containers", "Local Volumes", "Build Cache"}) {
    EXPECT_EQ(rows[empty], (std::vector<std::string>{"0", "0", "0B", "0B"}))
        << empty;
  }

  // A second image on the same layer: two images, the layer counted once.
  Import("true", "other:1");
  rows = Df();
  EXPECT_EQ(rows["Images"][0], "2");
  EXPECT_EQ(rows["Images"][1], "0");
  EXPECT_EQ(Bytes(rows["Images"][2]), busybox);

  RunResult big = env_.Berth(
      {"run", "-d", "--name", "big", "busybox", "sh", "-c",
       "head -c 1048576 /dev/urandom > /big && touch /ready && sleep 1000"});
  ASSERT_EQ(big.exit_code, 0) << big.err;
  for (int i = 0; i < 100; ++i) {
    if (env_.Berth({"exec", "big", "cat", "/ready"}).exit_code == 0) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(env_.Berth({"create", "--name", "idle", "other:1"}).exit_code, 0);

  rows = Df();
  EXPECT_EQ(rows["Images"][1], "2");
  // Both used, neither has a layer of its own: all of it is shared, so all
  // of it counts as reclaimable, as Docker reckons.
  EXPECT_EQ(Bytes(rows["Images"][3]), busybox);
  EXPECT_THAT(rows["Images"][3], ::testing::EndsWith("(100%)"));
  EXPECT_EQ(rows["Containers"][0], "2");
  EXPECT_EQ(rows["Containers"][1], "1");
  const double written = Bytes(rows["Containers"][2]);
  EXPECT_GE(written, 1048576);
  EXPECT_LT(written, 4 * 1048576);
  EXPECT_EQ(rows["Containers"][3], "0B (0%)");

  ASSERT_EQ(env_.Berth({"kill", "big"}).exit_code, 0);
  ASSERT_TRUE(WaitForStatus("big", "exited"));
  rows = Df();
  EXPECT_EQ(rows["Containers"][1], "0");
  EXPECT_THAT(rows["Containers"][3], ::testing::EndsWith("(100%)"));
  EXPECT_EQ(Bytes(rows["Containers"][3]), written);

  RunResult table = env_.Berth({"system", "df"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(
      Lines(table.out)[0],
      ::testing::MatchesRegex("TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE"));

  RunResult verbose = env_.Berth({"system", "df", "-v"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_THAT(verbose.out, HasSubstr("Images space usage:\n\nREPOSITORY"));
  EXPECT_THAT(verbose.out, HasSubstr("\nContainers space usage:\n\n"));
  EXPECT_THAT(verbose.out, HasSubstr("\nLocal Volumes space usage:\n\n"));
  EXPECT_THAT(verbose.out, HasSubstr("\nBuild cache usage: 0B\n\n"));
  EXPECT_THAT(verbose.out, ::testing::ContainsRegex("\n[0-9a-f]{12} +busybox "
                                                    ".* big\n"));
  EXPECT_THAT(verbose.out,
              ::testing::ContainsRegex("\nother +1 +[0-9a-f]{12} .* 1\n"));

  RunResult json = env_.Berth({"system", "df", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  ASSERT_EQ(Lines(json.out).size(), 4u) << json.out;
  EXPECT_EQ(nlohmann::json::parse(Lines(json.out)[3])["Type"], "Build Cache");
}

TEST_F(DiskUsageE2eTest, PruneRemovesStoppedContainersAndDanglingImages) {
  const std::string dangling = Import("dangling", "");
  const std::string unused = Import("unused", "unused:1");
  ASSERT_EQ(env_.Berth({"run", "--name", "done", "busybox", "true"}).exit_code,
            0);
  ASSERT_EQ(
      env_.Berth({"run", "-d", "--name", "live", "busybox", "sleep", "1000"})
          .exit_code,
      0);
  const std::string done_id = Ids({"inspect", "-f", "{{.Id}}", "done"});

  // No -f and no terminal: the answer comes from stdin; "N" keeps all.
  RunResult declined = env_.BerthWithInput({"system", "prune"}, "N\n");
  EXPECT_EQ(declined.exit_code, 0) << declined.err;
  EXPECT_EQ(declined.out,
            "WARNING! This will remove:\n"
            "  - all stopped containers\n"
            "  - all dangling images\n\n"
            "Are you sure you want to continue? [y/N] ");
  EXPECT_THAT(Ids({"ps", "-aq"}), HasSubstr(done_id.substr(0, 12)));
  EXPECT_THAT(Ids({"images", "-q", "--no-trunc"}), HasSubstr(dangling));

  // until= an hour ago: everything here is newer, nothing goes.
  RunResult kept =
      env_.Berth({"system", "prune", "-f", "--filter", "until=1h"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out, "Total reclaimed space: 0B\n");

  RunResult pruned = env_.BerthWithInput(
      {"system", "prune", "--filter",
       absl::StrCat("until=", absl::ToUnixSeconds(absl::Now()) + 60)},
      "y\n");
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_THAT(pruned.out, HasSubstr("Items to be pruned will be filtered"));
  EXPECT_THAT(pruned.out,
              HasSubstr(absl::StrCat(
                  "Deleted Containers:\n",
                  std::string(absl::StripAsciiWhitespace(done_id)), "\n\n")));
  EXPECT_THAT(pruned.out,
              HasSubstr(absl::StrCat("Deleted Images:\ndeleted: ", dangling)));
  EXPECT_THAT(pruned.out, HasSubstr("\nTotal reclaimed space: "));
  const std::string images = Ids({"images", "-q", "--no-trunc"});
  EXPECT_THAT(images, Not(HasSubstr(dangling)));
  EXPECT_THAT(images, HasSubstr(unused));
  const std::string containers = Ids({"ps", "-a", "--format", "{{.Names}}"});
  EXPECT_THAT(containers, HasSubstr("live"));
  EXPECT_THAT(containers, Not(HasSubstr("done")));

  // -a: unused tagged images go too, here those without the label "keep";
  // busybox, which `live` uses, stays.
  const std::string keep = Import("kept", "kept:1", "keep=yes");
  RunResult all =
      env_.Berth({"system", "prune", "-a", "-f", "--filter", "label!=keep"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("untagged: unused:1\n"));
  EXPECT_THAT(all.out, HasSubstr(absl::StrCat("deleted: ", unused)));
  EXPECT_THAT(all.out, Not(HasSubstr("kept:1")));
  EXPECT_THAT(all.out, Not(HasSubstr("Deleted Containers:")));
  EXPECT_THAT(Ids({"images", "-q", "--no-trunc"}), HasSubstr(keep));

  RunResult labelled =
      env_.Berth({"system", "prune", "-a", "-f", "--filter", "label=keep=yes"});
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  EXPECT_THAT(labelled.out, HasSubstr("untagged: kept:1\n"));
  EXPECT_EQ(Ids({"images", "--format", "{{.Repository}}"}), "busybox\n");
  EXPECT_EQ(Ids({"ps", "-a", "--format", "{{.Names}}"}), "live\n");
  EXPECT_EQ(env_.Berth({"rm", "-f", "live"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
