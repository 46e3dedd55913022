// A GAN model: generator and discriminator over their own arenas, plus the configuration that
// rebuilds it (stored in checkpoint metadata, so `gan sample` needs nothing but the file).
// The model families live beside it: models/mlp.h (the classic tutorial MLP), models/dcgan.h; what the
// step and the sampler feed them in models/conditioning.h, models/generate.h, models/init.h.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "nn/sequential.h"

namespace gan {

struct ModelConfig {
    std::string arch = "mlp";       // "mlp": the classic tutorial GAN (docs/classic_gan.md)
    int z_dim = 100;                // latent size
    int hidden = 128;               // hidden units of G and D (mlp)
    int channels = 1, rows = 28, cols = 28;
    float alpha = 0.01f;            // LeakyReLU slope
    std::string latent = "uniform"; // z ~ U(-1,1)^z_dim ("uniform") or N(0,1) ("normal")
    // Class conditioning (cGAN). G always sees the one-hot label concatenated to z; D sees it by cond_d:
    //   "concat": one-hot concatenated to D's input (dcgan: K constant planes after the image channels,
    //             as tests/golden/reference_models.py; mlp: K features after the pixels);
    //   "proj":   D sees the image only and outputs 1 + K values o; logit = o[0] + o[1 + y]: a projection
    //             discriminator (Miyato & Koyama 2018) with D's last layer as ψ and the class embeddings;
    //   "acgan":  same D; o[0] is the real/fake logit, o[1..K] class logits (Odena et al. 2017);
    //   "proj_ac": "proj" plus K more outputs o[1+K..2K]: class logits trained on real images only, whose
    //             cross-entropy on G(z, y) joins G's loss (D outputs 1 + 2K).
    bool conditional = false;
    int num_classes = 10;           // K
    std::string cond_d = "concat";

    int image_size() const { return channels * rows * cols; }
    std::map<std::string, std::string> to_metadata() const;
    // Throws gan::Error naming `source` when a key is missing or malformed.
    static ModelConfig from_metadata(const std::map<std::string, std::string>& meta, const std::string& source);
};

struct GanModel {
    ModelConfig config;
    Sequential g{"generator"}, d{"discriminator"};
};

// Builds the model for config.arch and checks every layer's shapes. Weights are zero until init
// (models/init.h).
std::unique_ptr<GanModel> gan_build(const ModelConfig& config);

}  // namespace gan

#include "models/conditioning.h"
#include "models/generate.h"
#include "models/init.h"
