// The device seam: one table of every numeric operation the layers, the losses, the optimiser, the EMA
// and the sampler use, and the memory they run on. Layers hold shapes, parameter offsets and the
// calls into this table; a backend holds everything about how a call runs (which GEMM, oneDNN or
// im2col, threads, scratch). The CPU backend (backend/cpu_backend.h) is the project's kernels; a new
// device is one more implementation of this class, in its own files, and no layer changes.
//
// A backend is its device's memory (core/memory.h): pointers passed to an op are in it (alloc(), or a
// Tensor or Arena placed on it); the host's and the device's memory are the same for the CPU backend,
// and upload()/download() are the only ways bytes cross otherwise.
// Scalars the caller needs (a loss, a mean probability) come back as return values.
//
// Per-layer state: an op that keeps something between calls (packed weights, an engine's primitives,
// its scratch, the forward's columns for the backward) keeps it in the OpState slot the layer passes
// in; the layer owns the slot and never looks inside.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/memory.h"
#include "core/op_types.h"

namespace gan {

class Comm;

enum class Device { cpu, cuda };
const char* device_name(Device d);

struct OpState {
    virtual ~OpState() = default;
};
using OpStatePtr = std::unique_ptr<OpState>;

class Backend : public Memory {
  public:
    virtual ~Backend() = default;
    virtual Device device() const = 0;
    // Threads the backend splits its element-wise work and the Linear GEMMs over (1: the caller's).
    virtual int threads() const { return 1; }
    // Whether every product of linear_* depends only on its own row and column (not on the split or
    // the batch it is in), so that any thread count or stacking gives the same bits.
    virtual bool bitwise_across_splits() const = 0;
    virtual bool supports(Precision p) const = 0;

    // ---- memory (with Memory's alloc, release, upload, download, copy)
    virtual void fill(float* x, size_t n, float value) = 0;
    virtual void scale(float* x, size_t n, float a) = 0;
    // rows x cols block: dst[r * dst_ld + c] = src[r * src_ld + c] (column gathers and concatenations).
    virtual void copy_2d(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t rows, size_t cols) = 0;

    // y += a·x over n values; Σ x[i]·y[i] (vectors of a parametrisation: nn/spectral_norm.h).
    virtual void axpy(float* y, const float* x, size_t n, float a) = 0;
    virtual double dot(const float* x, const float* y, size_t n) = 0;

    // ---- products
    // Row-major C = alpha·op(A)·op(B) + beta·C.
    virtual void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc) = 0;
    // y (N, OUT) = epi(x (N, IN) · wᵀ + b); b may be null.
    virtual void linear_forward(OpStatePtr& st, float* y, const float* x, const float* w, const float* b, int N,
                                int IN, int OUT, std::optional<Epilogue> epi, Precision p) = 0;
    // From dy at the layer's output (y its forward output, for the epilogue's gradient): dw (written when
    // dw_overwrite, else added into), db (added into), dx (overwritten); each may be null.
    virtual void linear_backward(OpStatePtr& st, float* dx, float* dw, bool dw_overwrite, float* db,
                                 const float* dy, const float* x, const float* y, const float* w, int N, int IN,
                                 int OUT, std::optional<Epilogue> epi) = 0;
    virtual void conv_forward(OpStatePtr& st, const ConvShape& s, float* y, const float* x, const float* w,
                              const float* b) = 0;
    // For the last conv_forward on this state: dx overwritten, dw and db added into; each may be null.
    virtual void conv_backward(OpStatePtr& st, const ConvShape& s, float* dx, float* dw, float* db, const float* dy,
                               const float* x, const float* w) = 0;
    // The engine the last conv_forward on this state ran ("onednn", "im2col"; for tests and benchmarks).
    virtual const char* conv_engine(const OpStatePtr& st) const = 0;

    // ---- normalisation, pooling, activations
    // Batch statistics (train mode) over N·HW values per channel, or over the whole batch of every rank
    // of comm when it is distributed; writes mean and rstd (C) and updates running_mean/var (may be null).
    // Returns the number of values per channel it normalised over (all ranks).
    virtual double batchnorm_forward_train(OpStatePtr& st, Comm* comm, float* y, float* mean, float* rstd,
                                           const float* x, const float* weight, const float* bias,
                                           float* running_mean, float* running_var, int N, int C, int HW, float eps,
                                           float momentum) = 0;
    // With the running statistics; writes them as mean and rstd (C) for the backward.
    virtual void batchnorm_forward_eval(float* y, float* mean, float* rstd, const float* x, const float* weight,
                                        const float* bias, const float* running_mean, const float* running_var, int N,
                                        int C, int HW, float eps) = 0;
    // M: the values per channel the forward normalised over (all ranks); batch_stats: it was train mode.
    virtual void batchnorm_backward(OpStatePtr& st, Comm* comm, float* dx, float* dweight, float* dbias,
                                    const float* dy, const float* x, const float* mean, const float* rstd,
                                    const float* weight, int N, int C, int HW, bool batch_stats, double M) = 0;
    // Max over kernel x kernel windows (x (planes, h, w) -> y (planes, oh, ow)); backward adds each dy
    // into the input that won its window.
    virtual void maxpool_forward(OpStatePtr& st, float* y, const float* x, int planes, int h, int w, int oh, int ow,
                                 int kernel, int stride, int pad) = 0;
    virtual void maxpool_backward(OpStatePtr& st, float* dx, const float* dy, int planes, int h, int w, int oh,
                                  int ow) = 0;
    virtual void act_forward(Act a, float alpha, float* y, const float* x, size_t n) = 0;
    // x: the activation's input, y: its output (each gradient reads the one it needs).
    virtual void act_backward(Act a, float alpha, float* dx, const float* dy, const float* x, const float* y,
                              size_t n) = 0;

