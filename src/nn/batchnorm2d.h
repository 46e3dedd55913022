// BatchNorm2d (Ioffe & Szegedy 2015; torch.nn.BatchNorm2d, affine, track_running_stats).
// x, y (N, C, H, W). Per channel c, over the M = N·H·W values of the batch:
//   train: y = (x - mean_c) / sqrt(var_c + eps) · weight_c + bias_c, var biased (÷M);
//          running_mean ← (1 - momentum)·running_mean + momentum·mean,
//          running_var  ← (1 - momentum)·running_var  + momentum·var·M/(M-1)   (unbiased, as PyTorch)
//   eval:  the same with running_mean / running_var in place of the batch statistics.
// weight, bias (C) live in the parameter arena ("<prefix>.weight", ".bias"); running_mean, running_var (C)
// in the buffer arena ("<prefix>.running_mean", ".running_var"): checkpointed, never trained. PyTorch's
// num_batches_tracked is not kept (only used when momentum is None).
#pragma once
#include "nn/layer.h"

namespace gan {

struct BatchNorm2dOptions {
    int channels = 0;
    float eps = 1e-5f;
    float momentum = 0.1f;
};

class BatchNorm2d final : public Layer {
  public:
    BatchNorm2d(Arena& params, Arena& buffers, const std::string& prefix, BatchNorm2dOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    bool batch_statistics() const override { return training_; }
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "batchnorm2d"; }
    void placed() override;
    void init(InitScheme scheme, Rng& rng) override;

    const BatchNorm2dOptions& options() const { return o_; }
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }
    size_t running_mean_offset() const { return rm_; }  // in the buffer arena
    size_t running_var_offset() const { return rv_; }
    void reset_running_stats();  // mean 0, var 1

  private:
    Arena &params_, &buffers_;
    BatchNorm2dOptions o_;
    size_t w_ = 0, b_ = 0, rm_ = 0, rv_ = 0;
    const Tensor* x_ = nullptr;
    bool used_batch_stats_ = true;  // the mode of the last forward
    Tensor mean_, rstd_;            // (C) statistics of the last forward
    double count_ = 0;              // values per channel the last forward normalised over (all ranks)
};

}  // namespace gan
