// The lexer and parser: what parses, and Go's messages for what does not.
#include "ctl/cli/template_test_util.h"

namespace berth::ctl {
namespace {

TEST(TemplateParseTest, TextAndTrimMarkers) {
  EXPECT_EQ(Render("plain text"), "plain text");
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render("a  {{- .Id -}}  b"), "aabcb");
  EXPECT_EQ(Render("a {{- \" \" }} b"), "a  b");
  // "{{-3}}" is a number, not a trim marker.
  EXPECT_EQ(Render("a {{-3}}"), "a -3");
  EXPECT_EQ(Render("x\n  {{- /* dropped */ -}}\n  y"), "xy");
  EXPECT_EQ(Render("{{/* a comment */}}z"), "z");
}

TEST(TemplateParseTest, Literals) {
  EXPECT_EQ(Render(R"({{"a\tb\x41\u00e9\"\\"}})"), "a\tbA\xc3\xa9\"\\");
  EXPECT_EQ(Render("{{`raw\\n`}}"), "raw\\n");
  EXPECT_EQ(Render("{{'a'}} {{0x1F}} {{0o17}} {{017}} {{1_000}} {{-7}}"),
            "97 31 15 15 1000 -7");
  EXPECT_EQ(Render("{{1.5}} {{1e3}} {{.5}}"), "1.5 1000 0.5");
  EXPECT_EQ(Render("{{true}} {{false}}"), "true false");
}

TEST(TemplateParseTest, GoMessages) {
  EXPECT_EQ(Render("{{.Id"), "ERROR: template: :1: unclosed action");
  EXPECT_EQ(Render("a\n{{nosuch .Id}}"),
            "ERROR: template: :2: function \"nosuch\" not defined");
  EXPECT_EQ(Render("{{if .Id}}x"), "ERROR: template: :1: unexpected EOF");
  EXPECT_EQ(Render("{{end}}"), "ERROR: template: :1: unexpected {{end}}");
  EXPECT_EQ(Render("{{else}}"), "ERROR: template: :1: unexpected {{else}}");
  EXPECT_EQ(Render("{{}}"), "ERROR: template: :1: missing value for command");
  EXPECT_EQ(Render("{{if}}{{end}}"), "ERROR: template: :1: missing value for if");
  EXPECT_EQ(Render("{{$x}}"), "ERROR: template: :1: undefined variable \"$x\"");
  EXPECT_EQ(Render("{{break}}"),
            "ERROR: template: :1: {{break}} outside {{range}}");
  EXPECT_EQ(Render("{{\"abc}}"), "ERROR: template: :1: unterminated quoted string");
  EXPECT_EQ(Render("{{/* x }}"), "ERROR: template: :1: unclosed comment");
  EXPECT_EQ(Render("{{.Id | 3}}"),
            "ERROR: template: :1: non executable command in pipeline stage 2");
  EXPECT_EQ(Render("{{(.Id}}"), "ERROR: template: :1: unclosed left paren");
  EXPECT_EQ(Render("{{.Id)}}"), "ERROR: template: :1: unexpected right paren");
  EXPECT_EQ(Render("{{3x}}"), "ERROR: template: :1: bad number syntax: \"3x\"");
  // A "|" before the end is ignored, as Go does; an empty stage is not.
  EXPECT_EQ(Render("{{.Id|}}"), "abc");
  EXPECT_EQ(Render("{{.Id||upper}}"), "ERROR: template: :1: empty command");
  EXPECT_EQ(Render("{{@}}"), "ERROR: template: :1: unexpected \"@\" in command");
  EXPECT_EQ(Render("{{.Id.}}"), "ERROR: template: :1: unexpected <.> in operand");
  EXPECT_EQ(Render("{{if .Id}}{{else}}{{else}}{{end}}"),
            "ERROR: template: :1: expected end; found {{else}}");
  EXPECT_EQ(Render("{{$x := 1}}{{$x = }}"),
            "ERROR: template: :1: missing value for command");
  EXPECT_EQ(Render("{{define \"x\"}}{{end}}"),
            "ERROR: template: :1: {{define}} is not supported by berth");
}

TEST(TemplateParseTest, NamedTemplateInMessages) {
  absl::StatusOr<Template> tmpl = Template::Parse("{{.X", "version");
  ASSERT_FALSE(tmpl.ok());
  EXPECT_EQ(tmpl.status().message(), "template: version:1: unclosed action");
}

TEST(TemplateParseTest, VariablesAreScoped) {
  // A variable declared in an if body is gone after its end.
  EXPECT_EQ(Render("{{if 1}}{{$x := 1}}{{end}}{{$x}}"),
            "ERROR: template: :1: undefined variable \"$x\"");
  EXPECT_EQ(Render("{{$x := 1}}{{if 1}}{{$x = 2}}{{end}}{{$x}}"), "2");
}

}  // namespace
}  // namespace berth::ctl
