// The functions: Go's builtins and Docker's, with fmt's verbs.
#include "ctl/cli/template_test_util.h"

namespace berth::ctl {
namespace {

TEST(TemplateFuncsTest, DockerFunctions) {
  EXPECT_EQ(Render("{{json .Config.Env}}"), "[\"A=1\",\"B=<&>\"]");
  EXPECT_EQ(Render("{{json .State}}"),
            "{\"Status\":\"running\",\"Running\":true,\"Pid\":42,"
            "\"ExitCode\":0,\"Health\":null}");
  EXPECT_EQ(Render("{{json .Config.Labels.nokey}}"), "null");
  EXPECT_EQ(Render("{{join .Args \",\"}}"), "-c,ls");
  EXPECT_EQ(Render("{{join .Config.Cmd \",\"}}"), "");
  EXPECT_EQ(Render("{{join .Config.Labels \"+\"}}"), "1+2+y");
  EXPECT_EQ(Render("{{join .Id \",\"}}"),
            "ERROR: template: :1:2: executing \"\" at <join .Id \",\">: error "
            "calling join: expected slice, got string");
  EXPECT_EQ(Render("{{split \"a:b:c\" \":\"}}"), "[a b c]");
  EXPECT_EQ(Render("{{index (split \"a:b\" \":\") 1}}"), "b");
  EXPECT_EQ(Render("{{upper .State.Status}} {{lower \"AbC\"}}"), "RUNNING abc");
  EXPECT_EQ(Render("{{title \"hello wide-world foo_bar\"}}"),
            "Hello Wide-World Foo_bar");
  EXPECT_EQ(Render("{{truncate .State.Status 3}}|{{truncate \"ab\" 5}}"),
            "run|ab");
  EXPECT_EQ(Render("[{{pad .Id 2 1}}][{{pad \"\" 2 2}}]"), "[  abc ][]");
  EXPECT_EQ(Render("{{upper 3}}"),
            "ERROR: template: :1:2: executing \"\" at <upper 3>: wrong type "
            "for value; expected string; got int");
  EXPECT_EQ(Render("{{upper}}"),
            "ERROR: template: :1:2: executing \"\" at <upper>: wrong number of "
            "args for upper: want 1 got 0");
}

TEST(TemplateFuncsTest, IndexLenSlice) {
  EXPECT_EQ(Render("{{index .Config.Labels \"a\"}}"), "1");
  EXPECT_EQ(Render("[{{index .Config.Labels \"nokey\"}}]"), "[]");
  EXPECT_EQ(Render("{{index .Args 1}}"), "ls");
  EXPECT_EQ(Render("{{index .NetworkSettings.Networks \"bridge\" | json}}"),
            "{\"IPAddress\":\"10.0.0.2\"}");
  EXPECT_EQ(Render("{{index .NetworkSettings.Networks \"none\"}}"), "<nil>");
  EXPECT_EQ(Render("{{index .Args 5}}"),
            "ERROR: template: :1:2: executing \"\" at <index .Args 5>: error "
            "calling index: index out of range: 5");
  EXPECT_EQ(Render("{{len .Args}} {{len .Config.Labels}} {{len .Name}} "
                "{{len .Config.Cmd}}"),
            "2 3 4 0");
  EXPECT_EQ(Render("{{len .State}}"),
            "ERROR: template: :1:2: executing \"\" at <len .State>: error "
            "calling len: len of type struct");
  EXPECT_EQ(Render("{{slice .Name 1}} {{slice .Name 1 3}} {{slice .Args 1}}"),
            "web we [ls]");
  EXPECT_EQ(Render("{{slice .Name 3 1}}"),
            "ERROR: template: :1:2: executing \"\" at <slice .Name 3 1>: error "
            "calling slice: invalid slice index: 3 > 1");
}

TEST(TemplateFuncsTest, Comparisons) {
  EXPECT_EQ(Render("{{eq .State.Status \"running\"}} {{eq 1 2 3 1}} "
                "{{ne .State.Pid 42}}"),
            "true true false");
  EXPECT_EQ(Render("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}"),
            "true true true false");
  EXPECT_EQ(Render("{{eq .State.Pid \"42\"}}"),
            "ERROR: template: :1:2: executing \"\" at <eq .State.Pid \"42\">: "
            "error calling eq: incompatible types for comparison");
  EXPECT_EQ(Render("{{lt true false}}"),
            "ERROR: template: :1:2: executing \"\" at <lt true false>: error "
            "calling lt: invalid type for comparison");
  EXPECT_EQ(Render("{{eq 1}}"),
            "ERROR: template: :1:2: executing \"\" at <eq 1>: error calling "
            "eq: missing argument for comparison");
}

TEST(TemplateFuncsTest, LogicShortCircuitsAndReturnsOperands) {
  EXPECT_EQ(Render("{{and 1 \"x\" 0 .Nope}}"), "0");
  EXPECT_EQ(Render("{{or 0 \"\" \"first\" .Nope}}"), "first");
  EXPECT_EQ(Render("{{or 0 \"\"}}"), "");
  EXPECT_EQ(Render("{{and .State.Running .Id}}"), "abc");
  EXPECT_EQ(Render("{{not .State.Running}} {{not .Config.Cmd}}"), "false true");
  EXPECT_EQ(Render("{{if and .State.Running (eq .State.Pid 42)}}ok{{end}}"),
            "ok");
}

TEST(TemplateFuncsTest, PrintFamily) {
  EXPECT_EQ(Render("{{print 1 2 \"a\" 3 \"b\" \"c\"}}"), "1 2a3bc");
  EXPECT_EQ(Render("{{println .Id 1}}"), "abc 1\n");
  EXPECT_EQ(Render("{{printf \"%s=%d %v %q\" .Id 42 .Args .Name}}"),
            "abc=42 [-c ls] \"/web\"");
  EXPECT_EQ(Render("{{printf \"%5.2f|%-6s|%06d|%x|%X|%t|%%\" 3.14159 \"ab\" 42 "
                "255 \"hi\" true}}"),
            " 3.14|ab    |000042|ff|6869|true|%");
  EXPECT_EQ(Render("{{printf \"%d\" \"x\"}}"), "%!d(string=x)");
  EXPECT_EQ(Render("{{printf \"%s %s\" 1}}"), "%!s(int=1) %!s(MISSING)");
  EXPECT_EQ(Render("{{printf \"%v\" 1e6}} {{1e21}} {{0.0001}}"),
            "1e+06 1e+21 0.0001");
  // A missing value passed to a function is Go's nil.
  EXPECT_EQ(Render("{{printf \"%v|%5v|%-5v|\" .Config.Labels.nokey 1 2}}"),
            "<nil>|    1|2    |");
  EXPECT_EQ(Render("{{println .Config.Labels.nokey}}"), "<nil>\n");
}

TEST(TemplateFuncsTest, Escapers) {
  EXPECT_EQ(Render("{{html \"<a href='x'>&</a>\"}}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(Render("{{js \"it's <b>\"}}"), "it\\'s \\u003Cb\\u003E");
  EXPECT_EQ(Render("{{urlquery \"a b&c=d/é\"}}"), "a+b%26c%3Dd%2F%C3%A9");
}

}  // namespace
}  // namespace berth::ctl
