// The CLI's exit codes, defined once. Header-only so the pure formatting
// libraries (container_format's StartFailureExitCode) use the same values
// without linking the command machinery.
#ifndef BERTH_CTL_CLI_EXIT_CODES_H_
#define BERTH_CTL_CLI_EXIT_CODES_H_

namespace berth::ctl {

// Exit codes, as Docker's CLI uses them; every command maps its outcome to
// one of these, so `berth run`'s 125/126/127 mean what they mean in Docker.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;    // the command failed; a wrong
                                        // argument count or unknown command
// Docker's inspect, version and info for a --format that does not parse.
inline constexpr int kExitTemplateParse = 64;
inline constexpr int kExitUsage = 125;  // a bad flag or flag value; the
                                        // container could not be made
inline constexpr int kExitCannotInvoke = 126;  // the command is not executable
inline constexpr int kExitNotFound = 127;      // the command does not exist

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_EXIT_CODES_H_
