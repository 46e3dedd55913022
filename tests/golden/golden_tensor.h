// The stored form of one PyTorch reference tensor, shared by the generated golden headers beside it.
#pragma once
#include <vector>

// Its sum, sum of |v|, max |v|, size, and values at idx (all of them when small).
struct GoldenTensor {
    const char* name;
    double sum, abs_sum, max_abs;
    int size;
    std::vector<int> idx;
    std::vector<float> val;
};
