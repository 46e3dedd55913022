// The one max-pooling window scan, shared by the CPU's kernel (kernels/pool.cpp) and the CUDA device's
// (cuda/cuda_norm.cu, where it runs on the GPU): both pick the same winner, bit for bit.
#pragma once

#ifdef __CUDACC__
#define GAN_HOST_DEVICE __host__ __device__
#else
#define GAN_HOST_DEVICE
#endif

namespace gan {

// The index iy * W + ix within the plane xp (H x W) of the winner of output (oy, ox)'s K x K window
// (stride S, padding P): the first maximum in reading order; a NaN wins and stays, as in PyTorch. -1
// when the window holds only padding.
GAN_HOST_DEVICE inline int maxpool_window_arg(const float* xp, int H, int W, int oy, int ox, int K, int S, int P) {
    float best = 0.0f;
    int arg = -1;
    for (int i = 0; i < K; ++i) {
        const int iy = oy * S - P + i;
        if (iy < 0 || iy >= H) continue;
        for (int j = 0; j < K; ++j) {
            const int ix = ox * S - P + j;
            if (ix < 0 || ix >= W) continue;
            const float v = xp[iy * W + ix];
            if (arg < 0 || v > best || (v != v && best == best)) best = v, arg = iy * W + ix;
        }
    }
    return arg;
}

}  // namespace gan
