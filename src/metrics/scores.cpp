#include "metrics/scores.h"

#include <cmath>

#include "core/check.h"

namespace gan {

ClassScores class_scores(const float* probs, size_t n, double min_share, int K) {
    GAN_CHECK(n >= 1, "class scores need at least one sample");
    GAN_CHECK(K >= 1, "class scores need at least one class");
    ClassScores s;
    s.share.assign(size_t(K), 0.0);
    std::vector<double> marginal(size_t(K), 0.0);
    std::vector<size_t> counts(size_t(K), 0);
    for (size_t i = 0; i < n; ++i) {
        const float* p = probs + i * K;
        int arg = 0;
        for (int j = 0; j < K; ++j) {
            marginal[j] += p[j];
            if (p[j] > p[arg]) arg = j;
        }
        counts[arg] += 1;
    }
    for (double& m : marginal) m /= double(n);
    double kl_sum = 0;
    for (size_t i = 0; i < n; ++i) {
        const float* p = probs + i * K;
        for (int j = 0; j < K; ++j)
            if (p[j] > 0) kl_sum += p[j] * (std::log(double(p[j])) - std::log(marginal[j]));
    }
    s.classifier_score = std::exp(kl_sum / double(n));
    for (int j = 0; j < K; ++j) {
        s.share[j] = double(counts[j]) / double(n);
        if (s.share[j] >= min_share) s.covered += 1;
        if (s.share[j] > 0) s.kl_uniform += s.share[j] * std::log(K * s.share[j]);
    }
    return s;
}

}  // namespace gan
