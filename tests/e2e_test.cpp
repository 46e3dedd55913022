// End to end through the real `gan` program on real MNIST images (the tests/data/mnist-mini fixture):
// a short training writes every promised file, `gan sample` reads the checkpoints back, a seed
// reproduces a run, and stopping + resuming gives bitwise the weights of an uninterrupted run; a run
// directory is never overwritten by accident, and a resumed run takes the options it may change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "e2e_helpers.h"
#include "test_util.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace gan;

namespace {

const std::string kData = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

using gan::testing::TempFolder;
using Result = gan::testing::RunResult;

Result run(const std::string& args) { return gan::testing::run_gan(args); }

std::string train_args(const std::string& out, int epochs) { return gan::testing::mini_train_args(out, epochs); }

using gan::testing::expect_same_tensors;

}  // namespace

TEST(EndToEnd, TrainWritesEveryFileAndSampleReadsItBack) {
    TempFolder tmp("gan_e2e_train");
    const std::string run_dir = tmp.path + "/run";
    Result r = run(train_args(run_dir, 2));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("Epoch 1/2... Discriminator Loss: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Generator Loss: "), std::string::npos);
    for (const char* f : {"config.json", "metrics.csv", "generator.safetensors", "samples/epoch_001.png",
                          "samples/epoch_002.png", "samples/fixed_epoch_002.png", "samples/all_samples.npy",
                          "checkpoints/generator_epoch_001.safetensors",
                          "checkpoints/generator_epoch_002.safetensors", "checkpoints/last.safetensors"})
        EXPECT_TRUE(fs::exists(run_dir + "/" + f)) << f;

    std::vector<uint8_t> csv = file_read_all(run_dir + "/metrics.csv", 1 << 20);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + 2 epochs

    NpyU8 all = npy_read_u8(run_dir + "/samples/all_samples.npy");
    EXPECT_EQ(all.shape, (std::vector<int64_t>{2, 16, 28, 28}));
    GrayImage grid = png_read_gray(run_dir + "/samples/epoch_002.png");
    EXPECT_GT(grid.width, 28 * 4);

    SafetensorsFile g = safetensors_read(run_dir + "/generator.safetensors");
    EXPECT_EQ(g.metadata.at("arch"), "mlp");
    EXPECT_EQ(g.tensors.at("generator.0.weight").shape, (std::vector<int64_t>{128, 100}));
    EXPECT_EQ(g.tensors.at("generator.2.weight").shape, (std::vector<int64_t>{784, 128}));
    EXPECT_EQ(g.tensors.count("discriminator.0.weight"), 0u);
    SafetensorsFile last = safetensors_read(run_dir + "/checkpoints/last.safetensors");
    EXPECT_EQ(last.tensors.at("discriminator.0.weight").shape, (std::vector<int64_t>{128, 784}));

    // gan sample from a run directory, a generator file and a full-state file, to each format.
    TempFolder samples("gan_e2e_sample");
    const std::string out = samples.path;
    Result s1 = run("sample --checkpoint " + run_dir + " --n 10 --out " + out + "/a.npy");
    ASSERT_EQ(s1.code, 0) << s1.out;
    NpyU8 a = npy_read_u8(out + "/a.npy");
    EXPECT_EQ(a.shape, (std::vector<int64_t>{10, 28, 28}));
    Result s2 = run("sample --checkpoint " + run_dir + "/checkpoints/generator_epoch_001.safetensors --n 7 --out " +
                    out + "/b-idx3-ubyte");
    ASSERT_EQ(s2.code, 0) << s2.out;
    EXPECT_EQ(idx_read_images(out + "/b-idx3-ubyte").n, 7);
    Result s3 = run("sample --checkpoint " + run_dir + "/checkpoints/last.safetensors --n 16 --out " + out +
                    "/c.png --seed 5");
    ASSERT_EQ(s3.code, 0) << s3.out;
    GrayImage c = png_read_gray(out + "/c.png");
    EXPECT_EQ(c.width, 4 * 30 * 2);

    // The same seed draws the same images; another seed draws others.
    run("sample --checkpoint " + run_dir + " --n 10 --out " + out + "/a2.npy");
    run("sample --checkpoint " + run_dir + " --n 10 --seed 9 --out " + out + "/a3.npy");
    EXPECT_TRUE(npy_read_u8(out + "/a2.npy").data == a.data);
    EXPECT_FALSE(npy_read_u8(out + "/a3.npy").data == a.data);

    // --precision bf16 (where the CPU has it): the same latents, pixels a few levels from f32 at most.
    Result bad = run("sample --checkpoint " + run_dir + " --n 10 --precision fp8 --out " + out + "/x.npy");
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.out.find("--precision must be f32 or bf16"), std::string::npos) << bad.out;
    if (bf16_supported()) {
        Result b = run("sample --checkpoint " + run_dir + " --n 10 --precision bf16 --out " + out + "/bf.npy");
        ASSERT_EQ(b.code, 0) << b.out;
        const NpyU8 bf = npy_read_u8(out + "/bf.npy");
        ASSERT_EQ(bf.data.size(), a.data.size());
        int worst = 0;
        for (size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::abs(int(a.data[i]) - int(bf.data[i])));
        EXPECT_LE(worst, 12) << "bf16 pixels far from f32";
    }
}

