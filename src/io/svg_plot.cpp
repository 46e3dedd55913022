#include "io/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/check.h"
#include "io/file.h"

namespace gan {

namespace {

// Matplotlib's "tab10" colours, in order.
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // Control characters are not allowed in XML 1.0 text.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
        }
    }
    return out;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// A tick label with as many decimals as the tick step needs.
std::string tick_label(double v, double step) {
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), std::abs(v) < step * 1e-9 ? 0.0 : v);
    return buf;
}

double tick_step(const std::vector<double>& ticks) { return ticks.size() >= 2 ? ticks[1] - ticks[0] : 1.0; }

void check_chart_inputs(const std::vector<double>& x, const std::vector<PlotSeries>& series, const PlotOptions& o,
                        const std::string& what) {
    GAN_CHECK(o.width >= 200 && o.width <= 10000 && o.height >= 150 && o.height <= 10000, what, ": chart size ",
              o.width, "x", o.height, " is not in 200..10000 x 150..10000");
    for (size_t i = 0; i < x.size(); ++i) {
        GAN_CHECK(std::isfinite(x[i]), what, ": x[", i, "] is not finite");
        GAN_CHECK(i == 0 || x[i] > x[i - 1], what, ": x must be strictly increasing (x[", i, "] = ", x[i],
                  " after ", x[i - 1], ")");
    }
    for (const PlotSeries& s : series)
        GAN_CHECK(s.y.size() == x.size(), what, ": series '", s.name, "' has ", s.y.size(), " values for ",
                  x.size(), " x values");
    GAN_CHECK(std::isnan(o.y_min) || std::isfinite(o.y_min), what, ": y_min is infinite");
    GAN_CHECK(std::isnan(o.y_max) || std::isfinite(o.y_max), what, ": y_max is infinite");
    GAN_CHECK(std::isnan(o.y_min) || std::isnan(o.y_max) || o.y_min < o.y_max, what, ": y_min ", o.y_min,
              " is not below y_max ", o.y_max);
}

// The y range: the finite values and reference lines, with the ends the options fix; never empty.
void y_range(const std::vector<PlotSeries>& series, const PlotOptions& o, double* lo, double* hi) {
    double y_lo = INFINITY, y_hi = -INFINITY;
    for (const PlotSeries& s : series)
        for (double v : s.y)
            if (std::isfinite(v)) y_lo = std::min(y_lo, v), y_hi = std::max(y_hi, v);
    for (double v : o.y_lines)
        if (std::isfinite(v)) y_lo = std::min(y_lo, v), y_hi = std::max(y_hi, v);
    if (!std::isnan(o.y_min)) y_lo = o.y_min;
    if (!std::isnan(o.y_max)) y_hi = o.y_max;
    if (!std::isfinite(y_lo) || !std::isfinite(y_hi)) y_lo = 0, y_hi = 1;  // no data at all
    if (y_lo > y_hi) std::swap(y_lo, y_hi);  // one end fixed beyond the data
    if (y_lo == y_hi) {
        const double pad = y_lo == 0 ? 1 : std::abs(y_lo) * 0.1;
        y_lo -= std::isnan(o.y_min) ? pad : 0;
        y_hi += std::isnan(o.y_max) ? pad : 0;
        if (y_lo == y_hi) y_hi = y_lo + pad;
    }
    *lo = y_lo, *hi = y_hi;
}

// Axis ranges, ticks and the plot area in pixels, and the mapping from data to pixels.
struct Frame {
    double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
    std::vector<double> xt, yt;  // tick positions
    double xs = 1, ys = 1;       // tick steps
    double left = 72, right = 0, top = 0, bottom = 0;
    double px(double v) const { return left + (v - x_lo) / (x_hi - x_lo) * (right - left); }
    double py(double v) const { return bottom - (v - y_lo) / (y_hi - y_lo) * (bottom - top); }
};

