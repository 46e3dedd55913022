// `gan sample --z / --labels / --save-z` through the real program (GAN_BINARY): the latents it draws
// come back out as float32 .npy, given back they draw the same images, labels choose each image's class,
// and every mismatch of shape, count or range is one line naming the file (exit 2).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "io/file.h"
#include "test_util.h"
#include "io/npy.h"
#include "train/checkpoint.h"

namespace {

using gan::testing::run_gan;
using Result = gan::testing::RunResult;

std::string make_generator(const gan::testing::TempFolder& dir, const std::string& name, const gan::ModelConfig& c) {
    auto m = gan::gan_build(c);
    gan::Rng rng(4);
    gan::gan_init(*m, rng);
    const std::string p = dir.file(name);
    gan::checkpoint_save_generator(p, *m);
    return p;
}

gan::ModelConfig conditional() {
    gan::ModelConfig c;
    c.conditional = true;
    return c;
}

// The error line of a run that must fail: exit 2, one line, naming every part of `expect`.
void expect_error(const std::string& args, const std::vector<std::string>& expect) {
    const Result r = run_gan(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("gan: error: ", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    for (const std::string& e : expect) EXPECT_NE(r.out.find(e), std::string::npos) << "'" << e << "' in " << r.out;
}

}  // namespace

TEST(SampleLatents, SavedLatentsGivenBackDrawTheSameImages) {
    gan::testing::TempFolder dir;
    const std::string g = make_generator(dir, "g.safetensors", {});
    const std::string z = dir.file("z.npy"), a = dir.file("a.npy"), b = dir.file("b.npy"), plain = dir.file("p.npy");
    Result r = run_gan("sample -c " + g + " --n 300 --seed 5 --out " + a + " --save-z " + z);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("wrote their latents, float32 (300, 100), to " + z), std::string::npos) << r.out;
    const gan::NpyF32 latents = gan::npy_read_f32(z);
    EXPECT_EQ(latents.shape, (std::vector<int64_t>{300, 100}));
    for (float v : latents.data) ASSERT_TRUE(v >= -1.0f && v < 1.0f) << v;  // the classic GAN's U(-1, 1)

    ASSERT_EQ(run_gan("sample -c " + g + " --z " + z + " --out " + b).code, 0);
    ASSERT_EQ(run_gan("sample -c " + g + " --n 300 --seed 5 --out " + plain).code, 0);
    const gan::NpyU8 pa = gan::npy_read_u8(a), pb = gan::npy_read_u8(b), pp = gan::npy_read_u8(plain);
    EXPECT_EQ(pb.shape, (std::vector<int64_t>{300, 28, 28}));  // as many images as latents
    EXPECT_TRUE(pa.data == pb.data);
    EXPECT_TRUE(pa.data == pp.data);  // --save-z changes nothing of the draw
}

TEST(SampleLatents, LabelsChooseEachImagesClass) {
    gan::testing::TempFolder dir;
    const std::string g = make_generator(dir, "c.safetensors", conditional());
    const std::string z = dir.file("z.npy"), sevens = dir.file("sevens.npy");
    ASSERT_EQ(run_gan("sample -c " + g + " --n 20 --out " + dir.file("x.npy") + " --save-z " + z).code, 0);
    const std::vector<int64_t> all_seven(20, 7);
    gan::testing::write_bytes(sevens, [&] {
        std::string h = "{'descr': '<i8', 'fortran_order': False, 'shape': (20,), }";
        h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');  // data at a multiple of 64 bytes
        h += '\n';
        std::string s("\x93NUMPY\x01\x00", 8);
        s += char(h.size()), s += char(0), s += h;
        s.append(reinterpret_cast<const char*>(all_seven.data()), all_seven.size() * 8);
        return std::vector<uint8_t>(s.begin(), s.end());
    }());
    const std::string by_labels = dir.file("l.npy"), by_digit = dir.file("d.npy");
    Result r = run_gan("sample -c " + g + " --z " + z + " --labels " + sevens + " --out " + by_labels);
    ASSERT_EQ(r.code, 0) << r.out;
    ASSERT_EQ(run_gan("sample -c " + g + " --z " + z + " --digit 7 --out " + by_digit).code, 0);
    EXPECT_TRUE(gan::npy_read_u8(by_labels).data == gan::npy_read_u8(by_digit).data);
    // Without --z, --labels sets the number of images.
    r = run_gan("sample -c " + g + " --labels " + sevens + " --out " + by_labels);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(gan::npy_read_u8(by_labels).shape, (std::vector<int64_t>{20, 28, 28}));
}

TEST(SampleLatents, MismatchesAreOneLineNamingTheFile) {
    gan::testing::TempFolder dir;
    const std::string g = make_generator(dir, "g.safetensors", {});
    const std::string c = make_generator(dir, "c.safetensors", conditional());
    const std::string out = " --out " + dir.file("x.npy");
    const std::string z64 = dir.file("z64.npy"), z3d = dir.file("z3d.npy"), z = dir.file("z.npy");
    const std::vector<float> zeros(5 * 100, 0.0f);
    gan::npy_write_f32(z64, zeros.data(), {5, 64});
    gan::npy_write_f32(z3d, zeros.data(), {5, 10, 10});
    gan::npy_write_f32(z, zeros.data(), {5, 100});
    const std::vector<uint8_t> pixels(5, 0);
    const std::string u8 = dir.file("u8.npy");
    gan::npy_write_u8(u8, pixels.data(), {5, 1});

    expect_error("sample -c " + g + " --z " + z64 + out, {z64, "(N, 100)", "holds (5, 64)"});
    expect_error("sample -c " + g + " --z " + z3d + out, {z3d, "holds (5, 10, 10)"});
    expect_error("sample -c " + g + " --z " + u8 + out, {u8, "dtype is '|u1'"});
    expect_error("sample -c " + g + " --z " + dir.file("none.npy") + out, {dir.file("none.npy"), "cannot open"});
    expect_error("sample -c " + g + " --z " + z + " --n 6" + out, {z, "holds 5 latents but --n is 6"});
    expect_error("sample -c " + g + " --z " + z + " --save-z " + dir.file("s.npy") + out, {"--save-z", z});
    expect_error("sample -c " + c + " --z " + z + " --grid-by-class" + out, {"--grid-by-class", "--z"});

    const std::string l5 = dir.file("l5.npy"), l4 = dir.file("l4.npy"), l2d = dir.file("l2d.npy");
    gan::npy_write_u8(l5, std::vector<uint8_t>{1, 2, 3, 10, 4}.data(), {5});
    gan::npy_write_u8(l4, std::vector<uint8_t>{1, 2, 3, 4}.data(), {4});
    gan::npy_write_u8(l2d, pixels.data(), {5, 1});
    expect_error("sample -c " + g + " --z " + z + " --labels " + l4 + out, {g, "not conditional", "--labels"});
    expect_error("sample -c " + c + " --z " + z + " --labels " + l5 + out, {l5, "label 10 at index 3", "[0, 10)"});
    expect_error("sample -c " + c + " --z " + z + " --labels " + l4 + out, {l4, "holds 4 labels", "5 latents in " + z});
    expect_error("sample -c " + c + " --n 3 --labels " + l4 + out, {l4, "holds 4 labels", "3 images (--n)"});
    expect_error("sample -c " + c + " --labels " + l2d + out, {l2d, "shape (N,)", "holds (5, 1)"});
    expect_error("sample -c " + c + " --labels " + l4 + " --digit 3" + out, {"--labels", "--digit"});
    expect_error("sample -c " + c + " --labels " + z + out, {z, "dtype is '<f4'"});
}
