#include "train_log.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/check.h"
#include "io/png.h"
#include "mpi/world.h"

namespace gan_cli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string duration_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s < 60) std::snprintf(buf, sizeof buf, "%lds", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%ldm %02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ldh %02ldm", s / 3600, s % 3600 / 60);
    return buf;
}

bool live_progress(bool plain, bool progress) {
    if (plain) return false;
    return progress || (isatty(STDOUT_FILENO) && !gan::launched_by_mpi());
}

double RunClock::eta(int64_t done, int64_t total) {
    if (first < 0) first = done - 1, start = std::chrono::steady_clock::now();
    const double t = seconds_since(start);
    return done > first && t > 0 ? double(total - done) * t / double(done - first) : 0;
}

void Progress::add(const gan::StepReport& s) {
    if (first_step < 0) first_step = s.step - 1;
    sum[0] += s.stats.d_loss, sum[1] += s.stats.g_loss, sum[2] += s.stats.d_real, sum[3] += s.stats.d_fake;
    ++n;
}

int64_t TrainLog::total_steps(const gan::StepReport& s) const {
    const int64_t all = int64_t(o.epochs) * s.steps;
    return o.max_steps > 0 ? std::min<int64_t>(all, o.max_steps) : all;
}

void TrainLog::step(const gan::StepReport& s) {
    prog.add(s);
    const int64_t done = int64_t(s.epoch - 1) * s.steps + s.step, total = total_steps(s);
    run_eta = run_clock.eta(done, total);
    if (!tty) return;
    double now = seconds_since(prog.epoch_start);
    if (s.step != s.steps && now - prog.last_draw < 0.1) return;
    prog.last_draw = now;
    double ips = now > 0 ? double(s.step - prog.first_step) * o.batch / now : 0;
    double eta = ips > 0 ? double(s.steps - s.step) * o.batch / ips : 0;
    // The epoch's ETA, and the run's where more than this epoch remains.
    const std::string run = total - done > s.steps - s.step ? ", run " + duration_text(run_eta) : "";
    std::printf("\rEpoch %d/%d  step %d/%d  %.0f img/s  ETA %s%s  D loss %.4f  G loss %.4f  %s %.3f  "
                "%s %.3f\033[K",
                s.epoch, o.epochs, s.step, s.steps, ips, duration_text(eta).c_str(), run.c_str(),
                prog.sum[0] / prog.n, prog.sum[1] / prog.n, d_x, prog.sum[2] / prog.n, d_gz, prog.sum[3] / prog.n);
    std::fflush(stdout);
}

void TrainLog::tensorboard(const gan::EpochReport& r) {
    std::vector<std::pair<std::string, double>> scalars = {
        {"loss/d", r.d_loss}, {"loss/g", r.g_loss}, {"prob/d_real", r.d_real}, {"prob/d_fake", r.d_fake},
        {"speed/images_per_s", r.images_per_s}, {"speed/data_share", r.data_share},
        {"speed/comm_share", r.comm_share}, {"augment/p", r.augment_p}};
    for (auto& [name, v] : r.eval) scalars.push_back({"eval/" + name, v});
    tb->add_scalars(scalars, r.epoch);
    tb->add_image("samples/fixed", gan::png_read_image(r.fixed_png), r.epoch);
    tb->flush();
}

void TrainLog::epoch(const gan::EpochReport& r) {
    if (tb) tensorboard(r);
    if (tty) std::printf("\r\033[K");
    // The run's ETA while epochs remain (as of the epoch's last step).
    const std::string eta = r.epoch < r.epochs && run_eta > 0 ? ", run ETA " + duration_text(run_eta) : "";
    const std::string p = o.augment_target > 0 ? gan::str(", augment p ", r.augment_p) : "";
    std::printf("Epoch %d/%d... Discriminator Loss: %.4f... Generator Loss: %.4f  (%.2f s, %.0f img/s, "
                "%s %.3f, %s %.3f%s%s)\n",
                r.epoch, r.epochs, r.d_loss_last, r.g_loss_last, r.seconds, r.images_per_s, d_x, r.d_real, d_gz,
                r.d_fake, p.c_str(), eta.c_str());
    for (auto& [name, v] : r.eval) std::printf("  %s %.4f\n", name.c_str(), v);
    std::fflush(stdout);
    prog = Progress();
}

}  // namespace gan_cli