    // ---- class conditioning (labels: host memory)
    // Row i of dst (rows dst_ld apart): the `head` values of src's row i (rows src_ld apart), then K
    // blocks of `block` values, block labels[i] ones and the others zeros.
    virtual void concat_one_hot(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t n, size_t head,
                                size_t block, const int* labels, int K) = 0;
    // The projection head: logit[i] = out[i, 0] + out[i, 1 + labels[i]] (rows w apart), and back:
    // dout = 0 except those two entries of each row, both dlogit[i].
    virtual void proj_logits(float* logit, const float* out, size_t w, const int* labels, size_t n) = 0;
    virtual void proj_logits_backward(float* dout, size_t w, const float* dlogit, const int* labels, size_t n) = 0;

    // ---- losses (means over n rows; gradients written when the pointer is not null)
    virtual float gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth,
                           float* dlogits) = 0;
    virtual float mean_sigmoid(const float* logits, size_t n) = 0;
    // Σ over n rows of -log softmax(logits[i, 0..K))[labels[i]] (rows ld apart); writes
    // dlogits[i, k] = (softmax - onehot)·weight/n (rows dld apart) when not null. labels: host memory.
    virtual double softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight,
                                float* dlogits, size_t dld) = 0;

    // ---- differentiable augmentation (nn/augment.h); params in host memory, one row per image
    // Colour of n images (c channels of hw pixels): y = contrast(saturation(x + b)), saturation
    // s·(x - mean over channels) + that mean, contrast k·(x - mean over the image) + that mean; params
    // (n, 3) = b, s, k. transpose: y = Jᵀx, the transposed Jacobian (the gradient's way back). y may be x.
    virtual void augment_colour(float* y, const float* x, int n, int c, int hw, const float* params,
                                bool transpose) = 0;
    // Translation and cutout of n images (c, h, w): y[i, :, r, q] = x[i, :, r + dr, q + dq] (0 outside the
    // image), then 0 inside the box of rows [r0, r0 + hr) and columns [q0, q0 + hq); params (n, 6) =
    // dr, dq, r0, q0, hr, hq. transpose: y = Jᵀx (the gradient at the input). y is not x.
    virtual void augment_shift(float* y, const float* x, int n, int c, int h, int w, const int* params,
                               bool transpose) = 0;

    // ---- optimiser, averaging, data
    virtual void adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) = 0;
    virtual void ema_update(float* ema, const float* p, size_t n, float decay) = 0;
    // dst (n, img) = bytes of rows idx[0..n) of images (host memory, img bytes each) as x/255·2 - 1.
    virtual void bytes_to_unit(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img) = 0;
    // host pixels = round((y + 1)·127.5) clamped to [0, 255], NaN -> 0.
    virtual void unit_to_bytes(uint8_t* pixels, const float* y, size_t n) = 0;
};

// The CPU backend on the calling thread alone, shared by whatever runs without a run policy (the
// sampler, the metrics, tests).
Backend& host_backend();

// A backend for a run (train/policy.h decides the numbers): threads for the backend's own split of
// the step, blas_threads for the BLAS and oneDNN (0: leave them as they are; they are per process).
struct BackendOptions {
    Device device = Device::cpu;
    int threads = 1;
    int blas_threads = 0;
};
// Throws gan::Error naming the device when this build or machine has none.
std::unique_ptr<Backend> make_backend(const BackendOptions& o);
// Whether this build has the device (cpu: always).
bool device_built(Device d);
// The threads the host's numeric libraries (the BLAS, oneDNN's OpenMP) use in this process, for
// work that runs without a run policy (gan eval, gan classifier); 0 leaves them as they are.
void set_library_threads(int threads);
// The same for the libraries' calls from this thread alone where a library counts per thread (oneDNN's
// OpenMP: a new thread starts with every core): for the threads of an in-process split.
void set_caller_library_threads(int threads);

}  // namespace gan
