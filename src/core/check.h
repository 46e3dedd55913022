// Errors and checks. Library code reports problems by throwing gan::Error with a one-line message
// that names the file or option and what is wrong; only cli/ prints it and chooses the exit code.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gan {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// str("a", 1, "b") -> "a1b": message building without <format> (g++ 12's libstdc++ lacks it).
template <typename... Args>
std::string str(const Args&... args) {
    std::ostringstream os;
    (os << ... << args);
    return os.str();
}

}  // namespace gan

// GAN_CHECK(cond, "message parts", ...) throws gan::Error when cond is false.
#define GAN_CHECK(cond, ...)                                  \
    do {                                                      \
        if (!(cond)) throw ::gan::Error(::gan::str(__VA_ARGS__)); \
    } while (0)
