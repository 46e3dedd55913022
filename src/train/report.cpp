#include "train/report.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "io/file.h"
#include "io/gif.h"
#include "io/png.h"
#include "io/svg_plot.h"
#include "nn/losses.h"

namespace gan {

namespace {

constexpr size_t kMaxCsvBytes = size_t(1) << 28;

// The run's --loss from its config.json; bce (the default) when the file or the key is absent or
// unreadable, since the plots do not depend on anything else in it.
LossKind run_loss(const std::string& run_dir) {
    const std::string path = run_dir + "/config.json";
    if (!file_exists(path)) return LossKind::bce;
    std::vector<uint8_t> bytes = file_read_all(path, size_t(1) << 20);
    nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (!j.is_object() || !j.contains("loss") || !j["loss"].is_string()) return LossKind::bce;
    try {
        return loss_kind_from_string(j["loss"].get<std::string>());
    } catch (const Error&) {
        return LossKind::bce;
    }
}
constexpr int kBarGap = 2, kBarHeight = 4;  // the progress bar under each GIF frame, in pixels

std::vector<std::string> split_commas(const std::string& line) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (;;) {
        const size_t comma = line.find(',', start);
        cells.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos) return cells;
        start = comma + 1;
    }
}

struct FixedGrid {
    int epoch;
    std::string path;
};

// samples/fixed_epoch_<digits>.png, sorted by epoch number.
std::vector<FixedGrid> list_fixed_grids(const std::string& samples_dir) {
    std::vector<FixedGrid> grids;
    std::error_code ec;
    if (!std::filesystem::is_directory(samples_dir, ec)) return grids;
    const std::string prefix = "fixed_epoch_", suffix = ".png";
    for (const auto& entry : std::filesystem::directory_iterator(samples_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        grids.push_back({std::atoi(digits.c_str()), samples_dir + "/" + name});
    }
    GAN_CHECK(!ec, samples_dir, ": cannot list: ", ec.message());
    std::sort(grids.begin(), grids.end(), [](const FixedGrid& a, const FixedGrid& b) { return a.epoch < b.epoch; });
    return grids;
}

// At most max evenly spaced items of n, always the first and the last.
std::vector<size_t> spread(size_t n, size_t max) {
    std::vector<size_t> pick;
    if (n <= max) {
        for (size_t i = 0; i < n; ++i) pick.push_back(i);
        return pick;
    }
    for (size_t i = 0; i < max; ++i) {
        const size_t k = max == 1 ? n - 1 : (i * (n - 1) + (max - 1) / 2) / (max - 1);
        if (pick.empty() || k != pick.back()) pick.push_back(k);
    }
    return pick;
}

// Whether every k x k block of g is uniform (g is a k x k nearest-neighbour upscale).
bool is_upscale(const PngImage& g, int k) {
    if (g.width % k != 0 || g.height % k != 0) return false;
    const size_t C = size_t(g.channels), row = size_t(g.width) * C;
    for (int y = 0; y < g.height; ++y)
        for (int x = 0; x < g.width; ++x)
            if (std::memcmp(&g.pixels[size_t(y) * row + size_t(x) * C],
                            &g.pixels[size_t(y - y % k) * row + size_t(x - x % k) * C], C) != 0)
                return false;
    return true;
}

PngImage shrink(const PngImage& g, int k) {
    if (k == 1) return g;
    const size_t C = size_t(g.channels);
    PngImage s{g.width / k, g.height / k, g.channels, {}};
    s.pixels.resize(size_t(s.width) * size_t(s.height) * C);
    for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
            std::memcpy(&s.pixels[(size_t(y) * size_t(s.width) + size_t(x)) * C],
                        &g.pixels[(size_t(y * k) * size_t(g.width) + size_t(x * k)) * C], C);
    return s;
}

}  // namespace

int MetricsCsv::column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return int(i);
    return -1;
}

