// The ONNX model export/onnx.cpp writes, read back with a small wire-format reader: the fields the ONNX
// spec requires and runtimes rely on (IR version, opset, input/output names and shapes with a dynamic
// batch axis, the node sequence, weights byte for byte, metadata). scripts/check_onnx.sh checks the same
// files with onnx's own checker and runs them in ONNX Runtime.
#include "export/onnx.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/check.h"
#include "io/file.h"
#include "test_util.h"
#include "models/dcgan.h"
#include "nn/linear.h"

namespace {

// One decoded field: its number, and its varint value or its bytes (fixed32 too).
struct Field {
    int number = 0;
    uint64_t varint = 0;
    std::string bytes;
};

uint64_t read_varint(const std::string& s, size_t& pos) {
    uint64_t v = 0;
    for (int shift = 0; pos < s.size(); shift += 7) {
        const uint8_t b = uint8_t(s[pos++]);
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    throw gan::Error("varint runs past the end");
}

// The fields of a message in order; throws on wire types the writer never uses or data past the end.
std::vector<Field> decode(const std::string& s) {
    std::vector<Field> out;
    size_t pos = 0;
    while (pos < s.size()) {
        const uint64_t key = read_varint(s, pos);
        Field f;
        f.number = int(key >> 3);
        switch (key & 7) {
            case 0: f.varint = read_varint(s, pos); break;
            case 2: {
                const uint64_t n = read_varint(s, pos);
                if (n > s.size() - pos) throw gan::Error("length past the end");
                f.bytes = s.substr(pos, n);
                pos += n;
                break;
            }
            case 5:
                if (s.size() - pos < 4) throw gan::Error("fixed32 past the end");
                f.bytes = s.substr(pos, 4);
                pos += 4;
                break;
            default: throw gan::Error("unexpected wire type");
        }
        out.push_back(f);
    }
    return out;
}

std::vector<Field> all(const std::vector<Field>& fields, int number) {
    std::vector<Field> out;
    for (const Field& f : fields)
        if (f.number == number) out.push_back(f);
    return out;
}

const Field& one(const std::vector<Field>& fields, int number) {
    static const Field none;
    for (const Field& f : fields)
        if (f.number == number) return f;
    ADD_FAILURE() << "no field " << number;
    return none;
}

// A ValueInfoProto's name, element type and dims ("N" for a dim_param).
struct ValueInfo {
    std::string name;
    int elem_type = 0;
    std::vector<std::string> dims;
};

ValueInfo value_info(const std::string& bytes) {
    const auto vi = decode(bytes);
    ValueInfo out;
    out.name = one(vi, 1).bytes;
    const auto tensor = decode(one(decode(one(vi, 2).bytes), 1).bytes);  // TypeProto.tensor_type
    out.elem_type = int(one(tensor, 1).varint);
    for (const Field& dim : all(decode(one(tensor, 2).bytes), 1)) {
        const auto d = decode(dim.bytes);
        out.dims.push_back(d[0].number == 1 ? std::to_string(d[0].varint) : d[0].bytes);
    }
    return out;
}

struct Model {
    std::vector<Field> model, graph;
    std::vector<std::string> ops;
    std::vector<ValueInfo> inputs, outputs;
    std::map<std::string, std::string> initializers;  // name -> raw_data
    std::map<std::string, std::string> metadata;
};

Model read_model(const std::string& bytes) {
    Model m;
    m.model = decode(bytes);
    m.graph = decode(one(m.model, 7).bytes);
    for (const Field& n : all(m.graph, 1)) m.ops.push_back(one(decode(n.bytes), 4).bytes);
    for (const Field& f : all(m.graph, 11)) m.inputs.push_back(value_info(f.bytes));
    for (const Field& f : all(m.graph, 12)) m.outputs.push_back(value_info(f.bytes));
    for (const Field& f : all(m.graph, 5)) {
        const auto t = decode(f.bytes);
        m.initializers[one(t, 8).bytes] = one(t, 9).bytes;
    }
    for (const Field& f : all(m.model, 14)) {
        const auto e = decode(f.bytes);
        m.metadata[one(e, 1).bytes] = one(e, 2).bytes;
    }
    return m;
}

std::string raw(const float* p, size_t n) { return std::string(reinterpret_cast<const char*>(p), n * 4); }

}  // namespace

TEST(Onnx, ClassicMlpGenerator) {
    gan::ModelConfig c;
    c.z_dim = 3, c.hidden = 4, c.rows = 2, c.cols = 2;
    auto model = gan::gan_build(c);
    auto& values = model->g.params.values();
    for (size_t i = 0; i < values.size(); ++i) values[i] = 0.25f * float(i) - 3.0f;
    const Model m = read_model(gan::onnx_generator_model(*model, {{"epoch", "7"}}));

    EXPECT_EQ(one(m.model, 1).varint, uint64_t(gan::kOnnxIrVersion));
    const auto opset = decode(one(m.model, 8).bytes);
    EXPECT_EQ(one(opset, 1).bytes, "");  // the default domain, ai.onnx
    EXPECT_EQ(one(opset, 2).varint, 13u);
    EXPECT_EQ(one(m.model, 2).bytes, "gan.cpp");

    EXPECT_EQ(m.ops, (std::vector<std::string>{"Gemm", "LeakyRelu", "Gemm", "Tanh", "Reshape"}));
    ASSERT_EQ(m.inputs.size(), 1u);
    EXPECT_EQ(m.inputs[0].name, "z");
    EXPECT_EQ(m.inputs[0].elem_type, 1);  // FLOAT
    EXPECT_EQ(m.inputs[0].dims, (std::vector<std::string>{"N", "3"}));
    ASSERT_EQ(m.outputs.size(), 1u);
    EXPECT_EQ(m.outputs[0].name, "images");
    EXPECT_EQ(m.outputs[0].dims, (std::vector<std::string>{"N", "1", "2", "2"}));

    // Weights byte for byte, under the checkpoint's names.
    auto* l0 = dynamic_cast<gan::Linear*>(&model->g.layer(0));
    ASSERT_NE(l0, nullptr);
    EXPECT_EQ(m.initializers.at("generator.0.weight"), raw(model->g.params.value(l0->weight_offset()), 12));
    EXPECT_EQ(m.initializers.at("generator.0.bias"), raw(model->g.params.value(l0->bias_offset()), 4));
    EXPECT_EQ(m.initializers.at("generator.2.weight").size(), 4u * 4 * 4);

    EXPECT_EQ(m.metadata.at("architecture"), "mlp");
    EXPECT_EQ(m.metadata.at("latent_distribution"), "uniform(-1,1)");
    EXPECT_EQ(m.metadata.at("z_dim"), "3");
    EXPECT_EQ(m.metadata.at("image_shape"), "1,2,2");
    EXPECT_EQ(m.metadata.at("conditional"), "0");
    EXPECT_EQ(m.metadata.at("epoch"), "7");
}

TEST(Onnx, ConditionalDcganGenerator) {
    auto model = gan::gan_build(gan::dcgan_config(true));
    const Model m = read_model(gan::onnx_generator_model(*model));
    // One-hot label after z, reshaped to (N, 110, 1, 1) for the transposed convolutions; BN with running stats.
    EXPECT_EQ(m.ops, (std::vector<std::string>{"OneHot", "Concat", "Reshape", "ConvTranspose", "BatchNormalization",
                                                "Relu", "ConvTranspose", "BatchNormalization", "Relu",
                                                "ConvTranspose", "BatchNormalization", "Relu", "ConvTranspose",
                                                "Tanh"}));
    ASSERT_EQ(m.inputs.size(), 2u);
    EXPECT_EQ(m.inputs[0].name, "z");
    EXPECT_EQ(m.inputs[0].dims, (std::vector<std::string>{"N", "100"}));
    EXPECT_EQ(m.inputs[1].name, "label");
    EXPECT_EQ(m.inputs[1].elem_type, 7);  // INT64
    EXPECT_EQ(m.inputs[1].dims, (std::vector<std::string>{"N"}));
    EXPECT_EQ(m.outputs[0].dims, (std::vector<std::string>{"N", "1", "28", "28"}));
    EXPECT_EQ(m.initializers.at("generator.0.weight").size(), 4u * 110 * 256 * 4 * 4);  // (in, out, k, k)
    EXPECT_EQ(m.initializers.count("generator.1.running_var"), 1u);
    EXPECT_EQ(m.metadata.at("architecture"), "dcgan");
    EXPECT_EQ(m.metadata.at("latent_distribution"), "normal(0,1)");
    EXPECT_EQ(m.metadata.at("conditional"), "1");
    EXPECT_EQ(m.metadata.at("num_classes"), "10");
}

TEST(Onnx, ExportWritesTheFileAtomically) {
    gan::ModelConfig c;
    c.z_dim = 2, c.hidden = 2, c.rows = 2, c.cols = 2;
    auto model = gan::gan_build(c);
    gan::testing::TempFolder dir;
    const size_t n = gan::onnx_export_generator(dir.file("g.onnx"), *model);
    const std::vector<uint8_t> bytes = gan::file_read_all(dir.file("g.onnx"), 1 << 20);
    const std::string expected = gan::onnx_generator_model(*model);
    EXPECT_EQ(n, expected.size());
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), expected);
    EXPECT_EQ(dir.list(), (std::vector<std::string>{"g.onnx"}));  // no temp file left behind
    try {
        gan::onnx_export_generator(dir.file("missing/g.onnx"), *model);
        FAIL() << "no error for a missing folder";
    } catch (const gan::Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing/g.onnx: cannot write"), std::string::npos) << e.what();
    }
}