TEST(EndToEnd, SameSeedSameRunAndResumeIsBitExact) {
    TempFolder tmp("gan_e2e_resume");
    const std::string base = tmp.path;
    ASSERT_EQ(run(train_args(base + "/straight", 4)).code, 0);
    ASSERT_EQ(run(train_args(base + "/again", 4)).code, 0);
    expect_same_tensors(base + "/straight/checkpoints/last.safetensors", base + "/again/checkpoints/last.safetensors");

    Result first = run(train_args(base + "/split", 2));
    ASSERT_EQ(first.code, 0) << first.out;
    Result rest = run("train --resume " + base + "/split --epochs 4");
    ASSERT_EQ(rest.code, 0) << rest.out;
    EXPECT_NE(rest.out.find("Epoch 3/4"), std::string::npos) << rest.out;
    EXPECT_EQ(rest.out.find("Epoch 1/4"), std::string::npos) << rest.out;
    expect_same_tensors(base + "/straight/checkpoints/last.safetensors", base + "/split/checkpoints/last.safetensors");
    expect_same_tensors(base + "/straight/generator.safetensors", base + "/split/generator.safetensors");
    NpyU8 all = npy_read_u8(base + "/split/samples/all_samples.npy");
    EXPECT_EQ(all.shape[0], 4);
    EXPECT_TRUE(all.data == npy_read_u8(base + "/straight/samples/all_samples.npy").data);
}

// --ema only watches: the trained weights are bitwise those of a run without it; the generator files
// hold the average (the full state keeps both), and a resumed run continues the average bit-exactly.
TEST(EndToEnd, EmaAveragesWithoutChangingTrainingAndResumesBitExact) {
    TempFolder tmp("gan_e2e_ema");
    const std::string base = tmp.path;
    ASSERT_EQ(run(train_args(base + "/plain", 3)).code, 0);
    Result r = run(train_args(base + "/ema", 3) + " --ema 0.99");
    ASSERT_EQ(r.code, 0) << r.out;

    SafetensorsFile plain = safetensors_read(base + "/plain/checkpoints/last.safetensors");
    SafetensorsFile state = safetensors_read(base + "/ema/checkpoints/last.safetensors");
    SafetensorsFile gen = safetensors_read(base + "/ema/generator.safetensors");
    EXPECT_EQ(gen.metadata.at("ema"), "0.99");
    ASSERT_TRUE(state.tensors.count("ema.generator"));
    std::vector<float> concat;
    for (const std::string& name : gen.order) {
        const std::vector<float>& v = gen.tensors.at(name).data;
        concat.insert(concat.end(), v.begin(), v.end());
        // The raw weights in the state are the plain run's; the generator file's are not.
        EXPECT_TRUE(state.tensors.at(name).data == plain.tensors.at(name).data) << name;
        EXPECT_FALSE(v == plain.tensors.at(name).data) << name;
    }
    EXPECT_TRUE(concat == state.tensors.at("ema.generator").data);
    for (auto& [name, t] : plain.tensors) {
        if (name.rfind("discriminator.", 0) == 0 || name.rfind("optimizer.", 0) == 0) {
            EXPECT_TRUE(state.tensors.at(name).data == t.data) << name;
        }
    }

    Result first = run(train_args(base + "/split", 1) + " --ema 0.99");
    ASSERT_EQ(first.code, 0) << first.out;
    Result rest = run("train --resume " + base + "/split --epochs 3");
    ASSERT_EQ(rest.code, 0) << rest.out;
    expect_same_tensors(base + "/ema/checkpoints/last.safetensors", base + "/split/checkpoints/last.safetensors");
    expect_same_tensors(base + "/ema/generator.safetensors", base + "/split/generator.safetensors");
}

