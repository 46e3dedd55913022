// Where `gan` finds the files that come with it: beside an installed bin/gan (<prefix>/share/gan/...),
// else in the source tree it was built from.
#pragma once
#include <filesystem>
#include <string>

namespace gan_cli {

// The directory of the running program (/proc/self/exe's); empty when it cannot be read.
std::filesystem::path program_dir();
// <prefix>/share/gan/<rel> for a program installed as <prefix>/bin/gan.
std::filesystem::path installed_path(const std::string& rel);
// <source tree>/<rel>: the source tree this program was compiled from. The compiler may name the
// source file relative to the build directory (ccache's base_dir does so), which is where the
// program is built: such a name is taken from the program's own directory.
std::filesystem::path source_tree_path(const std::string& rel);

}  // namespace gan_cli
