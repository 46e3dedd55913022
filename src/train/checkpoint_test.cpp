#include "train/checkpoint.h"

#include <gtest/gtest.h>

#include "core/check.h"
#include "test_util.h"

using namespace gan;

namespace {

using gan::testing::error_of;
using gan::testing::TempFolder;

std::unique_ptr<GanModel> small_model(uint64_t seed) {
    ModelConfig c;
    c.hidden = 8;
    c.z_dim = 4;
    auto m = gan_build(c);
    Rng rng(seed);
    gan_init(*m, rng);
    return m;
}

// Rewrites a safetensors file with its metadata changed by edit.
void edit_metadata(const std::string& path, const std::function<void(Metadata&)>& edit) {
    SafetensorsFile f = safetensors_read(path);
    std::vector<TensorView> views;
    for (auto& [name, t] : f.tensors) views.push_back({name, t.shape, t.data.data()});
    edit(f.metadata);
    safetensors_write(path, views, f.metadata);
}

}  // namespace

TEST(CheckpointFormat, GeneratorFilesCarryTheFormatVersion) {
    TempFolder dir;
    const std::string path = dir.path + "/g.safetensors";
    checkpoint_save_generator(path, *small_model(1));
    LoadedModel loaded = checkpoint_load_model(path);
    EXPECT_EQ(loaded.metadata.at("format"), "gan.cpp");
    EXPECT_EQ(loaded.metadata.at("format_version"), std::to_string(kCheckpointFormatVersion));
    EXPECT_EQ(loaded.metadata.at("kind"), "generator");
    // Files written before the format had a version still load.
    edit_metadata(path, [](Metadata& m) { m.erase("format_version"); });
    EXPECT_NO_THROW(checkpoint_load_model(path));
}

TEST(CheckpointFormat, ANewerVersionIsRefusedNamingTheFile) {
    TempFolder dir;
    const std::string path = dir.path + "/g.safetensors";
    checkpoint_save_generator(path, *small_model(1));
    edit_metadata(path, [](Metadata& m) { m["format_version"] = std::to_string(kCheckpointFormatVersion + 1); });
    const std::string e = error_of([&] { checkpoint_load_model(path); });
    EXPECT_EQ(e.rfind(path + ": checkpoint format version " + std::to_string(kCheckpointFormatVersion + 1) +
                          " is newer than",
                      0),
              0u)
        << e;
    edit_metadata(path, [](Metadata& m) { m["format_version"] = "two"; });
    EXPECT_NE(error_of([&] { checkpoint_load_model(path); }).find(path + ": checkpoint format_version 'two'"),
              std::string::npos);
    edit_metadata(path, [](Metadata& m) { m.erase("format"); });
    EXPECT_NE(error_of([&] { checkpoint_load_model(path); }).find("not a gan.cpp checkpoint"), std::string::npos);
}

// A full state comes back bit for bit: weights, both Adam states, the moving average and the progress.
TEST(CheckpointState, RoundTripsEverything) {
    TempFolder dir;
    const std::string path = dir.path + "/last.safetensors";
    TrainOptions o;
    o.model.hidden = 8, o.model.z_dim = 4, o.ema = 0.9f, o.adam.lr = 0.01f;
    auto m = small_model(2);
    Adam g(m->g.params, o.adam), d(m->d.params, o.adam);
    for (size_t i = 0; i < g.m.size(); ++i) g.m[i] = float(i) * 0.25f, g.v[i] = float(i) + 0.5f;
    for (size_t i = 0; i < d.m.size(); ++i) d.m[i] = -float(i), d.v[i] = float(i) / 3;
    g.t = 41, d.t = 77;
    AlignedVec<float> ema(m->g.params.values().begin(), m->g.params.values().end());
    ema[0] = 123.0f;
    TrainProgress p;
    p.epoch = 3, p.step = 5, p.elapsed = 1.0 / 3;
    p.latent = {11, 12, 3}, p.sample = {21, 22, 1}, p.data_epoch = {31, 32, 0};
    for (int i = 0; i < 4; ++i) p.sums[i] = 0.1 * (i + 1) / 7;
    checkpoint_save_state(path, o, *m, g, d, ema, p);

    StateFile f = checkpoint_open_state(path);
    EXPECT_EQ(f.options.to_json(), o.to_json());
    auto m2 = small_model(3);
    Adam g2(m2->g.params, o.adam), d2(m2->d.params, o.adam);
    AlignedVec<float> ema2(ema.size());
    TrainProgress p2;
    checkpoint_load_state(f, *m2, g2, d2, ema2, p2);
    EXPECT_TRUE(m2->g.params.values() == m->g.params.values());
    EXPECT_TRUE(m2->d.params.values() == m->d.params.values());
    EXPECT_EQ(g2.m, g.m);
    EXPECT_EQ(g2.v, g.v);
    EXPECT_EQ(d2.m, d.m);
    EXPECT_EQ(d2.v, d.v);
    EXPECT_EQ(g2.t, 41);
    EXPECT_EQ(d2.t, 77);
    EXPECT_TRUE(ema2 == ema);
    EXPECT_EQ(p2.epoch, 3);
    EXPECT_EQ(p2.step, 5);
    EXPECT_EQ(p2.elapsed, p.elapsed);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(p2.sums[i], p.sums[i]);
    EXPECT_EQ(p2.latent.key, 11u);
    EXPECT_EQ(p2.latent.counter, 12u);
    EXPECT_EQ(p2.latent.used, 3u);
    EXPECT_EQ(p2.sample.counter, 22u);
    EXPECT_EQ(p2.data_epoch.key, 31u);

    edit_metadata(path, [](Metadata& m) { m["format_version"] = "99"; });
    EXPECT_EQ(error_of([&] { checkpoint_open_state(path); }).rfind(path + ": checkpoint format version 99", 0), 0u);
    edit_metadata(path, [](Metadata& m) { m["format_version"] = "1", m["kind"] = "generator"; });
    EXPECT_EQ(error_of([&] { checkpoint_open_state(path); }), path + ": not a full training state");
}