// The classic step split over 2 threads gives bitwise the weights, moments and samples of 1 thread.
TEST(EndToEnd, TwoThreadsTrainBitwiseAsOne) {
    TempFolder tmp("gan_e2e_threads");
    const std::string base = tmp.path;
    std::string one = train_args(base + "/one", 2), two = train_args(base + "/two", 2);
    two.replace(two.find("--threads 1"), 11, "--threads 2");
    ASSERT_EQ(run(one).code, 0);
    Result r = run(two);
    ASSERT_EQ(r.code, 0) << r.out;
    if (gemm_exact_is_bitwise()) {
        expect_same_tensors(base + "/one/checkpoints/last.safetensors", base + "/two/checkpoints/last.safetensors");
        EXPECT_TRUE(npy_read_u8(base + "/one/samples/all_samples.npy").data ==
                    npy_read_u8(base + "/two/samples/all_samples.npy").data);
    } else {  // OpenBLAS picks its kernel per block: the README's bound for such CPUs
        expect_same_tensors(base + "/one/checkpoints/last.safetensors", base + "/two/checkpoints/last.safetensors",
                            1e-2);
    }
}

// The conditional model from the CLI: its defaults recorded, `--digit` and `--grid-by-class` draw from
// it, and an unconditional model refuses `--digit` with a one-line reason.
TEST(EndToEnd, ConditionalTrainsAndDrawsChosenDigits) {
    TempFolder tmp("gan_e2e_cond");
    const std::string base = tmp.path;
    Result r = run("train --conditional --data " + kData + " --batch 50 --threads 1 --epochs 1 --out " + base + "/c");
    ASSERT_EQ(r.code, 0) << r.out;
    std::vector<uint8_t> cfg = file_read_all(base + "/c/config.json", 1 << 20);
    const std::string cfg_text(cfg.begin(), cfg.end());
    EXPECT_NE(cfg_text.find("\"cond_d\": \"proj_ac\""), std::string::npos) << cfg_text;
    EXPECT_NE(cfg_text.find("\"class_weight\": 3"), std::string::npos) << cfg_text;
    SafetensorsFile g = safetensors_read(base + "/c/generator.safetensors");
    EXPECT_EQ(g.metadata.at("conditional"), "1");
    EXPECT_EQ(g.tensors.at("generator.0.weight").shape, (std::vector<int64_t>{128, 110}));

    Result s = run("sample --checkpoint " + base + "/c --digit 7 --n 12 --out " + base + "/sevens.npy");
    ASSERT_EQ(s.code, 0) << s.out;
    EXPECT_EQ(npy_read_u8(base + "/sevens.npy").shape, (std::vector<int64_t>{12, 28, 28}));
    Result grid = run("sample --checkpoint " + base + "/c --grid-by-class --n 3 --out " + base + "/grid.png");
    ASSERT_EQ(grid.code, 0) << grid.out;
    GrayImage gi = png_read_gray(base + "/grid.png");
    EXPECT_GT(gi.height, gi.width);  // 10 rows of 3

    Result u = run(train_args(base + "/u", 1));
    ASSERT_EQ(u.code, 0) << u.out;
    Result refused = run("sample --checkpoint " + base + "/u --digit 7 --n 4 --out " + base + "/x.npy");
    EXPECT_NE(refused.code, 0);
    EXPECT_NE(refused.out.find("conditional"), std::string::npos) << refused.out;
    EXPECT_FALSE(fs::exists(base + "/x.npy"));
}