Frame make_frame(const std::vector<double>& x, const std::vector<PlotSeries>& series, const PlotOptions& o) {
    Frame f;
    f.x_lo = x.empty() ? 0 : x.front(), f.x_hi = x.empty() ? 1 : x.back();
    if (f.x_lo == f.x_hi) f.x_lo -= 1, f.x_hi += 1;
    y_range(series, o, &f.y_lo, &f.y_hi);
    f.xt = nice_ticks(f.x_lo, f.x_hi, 8);
    if (o.integer_x && tick_step(f.xt) < 1)
        f.xt = nice_ticks(std::floor(f.x_lo), std::ceil(f.x_hi), int(std::ceil(f.x_hi - f.x_lo)));
    f.yt = nice_ticks(f.y_lo, f.y_hi, 6);
    // The axes span the ticks, except for ends fixed by the options.
    f.x_lo = std::min(f.x_lo, f.xt.front()), f.x_hi = std::max(f.x_hi, f.xt.back());
    if (std::isnan(o.y_min)) f.y_lo = f.yt.front();
    if (std::isnan(o.y_max)) f.y_hi = f.yt.back();
    f.xs = tick_step(f.xt), f.ys = tick_step(f.yt);
    std::erase_if(f.yt, [&](double t) { return t < f.y_lo - f.ys * 1e-9 || t > f.y_hi + f.ys * 1e-9; });
    f.right = o.width - 20.0, f.top = o.title.empty() ? 20.0 : 44.0;
    f.bottom = o.height - (o.x_label.empty() ? 34.0 : 52.0);
    return f;
}

