#include "metrics/prdc.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/check.h"
#include "backend/backend.h"

namespace gan {

static std::vector<float> sq_norms(const float* x, size_t n, int d) {
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) {
        double s = 0;
        for (int j = 0; j < d; ++j) s += double(x[i * d + j]) * x[i * d + j];
        out[i] = float(s);
    }
    return out;
}

void distance_blocks(const float* a, size_t na, const float* b, size_t nb, int d,
                     const std::function<void(size_t, size_t, const float*)>& fn, size_t block) {
    GAN_CHECK(d >= 1 && block >= 1, "distance_blocks: bad sizes");
    if (na == 0 || nb == 0) return;
    const std::vector<float> na2 = sq_norms(a, na, d), nb2 = sq_norms(b, nb, d);
    std::vector<float> d2(std::min(block, na) * nb);
    for (size_t i0 = 0; i0 < na; i0 += block) {
        const size_t rows = std::min(block, na - i0);
        // d2 = −2 A Bᵀ, then + |a|² + |b|²
        host_backend().gemm(false, true, int(rows), int(nb), d, -2.0f, a + i0 * d, d, b, d, 0.0f, d2.data(), int(nb));
        for (size_t r = 0; r < rows; ++r) {
            float* row = d2.data() + r * nb;
            const float ai = na2[i0 + r];
            for (size_t j = 0; j < nb; ++j) row[j] = std::max(row[j] + ai + nb2[j], 0.0f);
        }
        fn(i0, rows, d2.data());
    }
}

std::vector<float> knn_radii(const float* x, size_t n, int d, int k) {
    GAN_CHECK(k >= 1 && n > size_t(k), "k-NN radii need more than k = ", k, " points, got ", n);
    std::vector<float> radii(n);
    std::vector<float> best(k);
    distance_blocks(x, n, x, n, d, [&](size_t i0, size_t rows, const float* d2) {
        for (size_t r = 0; r < rows; ++r) {
            const size_t self = i0 + r;
            const float* row = d2 + r * n;
            int have = 0;  // best[0..have) ascending: the smallest distances so far
            for (size_t j = 0; j < n; ++j) {
                if (j == self) continue;
                const float v = row[j];
                if (have == k && v >= best[k - 1]) continue;
                int pos = have < k ? have++ : k - 1;
                while (pos > 0 && best[pos - 1] > v) {
                    best[pos] = best[pos - 1];
                    --pos;
                }
                best[pos] = v;
            }
            radii[self] = best[k - 1];
        }
    });
    return radii;
}

std::vector<float> nearest_sq_dists(const float* a, size_t na, const float* b, size_t nb, int d) {
    GAN_CHECK(nb >= 1, "nearest neighbours need a non-empty reference set");
    std::vector<float> out(na);
    distance_blocks(a, na, b, nb, d, [&](size_t i0, size_t rows, const float* d2) {
        for (size_t r = 0; r < rows; ++r) out[i0 + r] = *std::min_element(d2 + r * nb, d2 + (r + 1) * nb);
    });
    return out;
}

Prdc prdc(const float* real, size_t m, const float* fake, size_t n, int d, int k, const std::vector<float>* real_radii) {
    std::vector<float> own;
    if (!real_radii) {
        own = knn_radii(real, m, d, k);
        real_radii = &own;
    }
    GAN_CHECK(real_radii->size() == m, "prdc: real radii do not match the real set");
    const std::vector<float> fake_radii = knn_radii(fake, n, d, k);
    const std::vector<float>& rr = *real_radii;
    std::vector<float> nearest_fake(m, std::numeric_limits<float>::infinity());
    std::vector<uint8_t> recalled(m, 0);
    size_t precise = 0, inside = 0;
    distance_blocks(fake, n, real, m, d, [&](size_t i0, size_t rows, const float* d2) {
        for (size_t r = 0; r < rows; ++r) {
            const float* row = d2 + r * m;
            const float fr = fake_radii[i0 + r];
            size_t count = 0;
            for (size_t j = 0; j < m; ++j) {
                const float v = row[j];
                count += v <= rr[j];
                recalled[j] |= v <= fr;
                nearest_fake[j] = std::min(nearest_fake[j], v);
            }
            inside += count;
            precise += count > 0;
        }
    });
    Prdc p;
    size_t rec = 0, cov = 0;
    for (size_t j = 0; j < m; ++j) {
        rec += recalled[j];
        cov += nearest_fake[j] <= rr[j];
    }
    p.precision = double(precise) / double(n);
    p.recall = double(rec) / double(m);
    p.density = double(inside) / (double(k) * double(n));
    p.coverage = double(cov) / double(m);
    return p;
}

}  // namespace gan
