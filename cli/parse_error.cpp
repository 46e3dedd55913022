#include "parse_error.h"

#include <algorithm>
#include <cstdlib>

namespace gan_cli {

namespace {

size_t osa_distance(const std::string& a, const std::string& b) {
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
    for (size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (size_t i = 1; i <= n; ++i)
        for (size_t j = 1; j <= m; ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

std::string without_dashes(const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); }

bool is_number(const std::string& s) {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end != s.c_str() && *end == '\0';
}

std::vector<const CLI::App*> commands_of(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* c) { return !c->get_name().empty(); });
}

const CLI::App* command_named(const CLI::App& app, const std::string& name) {
    for (const CLI::App* c : commands_of(app))
        if (c->check_name(name)) return c;
    return nullptr;
}

std::vector<std::string> flag_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
        for (const std::string& s : o->get_snames()) names.push_back("-" + s);
    }
    return names;
}

// The commands below app ("gan train", "gan classifier train") that have the flag.
std::vector<std::string> commands_with_flag(const CLI::App& app, const std::string& flag, const std::string& path) {
    std::vector<std::string> found;
    for (const CLI::App* c : commands_of(app)) {
        const std::string here = path + " " + c->get_name();
        if (c->get_option_no_throw(flag) != nullptr && commands_of(*c).empty()) found.push_back(here);
        for (const std::string& f : commands_with_flag(*c, flag, here)) found.push_back(f);
    }
    return found;
}

std::string join_or(const std::vector<std::string>& words) {
    std::string s;
    for (size_t i = 0; i < words.size(); ++i) s += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    return s;
}

}  // namespace

std::string closest_word(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string w = without_dashes(word);
    const size_t allowed = w.size() <= 4 ? 1 : w.size() <= 8 ? 2 : 3;
    std::string best;
    size_t best_d = allowed + 1;
    for (const std::string& c : candidates) {
        const size_t d = osa_distance(w, without_dashes(c));
        if (d < best_d) best = c, best_d = d;
    }
    if (!best.empty() || w.size() < 3) return best;
    for (const std::string& c : candidates)
        if (without_dashes(c).rfind(w, 0) == 0 && (best.empty() || c.size() < best.size())) best = c;
    return best;
}

std::string explain_parse_error(const CLI::App& root, const std::vector<std::string>& args, const std::string& what) {
    const CLI::App* app = &root;
    std::string path = "gan";  // as the help and the README name the program, whatever argv[0] was
    for (const std::string& arg : args) {
        if (arg == "--") break;
        const bool dash = arg.size() > 1 && arg[0] == '-' && !is_number(arg);
        if (!dash) {
            if (commands_of(*app).empty()) continue;  // a value or a positional argument
            const CLI::App* next = command_named(*app, arg);
            if (next == nullptr) {
                std::vector<std::string> names;
                for (const CLI::App* c : commands_of(*app)) names.push_back(c->get_name());
                const std::string near = closest_word(arg, names);
                return arg + ": no such command of " + path +
                       (near.empty() ? "" : "; did you mean " + path + " " + near + "?") + " (see " + path + " --help)";
            }
            app = next;
            path += " " + next->get_name();
            continue;
        }
        const std::string flag = arg.substr(0, arg.find('='));
        if (app->get_option_no_throw(flag) != nullptr) continue;
        std::string msg = flag + ": no such flag of " + path;
        const std::string near = closest_word(flag, flag_names(*app));
        const std::vector<std::string> elsewhere = commands_with_flag(root, flag, "gan");
        if (!near.empty()) return msg + "; did you mean " + near + "? (see " + path + " --help)";
        if (!elsewhere.empty()) return msg + " (a flag of " + join_or(elsewhere) + "; see " + path + " --help)";
        return msg + " (see " + path + " --help)";
    }
    // The command line ends where a command is still to come: name them.
    if (!commands_of(*app).empty() && what.find("subcommand is required") != std::string::npos) {
        std::vector<std::string> names;
        for (const CLI::App* c : commands_of(*app)) names.push_back(c->get_name());
        return path + " needs a command: " + join_or(names) + " (see " + path + " --help)";
    }
    return what + " (see " + path + " --help)";
}

}  // namespace gan_cli
