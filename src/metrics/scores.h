// Scores from the classifier's softmax outputs p(y|x) (n, K), K classes (MNIST: 10):
//   classifier score  exp(E_x KL(p(y|x) ‖ p(y))), p(y) = E_x p(y|x)  — the Inception Score of
//                     Salimans et al. 2016 with the MNIST classifier, over the whole set (no splits):
//                     1 when every image gets the same prediction, K for confident, balanced classes;
//   class histogram   share of samples whose argmax is each class;
//   covered classes   classes holding at least min_share of the samples (mode collapse shows here);
//   KL to uniform     KL(histogram ‖ uniform) = Σ h log(K h): 0 when balanced, log K for one class.
#pragma once
#include <cstddef>
#include <vector>

namespace gan {

struct ClassScores {
    double classifier_score = 0;
    std::vector<double> share;  // (K)
    int covered = 0;
    double kl_uniform = 0;
};

ClassScores class_scores(const float* probs, size_t n, double min_share = 0.02, int classes = 10);

}  // namespace gan
