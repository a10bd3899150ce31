// The CLI's own diagnostics (`berth -l debug ...`) on standard error, in the
// daemons' line format. The CLI does not link spdlog: it is linked static,
// and a command's start-up time is most of its cost.
#ifndef BERTH_CTL_CLI_DIAGNOSTICS_H_
#define BERTH_CTL_CLI_DIAGNOSTICS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/log_level.h"

namespace berth::ctl {

// Lines below `level` are dropped. The default is kInfo.
void SetDiagnosticLevel(LogLevel level);
bool DiagnosticEnabled(LogLevel level);

// "2026-11-23T19:00:00.123Z debug berth: message\n".
std::string FormatDiagnostic(absl::Time when, LogLevel level,
                             absl::string_view message);

// Writes `message` to standard error when `level` is enabled.
void Diagnose(LogLevel level, absl::string_view message);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_DIAGNOSTICS_H_
