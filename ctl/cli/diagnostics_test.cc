#include "ctl/cli/diagnostics.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(DiagnosticsTest, FormatsLikeTheDaemonsLines) {
  absl::Time when = absl::FromUnixMillis(1795995668123);
  EXPECT_EQ(FormatDiagnostic(when, LogLevel::kDebug, "asking imaged"),
            "2026-11-29T23:41:08.123Z debug berth: asking imaged\n");
}

TEST(DiagnosticsTest, LevelThreshold) {
  SetDiagnosticLevel(LogLevel::kInfo);
  EXPECT_FALSE(DiagnosticEnabled(LogLevel::kDebug));
  EXPECT_TRUE(DiagnosticEnabled(LogLevel::kInfo));
  EXPECT_TRUE(DiagnosticEnabled(LogLevel::kError));
  SetDiagnosticLevel(LogLevel::kTrace);
  EXPECT_TRUE(DiagnosticEnabled(LogLevel::kTrace));
  SetDiagnosticLevel(LogLevel::kOff);
  EXPECT_FALSE(DiagnosticEnabled(LogLevel::kCritical));
  EXPECT_FALSE(DiagnosticEnabled(LogLevel::kOff));
}

}  // namespace
}  // namespace berth::ctl
