// Names of enum values, the one way every enum of the library is written and read as text (flags,
// metadata, config.json): a table of names in the enum's declaration order.
#pragma once
#include <cstddef>
#include <string>

#include "core/check.h"

namespace gan {

// The enum value whose name is `name`; throws "unknown <what> '<name>' (known: a, b, c)".
template <class E, size_t N>
E enum_from_name(const char* const (&names)[N], const std::string& name, const std::string& what) {
    std::string known;
    for (size_t i = 0; i < N; ++i) {
        if (name == names[i]) return E(i);
        known += (i ? ", " : "") + std::string(names[i]);
    }
    throw Error(str("unknown ", what, " '", name, "' (known: ", known, ")"));
}

template <class E, size_t N>
const char* enum_name(const char* const (&names)[N], E value) {
    const size_t i = size_t(value);
    GAN_CHECK(i < N, "enum value ", i, " has no name");
    return names[i];
}

}  // namespace gan
