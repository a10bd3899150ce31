// `berth login`, `berth logout` and `berth search`, as Docker 28's CLI
// behaves. imaged checks credentials and searches; the CLI keeps the
// credentials, in Berth's config.json (registry_auth.h), and never prints
// a secret. Docker Hub's browser login (device code flow) has no Berth
// counterpart: Hub takes a username and a password or access token.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ctl/cli/args.h"
#include "ctl/cli/command.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_group.h"
#include "ctl/image/image_pull.h"
#include "ctl/image/registry_auth.h"
#include "ctl/image/registry_format.h"
#include "services/imaged/registry/credentials.h"

namespace berth::ctl {
namespace image_cli {
namespace {

namespace creds = imaged::registry;

// ---- login ------------------------------------------------------------------

// One line from stdin, spaces trimmed (Docker's prompt.ReadInput), after
// `prompt` on stdout.
std::string ReadInput(const char* prompt) {
  std::fputs(prompt, stdout);
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

// ReadInput with the terminal's echo off; restored before returning.
std::string ReadSecret(const char* prompt) {
  struct termios saved;
  const bool terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string secret = ReadInput(prompt);
  if (terminal) (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  return secret;
}

// Docker's hints for a login to Docker Hub.
constexpr char kRegisterSuggest[] =
    "Log in with your Docker ID or email address to push and pull images "
    "from Docker Hub. If you don't have a Docker ID, head over to "
    "https://hub.docker.com/ to create one.";

// Docker's PromptUserForCredentials: asks for what was not given, on the
// terminal. INVALID_ARGUMENT with Docker's words when an answer is empty.
absl::Status PromptForCredentials(const std::string& registry,
                                  const std::string& default_username,
                                  image::v1::RegistryAuth& auth) {
  if (auth.username().empty()) {
    if (registry == kDockerHubRegistry) std::printf("%s\n", kRegisterSuggest);
    const std::string prompt =
        default_username.empty()
            ? "Username: "
            : absl::StrCat("Username (", default_username, "): ");
    std::string username = ReadInput(prompt.c_str());
    if (username.empty()) username = default_username;
    if (username.empty()) {
      return absl::InvalidArgumentError("Error: Non-null Username Required");
    }
    auth.set_username(username);
  }
  if (auth.password().empty()) {
    auth.set_password(ReadSecret("Password: "));
    std::printf("\n");
    if (auth.password().empty()) {
      return absl::InvalidArgumentError("Error: Password Required");
    }
  }
  return absl::OkStatus();
}

// RegistryLogin; its answer's status line, the credentials stored.
absl::StatusOr<std::string> LoginAndStore(CommandContext& context,
                                          const std::string& registry,
                                          const image::v1::RegistryAuth& auth) {
  image::v1::RegistryLoginRequest request;
  *request.mutable_auth() = auth;
  image::v1::RegistryLoginResponse response;
  auto call = Connections::CallContext(absl::Minutes(1));
  const grpc::Status status =
      ImageStub(context)->RegistryLogin(call.get(), request, &response);
  if (!status.ok()) {
    return RegistryCallError(context, status, /*streamed=*/false);
  }
  // As Docker: a token the registry handed out replaces the password.
  creds::AuthEntry entry{auth.username(), auth.password(), ""};
  if (!response.identity_token().empty()) {
    entry.password.clear();
    entry.identity_token = response.identity_token();
  }
  const std::string path = BerthCredentialsPath();
  absl::StatusOr<creds::AuthMap> auths = creds::ReadAuthsFile(path);
  absl::Status stored = auths.status();
  if (auths.ok()) {
    creds::SetAuth(*auths, registry, entry);
    stored = creds::WriteAuthsFile(path, *auths);
  }
  if (!stored.ok()) {
    return absl::Status(
        stored.code(),
        absl::StrCat("Error saving credentials: ", stored.message()));
  }
  return response.status().empty() ? "Login Succeeded" : response.status();
}

// Docker's first try without -u/-p: the stored credentials. The status
// line, or nullopt (after saying why) to go on to the prompt.
std::optional<std::string> LoginWithStored(
    CommandContext& context, const std::string& registry,
    const image::v1::RegistryAuth& stored) {
  std::fprintf(stderr,
               "Authenticating with existing credentials... [Username: %s]\n",
               stored.username().c_str());
  std::fprintf(stderr,
               "\n Info -> To login with a different account, run 'berth "
               "logout' followed by 'berth login'\n\n\n");
  absl::StatusOr<std::string> done = LoginAndStore(context, registry, stored);
  if (done.ok()) return *done;
  if (absl::IsUnauthenticated(done.status())) {
    std::fprintf(stderr, "Stored credentials invalid or expired\n");
  } else {
    std::fprintf(stderr, "Login did not succeed, error: %s\n",
                 std::string(done.status().message()).c_str());
  }
  return std::nullopt;
}

void RunLogin(CommandContext& context, LoginFlags flags,
              const std::vector<std::string>& args) {
  if (absl::Status valid = CheckLoginFlags(flags); !valid.ok()) {
    return FailBare(context, valid.message());
  }
  if (!flags.password.empty()) {
    std::fputs(
        "WARNING! Using --password via the CLI is insecure. Use "
        "--password-stdin.\n",
        stderr);
  }
  if (flags.password_stdin) {
    const std::string input((std::istreambuf_iterator<char>(std::cin)),
                            std::istreambuf_iterator<char>());
    flags.password = PasswordFromStdin(input);
  }
  const std::string registry = LoginRegistry(args.empty() ? "" : args[0]);
  image::v1::RegistryAuth auth;
  auth.set_server_address(registry);
  auth.set_username(flags.username);
  auth.set_password(flags.password);

  std::string default_username;
  if (flags.username.empty() && flags.password.empty()) {
    const image::v1::RegistryAuth stored = RegistryAuthFor(registry);
    default_username = stored.username();
    if (!stored.username().empty() && !stored.password().empty()) {
      if (std::optional<std::string> done =
              LoginWithStored(context, registry, stored)) {
        std::printf("%s\n", done->c_str());
        return;
      }
    }
  }
  if ((auth.username().empty() || auth.password().empty()) &&
      !isatty(STDIN_FILENO)) {
    return FailBare(
        context,
        "Error: Cannot perform an interactive login from a non TTY device");
  }
  if (absl::Status asked =
          PromptForCredentials(registry, default_username, auth);
      !asked.ok()) {
    return FailBare(context, asked.message());
  }
  absl::StatusOr<std::string> done = LoginAndStore(context, registry, auth);
  if (!done.ok()) return FailBare(context, done.status().message());
  std::printf("%s\n", done->c_str());
}

// ---- logout -----------------------------------------------------------------

void RunLogout(CommandContext& context, const std::vector<std::string>& args) {
  const std::string server = args.empty() ? "" : args[0];
  std::printf("Removing login credentials for %s\n",
              LogoutHost(server).c_str());
  std::fflush(stdout);
  // Only Berth's file is changed; Docker's is never written.
  const std::string path = BerthCredentialsPath();
  absl::StatusOr<creds::AuthMap> auths = creds::ReadAuthsFile(path);
  absl::Status erased = auths.status();
  if (auths.ok() && creds::RemoveAuth(*auths, LoginRegistry(server)) > 0) {
    erased = creds::WriteAuthsFile(path, *auths);
  }
  // Docker warns and still succeeds when nothing could be erased.
  if (!erased.ok()) {
    std::fprintf(stderr, "WARNING: could not erase credentials:\n%s: %s\n",
                 LogoutHost(server).c_str(),
                 std::string(erased.message()).c_str());
  }
  (void)context;
}

// ---- search -----------------------------------------------------------------

struct SearchFlags {
  bool no_trunc = false;
  std::vector<std::string> filters;
  std::string limit = "0";  // checked as pflag's int
  std::string format;
};

void RunSearch(CommandContext& context, const SearchFlags& flags,
               const std::string& term) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  absl::StatusOr<SearchFilter> filter = ParseSearchFilter(*terms);
  // Docker's daemon checks the filters and the limit; its CLI prints them
  // framed as the daemon's.
  if (filter.ok() && filter->mentions_automated) {
    std::fputs(
        "WARNING: the \"is-automated\" filter is deprecated, and searching "
        "for \"is-automated=true\" will not yield any results in future.\n",
        stderr);
  }
  const int64_t limit = ParseGoInt(flags.limit).value_or(0);
  absl::Status checked =
      filter.ok() ? CheckSearchLimit(limit) : filter.status();
  if (!checked.ok()) {
    return FailBare(context, absl::StrCat("Error response from daemon: ",
                                          checked.message()));
  }
  image::v1::SearchImagesRequest request;
  request.set_term(term);
  request.set_limit(static_cast<int32_t>(limit));
  *request.mutable_auth() = RegistryAuthFor(SearchTermRegistry(term));
  image::v1::SearchImagesResponse response;
  auto call = Connections::CallContext(absl::Minutes(1));
  const grpc::Status status =
      ImageStub(context)->SearchImages(call.get(), request, &response);
  if (!status.ok()) {
    return FailBare(
        context,
        RegistryCallError(context, status, /*streamed=*/false).message());
  }
  absl::StatusOr<std::string> out =
      RenderSearchResults(ApplySearchFilter(response.results(), *filter),
                          flags.format, flags.no_trunc);
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

}  // namespace

void AddLoginCommand(CLI::App& parent, CommandContext& context) {
  // Docker tells a flag typed empty ("-u ''") from one absent.
  struct LoginState {
    LoginFlags flags;
    CLI::Option* username = nullptr;
    CLI::Option* password = nullptr;
  };
  auto state = std::make_shared<LoginState>();
  CLI::App* command = AddCommand(
      parent, context, "login",
      {"berth login", "[OPTIONS] [SERVER]", "Authenticate to a registry"}, 0, 1,
      [&context, state](const std::vector<std::string>& args) {
        state->flags.username_given = state->username->count() > 0;
        state->flags.password_given = state->password->count() > 0;
        RunLogin(context, state->flags, args);
      });
  state->username =
      command->add_option("-u,--username", state->flags.username, "Username");
  state->password =
      command->add_option("-p,--password", state->flags.password,
                          "Password or Personal Access Token (PAT)");
  command->add_flag("--password-stdin", state->flags.password_stdin,
                    "Take the Password or Personal Access Token (PAT) from "
                    "stdin");
}

void AddLogoutCommand(CLI::App& parent, CommandContext& context) {
  AddCommand(parent, context, "logout",
             {"berth logout", "[SERVER]", "Log out from a registry"}, 0, 1,
             [&context](const std::vector<std::string>& args) {
               RunLogout(context, args);
             });
}

void AddSearchCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<SearchFlags>();
  CLI::App* command = AddCommand(
      parent, context, "search",
      {"berth search", "[OPTIONS] TERM", "Search Docker Hub for images"}, 1, 1,
      [&context, flags](const std::vector<std::string>& args) {
        RunSearch(context, *flags, args[0]);
      });
  command->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  command
      ->add_option("-f,--filter", flags->filters,
                   "Filter output based on conditions provided: stars=N, "
                   "is-official=true|false")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
  command->add_option("--limit", flags->limit, "Max number of search results")
      ->check(IntFlagProblem);
  command->add_option("--format", flags->format,
                      "Pretty-print search using a Go template");
}

}  // namespace image_cli

std::vector<CommandSpec> RegistryCommands() {
  using namespace image_cli;  // NOLINT: the group's own commands
  return {
      {"login", "registry", "Authenticate to a registry",
       [](CLI::App& app, CommandContext& context) {
         AddLoginCommand(app, context);
       }},
      {"logout", "registry", "Log out from a registry",
       [](CLI::App& app, CommandContext& context) {
         AddLogoutCommand(app, context);
       }},
      {"search", "registry", "Search Docker Hub for images",
       [](CLI::App& app, CommandContext& context) {
         AddSearchCommand(app, context);
       }},
  };
}

}  // namespace berth::ctl
