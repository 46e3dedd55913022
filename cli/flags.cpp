#include "flags.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace gan_cli {

CLI::Validator unsigned_range(uint64_t lo, uint64_t hi) {
    // No description: --help keeps showing the flag's type alone.
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            const std::string refused =
                "Value " + text + " not in range " + std::to_string(lo) + " to " + std::to_string(hi);
            const char* p = text.c_str();
            while (std::isspace(static_cast<unsigned char>(*p))) ++p;
            char* end = nullptr;
            errno = 0;
            if (*p == '-') {  // strtoull would accept it and wrap
                const long long v = std::strtoll(p, &end, 0);
                if (end == p || *end != '\0') return "";  // not a number: CLI11's conversion reports it
                return v == 0 && lo == 0 ? "" : refused;
            }
            const unsigned long long v = std::strtoull(p, &end, 0);
            if (end == p || *end != '\0') return "";
            if (errno == ERANGE || v < lo || v > hi) return refused;
            return "";
        },
        "");
}

CLI::Option* add_checkpoint_flag(CLI::App& app, std::string& checkpoint) {
    return app.add_option("--checkpoint,-c", checkpoint, "Checkpoint file (generator or full state) or a run directory")
        ->required();
}

void check_unsigned_flags(CLI::App& app) {
    for (CLI::Option* opt : app.get_options())
        if (opt->get_type_name().rfind("UINT", 0) == 0) opt->check(unsigned_range(0, UINT64_MAX));
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) check_unsigned_flags(*sub);
}

}  // namespace gan_cli
