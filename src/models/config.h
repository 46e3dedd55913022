// What rebuilds a GAN model: its architecture, sizes, latent distribution and class conditioning,
// with the choices as enums. Their names appear only at the edges (flags, config.json, checkpoint
// metadata), through one to/from-string pair per enum.
#pragma once
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace gan {

enum class Arch { mlp, dcgan };

// Most classes a conditional model takes: each class is an input plane of D under concat (dcgan), so the
// bound keeps a model file's size fields from asking for unbounded memory; 256 is what the training
// options accept too.
inline constexpr int kMaxClasses = 256;
enum class Latent { uniform, normal };
enum class CondD { concat, proj, acgan, proj_ac };

const char* to_string(Arch arch);
const char* to_string(Latent latent);
const char* to_string(CondD cond_d);
std::ostream& operator<<(std::ostream& os, Arch arch);  // their names, for messages
std::ostream& operator<<(std::ostream& os, Latent latent);
std::ostream& operator<<(std::ostream& os, CondD cond_d);
// Each throws gan::Error "unknown <what> '<name>' (known: ...)" for a name that is not one of the enum's;
// `what` names where the text came from (a flag such as "--arch", or what a checkpoint key means).
Arch arch_from_string(const std::string& name, const std::string& what = "architecture");
Latent latent_from_string(const std::string& name, const std::string& what = "latent");
CondD cond_d_from_string(const std::string& name, const std::string& what = "discriminator conditioning");

struct ModelConfig {
    Arch arch = Arch::mlp;          // mlp: the classic tutorial GAN (docs/classic_gan.md)
    int z_dim = 100;                // latent size
    int hidden = 128;               // hidden units of G and D (mlp)
    int channels = 1, rows = 28, cols = 28;
    int ngf = 64, ndf = 64;         // dcgan at 32x32 and 64x64: G's and D's base widths (PyTorch's example)
    float alpha = 0.01f;            // LeakyReLU slope
    Latent latent = Latent::uniform;  // z ~ U(-1,1)^z_dim (uniform) or N(0,1) (normal)
    // Class conditioning (cGAN). G always sees the one-hot label concatenated to z; D sees it by cond_d:
    //   concat: one-hot concatenated to D's input (dcgan: K constant planes after the image channels,
    //           as tests/golden/reference_models.py; mlp: K features after the pixels);
    //   proj:   D sees the image only and outputs 1 + K values o; logit = o[0] + o[1 + y]: a projection
    //           discriminator (Miyato & Koyama 2018) with D's last layer as ψ and the class embeddings;
    //   acgan:  same D; o[0] is the real/fake logit, o[1..K] class logits (Odena et al. 2017);
    //   proj_ac: proj plus K more outputs o[1+K..2K]: class logits trained on real images only, whose
    //           cross-entropy on G(z, y) joins G's loss (D outputs 1 + 2K).
    bool conditional = false;
    int num_classes = 10;           // K, 2..kMaxClasses
    CondD cond_d = CondD::concat;
    // D's weights spectrally normalised (nn/spectral_norm.h); the dcgan's D then drops batch norm
    // (models/dcgan.h).
    bool spectral_norm = false;
    std::vector<std::string> class_names;  // conditional: each class's name in label order (empty: unnamed)

    // C·H·W values per image (floats in a batch, bytes in a sample); the side is TrainOptions::image_size.
    int image_values() const { return channels * rows * cols; }
    std::map<std::string, std::string> to_metadata() const;
    // Throws gan::Error naming `source` when a key is missing or malformed. Leaves class_names empty:
    // train/checkpoint.h reads them (a JSON list, checked as hostile input).
    static ModelConfig from_metadata(const std::map<std::string, std::string>& meta, const std::string& source);
};

}  // namespace gan
