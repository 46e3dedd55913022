// ConvTranspose2d: the adjoint of a strided convolution (torch.nn.ConvTranspose2d, groups 1, dilation 1).
// x (N, IN, H, W), W (IN, OUT, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW) with
//   OH = (H - 1)·stride - 2·padding + KH + output_padding   (likewise OW).
// Each input pixel scatters W[in] · x onto a KH×KW window of the output, so a chunk of images is
//   col (OUT·KH·KW, nb·H·W) = Wᵀ (OUT·KH·KW, IN) · X (IN, nb·H·W)      then y = col2im(col)
// where col2im runs with the geometry of the convolution that maps y back to x (kernels/im2col.h).
// Backward is the same pair the other way round: dcol = im2col(dy), dX = W · dcol, dW += X · dcolᵀ.
#pragma once
#include <memory>
#include <vector>

#include "kernels/im2col.h"
#include "nn/dnnl_conv.h"
#include "nn/layer.h"

namespace gan {

struct ConvTranspose2dOptions {
    int in = 0, out = 0;
    int kernel = 4;          // square kernel
    int stride = 1;
    int padding = 0;
    int output_padding = 0;  // extra rows/columns at the bottom/right; must be < stride
    bool bias = true;
};

class ConvTranspose2d final : public Layer {
  public:
    ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "conv_transpose2d"; }

    const ConvTranspose2dOptions& options() const { return o_; }
    size_t weight_offset() const { return w_; }
    bool used_onednn() const { return dnnl_used_; }  // the last forward ran through oneDNN
    size_t bias_offset() const { return b_; }

  private:
    ConvGeom geom(Shape out) const;  // the convolution from y (out) back to x
    int chunk(Shape in) const;       // images per GEMM
    void pack(const float* x, int n0, int nb, int P);  // x images n0.. -> xp_ (IN, nb·P)

    Arena& params_;
    ConvTranspose2dOptions o_;
    size_t w_ = 0, b_ = 0;
    const Tensor* x_ = nullptr;
    DnnlConv* dnnl_for(Shape in);  // oneDNN for this input when it pays (nn/dnnl_conv.h), else null
    std::unique_ptr<DnnlConv> dnnl_;
    bool dnnl_used_ = false;  // the last forward went through dnnl_
    std::vector<float> col_;  // (OUT·KH·KW, chunk·H·W)
    std::vector<float> xp_;   // (IN, chunk·H·W): the chunk's x (or dx) with images side by side
};

}  // namespace gan
