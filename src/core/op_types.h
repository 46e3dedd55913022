// The vocabulary of the operations (backend/backend.h): activations, precisions, loss terms, convolution
// shapes and Adam's per-step constants, shared by the layers that ask for an operation, the backends
// that run it and the kernels under them.
#pragma once

namespace gan {

enum class Act { leaky_relu, relu, tanh, sigmoid };

// An element-wise activation that follows a layer, as a layer before it may compute it.
struct Epilogue {
    Act act = Act::tanh;
    float alpha = 0.0f;  // LeakyReLU slope
};

// exact: float, std:: functions (the reference); fast: an absorbed tanh by a tanh within 2 ulp;
// bf16: a Linear layer's GEMM operands rounded to bfloat16 (sampling only, where the backend has it).
enum class Precision { exact, fast, bf16 };

enum class LossKind { bce, lsgan, hinge };
enum class LossTerm { d_real, d_fake, g_fake };

// One 2-D convolution (groups 1, dilation 1, square stride and padding) over a batch:
// x (n, in, ih, iw) -> y (n, out, oh, ow). Transposed: the adjoint of the convolution y -> x, with the
// weight stored (in, out, kh, kw) as PyTorch does; otherwise (out, in, kh, kw).
struct ConvShape {
    bool transposed = false;
    int n = 0, in = 0, out = 0;
    int kh = 1, kw = 1, stride = 1, pad = 0;
    int ih = 0, iw = 0, oh = 0, ow = 0;
    bool operator==(const ConvShape&) const = default;
};

// Adam's constants for one step (optim/adam.h computes them, as PyTorch does).
struct AdamStep {
    float step_size, bc2_sqrt, b1, b2, a1, a2, eps;
};

}  // namespace gan
