// Flags shared by several sub-commands, and checks on numeric flags shared by every sub-command.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

namespace gan_cli {

// CLI11 (2.1) reads an unsigned flag with strtoull, which takes "-1" as 2^64 - 1 and turns anything
// past 2^64 - 1 into 2^64 - 1: a seed of -1 would silently become another seed. This check reads the
// flag's text as given and refuses a negative value or one outside [lo, hi] in CLI::Range's words
// ("--seed: Value -1 not in range 0 to 18446744073709551615"). Text that is no number at all passes
// on to CLI11's conversion, which reports it.
CLI::Validator unsigned_range(uint64_t lo, uint64_t hi);

// Adds unsigned_range(0, 2^64 - 1) to every unsigned flag of app and of its sub-commands, so no
// sub-command (now or added later) can let an unsigned flag wrap. Call it after every flag is added.
void check_unsigned_flags(CLI::App& app);

// The required --checkpoint (-c) of the commands that load a generator (export, interpolate, sample).
CLI::Option* add_checkpoint_flag(CLI::App& app, std::string& checkpoint);

// The arguments of a command that reads a generator and writes one file (export, interpolate), Args
// with members checkpoint and out, and its first two flags, both required: --checkpoint (-c) and
// --out (-o), described by out_help.
template <class Args>
std::shared_ptr<Args> args_with_checkpoint_and_out(CLI::App& app, const std::string& out_help) {
    auto a = std::make_shared<Args>();
    add_checkpoint_flag(app, a->checkpoint);
    app.add_option("--out,-o", a->out, out_help)->required();
    return a;
}

}  // namespace gan_cli
