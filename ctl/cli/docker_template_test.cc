// Docker's CLI around templates: directives, listings, inspect and its
// fallback, version and info documents.
#include "ctl/cli/docker_template.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

std::vector<TemplateRow> Rows() {
  TemplateRow a{{{"ID", "a1"}, {"Names", "x"}, {"Labels", "k=v"}}, {}};
  a.methods["Label"] = [](const std::vector<ordered_json>& args)
      -> absl::StatusOr<ordered_json> {
    return ordered_json(args.at(0) == "k" ? "v" : "");
  };
  TemplateRow b{{{"ID", "b2"}, {"Names", "yy"}, {"Labels", ""}}, {}};
  b.methods["Label"] = [](const std::vector<ordered_json>&)
      -> absl::StatusOr<ordered_json> { return ordered_json(""); };
  return {a, b};
}

ListTemplate List(const std::string& format) {
  return ListTemplate{format,
                      {{"ID", "CONTAINER ID"}, {"Names", "NAMES"},
                       {"Labels", "LABELS"}},
                      "*formatter.ContainerContext"};
}

TEST(DockerTemplateTest, TemplateText) {
  EXPECT_EQ(DockerTemplateText("json"), "{{json .}}");
  EXPECT_EQ(DockerTemplateText("table {{.ID}}\\t{{.Names}}\\n"),
            "{{.ID}}\t{{.Names}}\n");
  EXPECT_EQ(DockerTemplateText("  {{.ID}}\t "), "{{.ID}}\t");
  EXPECT_TRUE(IsTableFormat("table {{.ID}}"));
  EXPECT_FALSE(IsTableFormat("{{.ID}} table"));
}

TEST(DockerTemplateTest, ListsPlainTableAndJson) {
  EXPECT_EQ(*RenderListTemplate(List("{{.ID}} {{.Names}}"), Rows()),
            "a1 x\nb2 yy\n");
  EXPECT_EQ(*RenderListTemplate(List("table {{.ID}}\\t{{.Names}}"), Rows()),
            "CONTAINER ID   NAMES\n"
            "a1             x\n"
            "b2             yy\n");
  EXPECT_EQ(*RenderListTemplate(List("json"), Rows()),
            "{\"ID\":\"a1\",\"Names\":\"x\",\"Labels\":\"k=v\"}\n"
            "{\"ID\":\"b2\",\"Names\":\"yy\",\"Labels\":\"\"}\n");
  // Header functions leave the column names alone.
  EXPECT_EQ(*RenderListTemplate(List("table {{lower .Names}}"), Rows()),
            "NAMES\nx\nyy\n");
}

TEST(DockerTemplateTest, RowsMarshalThemselvesWithHtmlEscapes) {
  std::vector<TemplateRow> rows = {
      TemplateRow{{{"Repository", "<none>"}, {"Tag", "a&b"}}, {}}};
  ListTemplate list{"json", {}, "*formatter.ImageContext"};
  EXPECT_EQ(*RenderListTemplate(list, rows),
            "{\"Repository\":\"\\u003cnone\\u003e\",\"Tag\":\"a\\u0026b\"}\n");
  // A field's json is Go's encoder without HTML escaping.
  list.format = "{{json .Repository}}";
  EXPECT_EQ(*RenderListTemplate(list, rows), "\"<none>\"\n");
}

TEST(DockerTemplateTest, LabelMethodAndItsHeader) {
  EXPECT_EQ(*RenderListTemplate(List("{{.Names}}={{.Label \"k\"}}"), Rows()),
            "x=v\nyy=\n");
  // The header has no Label: Docker keeps what printed before the error.
  EXPECT_EQ(*RenderListTemplate(List("table {{.Names}}\\t{{.Label \"k\"}}"),
                                Rows()),
            "NAMES     \n"
            "x         v\n"
            "yy        \n");
}

TEST(DockerTemplateTest, ListErrorsInDockersWords) {
  absl::StatusOr<std::string> bad = RenderListTemplate(List("{{.ID"), Rows());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "template parsing error: template: :1: unclosed action");
  bad = RenderListTemplate(List("{{.Foo}}"), Rows());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "template parsing error: template: :1:2: executing \"\" at "
            "<.Foo>: can't evaluate field Foo in type "
            "*formatter.ContainerContext");
  EXPECT_EQ(ValidateListTemplate(List("{{.ID"), Rows()[0]).message(),
            "failed to parse template: template: :1: unclosed action");
  EXPECT_EQ(ValidateListTemplate(List("{{.Foo}}"), Rows()[0]).message(),
            "failed to execute template: template: :1:2: executing \"\" at "
            "<.Foo>: can't evaluate field Foo in type "
            "*formatter.ContainerContext");
  EXPECT_TRUE(ValidateListTemplate(List("{{.Label \"x\"}}"), Rows()[1]).ok());
}

TEST(DockerTemplateTest, InspectFallsBackToRawJson) {
  const std::vector<ordered_json> items = {
      ordered_json::parse(R"({"Id":"a","Config":{"Labels":{"k":"v"}}})"),
      ordered_json::parse(R"({"Id":"b","Config":{"Labels":null}})")};
  std::string out;
  std::vector<absl::Status> errors;
  ASSERT_TRUE(RenderInspectTemplate("{{.Id}} {{.Config.Labels.k}}", items,
                                    &out, &errors).ok());
  EXPECT_EQ(out, "a v\nb <no value>\n");
  EXPECT_TRUE(errors.empty());
  out.clear();
  ASSERT_TRUE(RenderInspectTemplate("{{.Nope}}", items, &out, &errors).ok());
  EXPECT_EQ(out, "\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message(),
            "template parsing error: template: :1:2: executing \"\" at "
            "<.Nope>: map has no entry for key \"Nope\"");
  EXPECT_EQ(RenderInspectTemplate("{{.Id", items, &out, &errors).message(),
            "template parsing error: template: :1: unclosed action");
}

TEST(DockerTemplateTest, Documents) {
  const ordered_json version = {{"Client", {{"Version", "1.0"}}},
                                {"Server", {{"Version", "2.0"}}}};
  std::string partial;
  bool parse_error = false;
  EXPECT_EQ(*RenderDocumentTemplate("{{.Server.Version}}", "version", version,
                                    true, &partial, &parse_error),
            "2.0\n");
  EXPECT_EQ(*RenderDocumentTemplate("a\\tb:\t{{.Client.Version}}", "version",
                                    version, true, &partial, &parse_error),
            "a\\tb:               1.0\n");
  absl::StatusOr<std::string> bad = RenderDocumentTemplate(
      "{{.Client.Version", "version", version, true, &partial, &parse_error);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(parse_error);
  EXPECT_EQ(bad.status().message(),
            "template parsing error: template: version:1: unclosed action");
  bad = RenderDocumentTemplate("x{{.Nope}}", "", version, false, &partial,
                               &parse_error);
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(parse_error);
  EXPECT_EQ(partial, "x\n");
}

}  // namespace
}  // namespace berth::ctl
