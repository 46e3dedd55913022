#include "export/onnx.h"

#include <vector>

#include "core/check.h"
#include "io/protobuf.h"
#include "io/file.h"
#include "nn/activation.h"
#include "nn/batchnorm2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/linear.h"

namespace gan {

namespace {

// Field numbers and enum values of onnx/onnx.proto (the messages this file writes).
namespace model_f { enum { ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14 }; }
namespace opset_f { enum { domain = 1, version = 2 }; }
namespace graph_f { enum { node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12 }; }
namespace node_f { enum { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }; }
namespace attr_f { enum { name = 1, f = 2, i = 3, ints = 8, type = 20 }; }
namespace attr_type { enum { FLOAT = 1, INT = 2, INTS = 7 }; }
namespace tensor_f { enum { dims = 1, data_type = 2, name = 8, raw_data = 9 }; }
namespace value_info_f { enum { name = 1, type = 2 }; }
namespace type_f { enum { tensor_type = 1 }; }
namespace tensor_type_f { enum { elem_type = 1, shape = 2 }; }
namespace shape_f { enum { dim = 1 }; }
namespace dim_f { enum { dim_value = 1, dim_param = 2 }; }
namespace entry_f { enum { key = 1, value = 2 }; }
enum DataType { FLOAT = 1, INT64 = 7 };

// An AttributeProto: its name, the value (written by set_value) and the value's type.
template <typename SetValue>
ProtoWriter attribute(const std::string& name, int type, SetValue set_value) {
    ProtoWriter a;
    a.string(attr_f::name, name);
    set_value(a);
    a.int64(attr_f::type, type);
    return a;
}

ProtoWriter attr_int(const std::string& name, int64_t v) {
    return attribute(name, attr_type::INT, [&](ProtoWriter& a) { a.int64(attr_f::i, v); });
}

ProtoWriter attr_float(const std::string& name, float v) {
    return attribute(name, attr_type::FLOAT, [&](ProtoWriter& a) { a.fixed32_float(attr_f::f, v); });
}

ProtoWriter attr_ints(const std::string& name, const std::vector<int64_t>& v) {
    return attribute(name, attr_type::INTS, [&](ProtoWriter& a) {
        for (int64_t x : v) a.int64(attr_f::ints, x);
    });
}

// A tensor input or output with a dynamic first axis "N" and fixed others.
ProtoWriter value_info(const std::string& name, int elem_type, const std::vector<int64_t>& fixed_dims) {
    ProtoWriter shape;
    ProtoWriter batch;
    batch.string(dim_f::dim_param, "N");
    shape.message(shape_f::dim, batch);
    for (int64_t d : fixed_dims) {
        ProtoWriter dim;
        dim.int64(dim_f::dim_value, d);
        shape.message(shape_f::dim, dim);
    }
    ProtoWriter tensor_type;
    tensor_type.int64(tensor_type_f::elem_type, elem_type);
    tensor_type.message(tensor_type_f::shape, shape);
    ProtoWriter type;
    type.message(type_f::tensor_type, tensor_type);
    ProtoWriter vi;
    vi.string(value_info_f::name, name);
    vi.message(value_info_f::type, type);
    return vi;
}

// Builds the GraphProto: nodes in order, initializers, and fresh names for intermediate values.
class GraphBuilder {
  public:
    ProtoWriter nodes, initializers;  // the GraphProto's node and initializer fields

    std::string fresh(const std::string& stem) { return stem + "_" + std::to_string(next_++); }

    void node(const std::string& op, const std::vector<std::string>& in, const std::string& out,
              const std::vector<ProtoWriter>& attrs = {}) {
        ProtoWriter n;
        for (const std::string& s : in) n.string(node_f::input, s);
        n.string(node_f::output, out);
        n.string(node_f::name, op + "_" + std::to_string(nodes_++));
        n.string(node_f::op_type, op);
        for (const ProtoWriter& a : attrs) n.message(node_f::attribute, a);
        nodes.message(graph_f::node, n);
    }

