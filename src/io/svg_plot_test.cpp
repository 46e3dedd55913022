#include "io/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace gan {
namespace {

using testing::error_of;

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

// A small well-formedness check: every tag closes in order, attribute quotes pair up, and the
// text holds no raw '<' or '&' outside tags and entities.
void expect_well_formed(const std::string& svg) {
    std::vector<std::string> open;
    size_t i = 0;
    while (i < svg.size()) {
        if (svg[i] == '&') {
            const size_t semi = svg.find(';', i);
            ASSERT_NE(semi, std::string::npos);
            const std::string ent = svg.substr(i, semi - i + 1);
            EXPECT_TRUE(ent == "&amp;" || ent == "&lt;" || ent == "&gt;" || ent == "&quot;" || ent == "&apos;") << ent;
            i = semi + 1;
            continue;
        }
        if (svg[i] != '<') {
            ++i;
            continue;
        }
        size_t end = i + 1;
        bool quoted = false;
        while (end < svg.size() && (quoted || svg[end] != '>')) {
            if (svg[end] == '"') quoted = !quoted;
            ASSERT_FALSE(svg[end] == '<') << "'<' inside a tag at " << end;
            ++end;
        }
        ASSERT_LT(end, svg.size()) << "unterminated tag at " << i;
        const std::string tag = svg.substr(i + 1, end - i - 1);
        const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" />", 1) - (tag[0] == '/' ? 1 : 0));
        if (tag[0] == '/') {
            ASSERT_FALSE(open.empty()) << "</" << name << "> closes nothing";
            ASSERT_EQ(open.back(), name);
            open.pop_back();
        } else if (tag.back() != '/') {
            open.push_back(name);
        }
        i = end + 1;
    }
    EXPECT_TRUE(open.empty()) << open.size() << " tags left open, first " << (open.empty() ? "" : open[0]);
}

TEST(SvgPlot, NiceTicks) {
    EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
    EXPECT_EQ(nice_ticks(-3, 7, 5), (std::vector<double>{-4, -2, 0, 2, 4, 6, 8}));
    EXPECT_EQ(nice_ticks(1, 100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
    const std::vector<double> t = nice_ticks(0.23, 0.71, 6);
    ASSERT_EQ(t.size(), 7u);
    EXPECT_NEAR(t.front(), 0.2, 1e-12);
    EXPECT_NEAR(t.back(), 0.8, 1e-12);
    const std::vector<double> flat = nice_ticks(5, 5, 4);  // a zero range still gives an axis
    EXPECT_LT(flat.front(), 5);
    EXPECT_GT(flat.back(), 5);
    for (double v : nice_ticks(-1e-3, 2e-3)) EXPECT_FALSE(std::signbit(v) && v == 0);
}

TEST(SvgPlot, DrawsSeriesLegendAxesAndGaps) {
    const double nan = std::nan("");
    const std::vector<double> x = {1, 2, 3, 4, 5, 6};
    PlotOptions o;
    o.title = "Losses <per epoch>";
    o.x_label = "epoch";
    o.y_label = "loss";
    o.integer_x = true;
    const std::string svg = svg_line_chart(
        x, {{"d_loss", {1.2, 1.1, 1.0, 0.9, 0.95, 0.9}}, {"g & loss", {2, 1.8, nan, 1.5, 1.6, 1.4}}}, o);
    expect_well_formed(svg);
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_CONTAINS(svg, "Losses &lt;per epoch&gt;");
    EXPECT_CONTAINS(svg, ">d_loss</text>");
    EXPECT_CONTAINS(svg, ">g &amp; loss</text>");
    EXPECT_EQ(count(svg, "<polyline"), 3u);  // d_loss whole, g_loss split by the NaN
    EXPECT_CONTAINS(svg, ">epoch</text>");
    for (const char* tick : {">1</text>", ">6</text>", ">0.8</text>", ">2.0</text>"}) EXPECT_CONTAINS(svg, tick);
    EXPECT_EQ(svg.find(">1.5</text>"), std::string::npos) << "integer_x must not put ticks between epochs";
}

TEST(SvgPlot, FixedRangeReferenceLinesAndLonePoints) {
    PlotOptions o;
    o.y_min = 0;
    o.y_max = 1;
    o.y_lines = {0.5};
    const std::string svg = svg_line_chart({1}, {{"D(x)", {0.7}}, {"D(G(z))", {0.3}}}, o);
    expect_well_formed(svg);
    EXPECT_EQ(count(svg, "<polyline"), 0u);
    EXPECT_EQ(count(svg, "<circle"), 2u);
    EXPECT_EQ(count(svg, "stroke-dasharray"), 1u);
    EXPECT_CONTAINS(svg, ">0.0</text>");
    EXPECT_CONTAINS(svg, ">1.0</text>");
    expect_well_formed(svg_line_chart({}, {}, PlotOptions{}));
    expect_well_formed(svg_line_chart({1, 2}, {{"flat", {3, 3}}}, PlotOptions{}));
}

TEST(SvgPlot, RejectsBadInput) {
    EXPECT_CONTAINS(error_of([] { svg_line_chart({1, 2}, {{"a", {1}}}, {}); }), "series 'a' has 1 values for 2");
    EXPECT_CONTAINS(error_of([] { svg_line_chart({2, 1}, {}, {}); }), "strictly increasing");
    PlotOptions o;
    o.y_min = 1;
    o.y_max = 0;
    EXPECT_CONTAINS(error_of([&] { svg_line_chart({1}, {}, o); }), "y_min");
    testing::TempFolder dir;
    const std::string path = dir.file("missing/chart.svg");
    EXPECT_CONTAINS(error_of([&] { svg_write_line_chart(path, {1}, {}, {}); }), path);
    svg_write_line_chart(dir.file("c.svg"), {1, 2}, {{"a", {1, 2}}}, {});
    const std::vector<uint8_t> bytes = testing::read_bytes(dir.file("c.svg"));
    expect_well_formed(std::string(bytes.begin(), bytes.end()));
}

}  // namespace
}  // namespace gan
