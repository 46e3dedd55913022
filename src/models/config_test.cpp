#include "models/config.h"

#include <gtest/gtest.h>

#include "core/check.h"
#include "test_util.h"
#include "nn/losses.h"

using namespace gan;

using gan::testing::error_of;

TEST(ModelConfigEnums, NamesRoundTrip) {
    for (Arch a : {Arch::mlp, Arch::dcgan}) EXPECT_EQ(arch_from_string(to_string(a)), a);
    for (Latent l : {Latent::uniform, Latent::normal}) EXPECT_EQ(latent_from_string(to_string(l)), l);
    for (CondD c : {CondD::concat, CondD::proj, CondD::acgan, CondD::proj_ac})
        EXPECT_EQ(cond_d_from_string(to_string(c)), c);
    for (LossKind k : {LossKind::bce, LossKind::lsgan, LossKind::hinge})
        EXPECT_EQ(loss_kind_from_string(to_string(k)), k);
    EXPECT_STREQ(to_string(CondD::proj_ac), "proj_ac");
    EXPECT_STREQ(to_string(Arch::dcgan), "dcgan");
}

TEST(ModelConfigEnums, UnknownNamesAreRefusedWithTheKnownOnes) {
    EXPECT_EQ(error_of([] { arch_from_string("transformer", "--arch"); }),
              "unknown --arch 'transformer' (known: mlp, dcgan)");
    EXPECT_EQ(error_of([] { arch_from_string("stylegan9"); }), "unknown architecture 'stylegan9' (known: mlp, dcgan)");
    EXPECT_EQ(error_of([] { latent_from_string("cauchy"); }), "unknown latent 'cauchy' (known: uniform, normal)");
    EXPECT_EQ(error_of([] { cond_d_from_string("PROJ", "--cond-d"); }),
              "unknown --cond-d 'PROJ' (known: concat, proj, acgan, proj_ac)");
    EXPECT_EQ(error_of([] { loss_kind_from_string(""); }), "unknown --loss '' (known: bce, lsgan, hinge)");
}

TEST(ModelConfig, MetadataRoundTripsAndRefusesUnknownNames) {
    ModelConfig c;
    c.arch = Arch::dcgan, c.latent = Latent::normal, c.cond_d = CondD::acgan, c.conditional = true;
    c.z_dim = 7, c.hidden = 9, c.alpha = 0.25f, c.num_classes = 3;
    ModelConfig back = ModelConfig::from_metadata(c.to_metadata(), "f");
    EXPECT_EQ(back.arch, c.arch);
    EXPECT_EQ(back.latent, c.latent);
    EXPECT_EQ(back.cond_d, c.cond_d);
    EXPECT_EQ(back.z_dim, 7);
    EXPECT_EQ(back.hidden, 9);
    EXPECT_EQ(back.num_classes, 3);
    EXPECT_FLOAT_EQ(back.alpha, 0.25f);
    auto meta = c.to_metadata();
    meta["latent"] = "laplace";
    EXPECT_EQ(error_of([&] { ModelConfig::from_metadata(meta, "x.safetensors"); }),
              "x.safetensors: unknown latent 'laplace' (known: uniform, normal)");
    meta = c.to_metadata();
    meta["cond_d"] = "film";
    EXPECT_NE(error_of([&] { ModelConfig::from_metadata(meta, "x.safetensors"); }).find("x.safetensors: unknown"),
              std::string::npos);
    // The class count has the training options' bound.
    meta = c.to_metadata();
    meta["num_classes"] = "256";
    EXPECT_EQ(ModelConfig::from_metadata(meta, "x.safetensors").num_classes, 256);
    meta["num_classes"] = "257";
    EXPECT_EQ(error_of([&] { ModelConfig::from_metadata(meta, "x.safetensors"); }),
              "x.safetensors: metadata 'num_classes' = '257' is not an integer in [2, 256]");
}