// The DCGAN from the CLI, with its defaults: trains on real images and samples.
TEST(EndToEnd, DcganTrainsAndSamples) {
    TempFolder tmp("gan_e2e_dcgan");
    const std::string base = tmp.path;
    Result r = run("train --arch dcgan --data " + kData + " --batch 50 --threads 1 --epochs 1 --out " + base + "/d");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("lr=0.0002"), std::string::npos) << r.out;
    SafetensorsFile g = safetensors_read(base + "/d/generator.safetensors");
    EXPECT_EQ(g.metadata.at("arch"), "dcgan");
    Result s = run("sample --checkpoint " + base + "/d --n 10 --out " + base + "/s.npy");
    ASSERT_EQ(s.code, 0) << s.out;
    NpyU8 px = npy_read_u8(base + "/s.npy");
    EXPECT_EQ(px.shape, (std::vector<int64_t>{10, 28, 28}));
    EXPECT_GT(*std::max_element(px.data.begin(), px.data.end()), *std::min_element(px.data.begin(), px.data.end()));

    // Resume is bit-exact here too (batch norm buffers, oneDNN convolutions): 1 + 1 epochs = 2 epochs.
    ASSERT_EQ(run("train --arch dcgan --data " + kData + " --batch 50 --threads 1 --epochs 2 --out " + base + "/two").code, 0);
    Result resumed = run("train --resume " + base + "/d --epochs 2");
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    expect_same_tensors(base + "/two/checkpoints/last.safetensors", base + "/d/checkpoints/last.safetensors");
}

// With --threads 2 the DCGAN's step runs on two in-process replicas (train/replicas.h); resume stays
// bit-exact at that count: 1 + 1 epochs = 2 epochs.
TEST(EndToEnd, DcganOnTwoReplicasResumesBitwise) {
    TempFolder tmp("gan_e2e_dcgan_replicas");
    const std::string train = "train --arch dcgan --data " + kData + " --batch 50 --threads 2 ";
    ASSERT_EQ(run(train + "--epochs 2 --out " + tmp.path + "/two").code, 0);
    Result one = run(train + "--epochs 1 --out " + tmp.path + "/one");
    ASSERT_EQ(one.code, 0) << one.out;
    Result resumed = run("train --resume " + tmp.path + "/one --epochs 2");
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    expect_same_tensors(tmp.path + "/two/checkpoints/last.safetensors", tmp.path + "/one/checkpoints/last.safetensors");
}

TEST(EndToEnd, ClearErrorsForBadInput) {
    Result r = run("train --data /nonexistent/dir --epochs 1");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("gan: error: /nonexistent/dir"), std::string::npos) << r.out;
    r = run("train --data " + kData + " --batch 0");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("--batch"), std::string::npos) << r.out;
    r = run("sample --checkpoint /nonexistent.safetensors --out /tmp/x.png");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("/nonexistent.safetensors"), std::string::npos) << r.out;
    r = run("sample --checkpoint " + kData + "/train-images-idx3-ubyte.gz --out /tmp/x.png");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(EndToEnd, DivergenceStopsWithTheEpochAndStepAndKeepsTheLastGoodCheckpoint) {
    TempFolder tmp("gan_e2e_diverge");
    const std::string run_dir = tmp.path + "/run";
    Result r = run("train --data " + kData + " --batch 50 --epochs 2 --lr 1e30 --out " + run_dir);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("training diverged at epoch 1 step "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("try a lower --lr"), std::string::npos) << r.out;
    // The state written when training started is intact, finite and resumable.
    SafetensorsFile last = safetensors_read(run_dir + "/checkpoints/last.safetensors");
    for (auto& [name, t] : last.tensors)
        for (float v : t.data) ASSERT_TRUE(std::isfinite(v)) << name;
    EXPECT_EQ(last.metadata.at("epoch"), "0");
}

// ---- run directories: refusal, --overwrite, --resume with changed options, --config ---------------

namespace {

// Every file under dir (relative path -> bytes): equal snapshots mean the directory is byte for byte
// the same.
std::map<std::string, std::vector<uint8_t>> snapshot(const std::string& dir) {
    std::map<std::string, std::vector<uint8_t>> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().filename() == ".lock")
            continue;  // the run's lock holds the pid of the last gan train that took it, not run content
        else if (e.is_regular_file())
            files[fs::relative(e.path(), dir).string()] = file_read_all(e.path().string(), size_t(1) << 30);
        else
            files[fs::relative(e.path(), dir).string() + "/"] = {};
    return files;
}

