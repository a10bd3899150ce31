// The evaluator: fields of structs and maps, Go's printing and truth,
// control structures, variables, pipelines and its error messages.
#include "ctl/cli/template_test_util.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

TEST(TemplateExecTest, FieldsPrintAsGo) {
  EXPECT_EQ(Render("{{.State.Status}}"), "running");
  EXPECT_EQ(Render("{{.State.Running}} {{.State.Pid}} {{.Ratio}}"),
            "true 42 0.5");
  EXPECT_EQ(Render("{{.Args}}"), "[-c ls]");
  EXPECT_EQ(Render("{{.Config.Labels}}"), "map[a:1 b:2 com.x:y]");
  EXPECT_EQ(Render("id={{ .Id }}!"), "id=abc!");
  EXPECT_EQ(Render("{{.}}").substr(0, 12), "{abc /web [-");
}

TEST(TemplateExecTest, NullsPrintAsTheirGoTypes) {
  EXPECT_EQ(Render("{{.State.Health}}"), "<nil>");
  EXPECT_EQ(Render("{{.Config.Cmd}}"), "[]");
  EXPECT_EQ(Render("{{.HostConfig.Binds}}"), "[]");
  EXPECT_EQ(Render("{{.Config.Volumes}}"), "map[]");
  EXPECT_EQ(Render("[{{.Config.Hostname}}]"), "[]");
}

TEST(TemplateExecTest, StructFieldsVersusMapKeys) {
  EXPECT_EQ(Render("{{.Config.Labels.nokey}}"), "<no value>");
  EXPECT_EQ(Render("{{.Config.Labels.a}}"), "1");
  EXPECT_EQ(Render("{{.HostConfig.LogConfig.Config.max}}"), "<no value>");
  EXPECT_EQ(Render("{{.NetworkSettings.Networks.bridge.IPAddress}}"),
            "10.0.0.2");
  EXPECT_EQ(Render("{{.Foo}}"),
            "ERROR: template: :1:2: executing \"\" at <.Foo>: can't evaluate "
            "field Foo in type struct");
  EXPECT_EQ(Render("x {{.State.Nope}}"),
            "ERROR: template: :1:4: executing \"\" at <.State.Nope>: can't "
            "evaluate field Nope in type *State");
  EXPECT_EQ(Render("{{.State.Health.Status}}"),
            "ERROR: template: :1:2: executing \"\" at <.State.Health.Status>: "
            "nil pointer evaluating *Health.Status");
  EXPECT_EQ(Render("{{.Id.Deeper}}"),
            "ERROR: template: :1:2: executing \"\" at <.Id.Deeper>: can't "
            "evaluate field Deeper in type string");
  // Contexts longer than 20 characters are cut as Go cuts them.
  EXPECT_EQ(Render("{{.NetworkSettings.Nope}}"),
            "ERROR: template: :1:2: executing \"\" at <.NetworkSettings.Nop...>: "
            "can't evaluate field Nope in type *NetworkSettings");
}

TEST(TemplateExecTest, RawJsonAndMissingKeyError) {
  TemplateOptions raw;
  raw.raw_json = true;
  raw.missing_key_error = true;
  EXPECT_EQ(Render("{{.State.Status}}", InspectData(), raw), "running");
  EXPECT_EQ(Render("{{.Foo}}", InspectData(), raw),
            "ERROR: template: :1:2: executing \"\" at <.Foo>: map has no "
            "entry for key \"Foo\"");
  EXPECT_EQ(Render("{{.State.Health.Status}}", InspectData(), raw),
            "ERROR: template: :1:2: executing \"\" at <.State.Health.Status>: "
            "nil data; no entry for key \"Status\"");
  EXPECT_EQ(Render("{{.State}}", InspectData(), raw).substr(0, 24),
            "map[ExitCode:0 Health:<n");
}

TEST(TemplateExecTest, IfElseAndTruth) {
  EXPECT_EQ(Render("{{if .State.Running}}up{{else}}down{{end}}"), "up");
  EXPECT_EQ(Render("{{if .State.ExitCode}}bad{{else}}ok{{end}}"), "ok");
  EXPECT_EQ(Render("{{if .Config.Cmd}}y{{else if .Args}}args{{else}}n{{end}}"),
            "args");
  EXPECT_EQ(Render("{{if .Config.Hostname}}h{{else if eq 1 2}}x{{else}}"
                "none{{end}}"),
            "none");
  EXPECT_EQ(Render("{{if .State.Health}}h{{end}}|{{if .Config.Volumes}}v{{end}}|"
                "{{if .State}}s{{end}}|{{if .Config.Labels.nokey}}k{{end}}"),
            "||s|");
}

