// The usage errors Berth answers as Docker 28's CLI does, each with the exit
// code and the exact stderr `docker` prints for the same arguments ("docker"
// read as "berth"), checked with the docker client, which produces all of
// these before it would contact a daemon. Shared by the unit test over
// RunCli (ctl/usage_errors_table_test.cc) and the end-to-end test against
// the real binary and, where it is installed, docker itself
// (tests/e2e/cli_errors_test.cc).
#ifndef BERTH_CTL_USAGE_ERROR_CASES_H_
#define BERTH_CTL_USAGE_ERROR_CASES_H_

#include <string>
#include <vector>

namespace berth::ctl {

struct UsageErrorCase {
  std::vector<std::string> args;  // after "berth"
  int exit_code;
  std::string err;  // all of stderr; stdout is empty
  // Where Docker 28 prints something else on purpose: "" when it prints
  // exactly `err`, else why Berth differs.
  std::string differs_from_docker = "";
};

inline std::string RunHint(const std::string& path) {
  return "\n\nRun '" + path + " --help' for more information\n";
}

inline const std::vector<UsageErrorCase>& UsageErrorCases() {
  static const auto* cases = new std::vector<UsageErrorCase>{
      // Flags: exit 125, the command's usage line.
      {{"ps", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]" +
           RunHint("berth ps")},
      {{"rm", "--bogus=3", "x"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth rm [OPTIONS] CONTAINER "
       "[CONTAINER...]" +
           RunHint("berth rm")},
      {{"ps", "-Z"},
       125,
       "unknown shorthand flag: 'Z' in -Z\n\nUsage:  berth ps [OPTIONS]" +
           RunHint("berth ps")},
      {{"--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth [OPTIONS] COMMAND [ARG...]" +
           RunHint("berth")},
      {{"run", "--bogus", "busybox"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] "
       "[ARG...]" +
           RunHint("berth run")},
      {{"create", "--bogus", "busybox"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth create [OPTIONS] IMAGE "
       "[COMMAND] [ARG...]" +
           RunHint("berth create")},
      {{"ps", "--filter"},
       125,
       "flag needs an argument: --filter\n\nUsage:  berth ps [OPTIONS]" +
           RunHint("berth ps")},
      {{"logs", "-n"},
       125,
       "flag needs an argument: 'n' in -n\n\nUsage:  berth logs [OPTIONS] "
       "CONTAINER" +
           RunHint("berth logs")},
      {{"run", "--rm=bogus", "busybox"},
       125,
       "invalid argument \"bogus\" for \"--rm\" flag: strconv.ParseBool: "
       "parsing \"bogus\": invalid syntax\n\nUsage:  berth run [OPTIONS] "
       "IMAGE [COMMAND] [ARG...]" +
           RunHint("berth run")},
      {{"run", "-t=yes", "busybox"},
       125,
       "invalid argument \"yes\" for \"-t, --tty\" flag: strconv.ParseBool: "
       "parsing \"yes\": invalid syntax\n\nUsage:  berth run [OPTIONS] "
       "IMAGE [COMMAND] [ARG...]" +
           RunHint("berth run")},
      {{"pause", "--bogus", "x"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth pause CONTAINER "
       "[CONTAINER...]" +
           RunHint("berth pause")},
      {{"stats", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth stats [OPTIONS] "
       "[CONTAINER...]" +
           RunHint("berth stats")},
      {{"top", "--bogus", "x"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth top CONTAINER [ps OPTIONS]" +
           RunHint("berth top")},
      {{"update", "--cpu-period", "abc", "x"},
       125,
       "invalid argument \"abc\" for \"--cpu-period\" flag: "
       "strconv.ParseInt: parsing \"abc\": invalid syntax\n\nUsage:  berth "
       "update [OPTIONS] CONTAINER [CONTAINER...]" +
           RunHint("berth update")},
      {{"update", "--blkio-weight", "70000", "x"},
       125,
       "invalid argument \"70000\" for \"--blkio-weight\" flag: "
       "strconv.ParseUint: parsing \"70000\": value out of range\n\nUsage:  "
       "berth update [OPTIONS] CONTAINER [CONTAINER...]" +
           RunHint("berth update")},
      {{"update", "--memory-swap", "x", "x"},
       125,
       "invalid argument \"x\" for \"--memory-swap\" flag: invalid size: "
       "'x'\n\nUsage:  berth update [OPTIONS] CONTAINER [CONTAINER...]" +
           RunHint("berth update")},
      {{"ps", "-a=bogus"},
       125,
       "invalid argument \"bogus\" for \"-a, --all\" flag: "
       "strconv.ParseBool: parsing \"bogus\": invalid syntax\n\nUsage:  "
       "berth ps [OPTIONS]" +
           RunHint("berth ps")},
      // Commands: exit 1.
      {{"frobnicate"},
       1,
       "berth: unknown command: berth frobnicate" + RunHint("berth")},
      {{"image", "frob"},
       1,
       "berth: unknown command: berth image frob\n\nUsage:  berth image" +
           RunHint("berth image")},
      {{"help", "frob"}, 1, "unknown help topic: frob\n"},
      {{"help", "image", "frob"}, 1, "unknown help topic: frob\n"},
      // Argument counts: exit 1; `=false`/`=X=1` values parse as flags.
      {{"rm"},
       1,
       "berth: 'berth rm' requires at least 1 argument\n\nUsage:  berth rm "
       "[OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth rm --help' for more "
       "information\n"},
      {{"image", "rm"},
       1,
       "berth: 'berth image rm' requires at least 1 argument\n\nUsage:  berth "
       "image rm [OPTIONS] IMAGE [IMAGE...]\n\nSee 'berth image rm --help' "
       "for more information\n"},
      {{"tag", "a"},
       1,
       "berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag "
       "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]" +
           RunHint("berth tag")},
      {{"logs"},
       1,
       "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs "
       "[OPTIONS] CONTAINER" +
           RunHint("berth logs")},
      {{"attach"},
       1,
       "berth: 'berth attach' requires 1 argument\n\nUsage:  berth attach "
       "[OPTIONS] CONTAINER" +
           RunHint("berth attach")},
      {{"attach", "a", "b"},
       1,
       "berth: 'berth attach' requires 1 argument\n\nUsage:  berth attach "
       "[OPTIONS] CONTAINER" +
           RunHint("berth attach")},
      {{"commit"},
       1,
       "berth: 'berth commit' requires at least 1 and at most 2 arguments\n\n"
       "Usage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]" +
           RunHint("berth commit")},
      {{"exec", "c"},
       1,
       "berth: 'berth exec' requires at least 2 arguments\n\nUsage:  berth "
       "exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'berth exec --help' "
       "for more information\n"},
      {{"exec", "--bogus", "c", "ls"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth exec [OPTIONS] CONTAINER "
       "COMMAND [ARG...]" +
           RunHint("berth exec")},
      {{"pause"},
       1,
       "berth: 'berth pause' requires at least 1 argument\n\nUsage:  berth "
       "pause CONTAINER [CONTAINER...]\n\nSee 'berth pause --help' for more "
       "information\n"},
      {{"container", "unpause"},
       1,
       "berth: 'berth container unpause' requires at least 1 argument\n\n"
       "Usage:  berth container unpause CONTAINER [CONTAINER...]\n\nSee "
       "'berth container unpause --help' for more information\n"},
      {{"top"},
       1,
       "berth: 'berth top' requires at least 1 argument\n\nUsage:  berth top "
       "CONTAINER [ps OPTIONS]\n\nSee 'berth top --help' for more "
       "information\n"},
      {{"update"},
       1,
       "berth: 'berth update' requires at least 1 argument\n\nUsage:  berth "
       "update [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth update "
       "--help' for more information\n"},
      {{"update", "x"},
       1,
       "you must provide one or more flags when using this command\n"},
      {{"start", "-a", "a", "b"},
       1,
       "you cannot start and attach multiple containers at once\n"},
      {{"ps", "extra"},
       1,
       "berth: 'berth ps' accepts no arguments\n\nUsage:  berth ps [OPTIONS]" +
           RunHint("berth ps")},
      {{"version", "x"},
       1,
       "berth: 'berth version' accepts no arguments\n\nUsage:  berth version "
       "[OPTIONS]" +
           RunHint("berth version")},
      {{"images", "a", "b"},
       1,
       "berth: 'berth images' requires at most 1 argument\n\nUsage:  berth "
       "images [OPTIONS] [REPOSITORY[:TAG]]" +
           RunHint("berth images"),
       "Docker 28 prints \"SRun\" here, a typo"},
      // -p as Docker's CLI reads it, before any daemon is asked.
      {{"run", "-p", "abc", "busybox"},
       125,
       "berth: invalid containerPort: abc" + RunHint("berth run")},
      // Storage flags: --mount is checked as the flags are read (a usage
      // error), the others before the daemon is asked.
      {{"run", "--mount", "type=volume,source=v", "busybox"},
       125,
       "invalid argument \"type=volume,source=v\" for \"--mount\" flag: "
       "target is required\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] "
       "[ARG...]" +
           RunHint("berth run")},
      {{"create", "--mount", "x=y,target=/d", "busybox"},
       125,
       "invalid argument \"x=y,target=/d\" for \"--mount\" flag: "
       "unexpected key 'x' in 'x=y'\n\nUsage:  berth create [OPTIONS] IMAGE "
       "[COMMAND] [ARG...]" +
           RunHint("berth create")},
      {{"run", "-v", "", "busybox"},
       125,
       "berth: invalid empty volume spec" + RunHint("berth run")},
      {{"run", "--device", "/dev/sda:/dev/xvdc:rwx", "busybox"},
       125,
       "berth: bad mode specified: rwx" + RunHint("berth run"),
       "Docker checks --device only after its daemon told it the OS; with no "
       "daemon it says \"unknown server OS: \""},
      {{"port"},
       1,
       "berth: 'berth port' requires at least 1 and at most 2 arguments\n\n"
       "Usage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]" +
           RunHint("berth port")},
      {{"run", "--rm=false"},
       1,
       "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run "
       "[OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for "
       "more information\n"},
      {{"run", "-d=false"},
       1,
       "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run "
       "[OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for "
       "more information\n"},
      {{"run", "-e=X=1"},
       1,
       "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run "
       "[OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for "
       "more information\n"},
      // Image references, parsed before the daemon is asked: run 125,
      // create 1.
      {{"run", ":bad"},
       125,
       "berth: invalid reference format" + RunHint("berth run")},
      {{"run", "busybox:Bad:tag"},
       125,
       "berth: invalid reference format" + RunHint("berth run")},
      {{"run", "BusyBox"},
       125,
       "berth: invalid reference format: repository name must be lowercase" +
           RunHint("berth run"),
       "Docker 28 names the repository: \"repository name (library/BusyBox) "
       "must be lowercase\""},
      {{"create", ":bad"}, 1, "invalid reference format\n"},
      // diff, export, cp.
      {{"diff"},
       1,
       "berth: 'berth diff' requires 1 argument\n\nUsage:  berth diff "
       "CONTAINER" +
           RunHint("berth diff")},
      {{"export", "-o"},
       125,
       "flag needs an argument: 'o' in -o\n\nUsage:  berth export [OPTIONS] "
       "CONTAINER" +
           RunHint("berth export")},
      {{"cp", "a"},
       1,
       "berth: 'berth cp' requires 2 arguments\n\nUsage:  berth cp [OPTIONS] "
       "CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
       "CONTAINER:DEST_PATH" +
           RunHint("berth cp")},
      {{"cp", "--bogus", "a", "b"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth cp [OPTIONS] "
       "CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
       "CONTAINER:DEST_PATH" +
           RunHint("berth cp")},
      {{"events", "a"},
       1,
       "berth: 'berth events' accepts no arguments\n\nUsage:  berth events "
       "[OPTIONS]" +
           RunHint("berth events")},
      {{"system", "df", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth system df [OPTIONS]" +
           RunHint("berth system df")},
      {{"system", "df", "x"},
       1,
       "berth: 'berth system df' accepts no arguments\n\nUsage:  berth "
       "system df [OPTIONS]" +
           RunHint("berth system df")},
      {{"system", "prune", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth system prune [OPTIONS]" +
           RunHint("berth system prune")},
      {{"system", "prune", "x"},
       1,
       "berth: 'berth system prune' accepts no arguments\n\nUsage:  berth "
       "system prune [OPTIONS]" +
           RunHint("berth system prune")},
      {{"system", "prune", "--filter", "foo"},
       125,
       "invalid argument \"foo\" for \"--filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth system prune [OPTIONS]" +
           RunHint("berth system prune")},
      {{"ps", "--filter", "foo"},
       125,
       "invalid argument \"foo\" for \"-f, --filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth ps [OPTIONS]" +
           RunHint("berth ps")},
      {{"system", "events", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth system events [OPTIONS]" +
           RunHint("berth system events")},
      // network: argument counts, flags, and create's IPAM checks, which
      // Docker's CLI makes itself and prints unframed.
      {{"network", "frob"},
       1,
       "berth: unknown command: berth network frob\n\nUsage:  berth network" +
           RunHint("berth network")},
      {{"network", "connect"},
       1,
       "berth: 'berth network connect' requires 2 arguments\n\nUsage:  berth "
       "network connect [OPTIONS] NETWORK CONTAINER" +
           RunHint("berth network connect")},
      {{"network", "connect", "--bogus", "a", "b"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth network connect [OPTIONS] "
       "NETWORK CONTAINER" +
           RunHint("berth network connect")},
      {{"network", "disconnect", "a"},
       1,
       "berth: 'berth network disconnect' requires 2 arguments\n\nUsage:  "
       "berth network disconnect [OPTIONS] NETWORK CONTAINER" +
           RunHint("berth network disconnect")},
      {{"network", "create"},
       1,
       "berth: 'berth network create' requires 1 argument\n\nUsage:  berth "
       "network create [OPTIONS] NETWORK" +
           RunHint("berth network create")},
      {{"network", "create", "a", "b"},
       1,
       "berth: 'berth network create' requires 1 argument\n\nUsage:  berth "
       "network create [OPTIONS] NETWORK" +
           RunHint("berth network create")},
      {{"network", "create", "--bogus", "a"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth network create [OPTIONS] "
       "NETWORK" +
           RunHint("berth network create")},
      {{"network", "create", "--label", "", "a"},
       125,
       "invalid argument \"\" for \"--label\" flag: invalid label '': empty "
       "name\n\nUsage:  berth network create [OPTIONS] NETWORK" +
           RunHint("berth network create")},
      {{"network", "create", "--ipv6=bogus", "a"},
       125,
       "invalid argument \"bogus\" for \"--ipv6\" flag: strconv.ParseBool: "
       "parsing \"bogus\": invalid syntax\n\nUsage:  berth network create "
       "[OPTIONS] NETWORK" +
           RunHint("berth network create")},
      {{"network", "create", "--gateway", "1.2.3.4", "a"},
       1,
       "every ip-range or gateway must have a corresponding subnet\n"},
      {{"network", "create", "--subnet", "10.0.0.0/24", "--gateway",
        "10.1.0.1", "a"},
       1,
       "no matching subnet for gateway 10.1.0.1\n"},
      {{"network", "create", "--subnet", "x", "--gateway", "1.2.3.4", "a"},
       1,
       "invalid subnet: invalid CIDR address: x\n"},
      {{"network", "create", "--subnet", "10.0.0.0/24", "--ip-range", "x",
        "a"},
       1,
       "invalid CIDR address: x\n"},
      {{"network", "create", "--subnet", "10.0.0.0/24,10.0.0.0/16", "a"},
       1,
       "multiple overlapping subnet configuration is not supported\n"},
      {{"network", "ls", "x"},
       1,
       "berth: 'berth network ls' accepts no arguments\n\nUsage:  berth "
       "network ls [OPTIONS]" +
           RunHint("berth network ls")},
      {{"network", "ls", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth network ls [OPTIONS]" +
           RunHint("berth network ls")},
      {{"network", "ls", "-f", "foo"},
       125,
       "invalid argument \"foo\" for \"-f, --filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth network ls [OPTIONS]" +
           RunHint("berth network ls")},
      {{"network", "inspect"},
       1,
       "berth: 'berth network inspect' requires at least 1 argument\n\n"
       "Usage:  berth network inspect [OPTIONS] NETWORK [NETWORK...]\n\nSee "
       "'berth network inspect --help' for more information\n"},
      {{"network", "rm"},
       1,
       "berth: 'berth network rm' requires at least 1 argument\n\nUsage:  "
       "berth network rm NETWORK [NETWORK...]\n\nSee 'berth network rm "
       "--help' for more information\n"},
      {{"network", "rm", "--bogus", "x"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth network rm NETWORK "
       "[NETWORK...]" +
           RunHint("berth network rm")},
      {{"network", "prune", "x"},
       1,
       "berth: 'berth network prune' accepts no arguments\n\nUsage:  berth "
       "network prune [OPTIONS]" +
           RunHint("berth network prune")},
      {{"network", "prune", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth network prune [OPTIONS]" +
           RunHint("berth network prune")},
      {{"network", "prune", "--filter", "foo"},
       125,
       "invalid argument \"foo\" for \"--filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth network prune "
       "[OPTIONS]" +
           RunHint("berth network prune")},
      // volume: argument counts and flags.
      {{"volume", "frob"},
       1,
       "berth: unknown command: berth volume frob\n\nUsage:  berth volume "
       "COMMAND" +
           RunHint("berth volume")},
      {{"volume", "create", "a", "b"},
       1,
       "berth: 'berth volume create' requires at most 1 argument\n\nUsage:  "
       "berth volume create [OPTIONS] [VOLUME]" +
           RunHint("berth volume create"),
       "Docker 28 prints \"SRun\" (a typo in its RequiresMaxArgs)"},
      {{"volume", "create", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth volume create [OPTIONS] "
       "[VOLUME]" +
           RunHint("berth volume create")},
      {{"volume", "create", "--label", "a b=c", "v"},
       125,
       "invalid argument \"a b=c\" for \"--label\" flag: label 'a b' "
       "contains whitespaces\n\nUsage:  berth volume create [OPTIONS] "
       "[VOLUME]" +
           RunHint("berth volume create")},
      {{"volume", "ls", "x"},
       1,
       "berth: 'berth volume ls' accepts no arguments\n\nUsage:  berth "
       "volume ls [OPTIONS]" +
           RunHint("berth volume ls")},
      {{"volume", "ls", "-f", "foo"},
       125,
       "invalid argument \"foo\" for \"-f, --filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth volume ls [OPTIONS]" +
           RunHint("berth volume ls")},
      {{"volume", "inspect"},
       1,
       "berth: 'berth volume inspect' requires at least 1 argument\n\n"
       "Usage:  berth volume inspect [OPTIONS] VOLUME [VOLUME...]\n\nSee "
       "'berth volume inspect --help' for more information\n"},
      {{"volume", "rm"},
       1,
       "berth: 'berth volume rm' requires at least 1 argument\n\nUsage:  "
       "berth volume rm [OPTIONS] VOLUME [VOLUME...]\n\nSee 'berth volume "
       "rm --help' for more information\n"},
      {{"volume", "prune", "x"},
       1,
       "berth: 'berth volume prune' accepts no arguments\n\nUsage:  berth "
       "volume prune [OPTIONS]" +
           RunHint("berth volume prune")},
      {{"volume", "prune", "--filter", "foo"},
       125,
       "invalid argument \"foo\" for \"--filter\" flag: bad format of "
       "filter (expected name=value)\n\nUsage:  berth volume prune "
       "[OPTIONS]" +
           RunHint("berth volume prune")},
      // registries: pull, push, login, logout, search, and run/create's
      // --pull, all refused before a daemon is asked.
      {{"pull"},
       1,
       "berth: 'berth pull' requires 1 argument\n\nUsage:  berth pull "
       "[OPTIONS] NAME[:TAG|@DIGEST]" +
           RunHint("berth pull")},
      {{"pull", "--bogus", "busybox"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth pull [OPTIONS] "
       "NAME[:TAG|@DIGEST]" +
           RunHint("berth pull")},
      {{"pull", "-a", "busybox:1.36"},
       1,
       "tag can't be used with --all-tags/-a\n"},
      {{"image", "pull", "-a", "-q", "busybox@sha256:" + std::string(64, 'a')},
       1,
       "tag can't be used with --all-tags/-a\n"},
      {{"push"},
       1,
       "berth: 'berth push' requires 1 argument\n\nUsage:  berth push "
       "[OPTIONS] NAME[:TAG]" +
           RunHint("berth push")},
      {{"push", "-a", "127.0.0.1:5000/app:v1"},
       1,
       "tag can't be used with --all-tags/-a\n"},
      {{"login", "a", "b"},
       1,
       "berth: 'berth login' requires at most 1 argument\n\nUsage:  berth "
       "login [OPTIONS] [SERVER]" +
           RunHint("berth login"),
       "Docker 28 prints \"SRun\" (a typo in its RequiresMaxArgs)"},
      {{"login", "--password-stdin"},
       1,
       "the --password-stdin option requires --username to be set\n"},
      {{"login", "-u", "me", "-p", "x", "--password-stdin"},
       1,
       "conflicting options: cannot specify both --password and "
       "--password-stdin\n"},
      {{"login", "-u", ""}, 1, "username is empty\n"},
      {{"login", "-u", "me", "-p", ""}, 1, "password is empty\n"},
      {{"login", "--bogus"},
       125,
       "unknown flag: --bogus\n\nUsage:  berth login [OPTIONS] [SERVER]" +
           RunHint("berth login")},
      {{"logout", "a", "b"},
       1,
       "berth: 'berth logout' requires at most 1 argument\n\nUsage:  berth "
       "logout [SERVER]" +
           RunHint("berth logout"),
       "Docker 28 prints \"SRun\" (a typo in its RequiresMaxArgs)"},
      {{"search"},
       1,
       "berth: 'berth search' requires 1 argument\n\nUsage:  berth search "
       "[OPTIONS] TERM" +
           RunHint("berth search")},
      {{"search", "-f", "stars", "busybox"},
       125,
       "invalid argument \"stars\" for \"-f, --filter\" flag: bad format "
       "of filter (expected name=value)\n\nUsage:  berth search [OPTIONS] "
       "TERM" +
           RunHint("berth search")},
      {{"search", "--limit", "ten", "busybox"},
       125,
       "invalid argument \"ten\" for \"--limit\" flag: strconv.ParseInt: "
       "parsing \"ten\": invalid syntax\n\nUsage:  berth search [OPTIONS] "
       "TERM" +
           RunHint("berth search")},
      {{"search", "--filter", "foo=bar", "busybox"},
       1,
       "Error response from daemon: invalid filter 'foo'\n",
       "Docker's daemon checks the filters; with no daemon its CLI cannot "
       "connect"},
      {{"search", "--filter", "stars=many", "busybox"},
       1,
       "Error response from daemon: invalid filter 'stars=many': "
       "strconv.Atoi: parsing \"many\": invalid syntax\n",
       "Docker's daemon checks the filters; with no daemon its CLI cannot "
       "connect"},
      {{"search", "--limit", "101", "busybox"},
       1,
       "Error response from daemon: limit 101 is outside the range of [1, "
       "100]\n",
       "Docker's daemon checks the limit; with no daemon its CLI cannot "
       "connect"},
      {{"run", "--pull", "sometimes", "busybox"},
       125,
       "berth: invalid pull option: 'sometimes': must be one of \"always\", "
       "\"missing\" or \"never\"" +
           RunHint("berth run")},
      {{"create", "--pull", "Always", "busybox"},
       125,
       "berth: invalid pull option: 'Always': must be one of \"always\", "
       "\"missing\" or \"never\"" +
           RunHint("berth create")},
      {{"events", "--format", "{{.Foo"},
       64,
       "Error parsing format: template: :1: unclosed action\n"},
      {{"events", "--format", "{{.Foo}}"},
       64,
       "Error parsing format: template: :1:2: executing \"\" at <.Foo>: "
       "can't evaluate field Foo in type *events.Message\n"},
      {{"events", "--since", "xyz"},
       1,
       "failed to parse value as time or duration: \"xyz\"\n"},
  };
  return *cases;
}

}  // namespace berth::ctl

#endif  // BERTH_CTL_USAGE_ERROR_CASES_H_