TrainOptions stored_options(const std::string& run_dir) {
    std::vector<uint8_t> bytes = file_read_all(run_dir + "/config.json", 1 << 20);
    return TrainOptions::from_json(std::string(bytes.begin(), bytes.end()), run_dir + "/config.json");
}

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST(RunDir, ARunIsNotOverwrittenUnlessAskedAndOverwriteClearsIt) {
    TempFolder tmp("gan_e2e_refuse");
    const std::string run_dir = tmp.path + "/run";
    ASSERT_EQ(run(train_args(run_dir, 1)).code, 0);
    const auto before = snapshot(run_dir);

    Result r = run(train_args(run_dir, 1));
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_EQ(lines(r.out), 1u) << r.out;
    EXPECT_NE(r.out.find(run_dir + " already holds a run"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
    EXPECT_TRUE(snapshot(run_dir) == before) << "the refused run changed " << run_dir;

    // Only config.json, or only checkpoints/, is a run too.
    TempFolder partial_tmp("gan_e2e_refuse_partial");
    const std::string partial = partial_tmp.path;
    fs::create_directories(partial + "/checkpoints");
    EXPECT_NE(run(train_args(partial, 1)).code, 0);
    EXPECT_TRUE(fs::is_empty(partial + "/checkpoints"));

    EXPECT_NE(run(train_args(run_dir, 1) + " --resume " + run_dir + " --overwrite").code, 0);
    EXPECT_TRUE(snapshot(run_dir) == before);

    const std::string first_state = run_dir + "/../first_last.safetensors";
    fs::copy_file(run_dir + "/checkpoints/last.safetensors", first_state);
    file_write_atomic(run_dir + "/notes.txt", "not the run's\n");
    r = run(train_args(run_dir, 1) + " --overwrite");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("Cleared " + run_dir), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(run_dir + "/notes.txt"));
    EXPECT_TRUE(fs::exists(run_dir + "/generator.safetensors"));
    // The same seed and options again: the same weights as before the overwrite.
    expect_same_tensors(first_state, run_dir + "/checkpoints/last.safetensors");
}

TEST(RunDir, ResumeAppliesAndRecordsChangedOptionsAndRefusesFixedOnes) {
    TempFolder tmp("gan_e2e_change");
    const std::string base = tmp.path;
    ASSERT_EQ(run(train_args(base + "/same", 1)).code, 0);
    ASSERT_EQ(run(train_args(base + "/lr", 1)).code, 0);
    EXPECT_EQ(stored_options(base + "/lr").adam.lr, 0.002f);

    Result same = run("train --resume " + base + "/same --epochs 2");
    ASSERT_EQ(same.code, 0) << same.out;
    EXPECT_EQ(same.out.find("\nlr "), std::string::npos) << same.out;
    Result r = run("train --resume " + base + "/lr --epochs 2 --lr 0.01 --threads 1");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("epochs 1 -> 2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("lr 0.002 -> 0.01\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("threads"), std::string::npos) << r.out;  // unchanged: not printed
    EXPECT_NE(r.out.find("lr=0.01 "), std::string::npos) << r.out;
    EXPECT_EQ(stored_options(base + "/lr").adam.lr, 0.01f);
    SafetensorsFile last = safetensors_read(base + "/lr/checkpoints/last.safetensors");
    EXPECT_EQ(TrainOptions::from_json(last.metadata.at("train_options"), "last").adam.lr, 0.01f);
    // Trained with it: the second epoch's weights differ from those of the run that kept 0.002.
    SafetensorsFile kept = safetensors_read(base + "/same/checkpoints/last.safetensors");
    EXPECT_FALSE(last.tensors.at("generator.0.weight").data == kept.tensors.at("generator.0.weight").data);

    // What cannot change is refused, and the run stays as it was.
    const auto before = snapshot(base + "/lr");
    for (const char* flag : {"--arch dcgan", "--hidden 64", "--seed 4", "--batch 20", "--conditional"}) {
        Result bad = run("train --resume " + base + "/lr --epochs 3 " + flag);
        EXPECT_EQ(bad.code, 2) << flag << "\n" << bad.out;
        EXPECT_EQ(lines(bad.out), 1u) << bad.out;
        EXPECT_NE(bad.out.find("cannot change"), std::string::npos) << bad.out;
        EXPECT_NE(bad.out.find(std::string(flag).substr(0, std::string(flag).find(' '))), std::string::npos)
            << bad.out;
        EXPECT_TRUE(snapshot(base + "/lr") == before) << flag;
    }
    // The same value of a fixed option is no change.
    EXPECT_EQ(run("train --resume " + base + "/lr --epochs 3 --seed 3 --batch 50").code, 0);
    EXPECT_EQ(stored_options(base + "/lr").adam.lr, 0.01f);  // kept on the next resume
}

TEST(RunDir, ResumingAFinishedRunSaysHowToExtendIt) {
    TempFolder tmp("gan_e2e_finished");
    const std::string run_dir = tmp.path + "/run";
    ASSERT_EQ(run(train_args(run_dir, 2)).code, 0);
    const auto before = snapshot(run_dir);
    Result r = run("train --resume " + run_dir);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find(run_dir + " is finished"), std::string::npos) << r.out;
    // The hint names the program as it was invoked.
    EXPECT_NE(r.out.find(std::string(GAN_BINARY) + " train --resume " + run_dir + " --epochs 3"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("Epoch "), std::string::npos) << r.out;
    EXPECT_TRUE(snapshot(run_dir) == before);
    Result fewer = run("train --resume " + run_dir + " --epochs 1");
    EXPECT_EQ(fewer.code, 2) << fewer.out;
    EXPECT_NE(fewer.out.find("already trained 2 epochs"), std::string::npos) << fewer.out;
    EXPECT_TRUE(snapshot(run_dir) == before);
}

TEST(RunDir, ConfigStartsANewRunWithAnEarlierRunsOptions) {
    TempFolder tmp("gan_e2e_config");
    const std::string base = tmp.path;
    ASSERT_EQ(run(train_args(base + "/first", 1) + " --hidden 32 --lr 0.001").code, 0);
    Result r = run("train --config " + base + "/first/config.json --out " + base + "/second --epochs 2");
    ASSERT_EQ(r.code, 0) << r.out;
    TrainOptions o = stored_options(base + "/second");
    EXPECT_EQ(o.model.hidden, 32);
    EXPECT_EQ(o.adam.lr, 0.001f);
    EXPECT_EQ(o.epochs, 2);
    EXPECT_EQ(o.seed, 3u);
    EXPECT_EQ(o.out_dir, base + "/second");
    // Without --out it would train into the earlier run's directory: refused like any other.
    EXPECT_NE(run("train --config " + base + "/first/config.json").code, 0);
}

// While a run's first epoch trains, its directory has only the initial full state: `gan sample` says
// no epoch has finished instead of drawing from untrained weights; after an epoch it uses that epoch's
// generator.
TEST(RunDir, SampleUsesTheNewestFinishedEpochOrSaysThereIsNone) {
    TempFolder tmp("gan_e2e_first_epoch");
    const std::string base = tmp.path;
    ASSERT_EQ(run(train_args(base + "/run", 1)).code, 0);
    const std::string during = base + "/during";
    fs::create_directories(during + "/checkpoints");
    fs::copy_file(base + "/run/checkpoints/last.safetensors", during + "/checkpoints/last.safetensors");
    Result r = run("sample --checkpoint " + during + " --n 4 --out " + base + "/x.npy");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_EQ(lines(r.out), 1u) << r.out;
    EXPECT_NE(r.out.find("no epoch of this run has finished"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(base + "/x.npy"));

    fs::copy_file(base + "/run/checkpoints/generator_epoch_001.safetensors",
                  during + "/checkpoints/generator_epoch_001.safetensors");
    ASSERT_EQ(run("sample --checkpoint " + during + " --n 4 --out " + base + "/x.npy").code, 0);
    ASSERT_EQ(run("sample --checkpoint " + base + "/run/checkpoints/generator_epoch_001.safetensors --n 4 --out " +
                  base + "/y.npy")
                  .code,
              0);
    EXPECT_TRUE(npy_read_u8(base + "/x.npy").data == npy_read_u8(base + "/y.npy").data);
}
