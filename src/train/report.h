// The end-of-run report of a run directory (also `gan report RUN_DIR`): from metrics.csv and
// samples/fixed_epoch_NNN.png it writes, each atomically,
//   progress.gif        the fixed-latent grids in epoch order, looping, with a bar under each
//                       frame that fills as the epochs go by; the last frame is held longer;
//                       at most max_frames frames, at the grids' native size (see ReportOptions);
//                       gray for gray grids (lossless), colour for RGB grids (gif.h's fixed
//                       palette: within 25 levels a channel, grays within 3)
//   losses.svg          d_loss and g_loss (epoch means) per epoch
//   probabilities.svg   d_real = mean D(x) and d_fake = mean D(G(z)) per epoch, on [0, 1]
#pragma once
#include <string>
#include <vector>

namespace gan {

// A CSV of numbers with a header line, as the trainer writes metrics.csv.
struct MetricsCsv {
    std::vector<std::string> header;
    std::vector<std::vector<double>> rows;  // each as long as header
    int column(const std::string& name) const;  // index in header, -1 when absent
};

// Throws a one-line gan::Error naming the path (and line) for a missing file, an empty file,
// rows of the wrong length or cells that are not numbers. Blank lines are skipped.
MetricsCsv metrics_csv_read(const std::string& path);

struct ReportOptions {
    int max_frames = 60;             // more epochs than this: evenly spaced ones, first and last kept
    // Store the grids at their native size: a grid that is an exact k x k nearest-neighbour
    // upscale (k = 8..2, every k x k block uniform; the trainer writes k = 2) is shrunk by k,
    // making the GIF about 2.5x smaller. false keeps the PNGs' size.
    bool native_size = true;
    int frame_delay_cs = 20;         // 1/100 s per frame
    int last_frame_delay_cs = 200;   // the final grid stays up before the loop restarts
};

struct ReportSummary {
    int epochs = 0;          // rows of metrics.csv (one per epoch; a repeated epoch counts once)
    int frames = 0;          // frames in progress.gif
    std::string gif;         // "" when the run has no samples/fixed_epoch_*.png (then no GIF)
    std::string losses_svg, probabilities_svg;
};

// Reads run_dir/metrics.csv (columns epoch, d_loss, g_loss, d_real, d_fake, found by name) and
// run_dir/samples/fixed_epoch_*.png, and writes the three files above into run_dir. When an
// epoch appears twice in metrics.csv (a run stopped between writing the row and its checkpoint,
// then resumed) the later row wins. Throws a one-line gan::Error naming the file when the run
// directory or its metrics are missing or malformed, or the grids differ in size.
ReportSummary report_write(const std::string& run_dir, const ReportOptions& options = {});

}  // namespace gan
