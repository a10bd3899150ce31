#include "ctl/shell/completion_script.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace berth::ctl {
namespace {

// A command with the path the scripts know it by: "berth", "berth image",
// "berth image ls".
struct Entry {
  std::string path;
  const CommandDescription* command;
};

void Walk(const CommandDescription& command, const std::string& path,
          std::vector<Entry>& out) {
  out.push_back({path, &command});
  for (const CommandDescription& sub : command.subcommands) {
    Walk(sub, absl::StrCat(path, " ", sub.name), out);
  }
}

std::vector<Entry> Entries(const CommandDescription& root) {
  std::vector<Entry> entries;
  Walk(root, "berth", entries);
  return entries;
}

std::string KindWord(ArgKind kind) {
  return kind == ArgKind::kNone ? "none" : ArgKindName(kind);
}

std::vector<std::string> Kinds(const CommandDescription& command) {
  std::vector<std::string> kinds;
  for (ArgKind kind : command.usage.arg_kinds) kinds.push_back(KindWord(kind));
  return kinds;
}

std::vector<std::string> FlagNames(const CommandDescription& command,
                                   bool only_with_values) {
  std::vector<std::string> names;
  for (const FlagDescription& flag : command.flags) {
    if (only_with_values && !flag.takes_value) continue;
    names.insert(names.end(), flag.names.begin(), flag.names.end());
  }
  return names;
}

std::vector<std::string> SubcommandNames(const CommandDescription& command) {
  std::vector<std::string> names;
  for (const CommandDescription& sub : command.subcommands) {
    names.push_back(sub.name);
  }
  return names;
}

// A shell function of one argument, the command path, answering from a
// `case` (the same text in bash and zsh): `words` of each path that has any.
std::string CaseFunction(
    const std::string& name, const std::string& comment,
    const std::vector<Entry>& entries,
    std::vector<std::string> (*words)(const CommandDescription&)) {
  std::string text = absl::StrCat("# ", comment, "\n", name, "() {\n",
                                  "  case \"$1\" in\n");
  for (const Entry& entry : entries) {
    const std::vector<std::string> list = words(*entry.command);
    if (list.empty()) continue;
    absl::StrAppend(&text, "    \"", entry.path, "\") echo \"",
                    absl::StrJoin(list, " "), "\" ;;\n");
  }
  absl::StrAppend(&text, "  esac\n}\n\n");
  return text;
}

// The functions bash's and zsh's completion share: the tables.
std::string PosixTables(const std::vector<Entry>& entries) {
  std::string text =
      "# The command that word $2 names under command path $1 (its name, "
      "also\n# when typed as an alias), or nothing.\n"
      "__berth_subcommand() {\n  case \"$1/$2\" in\n";
  for (const Entry& entry : entries) {
    for (const CommandDescription& sub : entry.command->subcommands) {
      std::vector<std::string> patterns;
      patterns.push_back(absl::StrCat("\"", entry.path, "/", sub.name, "\""));
      for (const std::string& alias : sub.aliases) {
        patterns.push_back(absl::StrCat("\"", entry.path, "/", alias, "\""));
      }
      absl::StrAppend(&text, "    ", absl::StrJoin(patterns, "|"), ") echo ",
                      sub.name, " ;;\n");
    }
  }
  absl::StrAppend(&text, "  esac\n}\n\n");
  absl::StrAppend(
      &text,
      CaseFunction("__berth_subcommands", "The subcommands of command path $1.",
                   entries, SubcommandNames),
      CaseFunction("__berth_flags", "The flags of command path $1.", entries,
                   [](const CommandDescription& c) {
                     return FlagNames(c, false);
                   }),
      CaseFunction("__berth_value_flags",
                   "The flags of command path $1 that take a value.", entries,
                   [](const CommandDescription& c) {
                     return FlagNames(c, true);
                   }),
      CaseFunction("__berth_argument_kinds",
                   "What the arguments of command path $1 name, in order; the "
                   "last repeats.",
                   entries, Kinds));
  return text;
}

// Reading the words typed before the cursor, in bash and zsh alike: sets
// cmd_path, argn (arguments after it), value_next (the cursor is on a
// flag's value) and __berth_globals (the global flags, for the nested
// `berth __complete`).
constexpr char kPosixWalk[] = R"sh(__berth_in() {
  local wanted=$1 word
  shift
  for word; do [[ $word == "$wanted" ]] && return 0; done
  return 1
}

# Live names of kind $1, from berth itself, pointed where the command line
# points it (--run-root and the like).
__berth_names() {
  command berth "${__berth_globals[@]}" __complete "$1" 2>/dev/null
}

