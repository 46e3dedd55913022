// A bound on how deeply JSON text nests arrays and objects, checked before nlohmann/json parses it:
// the parser builds one value per open bracket, so "[[[[..." twenty million deep would cost
// gigabytes and seconds before its error. Brackets inside strings do not count.
#pragma once
#include <cstddef>
#include <string>

namespace gan {

// Deeper than any file gan.cpp writes (safetensors headers and config.json nest 3 levels).
inline constexpr int kJsonMaxDepth = 64;

// The byte offset of the first bracket that opens level max_depth + 1, or std::string::npos when the
// text never nests that deep. Linear in n, allocates nothing, never fails on malformed text (the
// parser that follows reports that).
size_t json_too_deep_at(const char* text, size_t n, int max_depth = kJsonMaxDepth);

}  // namespace gan