// The SVG head, title, grid, ticks, labels, frame and dashed reference lines.
std::string draw_axes(const Frame& f, const PlotOptions& o) {
    const double left = f.left, right = f.right, top = f.top, bottom = f.bottom;
    std::string s;
    s += str("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"", o.width, "\" height=\"",
             o.height, "\" viewBox=\"0 0 ", o.width, " ", o.height,
             "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
    s += str("<rect width=\"", o.width, "\" height=\"", o.height, "\" fill=\"white\"/>\n");
    s += str("<defs><clipPath id=\"plot\"><rect x=\"", num(left), "\" y=\"", num(top), "\" width=\"",
             num(right - left), "\" height=\"", num(bottom - top), "\"/></clipPath></defs>\n");
    if (!o.title.empty())
        s += str("<text x=\"", num((left + right) / 2), "\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">",
                 xml_escape(o.title), "</text>\n");
    s += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n";
    for (double t : f.xt) s += str("<line x1=\"", num(f.px(t)), "\" y1=\"", num(top), "\" x2=\"", num(f.px(t)), "\" y2=\"", num(bottom), "\"/>\n");
    for (double t : f.yt) s += str("<line x1=\"", num(left), "\" y1=\"", num(f.py(t)), "\" x2=\"", num(right), "\" y2=\"", num(f.py(t)), "\"/>\n");
    s += "</g>\n<g fill=\"#333\">\n";
    for (double t : f.xt)
        s += str("<text x=\"", num(f.px(t)), "\" y=\"", num(bottom + 18), "\" text-anchor=\"middle\">",
                 tick_label(t, f.xs), "</text>\n");
    for (double t : f.yt)
        s += str("<text x=\"", num(left - 8), "\" y=\"", num(f.py(t) + 4), "\" text-anchor=\"end\">",
                 tick_label(t, f.ys), "</text>\n");
    if (!o.x_label.empty())
        s += str("<text x=\"", num((left + right) / 2), "\" y=\"", num(o.height - 12.0),
                 "\" text-anchor=\"middle\">", xml_escape(o.x_label), "</text>\n");
    if (!o.y_label.empty())
        s += str("<text transform=\"translate(16 ", num((top + bottom) / 2), ") rotate(-90)\" text-anchor=\"middle\">",
                 xml_escape(o.y_label), "</text>\n");
    s += "</g>\n";
    s += str("<rect x=\"", num(left), "\" y=\"", num(top), "\" width=\"", num(right - left), "\" height=\"",
             num(bottom - top), "\" fill=\"none\" stroke=\"#333\"/>\n");
    for (double v : o.y_lines)
        if (std::isfinite(v) && v >= f.y_lo && v <= f.y_hi)
            s += str("<line x1=\"", num(left), "\" y1=\"", num(f.py(v)), "\" x2=\"", num(right), "\" y2=\"", num(f.py(v)),
                     "\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n");
    return s;
}

const char* series_color(size_t k) { return kColors[k % (sizeof kColors / sizeof kColors[0])]; }

// Series: one polyline per run of finite values; markers when points are few or alone.
std::string draw_series(const std::vector<double>& x, const std::vector<PlotSeries>& series, const Frame& f) {
    const bool markers = x.size() <= 40;
    std::string s = "<g clip-path=\"url(#plot)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n";
    for (size_t k = 0; k < series.size(); ++k) {
        const char* color = series_color(k);
        const std::vector<double>& y = series[k].y;
        s += str("<g stroke=\"", color, "\"><title>", xml_escape(series[k].name), "</title>\n");
        for (size_t i = 0; i < y.size();) {
            if (!std::isfinite(y[i])) {
                ++i;
                continue;
            }
            size_t j = i;
            std::string pts;
            for (; j < y.size() && std::isfinite(y[j]); ++j) pts += str(j > i ? " " : "", num(f.px(x[j])), ",", num(f.py(y[j])));
            if (j - i >= 2) s += str("<polyline points=\"", pts, "\"/>\n");
            for (size_t m = i; m < j; ++m)
                if (markers || j - i == 1)
                    s += str("<circle cx=\"", num(f.px(x[m])), "\" cy=\"", num(f.py(y[m])), "\" r=\"2.5\" fill=\"", color,
                             "\" stroke=\"none\"/>\n");
            i = j;
        }
        s += "</g>\n";
    }
    return s + "</g>\n";
}

// Legend, top right inside the plot area ("" without series).
std::string draw_legend(const std::vector<PlotSeries>& series, const Frame& f) {
    if (series.empty()) return "";
    size_t longest = 0;
    for (const PlotSeries& p : series) longest = std::max(longest, p.name.size());
    const double w = 38 + 7.0 * double(std::min<size_t>(longest, 40)), h = 8 + 18.0 * double(series.size());
    const double lx = f.right - w - 8, ly = f.top + 8;
    std::string s = str("<g><rect x=\"", num(lx), "\" y=\"", num(ly), "\" width=\"", num(w), "\" height=\"", num(h),
                        "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n");
    for (size_t k = 0; k < series.size(); ++k) {
        const double cy = ly + 13 + 18.0 * double(k);
        s += str("<line x1=\"", num(lx + 8), "\" y1=\"", num(cy), "\" x2=\"", num(lx + 28), "\" y2=\"", num(cy),
                 "\" stroke=\"", series_color(k), "\" stroke-width=\"2\"/>\n");
        s += str("<text x=\"", num(lx + 34), "\" y=\"", num(cy + 4), "\">", xml_escape(series[k].name), "</text>\n");
    }
    return s + "</g>\n";
}

std::string chart(const std::vector<double>& x, const std::vector<PlotSeries>& series, const PlotOptions& o,
                  const std::string& what) {
    check_chart_inputs(x, series, o, what);
    const Frame f = make_frame(x, series, o);
    return draw_axes(f, o) + draw_series(x, series, f) + draw_legend(series, f) + "</svg>\n";
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
    GAN_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && target >= 1, "nice_ticks: invalid range [",
              lo, ", ", hi, "] or target ", target);
    double range = hi - lo;
    if (range == 0) {  // a single value: centre it in an axis as wide as the value
        range = lo == 0 ? 1 : std::abs(lo);
        lo -= range / 2;
        hi += range / 2;
    }
    const double raw = range / std::min(target, 1000);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    std::vector<double> ticks;
    for (double i = first; i <= last; ++i) ticks.push_back(i * step == 0 ? 0.0 : i * step);  // no -0
    if (ticks.size() == 1) ticks.push_back((last + 1) * step);
    return ticks;
}

std::string svg_line_chart(const std::vector<double>& x, const std::vector<PlotSeries>& series,
                           const PlotOptions& options) {
    return chart(x, series, options, "svg_line_chart");
}

void svg_write_line_chart(const std::string& path, const std::vector<double>& x,
                          const std::vector<PlotSeries>& series, const PlotOptions& options) {
    file_write_atomic(path, chart(x, series, options, path + ": cannot write chart"));
}

}  // namespace gan
