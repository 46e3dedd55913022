// The files of a run directory that the trainer keeps (docs: README "The run directory"): checking
// and clearing a directory, appending to its logs, and tidying what a killed run left behind.
#pragma once
#include <string>

#include "io/file.h"

namespace gan {

// A directory holds a run when it has config.json or checkpoints/ (what every run writes first).
bool run_dir_holds_run(const std::string& dir);
// Removes everything inside dir, which stays (empty). Throws gan::Error naming what could not go.
void run_dir_clear(const std::string& dir);

// Rewrites the file with `text` appended (atomically: a reader sees the old or the new file); a
// missing file starts as `header`.
void file_append_atomic(const std::string& path, const std::string& text, const std::string& header = "");
// A run killed between writing an epoch's log rows and its checkpoint redoes that epoch on resume:
// drops the CSV rows (first column: epoch) past max_epoch so that no epoch appears twice.
// When `header` (without its newline) extends the file's header by columns at the end (a run started
// by a version that logged fewer), the file takes that header and its rows get those columns empty.
void csv_keep_epochs(const std::string& path, int max_epoch, const std::string& header = "");
// The files a run (re)starting at `epoch` (0: a new run) begins with: samples/ and checkpoints/, no
// temporary files of dead writers, config.json, and the logs (metrics.csv, steps.csv, eval.csv) holding
// no rows past `epoch`.
void run_dir_prepare(const std::string& dir, const std::string& config_json, int epoch);
// RUN_DIR/checkpoints/generator_epoch_NNN.safetensors, the generator of epoch `epoch` (from 1).
std::string run_dir_generator_path(const std::string& dir, int epoch);
// --keep-checkpoints N (0: keep all): after epoch `epoch`, removes the generators of the epochs before
// the last N, except every --keep-every K-th (0: none). Every earlier epoch is looked at, so a resumed
// run given a smaller N prunes what the earlier part left. Throws naming a file that cannot go.
void run_dir_prune_generators(const std::string& dir, int epoch, int keep_last, int keep_every);

// A write killed half-way leaves its temporary file (`<name>.tmp.<pid>`); nothing reads them. Removes
// those of processes that no longer run; a live process's (`gan report` writing into the run) stay.
void remove_temp_files(const std::string& dir);

// The advisory lock that `gan train` holds on the run directory it writes: flock() on `<dir>/.lock`,
// which holds the holder's pid, so it ends with the process however that ends (a SIGKILL included) and
// a stale file locks nothing. Readers (gan sample, serve, eval) take no lock. Throws
// "<dir> is in use by gan train (pid N)" while another process holds it, and "<dir>/.lock: cannot
// create: <strerror>" when the file cannot be made.
class RunDirLock {
  public:
    explicit RunDirLock(const std::string& dir);

  private:
    UniqueFd fd_;  // closing the last descriptor releases the flock
};
inline constexpr const char* kRunDirLockName = ".lock";

}  // namespace gan