__berth_walk() {
  local word sub
  cmd_path=berth argn=0 value_next=0
  __berth_globals=()
  for word in "$@"; do
    if ((value_next)); then
      value_next=0
      [[ $cmd_path == berth ]] && __berth_globals+=("$word")
      continue
    fi
    case $word in
      -?*)
        [[ $cmd_path == berth ]] && __berth_globals+=("$word")
        if [[ $word != *=* ]] &&
          __berth_in "$word" $(__berth_value_flags "$cmd_path"); then
          value_next=1
        fi
        ;;
      *)
        sub=$(__berth_subcommand "$cmd_path" "$word")
        if [[ -n $sub && $argn == 0 ]]; then
          cmd_path="$cmd_path $sub"
        else
          argn=$((argn + 1))
        fi
        ;;
    esac
  done
}

# The kind of argument number $argn of $cmd_path, or "none".
__berth_kind() {
  local -a kinds
  kinds=($(__berth_argument_kinds "$cmd_path"))
  local count=${#kinds[@]}
  if ((count == 0)); then
    echo none
  elif ((argn < count)); then
    echo "${kinds[@]:$argn:1}"
  else
    echo "${kinds[@]: -1}"
  fi
}

)sh";

constexpr char kBashMain[] = R"sh(_berth() {
  # The words before the cursor, split at blanks only: bash's COMP_WORDS
  # also splits at ':' and '=', which image names and --flag=value contain.
  local line=${COMP_LINE:0:COMP_POINT}
  local -a typed
  read -ra typed <<<"$line"
  [[ -z $line || $line == *[[:blank:]] ]] && typed+=("")
  ((${#typed[@]} >= 2)) || return 0
  local cur=${typed[${#typed[@]}-1]}
  local cmd_path argn value_next
  local -a __berth_globals
  __berth_walk "${typed[@]:1:${#typed[@]}-2}"
  COMPREPLY=()
  if ((value_next)); then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(__berth_flags "$cmd_path")" -- "$cur"))
  elif [[ -n $(__berth_subcommands "$cmd_path") ]]; then
    COMPREPLY=($(compgen -W "$(__berth_subcommands "$cmd_path")" -- "$cur"))
  else
    local kind
    kind=$(__berth_kind)
    if [[ $kind == none ]]; then
      COMPREPLY=($(compgen -f -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(__berth_names "$kind")" -- "$cur"))
    fi
  fi
  # Bash replaces only what follows the last ':' or '=' of the word.
  if [[ $cur == *[:=]* ]]; then
    local before=${cur%"${cur##*[:=]}"}
    COMPREPLY=("${COMPREPLY[@]#"$before"}")
  fi
}

complete -F _berth berth
)sh";

constexpr char kZshMain[] = R"sh(_berth() {
  local cmd_path argn value_next
  local -a __berth_globals
  __berth_walk "${(@)words[2,CURRENT-1]}"
  local cur=${words[CURRENT]}
  if ((value_next)); then
    _files
  elif [[ $cur == -* ]]; then
    compadd -- ${=$(__berth_flags "$cmd_path")}
  elif [[ -n $(__berth_subcommands "$cmd_path") ]]; then
    compadd -- ${=$(__berth_subcommands "$cmd_path")}
  else
    local kind
    kind=$(__berth_kind)
    if [[ $kind == none ]]; then
      _files
    else
      compadd -- ${(f)"$(__berth_names "$kind")"}
    fi
  fi
}

compdef _berth berth
)sh";

std::string Header(absl::string_view shell, absl::string_view load) {
  return absl::StrCat("# ", shell,
                      " completion for berth, generated by `berth completion ",
                      shell, "` from berth's command table.\n# Load it with: ",
                      load, "\n\n");
}

std::string BashScript(const std::vector<Entry>& entries) {
  return absl::StrCat(Header("bash", "source <(berth completion bash)"),
                      PosixTables(entries), kPosixWalk, kBashMain);
}

std::string ZshScript(const std::vector<Entry>& entries) {
  // The shared functions read the same in zsh: unquoted $(...) is split
  // there too, and ${array[@]:offset:length} counts from 0 in both.
  return absl::StrCat("#compdef berth\n",
                      Header("zsh", "source <(berth completion zsh)"),
                      PosixTables(entries), kPosixWalk, kZshMain);
}

// fish quotes: '...' with \ and ' escaped.
std::string FishQuote(absl::string_view text) {
  return absl::StrCat(
      "'", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

std::string FishSwitch(const std::string& name, const std::string& comment,
                       const std::vector<Entry>& entries,
                       std::vector<std::string> (*words)(
                           const CommandDescription&)) {
  std::string text = absl::StrCat("# ", comment, "\nfunction ", name,
                                  " --argument-names cmd_path\n"
                                  "    switch $cmd_path\n");
  for (const Entry& entry : entries) {
    const std::vector<std::string> list = words(*entry.command);
    if (list.empty()) continue;
    std::vector<std::string> quoted;
    for (const std::string& word : list) quoted.push_back(FishQuote(word));
    absl::StrAppend(&text, "        case ", FishQuote(entry.path),
                    "\n            printf '%s\\n' ",
                    absl::StrJoin(quoted, " "), "\n");
  }
  absl::StrAppend(&text, "    end\nend\n\n");
  return text;
}

constexpr char kFishMain[] = R"sh(# The words before the cursor read as berth does: the command path, the
# number of arguments after it, whether the cursor is on a flag's value,
# then the global flags (for the nested `berth __complete`).
function __berth_state
    set -l cmd_path berth
    set -l argn 0
    set -l value_next 0
    set -l globals
    for word in (commandline -opc)[2..-1]
        if test $value_next = 1
            set value_next 0
            test "$cmd_path" = berth; and set -a globals $word
            continue
        end
        switch $word
            case '-?*'
                test "$cmd_path" = berth; and set -a globals $word
                if not string match -q -- '*=*' $word
                    and contains -- $word (__berth_value_flags $cmd_path)
                    set value_next 1
                end
            case '*'
                set -l sub (__berth_subcommand $cmd_path $word)
                if test -n "$sub" -a $argn = 0
                    set cmd_path "$cmd_path $sub"
                else
                    set argn (math $argn + 1)
                end
        end
    end
    printf '%s\n' $cmd_path $argn $value_next $globals
end

function __berth_path_is --argument-names wanted
    set -l state (__berth_state)
    test "$state[1]" = "$wanted" -a "$state[3]" = 0
end

# Live names for the argument under the cursor, or files.
function __berth_arguments
    set -l state (__berth_state)
    test "$state[3]" = 0; or return
    test -z "$(__berth_subcommands $state[1])"; or return
    set -l kinds (__berth_argument_kinds $state[1])
    set -l kind none
    if test (count $kinds) -gt $state[2]
        set kind $kinds[(math $state[2] + 1)]
    else if test (count $kinds) -gt 0
        set kind $kinds[-1]
    end
    if test $kind = none
        __fish_complete_path (commandline -ct)
    else
        command berth $state[4..-1] __complete $kind 2>/dev/null
    end
end

complete -c berth -f
complete -c berth -a '(__berth_arguments)'
)sh";

std::string FishScript(const std::vector<Entry>& entries) {
  std::string text = absl::StrCat(
      Header("fish", "berth completion fish | source"),
      "# The command that word $word names under $cmd_path, or nothing.\n"
      "function __berth_subcommand --argument-names cmd_path word\n"
      "    switch \"$cmd_path/$word\"\n");
  for (const Entry& entry : entries) {
    for (const CommandDescription& sub : entry.command->subcommands) {
      std::vector<std::string> patterns = {
          FishQuote(absl::StrCat(entry.path, "/", sub.name))};
      for (const std::string& alias : sub.aliases) {
        patterns.push_back(FishQuote(absl::StrCat(entry.path, "/", alias)));
      }
      absl::StrAppend(&text, "        case ", absl::StrJoin(patterns, " "),
                      "\n            echo ", sub.name, "\n");
    }
  }
  absl::StrAppend(
      &text, "    end\nend\n\n",
      FishSwitch("__berth_subcommands", "The subcommands of $cmd_path.",
                 entries, SubcommandNames),
      FishSwitch("__berth_value_flags", "The flags of $cmd_path that take a "
                 "value.", entries,
                 [](const CommandDescription& c) { return FlagNames(c, true); }),
      FishSwitch("__berth_argument_kinds",
                 "What the arguments of $cmd_path name; the last repeats.",
                 entries, Kinds),
      kFishMain);
  for (const Entry& entry : entries) {
    const std::string condition =
        absl::StrCat("-n ", FishQuote(absl::StrCat("__berth_path_is ",
                                                   FishQuote(entry.path))));
    for (const CommandDescription& sub : entry.command->subcommands) {
      absl::StrAppend(&text, "complete -c berth ", condition, " -a ",
                      FishQuote(sub.name), " -d ", FishQuote(sub.summary),
                      "\n");
    }
    for (const FlagDescription& flag : entry.command->flags) {
      std::string names;
      for (const std::string& name : flag.names) {
        const bool long_name = name.size() > 2 && name[1] == '-';
        absl::StrAppend(&names, long_name ? " -l " : " -s ",
                        name.substr(long_name ? 2 : 1));
      }
      absl::StrAppend(&text, "complete -c berth ", condition, names,
                      flag.takes_value ? " -r" : "", " -d ",
                      FishQuote(flag.help), "\n");
    }
  }
  return text;
}

}  // namespace

absl::StatusOr<std::string> CompletionScript(absl::string_view shell,
                                             const CommandDescription& root) {
  const std::vector<Entry> entries = Entries(root);
  if (shell == "bash") return BashScript(entries);
  if (shell == "zsh") return ZshScript(entries);
  if (shell == "fish") return FishScript(entries);
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported shell \"", shell, "\": use bash, zsh or fish"));
}

}  // namespace berth::ctl
