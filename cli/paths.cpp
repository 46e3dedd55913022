#include "paths.h"

namespace gan_cli {

namespace fs = std::filesystem;

fs::path program_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

fs::path installed_path(const std::string& rel) { return program_dir().parent_path() / "share/gan" / rel; }

fs::path source_tree_path(const std::string& rel) {
    fs::path file(__FILE__);  // <source tree>/cli/paths.cpp
    if (file.is_relative()) file = program_dir() / file;
    return (file.parent_path().parent_path() / rel).lexically_normal();
}

}  // namespace gan_cli