MetricsCsv metrics_csv_read(const std::string& path) {
    const std::vector<uint8_t> bytes = file_read_all(path, kMaxCsvBytes);
    const std::string text(bytes.begin(), bytes.end());
    MetricsCsv csv;
    size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        std::vector<std::string> cells = split_commas(line);
        if (csv.header.empty()) {
            csv.header = cells;
            continue;
        }
        GAN_CHECK(cells.size() == csv.header.size(), path, ": line ", line_no, " has ", cells.size(),
                  " fields, the header has ", csv.header.size());
        std::vector<double> row(cells.size());
        for (size_t i = 0; i < cells.size(); ++i) {
            // An empty cell: a column added after the row was written (run_dir.h csv_keep_epochs).
            if (cells[i].empty()) {
                row[i] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            char* stop = nullptr;
            row[i] = std::strtod(cells[i].c_str(), &stop);
            GAN_CHECK(stop && *stop == 0, path, ": line ", line_no, ": ", csv.header[i], " = '",
                      cells[i], "' is not a number");
        }
        csv.rows.push_back(std::move(row));
    }
    GAN_CHECK(!csv.header.empty(), path, ": empty file (no header line)");
    return csv;
}

namespace {

// metrics.csv's epochs in order (a resumed run may repeat an epoch: the later row counts) and, per epoch,
// d_loss, g_loss, d_real, d_fake.
struct EpochSeries {
    std::vector<double> epoch, series[4];
};

EpochSeries read_epoch_series(const std::string& csv_path) {
    const MetricsCsv csv = metrics_csv_read(csv_path);
    const char* names[] = {"epoch", "d_loss", "g_loss", "d_real", "d_fake"};
    int col[5];
    for (int i = 0; i < 5; ++i) {
        col[i] = csv.column(names[i]);
        GAN_CHECK(col[i] >= 0, csv_path, ": no '", names[i], "' column in the header");
    }
    GAN_CHECK(!csv.rows.empty(), csv_path, ": no epochs recorded yet (only the header)");
    std::map<double, const std::vector<double>*> by_epoch;
    for (const auto& row : csv.rows) {
        GAN_CHECK(std::isfinite(row[col[0]]), csv_path, ": epoch '", row[col[0]], "' is not finite");
        by_epoch[row[col[0]]] = &row;
    }
    EpochSeries s;
    for (const auto& [e, row] : by_epoch) {
        s.epoch.push_back(e);
        for (int k = 0; k < 4; ++k) s.series[k].push_back((*row)[col[k + 1]]);
    }
    return s;
}

void write_charts(const std::string& run_dir, const EpochSeries& s, ReportSummary& r) {
    r.losses_svg = run_dir + "/losses.svg";
    r.probabilities_svg = run_dir + "/probabilities.svg";
    PlotOptions losses;
    losses.title = "GAN losses per epoch (means over the epoch's batches)";
    losses.x_label = "epoch";
    losses.y_label = "loss";
    losses.integer_x = true;
    svg_write_line_chart(r.losses_svg, s.epoch,
                         {{"discriminator (d_loss)", s.series[0]}, {"generator (g_loss)", s.series[1]}}, losses);
    // d_real and d_fake are means of sigmoid(D's output): D's probability that an image is real under
    // the BCE loss, a squashed score under the others.
    const bool bce = run_loss(run_dir) == LossKind::bce;
    PlotOptions probs;
    probs.title = bce ? "Discriminator outputs per epoch (means)"
                      : "sigmoid of the discriminator's scores per epoch (means; not probabilities for this loss)";
    probs.x_label = "epoch";
    probs.y_label = bce ? "probability" : "sigmoid(D)";
    probs.integer_x = true;
    probs.y_min = 0;
    probs.y_max = 1;
    probs.y_lines = {0.5};
    svg_write_line_chart(r.probabilities_svg, s.epoch,
                         {{bce ? "D(x), real (d_real)" : "sigmoid(D(x)), real (d_real)", s.series[2]},
                          {bce ? "D(G(z)), fake (d_fake)" : "sigmoid(D(G(z))), fake (d_fake)", s.series[3]}},
                         probs);
}

// One GIF frame: the grid, then a progress bar (epoch / last_epoch of the width filled) below it, in
// gray levels (the same in every channel of a colour grid).
GifImageFrame progress_frame(const PngImage& g, int epoch, int last_epoch, int delay_cs) {
    const size_t C = size_t(g.channels), W = size_t(g.width);
    GifImageFrame f{PngImage{g.width, g.height + kBarGap + kBarHeight, g.channels, g.pixels}, delay_cs};
    f.image.pixels.resize(W * size_t(f.image.height) * C, 0);
    const int filled = int(int64_t(g.width) * std::clamp(epoch, 0, last_epoch) / last_epoch);
    for (int y = g.height + kBarGap; y < f.image.height; ++y)
        for (int x = 0; x < g.width; ++x)
            std::memset(&f.image.pixels[(size_t(y) * W + size_t(x)) * C], x < filled ? 200 : 48, C);
    return f;
}

// The fixed-latent grids picked for the GIF, each with its epoch; colour when any grid is (all are
// then taken as RGB).
std::vector<std::pair<PngImage, int>> read_grids(const std::vector<FixedGrid>& grids, const std::vector<size_t>& pick) {
    std::vector<std::pair<PngImage, int>> picked;
    bool colour = false;
    for (size_t i : pick) {
        picked.emplace_back(png_read_image(grids[i].path), grids[i].epoch);
        const PngImage &g = picked.back().first, &g0 = picked.front().first;
        GAN_CHECK(g.width == g0.width && g.height == g0.height, grids[i].path, ": grid is ", g.width, "x", g.height,
                  ", the first is ", g0.width, "x", g0.height, " (all must match)");
        colour = colour || g.channels == 3;
    }
    if (colour)
        for (auto& p : picked) p.first = image_to_rgb(p.first);
    return picked;
}

void write_progress_gif(const std::string& run_dir, const ReportOptions& o, ReportSummary& r) {
    const std::vector<FixedGrid> grids = list_fixed_grids(run_dir + "/samples");
    if (grids.empty()) return;
    const int last_epoch = std::max(1, grids.back().epoch);
    const std::vector<std::pair<PngImage, int>> picked = read_grids(grids, spread(grids.size(), size_t(o.max_frames)));
    // The largest upscale factor all grids share (a blank grid alone would fit any).
    int k = 1;
    for (int f = 8; f >= 2 && k == 1 && o.native_size; --f)
        if (std::all_of(picked.begin(), picked.end(), [f](const auto& p) { return is_upscale(p.first, f); })) k = f;
    std::vector<GifImageFrame> frames;
    for (const auto& [grid, epoch] : picked)
        frames.push_back(progress_frame(shrink(grid, k), epoch, last_epoch, o.frame_delay_cs));
    frames.back().delay_cs = o.last_frame_delay_cs;
    r.gif = run_dir + "/progress.gif";
    r.frames = int(frames.size());
    gif_write_image(r.gif, frames, 0);
}

}  // namespace

ReportSummary report_write(const std::string& run_dir, const ReportOptions& o) {
    GAN_CHECK(o.max_frames >= 1 && o.frame_delay_cs >= 0 && o.frame_delay_cs <= 65535 &&
                  o.last_frame_delay_cs >= 0 && o.last_frame_delay_cs <= 65535,
              "report: invalid options max_frames=", o.max_frames, " frame_delay_cs=", o.frame_delay_cs,
              " last_frame_delay_cs=", o.last_frame_delay_cs);
    std::error_code ec;
    GAN_CHECK(std::filesystem::is_directory(run_dir, ec), run_dir, ": no such run directory");
    const std::string csv_path = run_dir + "/metrics.csv";
    GAN_CHECK(file_exists(csv_path), csv_path,
              ": not found (not a gan.cpp run directory, or no epoch has finished yet)");
    const EpochSeries s = read_epoch_series(csv_path);
    ReportSummary r;
    r.epochs = int(s.epoch.size());
    write_charts(run_dir, s, r);
    write_progress_gif(run_dir, o, r);
    return r;
}

}  // namespace gan
