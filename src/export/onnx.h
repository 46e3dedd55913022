// The generator of a gan.cpp model as a standard ONNX model (opset 13, IR version 7), so any ONNX
// runtime (onnxruntime, onnxruntime-web in a browser, ...) can draw images from it.
//   inputs:  z      float32 (N, z_dim), drawn from the model's latent distribution (metadata below)
//            label  int64 (N), conditional models only: the class of each image in [0, K)
//                   (OneHot, concatenated after z as training does; a label outside [0, K) gives an
//                   all-zero one-hot row, where `gan sample` refuses it)
//   output:  images float32 (N, C, H, W) in [-1, 1]; pixels are round((x + 1) * 127.5) as gan sample's
//   N is a dynamic axis ("N"). Layers map one to one: Linear -> Gemm (transB), ConvTranspose2d ->
//   ConvTranspose, BatchNorm2d -> BatchNormalization with the running statistics (PyTorch's eval
//   mode, `gan sample --bn running`), LeakyReLU/ReLU/tanh/sigmoid -> their ONNX ops; weights are
//   initializers named as in the checkpoint ("generator.0.weight").
//   metadata_props: architecture, latent_distribution ("uniform(-1,1)" or "normal(0,1)"), z_dim,
//   image_shape ("C,H,W"), conditional ("0"/"1"), num_classes, output_range, pixel_formula, plus extra.
#pragma once
#include <map>
#include <string>

#include "models/gan_model.h"

namespace gan {

inline constexpr int kOnnxOpset = 13;
inline constexpr int kOnnxIrVersion = 7;  // the IR version that goes with opset 13

// The serialised ModelProto. Throws gan::Error when G holds a layer with no ONNX mapping.
std::string onnx_generator_model(GanModel& model, const std::map<std::string, std::string>& extra_metadata = {});
// The same, written atomically to path (io/file.h). Returns the number of bytes written.
size_t onnx_export_generator(const std::string& path, GanModel& model,
                             const std::map<std::string, std::string>& extra_metadata = {});

}  // namespace gan
