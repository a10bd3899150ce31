#include "ctl/cli/template.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

ordered_json Data() {
  return ordered_json::parse(R"({
    "Id": "abc", "Name": "/web", "Args": ["-c", "ls"],
    "State": {"Status": "running", "Running": true, "Pid": 42, "Health": null},
    "Config": {"Labels": {"b": "2", "a": "1"}, "Env": ["A=1", "B=<&>"]}
  })");
}

std::string Render(const std::string& text) {
  absl::StatusOr<Template> tmpl = Template::Parse(text);
  EXPECT_TRUE(tmpl.ok()) << tmpl.status();
  if (!tmpl.ok()) return "";
  absl::StatusOr<std::string> out = tmpl->Execute(Data());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

TEST(TemplateTest, FieldsPrintAsGo) {
  EXPECT_EQ(Render("{{.State.Status}}"), "running");
  EXPECT_EQ(Render("{{.State.Running}} {{.State.Pid}}"), "true 42");
  EXPECT_EQ(Render("{{.Args}}"), "[-c ls]");
  EXPECT_EQ(Render("{{.Config.Labels}}"), "map[a:1 b:2]");
  EXPECT_EQ(Render("{{.State.Health}}"), "<nil>");
  EXPECT_EQ(Render("{{.Missing}}"), "<no value>");
  EXPECT_EQ(Render("id={{ .Id }}!"), "id=abc!");
}

TEST(TemplateTest, Functions) {
  EXPECT_EQ(Render("{{json .Config.Env}}"), "[\"A=1\",\"B=<&>\"]");
  EXPECT_EQ(Render("{{json .State}}"),
            "{\"Status\":\"running\",\"Running\":true,\"Pid\":42,"
            "\"Health\":null}");
  EXPECT_EQ(Render("{{index .Config.Labels \"a\"}}"), "1");
  EXPECT_EQ(Render("{{index .Args 1}}"), "ls");
  EXPECT_EQ(Render("{{join .Args \",\"}}"), "-c,ls");
  EXPECT_EQ(Render("{{upper .State.Status}}"), "RUNNING");
  EXPECT_EQ(Render("{{.Name | upper}}"), "/WEB");
  EXPECT_EQ(Render("{{len .Args}}"), "2");
  EXPECT_EQ(Render("{{println .Id}}"), "abc\n");
}

TEST(TemplateTest, TrimMarkers) {
  EXPECT_EQ(Render("a  {{- .Id -}}  b"), "aabcb");
}

TEST(TemplateTest, Errors) {
  EXPECT_FALSE(Template::Parse("{{.Id").ok());
  EXPECT_FALSE(Template::Parse("{{nosuch .Id}}").ok());
  EXPECT_FALSE(Template::Parse("{{range .Args}}x{{end}}").ok());
  absl::StatusOr<Template> tmpl = Template::Parse("{{.Id.Deeper}}");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_FALSE(tmpl->Execute(Data()).ok());
}

TEST(RenderRowsTest, TableAndPlain) {
  std::vector<ordered_json> rows = {ordered_json{{"ID", "a1"}, {"Names", "x"}},
                                    ordered_json{{"ID", "b2"}, {"Names", "yy"}}};
  ordered_json header{{"ID", "CONTAINER ID"}, {"Names", "NAMES"}};
  EXPECT_EQ(*RenderRows("{{.ID}} {{.Names}}", rows, header), "a1 x\nb2 yy\n");
  EXPECT_EQ(*RenderRows("table {{.ID}}\\t{{.Names}}", rows, header),
            "CONTAINER ID   NAMES\n"
            "a1             x\n"
            "b2             yy\n");
}

}  // namespace
}  // namespace berth::ctl