namespace {

std::vector<float> values_of(const Arena& a) { return std::vector<float>(a.values().begin(), a.values().end()); }

}  // namespace

// --init-generator / --init-discriminator: one network's weights from a file, the other left alone.
TEST(CheckpointInit, LoadsOneNetworkFromAFileAndLeavesTheOther) {
    TempFolder dir;
    const std::string path = dir.path + "/g.safetensors";
    auto from = small_model(1);
    checkpoint_save_generator(path, *from);
    auto to = small_model(2);
    const std::vector<float> d_before = values_of(to->d.params);
    ASSERT_NE(values_of(to->g.params), values_of(from->g.params));
    checkpoint_init_network(*to, true, path, "--init-generator");
    EXPECT_EQ(values_of(to->g.params), values_of(from->g.params));
    EXPECT_EQ(values_of(to->d.params), d_before);
    // A generator file holds no discriminator: named with the flag.
    const std::string e = error_of([&] { checkpoint_init_network(*to, false, path, "--init-discriminator"); });
    EXPECT_NE(e.find("--init-discriminator " + path + ": missing tensor 'discriminator.0.weight'"), std::string::npos)
        << e;
}

// PyTorch's examples/dcgan saves netD's state dict as main.N.*; gan.cpp names D's tensors netD.main.N.*.
TEST(CheckpointInit, TakesTheDcganExamplesNetDStateDictAndRefusesAnotherShape) {
    ModelConfig c;
    c.arch = Arch::dcgan;
    c.channels = 3, c.rows = c.cols = 32;
    c.ngf = c.ndf = 4;
    c.z_dim = 8;
    c.latent = Latent::normal;
    auto from = gan_build(c);
    Rng rng(1);
    gan_init(*from, rng);
    std::vector<TensorView> views;
    arena_append_views(from->d.params, views);
    arena_append_views(from->d.buffers, views);
    for (TensorView& v : views) {
        ASSERT_EQ(v.name.rfind("netD.main.", 0), 0u) << v.name;
        v.name = v.name.substr(5);
    }
    TempFolder dir;
    const std::string path = dir.path + "/netD.safetensors";
    safetensors_write(path, views, {});
    auto to = gan_build(c);
    Rng other(2);
    gan_init(*to, other);
    checkpoint_init_network(*to, false, path, "--init-discriminator");
    EXPECT_EQ(values_of(to->d.params), values_of(from->d.params));

    c.ndf = 8;  // another width: the file does not fit
    auto wider = gan_build(c);
    const std::string e = error_of([&] { checkpoint_init_network(*wider, false, path, "--init-discriminator"); });
    EXPECT_NE(e.find("--init-discriminator " + path), std::string::npos) << e;
    EXPECT_NE(e.find("wrong shape"), std::string::npos) << e;
    EXPECT_NE(e.find("model flags"), std::string::npos) << e;
}
