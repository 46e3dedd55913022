// The one line `gan` prints when the command line does not parse: the unknown command or flag named,
// with the closest existing one suggested, and the --help that lists the command's flags.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace gan_cli {

// The message for a parse error `what` (CLI11's text) of the arguments args (argv without the program
// name) given to app. It names the first word of args that is neither a command nor a flag where one
// is expected ("--checkpiont: no such flag of gan sample; did you mean --checkpoint? (see gan sample
// --help)"), since CLI11 reports such a word late or not at all (it reports a required flag missing
// first); otherwise CLI11's text with the --help of the command it was parsing.
std::string explain_parse_error(const CLI::App& app, const std::vector<std::string>& args, const std::string& what);

// Of candidates, the one closest to word by optimal string alignment distance (adjacent
// transpositions count as one edit), if close enough to be a likely typo, else the one word is a
// prefix of (at least 3 characters); "" when none is.
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace gan_cli