TEST(TemplateExecTest, With) {
  EXPECT_EQ(Render("{{with .State}}{{.Status}}/{{$.Id}}{{end}}"), "running/abc");
  EXPECT_EQ(Render("{{with .State.Health}}{{.Status}}{{else}}none{{end}}"),
            "none");
  EXPECT_EQ(Render("{{with $x := .State.Pid}}{{$x}}{{end}}"), "42");
}

TEST(TemplateExecTest, RangeOverSlicesMapsAndIntegers) {
  EXPECT_EQ(Render("{{range .Args}}<{{.}}>{{end}}"), "<-c><ls>");
  EXPECT_EQ(Render("{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}"),
            "0:A=1 1:B=<&> ");
  EXPECT_EQ(Render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}"),
            "a=1 b=2 com.x=y ");
  EXPECT_EQ(Render("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"),
            "10.1.0.2 10.0.0.2 ");
  EXPECT_EQ(Render("{{range .Config.Cmd}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(Render("{{range 3}}{{.}}{{end}}"), "012");
  EXPECT_EQ(Render("{{range .Args}}{{if eq . \"ls\"}}{{break}}{{end}}{{.}}"
                "{{end}}"),
            "-c");
  EXPECT_EQ(Render("{{range .Args}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}}"
                "{{end}}"),
            "ls");
  EXPECT_EQ(Render("{{range .State}}{{end}}"),
            "ERROR: template: :1:8: executing \"\" at <.State>: range can't "
            "iterate over {running true 42 0 <nil>}");
}

TEST(TemplateExecTest, Variables) {
  EXPECT_EQ(Render("{{$n := .Name}}{{$n}}{{$n = \"x\"}}{{$n}}"), "/webx");
  EXPECT_EQ(Render("{{range .Args}}{{$.Id}}{{end}}"), "abcabc");
  EXPECT_EQ(Render("{{$s := .State}}{{$s.Pid}}"), "42");
  EXPECT_EQ(Render("{{range $i, $a := .Args}}{{$x := $i}}{{$x}}{{end}}"), "01");
}

TEST(TemplateExecTest, PipelinesAndParentheses) {
  EXPECT_EQ(Render("{{.Name | upper}}"), "/WEB");
  EXPECT_EQ(Render("{{.Name | printf \"%s!\" | upper}}"), "/WEB!");
  EXPECT_EQ(Render("{{(index .Args 1) | len}}"), "2");
  EXPECT_EQ(Render("{{(.State).Status}}"), "running");
  EXPECT_EQ(Render("{{len (split \"a,b,c\" \",\")}}"), "3");
  EXPECT_EQ(Render("{{.Id 1}}"),
            "ERROR: template: :1:2: executing \"\" at <.Id>: Id has "
            "arguments but cannot be invoked as function");
  EXPECT_EQ(Render("{{\"x\" 1}}"),
            "ERROR: template: :1:2: executing \"\" at <\"x\">: can't give "
            "argument to non-function \"x\"");
  EXPECT_EQ(Render("{{nil}}"),
            "ERROR: template: :1:2: executing \"\" at <nil>: nil is not a "
            "command");
}

TEST(TemplateExecTest, MethodsOfTheRoot) {
  TemplateMethods methods;
  methods["Label"] = [](const std::vector<ordered_json>& args)
      -> absl::StatusOr<ordered_json> {
    if (args.size() != 1) {
      return absl::InvalidArgumentError("wrong number of args");
    }
    return ordered_json(args[0].get<std::string>() == "k" ? "v" : "");
  };
  TemplateOptions options;
  options.methods = &methods;
  const ordered_json row = {{"Names", "web"}, {"Labels", "k=v"}};
  EXPECT_EQ(Render("{{.Label \"k\"}}|{{.Label \"z\"}}|{{.Names}}", row, options),
            "v||web");
  EXPECT_EQ(Render("{{\"k\" | .Label}}", row, options), "v");
  EXPECT_EQ(Render("{{.Label}}", row, options),
            "ERROR: template: :1:2: executing \"\" at <.Label>: error calling "
            "Label: wrong number of args");
}

TEST(TemplateExecTest, PartialOutputStaysOnError) {
  absl::StatusOr<Template> tmpl = Template::Parse("a{{.Id}}b{{.Nope}}c");
  ASSERT_TRUE(tmpl.ok());
  std::string out;
  EXPECT_FALSE(tmpl->ExecuteTo(InspectData(), TemplateOptions(), &out).ok());
  EXPECT_EQ(out, "aabcb");
}

TEST(TemplateExecTest, LineAndColumnInMessages) {
  EXPECT_EQ(Render("line1\n  {{.Nope}}"),
            "ERROR: template: :2:4: executing \"\" at <.Nope>: can't "
            "evaluate field Nope in type struct");
}

}  // namespace
}  // namespace berth::ctl
