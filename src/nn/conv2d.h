// Conv2d: y = W ⋆ x + b (cross-correlation, as torch.nn.Conv2d). x (N, IN, H, W),
// W (OUT, IN, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW).
// Each chunk of images is one GEMM over side-by-side im2col matrices (about 4 M floats of columns).
// When the whole batch fits one chunk, forward's columns stay in col_ and backward's weight gradient
// reuses them; a larger batch recomputes them chunk by chunk, so memory stays bounded by the chunk.
#pragma once
#include <memory>
#include <vector>

#include "kernels/im2col.h"
#include "nn/dnnl_conv.h"
#include "nn/layer.h"

namespace gan {

struct Conv2dOptions {
    int in = 0, out = 0;
    int kernel = 3;       // square kernel (kh = kw = kernel) unless kh/kw are set
    int stride = 1;
    int padding = 0;
    bool bias = true;
    int kh = 0, kw = 0;   // 0 = kernel
};

class Conv2d final : public Layer {
  public:
    Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "conv2d"; }

    const Conv2dOptions& options() const { return o_; }
    int kh() const { return o_.kh; }
    int kw() const { return o_.kw; }
    size_t weight_offset() const { return w_; }
    bool used_onednn() const { return dnnl_used_; }  // the last forward ran through oneDNN
    size_t bias_offset() const { return b_; }
    int fan_in() const { return o_.in * o_.kh * o_.kw; }

  private:
    ConvGeom geom(Shape in) const;
    int chunk(const ConvGeom& g, int n) const;  // images per GEMM

    Arena& params_;
    Conv2dOptions o_;
    size_t w_ = 0, b_ = 0;
    const Tensor* x_ = nullptr;
    DnnlConv* dnnl_for(Shape in);   // oneDNN for this input when it pays (nn/dnnl_conv.h), else null
    std::unique_ptr<DnnlConv> dnnl_;
    bool dnnl_used_ = false;        // the last forward went through dnnl_
    std::vector<float> col_, tmp_;  // (rows, chunk*OH*OW), (OUT, chunk*OH*OW)
    bool cols_valid_ = false;       // col_ holds the columns of x_'s whole batch (set by forward)
};

}  // namespace gan