    // Raw little-endian bytes: float32 and int64 initializers.
    void initializer(const std::string& name, int data_type, const std::vector<int64_t>& dims, const void* data,
                     size_t bytes) {
        ProtoWriter t;
        for (int64_t d : dims) t.int64(tensor_f::dims, d);
        t.int64(tensor_f::data_type, data_type);
        t.string(tensor_f::name, name);
        t.bytes(tensor_f::raw_data, data, bytes);
        initializers.message(graph_f::initializer, t);
    }
    void floats(const std::string& name, const std::vector<int64_t>& dims, const float* data) {
        size_t count = 1;
        for (int64_t d : dims) count *= size_t(d);
        initializer(name, FLOAT, dims, data, count * sizeof(float));
    }
    std::string int64s(const std::string& stem, const std::vector<int64_t>& v, bool scalar = false) {
        const std::string name = fresh(stem);
        initializer(name, INT64, scalar ? std::vector<int64_t>{} : std::vector<int64_t>{int64_t(v.size())},
                    v.data(), v.size() * sizeof(int64_t));
        return name;
    }
  private:
    int next_ = 0, nodes_ = 0;
};

static_assert(sizeof(float) == 4, "float32 initializers");

std::string latent_name(Latent latent) {
    return latent == Latent::normal ? "normal(0,1)" : "uniform(-1,1)";
}

// The value flowing through the graph: its name, whether ONNX holds it as (N, F) or (N, C, H, W),
// and its per-sample shape (from the layers' own shape checks).
struct Flow {
    GraphBuilder& b;
    std::string cur = "z";
    bool four_d = false;
    Shape shape;
    void to_2d() {
        if (!four_d) return;
        const std::string out = b.fresh("flat");
        b.node("Flatten", {cur}, out, {attr_int("axis", 1)});
        cur = out, four_d = false;
    }
    void to_4d() {
        if (four_d) return;
        const std::string out = b.fresh("nchw");
        b.node("Reshape", {cur, b.int64s("shape", {-1, shape.c, shape.h, shape.w})}, out);
        cur = out, four_d = true;
    }
    // A layer's output name; the last layer writes "images" itself when its result is already
    // (N, C, H, W).
    std::string output(const Layer& layer, bool last) { return last && four_d ? "images" : b.fresh(layer.kind()); }
};

// A conditional generator's input: z joined with the one-hot label. Returns the joined value.
std::string add_label_input(GraphBuilder& b, const ModelConfig& c) {
    const std::string depth = b.int64s("num_classes", {c.num_classes}, true);
    const float off_on[2] = {0.0f, 1.0f};
    const std::string values = b.fresh("one_hot_values");
    b.floats(values, {2}, off_on);
    const std::string one_hot = b.fresh("one_hot");
    b.node("OneHot", {"label", depth, values}, one_hot, {attr_int("axis", -1)});
    const std::string joined = b.fresh("z_label");
    b.node("Concat", {"z", one_hot}, joined, {attr_int("axis", 1)});
    return joined;
}

// The weight (and bias, when given) as initializers named after the layer; the node's inputs.
std::vector<std::string> weighted_inputs(Flow& f, const std::string& name, const std::vector<int64_t>& weight_dims,
                                         const float* weight, int64_t out, const float* bias) {
    f.b.floats(name + ".weight", weight_dims, weight);
    std::vector<std::string> in = {f.cur, name + ".weight"};
    if (bias) {
        f.b.floats(name + ".bias", {out}, bias);
        in.push_back(name + ".bias");
    }
    return in;
}

std::string add_conv_transpose(Flow& f, ConvTranspose2d& ct, const Arena& params, const std::string& name, bool last) {
    const ConvTranspose2dOptions& o = ct.options();
    f.to_4d();
    const auto in = weighted_inputs(f, name, {o.in, o.out, o.kernel, o.kernel}, params.value(ct.weight_offset()), o.out,
                                    o.bias ? params.value(ct.bias_offset()) : nullptr);
    std::vector<ProtoWriter> attrs = {attr_ints("kernel_shape", {o.kernel, o.kernel}),
                                      attr_ints("strides", {o.stride, o.stride}),
                                      attr_ints("pads", {o.padding, o.padding, o.padding, o.padding})};
    if (o.output_padding) attrs.push_back(attr_ints("output_padding", {o.output_padding, o.output_padding}));
    const std::string out = f.output(ct, last);
    f.b.node("ConvTranspose", in, out, attrs);
    return out;
}

std::string add_batchnorm(Flow& f, BatchNorm2d& bn, const Sequential& g, const std::string& name, bool last) {
    const BatchNorm2dOptions& o = bn.options();
    f.to_4d();
    f.b.floats(name + ".weight", {o.channels}, g.params.value(bn.weight_offset()));
    f.b.floats(name + ".bias", {o.channels}, g.params.value(bn.bias_offset()));
    f.b.floats(name + ".running_mean", {o.channels}, g.buffers.value(bn.running_mean_offset()));
    f.b.floats(name + ".running_var", {o.channels}, g.buffers.value(bn.running_var_offset()));
    const std::string out = f.output(bn, last);
    f.b.node("BatchNormalization",
             {f.cur, name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"}, out,
             {attr_float("epsilon", o.eps), attr_float("momentum", 1.0f - o.momentum)});
    return out;
}

// Layer i of the generator as ONNX nodes; returns the name of its output.
std::string add_layer(Flow& f, Sequential& g, size_t i) {
    Layer& layer = g.layer(i);
    const std::string name = g.prefix() + "." + std::to_string(i);
    const bool last = i + 1 == g.num_layers();
    if (auto* lin = dynamic_cast<Linear*>(&layer)) {
        const LinearOptions& o = lin->options();
        f.to_2d();
        const auto in = weighted_inputs(f, name, {o.out, o.in}, g.params.value(lin->weight_offset()), o.out,
                                        o.bias ? g.params.value(lin->bias_offset()) : nullptr);
        const std::string out = f.output(layer, last);
        f.b.node("Gemm", in, out, {attr_int("transB", 1)});
        return out;
    }
    if (auto* ct = dynamic_cast<ConvTranspose2d*>(&layer)) return add_conv_transpose(f, *ct, g.params, name, last);
    if (auto* bn = dynamic_cast<BatchNorm2d*>(&layer)) return add_batchnorm(f, *bn, g, name, last);
    auto* act = dynamic_cast<Activation*>(&layer);
    GAN_CHECK(act != nullptr, "cannot export the generator to ONNX: layer ", i, " (", layer.kind(),
              ") has no ONNX mapping here");
    const std::string out = f.output(layer, last);
    switch (act->act()) {
        case Act::leaky_relu: f.b.node("LeakyRelu", {f.cur}, out, {attr_float("alpha", act->alpha())}); break;
        case Act::relu: f.b.node("Relu", {f.cur}, out); break;
        case Act::tanh: f.b.node("Tanh", {f.cur}, out); break;
        case Act::sigmoid: f.b.node("Sigmoid", {f.cur}, out); break;
    }
    return out;
}

// The graph message, fields in field-number order as protobuf's own serialisers write them.
ProtoWriter graph_message(const GraphBuilder& b, const ModelConfig& c) {
    ProtoWriter graph;
    graph.append(b.nodes);
    graph.string(graph_f::name, "gan_cpp_generator");
    graph.append(b.initializers);
    graph.string(graph_f::doc_string,
                 str("gan.cpp generator (", to_string(c.arch), c.conditional ? ", conditional" : "", "): z ~ ", latent_name(c.latent),
                     " (N, ", c.z_dim, ")", c.conditional ? str(", label int64 (N) in [0, ", c.num_classes, ")") : "",
                     " -> images (N, ", c.channels, ", ", c.rows, ", ", c.cols, ") in [-1, 1]"));
    graph.message(graph_f::input, value_info("z", FLOAT, {c.z_dim}));
    if (c.conditional) graph.message(graph_f::input, value_info("label", INT64, {}));
    graph.message(graph_f::output, value_info("images", FLOAT, {c.channels, c.rows, c.cols}));
    return graph;
}

// The model message around the graph: versions, opset and the metadata (extra entries win).
std::string model_bytes(const ProtoWriter& graph, const ModelConfig& c,
                        const std::map<std::string, std::string>& extra_metadata) {
    std::map<std::string, std::string> meta = {
        {"architecture", to_string(c.arch)},
        {"latent_distribution", latent_name(c.latent)},
        {"z_dim", std::to_string(c.z_dim)},
        {"image_shape", str(c.channels, ",", c.rows, ",", c.cols)},
        {"conditional", c.conditional ? "1" : "0"},
        {"num_classes", c.conditional ? std::to_string(c.num_classes) : "0"},
        {"output_range", "[-1, 1]"},
        {"pixel_formula", "round((x + 1) * 127.5)"},
    };
    for (const auto& [k, v] : extra_metadata) meta[k] = v;
    ProtoWriter m;
    m.int64(model_f::ir_version, kOnnxIrVersion);
    m.string(model_f::producer_name, "gan.cpp");
    m.string(model_f::producer_version, GAN_VERSION);
    m.message(model_f::graph, graph);
    ProtoWriter opset;
    opset.string(opset_f::domain, "");  // the default ai.onnx domain
    opset.int64(opset_f::version, kOnnxOpset);
    m.message(model_f::opset_import, opset);
    for (const auto& [k, v] : meta) {
        ProtoWriter e;
        e.string(entry_f::key, k);
        e.string(entry_f::value, v);
        m.message(model_f::metadata_props, e);
    }
    return m.data();
}

}  // namespace

std::string onnx_generator_model(GanModel& model, const std::map<std::string, std::string>& extra_metadata) {
    const ModelConfig& c = model.config;
    Sequential& g = model.g;
    GraphBuilder b;
    Flow f{b, "z", false, g_input_shape(c, 1)};
    if (c.conditional) f.cur = add_label_input(b, c);
    for (size_t i = 0; i < g.num_layers(); ++i) {
        const Shape out_shape = g.layer(i).out_shape(f.shape);
        f.cur = add_layer(f, g, i);
        f.shape = out_shape;
    }
    GAN_CHECK(int(f.shape.per_sample()) == c.image_values(), "cannot export the generator to ONNX: it outputs ",
              f.shape.per_sample(), " values per image, not ", c.image_values());
    // The output is always "images", (N, C, H, W): a flat (N, C·H·W) result is reshaped.
    GAN_CHECK(g.num_layers() > 0, "cannot export the generator to ONNX: it has no layers");
    if (!f.four_d) b.node("Reshape", {f.cur, b.int64s("shape", {-1, c.channels, c.rows, c.cols})}, "images");
    return model_bytes(graph_message(b, c), c, extra_metadata);
}

size_t onnx_export_generator(const std::string& path, GanModel& model,
                             const std::map<std::string, std::string>& extra_metadata) {
    const std::string bytes = onnx_generator_model(model, extra_metadata);
    file_write_atomic(path, bytes);
    return bytes.size();
}

}  // namespace gan
