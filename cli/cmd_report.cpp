// gan report RUN_DIR: progress.gif, losses.svg and probabilities.svg from a run's metrics.csv and
// samples/fixed_epoch_*.png (the trainer writes the same at the end of a run).
#include <cstdio>
#include <string>

#include "commands.h"
#include "train/report.h"

namespace gan_cli {

namespace {

struct ReportArgs {
    std::string run_dir;
    gan::ReportOptions o;
    bool full_size = false;
};

int run_report(const ReportArgs& a) {
    const gan::ReportSummary r = gan::report_write(a.run_dir, a.o);
    if (r.gif.empty())
        std::printf("no samples/fixed_epoch_*.png in %s: no progress.gif\n", a.run_dir.c_str());
    else
        std::printf("wrote %s (%d frames)\n", r.gif.c_str(), r.frames);
    std::printf("wrote %s and %s (%d epochs)\n", r.losses_svg.c_str(), r.probabilities_svg.c_str(), r.epochs);
    return 0;
}

}  // namespace

Run add_report(CLI::App& app) {
    auto a = std::make_shared<ReportArgs>();
    app.add_option("run_dir", a->run_dir, "Run directory (with metrics.csv and samples/)")->required();
    app.add_option("--max-frames", a->o.max_frames, "Most frames in progress.gif (evenly spaced epochs)")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    app.add_option("--delay", a->o.frame_delay_cs, "Time per frame in 1/100 s")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_option("--last-delay", a->o.last_frame_delay_cs, "Time the last frame stays, in 1/100 s")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_flag("--full-size", a->full_size, "Keep the sample grids' size in progress.gif (default: undo their 2x upscaling)");
    return [a] {
        a->o.native_size = !a->full_size;
        return run_report(*a);
    };
}

}  // namespace gan_cli
