// Line charts written directly as SVG 1.1 text (no plotting dependency): named series over a
// shared x axis, axes with "nice" ticks (1, 2 or 5 times a power of ten), grid lines, a legend
// and optional dashed horizontal reference lines. Used for the losses and D(x) / D(G(z)) per epoch.
#pragma once
#include <limits>
#include <string>
#include <vector>

namespace gan {

struct PlotSeries {
    std::string name;
    std::vector<double> y;  // one value per x; NaN or infinite values leave a gap in the line
};

struct PlotOptions {
    std::string title, x_label, y_label;
    int width = 720, height = 420;  // pixels, 200..10000 x 150..10000
    // The y range; NaN takes that end from the data, widened to the nearest tick.
    double y_min = std::numeric_limits<double>::quiet_NaN();
    double y_max = std::numeric_limits<double>::quiet_NaN();
    bool integer_x = false;         // x ticks at whole numbers only (epochs)
    std::vector<double> y_lines;    // dashed reference lines, e.g. 0.5 for probabilities
};

// The SVG document. x must be strictly increasing and every series as long as x (x may be empty
// or hold one point: the chart is still valid, with markers for lone points). Names and titles are
// XML-escaped. Throws gan::Error for mismatched lengths or non-finite x.
std::string svg_line_chart(const std::vector<double>& x, const std::vector<PlotSeries>& series,
                           const PlotOptions& options);

// svg_line_chart written atomically to path; errors name the path.
void svg_write_line_chart(const std::string& path, const std::vector<double>& x,
                          const std::vector<PlotSeries>& series, const PlotOptions& options);

// Tick positions covering [lo, hi] with about `target` steps of 1, 2 or 5 times a power of ten,
// from floor(lo / step) * step to ceil(hi / step) * step. lo <= hi, both finite.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace gan
