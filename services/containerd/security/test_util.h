// For the tests: confinement is tried in a forked child so the test process
// itself stays unconfined.
#ifndef BERTH_SERVICES_CONTAINERD_SECURITY_TEST_UTIL_H_
#define BERTH_SERVICES_CONTAINERD_SECURITY_TEST_UTIL_H_

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace berth::containerd::security::testing {

struct ChildResult {
  int exit_code = -1;  // 128 + signal if killed by one
  std::string output;  // stdout and stderr together
};

// Forks; the child runs `body` with stdout and stderr going to a pipe and
// exits with what it returns (or execs and exits with the program's code).
ChildResult RunInChild(const std::function<int()>& body);

// In the child: replaces it with /bin/busybox `args...`; 127 if exec fails.
int ExecBusybox(const std::vector<std::string>& args);

// The value of `field` ("CapEff") in /proc/<pid>/status text, "" if absent.
std::string StatusField(const std::string& status, const std::string& field);

// /proc/<pid>/status's rendering of a capability set: 16 hex digits.
std::string CapHex(const std::vector<int>& caps);

// A fresh directory under TEST_TMPDIR.
std::string MakeTempDir();

}  // namespace berth::containerd::security::testing

// In a child: reports `what` and exits with `code` unless `cond` holds.
#define CHILD_CHECK(cond, code, what)                                     \
  do {                                                                    \
    if (!(cond)) {                                                        \
      std::fprintf(stderr, "%s:%d: %s failed: %s (errno %s)\n", __FILE__, \
                   __LINE__, #cond, std::string(what).c_str(),            \
                   std::strerror(errno));                                 \
      std::fflush(stderr);                                                \
      return (code);                                                      \
    }                                                                     \
  } while (false)

#endif  // BERTH_SERVICES_CONTAINERD_SECURITY_TEST_UTIL_H_
