#include "backend/dnnl_conv.h"

#include <algorithm>
#include <vector>

#include "core/check.h"

#ifdef GAN_HAVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace gan {

namespace {
bool g_use_onednn = true;
}

void conv_engine_use_onednn(bool on) { g_use_onednn = on; }
bool conv_engine_onednn() { return g_use_onednn && DnnlConv::available(); }

bool dnnl_pays(int in, int out, int small_h, int small_w) {
    // Measured per layer (BENCHMARKS.md): oneDNN wins on the DCGANs' layers of 16 to 256 channels,
    // im2col + GEMM on the 1- and 3-channel ends, on 1x1 maps (G's first layer, D's last), where oneDNN's
    // blocked layouts only add reorders, and once a side has 512 channels (the 64x64 example's deepest
    // layers), where one large GEMM beats oneDNN's direct kernels.
    return conv_engine_onednn() && in >= 16 && out >= 16 && std::max(in, out) <= 256 && small_h >= 2 &&
           small_w >= 2;
}

#ifndef GAN_HAVE_DNNL

bool DnnlConv::available() { return false; }
struct DnnlConv::Impl {};
DnnlConv::DnnlConv(const DnnlConvShape& s) : s_(s) { throw Error("built without oneDNN"); }
DnnlConv::~DnnlConv() = default;
void DnnlConv::forward(const float*, const float*, float*) {}
void DnnlConv::backward(const float*, float*, float*) {}

#else

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

bool DnnlConv::available() { return true; }

// Every primitive runs with the scratchpad of its layer (scratchpad_mode::user): oneDNN's own one is
// shared by all primitives, and its primitive cache hands one primitive to layers of the same shape,
// which the in-process replicas (train/replicas.h) run at the same time on their threads.
dnnl::primitive_attr user_scratchpad() {
    dnnl::primitive_attr a;
    a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return a;
}

// The layer's scratchpad: one buffer as large as the largest any of its primitives asks for (they run
// one after another).
struct Scratchpad {
    size_t bytes = 0;
    memory mem;
    void need(const memory::desc& md) { bytes = std::max(bytes, md.get_size()); }
    void allocate(const dnnl::engine& eng) { mem = memory(memory::desc({memory::dim(bytes)}, dt::u8, tag::x), eng); }
};

// One user (plain) buffer and, when oneDNN wants another layout, its blocked twin with the reorders.
struct Bound {
    memory user, inner;
    dnnl::reorder to_inner, to_user;
    bool same = true;
    const memory* scratch = nullptr;
    void init(const memory::desc& user_md, const memory::desc& inner_md, const dnnl::engine& eng, bool in, bool out,
              Scratchpad& pad) {
        user = memory(user_md, eng, DNNL_MEMORY_NONE);
        same = user_md == inner_md;
        inner = same ? memory(user_md, eng, DNNL_MEMORY_NONE) : memory(inner_md, eng);
        scratch = &pad.mem;
        const dnnl::primitive_attr attr = user_scratchpad();
        if (!same && in) {
            const dnnl::reorder::primitive_desc pd(user, inner, attr);
            pad.need(pd.scratchpad_desc());
            to_inner = dnnl::reorder(pd);
        }
        if (!same && out) {
            const dnnl::reorder::primitive_desc pd(inner, user, attr);
            pad.need(pd.scratchpad_desc());
            to_user = dnnl::reorder(pd);
        }
    }
    // The memory the primitive reads, from user data p.
    memory& read(void* p, dnnl::stream& s) {
        user.set_data_handle(p);
        if (same) {
            inner.set_data_handle(p);
            return inner;
        }
        to_inner.execute(s, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, inner}, {DNNL_ARG_SCRATCHPAD, *scratch}});
        return inner;
    }
    // The memory the primitive writes, whose content lands in p after written(s).
    memory& write(void* p) {
        user.set_data_handle(p);
        if (same) inner.set_data_handle(p);
        return inner;
    }
    void written(dnnl::stream& s) {
        if (!same) to_user.execute(s, {{DNNL_ARG_FROM, inner}, {DNNL_ARG_TO, user}, {DNNL_ARG_SCRATCHPAD, *scratch}});
    }
};

struct DnnlConv::Impl {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    dnnl::primitive fwd, bwd_data, bwd_w;
    Bound src, wei, dst;           // forward
    Bound ddst, wei_bd, dsrc;      // backward data
    Bound src_bw, ddst_bw, dwei;   // backward weights
    std::vector<float> dw_tmp;
    Scratchpad pad;
    const float *x = nullptr, *w = nullptr;
    // Copies already reordered that a later primitive can read: forward's x and w, backward-data's dy.
    bool bw_src_is_fwd = false, bd_wei_is_fwd = false, bw_ddst_is_bd = false;
};

// The layouts oneDNN chose for the three primitives of one (de)convolution, and their scratchpads.
struct Chosen {
    memory::desc f_src, f_wei, f_dst, bd_ddst, bd_wei, bd_dsrc, bw_src, bw_ddst, bw_dwei;
    memory::desc f_pad, bd_pad, bw_pad;
};

template <class Fwd, class BwdData, class BwdW>
Chosen build(dnnl::algorithm algo, const memory::desc& src, const memory::desc& wei, const memory::desc& dst,
             const memory::dims& strides, const memory::dims& pad_l, const memory::dims& pad_r,
             const dnnl::engine& eng, dnnl::primitive& fwd, dnnl::primitive& bwd_data, dnnl::primitive& bwd_w) {
    const dnnl::primitive_attr attr = user_scratchpad();
    typename Fwd::primitive_desc f({dnnl::prop_kind::forward_training, algo, src, wei, dst, strides, pad_l, pad_r},
                                   attr, eng);
    typename BwdData::primitive_desc bd({algo, src, wei, dst, strides, pad_l, pad_r}, attr, eng, f);
    typename BwdW::primitive_desc bw({algo, src, wei, dst, strides, pad_l, pad_r}, attr, eng, f);
    fwd = Fwd(f), bwd_data = BwdData(bd), bwd_w = BwdW(bw);
    return {f.src_desc(),        f.weights_desc(),     f.dst_desc(),          bd.diff_dst_desc(),
            bd.weights_desc(),   bd.diff_src_desc(),   bw.src_desc(),         bw.diff_dst_desc(),
            bw.diff_weights_desc(), f.scratchpad_desc(), bd.scratchpad_desc(), bw.scratchpad_desc()};
}

DnnlConv::DnnlConv(const DnnlConvShape& s) : s_(s), impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    const memory::dims src{s.n, s.in, s.ih, s.iw}, dst{s.n, s.out, s.oh, s.ow};
    const memory::dims wei{s.out, s.in, s.k, s.k}, strides{s.stride, s.stride}, pad_l{s.pad, s.pad};
    // oneDNN's size relation (big - 1)... gives the right padding: small = (big + pl + pr - k) / stride + 1.
    const int big_h = s.transposed ? s.oh : s.ih, small_h = s.transposed ? s.ih : s.oh;
    const int big_w = s.transposed ? s.ow : s.iw, small_w = s.transposed ? s.iw : s.ow;
    const memory::dims pad_r{(small_h - 1) * s.stride + s.k - big_h - s.pad,
                             (small_w - 1) * s.stride + s.k - big_w - s.pad};
    const memory::desc any_src(src, dt::f32, tag::any), any_dst(dst, dt::f32, tag::any),
        any_wei(wei, dt::f32, tag::any);
    const memory::desc u_src(src, dt::f32, tag::nchw), u_dst(dst, dt::f32, tag::nchw),
        u_wei(wei, dt::f32, s.transposed ? tag::iohw : tag::oihw);
    try {
        const Chosen c = s.transposed
                             ? build<dnnl::deconvolution_forward, dnnl::deconvolution_backward_data,
                                     dnnl::deconvolution_backward_weights>(
                                   dnnl::algorithm::deconvolution_direct, any_src, any_wei, any_dst, strides, pad_l,
                                   pad_r, m.eng, m.fwd, m.bwd_data, m.bwd_w)
                             : build<dnnl::convolution_forward, dnnl::convolution_backward_data,
                                     dnnl::convolution_backward_weights>(
                                   dnnl::algorithm::convolution_direct, any_src, any_wei, any_dst, strides, pad_l,
                                   pad_r, m.eng, m.fwd, m.bwd_data, m.bwd_w);
        m.src.init(u_src, c.f_src, m.eng, true, false, m.pad);
        m.wei.init(u_wei, c.f_wei, m.eng, true, false, m.pad);
        m.dst.init(u_dst, c.f_dst, m.eng, false, true, m.pad);
        m.ddst.init(u_dst, c.bd_ddst, m.eng, true, false, m.pad);
        m.wei_bd.init(u_wei, c.bd_wei, m.eng, true, false, m.pad);
        m.dsrc.init(u_src, c.bd_dsrc, m.eng, false, true, m.pad);
        m.src_bw.init(u_src, c.bw_src, m.eng, true, false, m.pad);
        m.ddst_bw.init(u_dst, c.bw_ddst, m.eng, true, false, m.pad);
        m.dwei.init(u_wei, c.bw_dwei, m.eng, false, true, m.pad);
        for (const memory::desc* d : {&c.f_pad, &c.bd_pad, &c.bw_pad}) m.pad.need(*d);
        m.pad.allocate(m.eng);
        m.dw_tmp.resize(size_t(s.out) * s.in * s.k * s.k);
        m.bw_src_is_fwd = c.bw_src == c.f_src && !m.src.same;
        m.bd_wei_is_fwd = c.bd_wei == c.f_wei && !m.wei.same;
        m.bw_ddst_is_bd = c.bw_ddst == c.bd_ddst && !m.ddst.same;
    } catch (const dnnl::error& e) {
        throw Error(str("oneDNN cannot build this convolution: ", e.what()));
    }
}

DnnlConv::~DnnlConv() = default;

void DnnlConv::forward(const float* x, const float* w, float* y) {
    Impl& m = *impl_;
    m.x = x, m.w = w;
    memory& src = m.src.read(const_cast<float*>(x), m.strm);
    memory& wei = m.wei.read(const_cast<float*>(w), m.strm);
    memory& dst = m.dst.write(y);
    m.fwd.execute(m.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, m.pad.mem}});
    m.dst.written(m.strm);
    m.strm.wait();
}

void DnnlConv::backward(const float* dy, float* dx, float* dw) {
    Impl& m = *impl_;
    GAN_CHECK(m.x && m.w, "oneDNN convolution: backward before forward");
    if (dx) {
        memory& ddst = m.ddst.read(const_cast<float*>(dy), m.strm);
        memory& wei = m.bd_wei_is_fwd ? m.wei.inner : m.wei_bd.read(const_cast<float*>(m.w), m.strm);
        memory& dsrc = m.dsrc.write(dx);
        m.bwd_data.execute(m.strm, {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, dsrc},
                                    {DNNL_ARG_SCRATCHPAD, m.pad.mem}});
        m.dsrc.written(m.strm);
    }
    if (dw) {
        memory& src = m.bw_src_is_fwd ? m.src.inner : m.src_bw.read(const_cast<float*>(m.x), m.strm);
        memory& ddst = dx && m.bw_ddst_is_bd ? m.ddst.inner : m.ddst_bw.read(const_cast<float*>(dy), m.strm);
        memory& dwei = m.dwei.write(m.dw_tmp.data());
        m.bwd_w.execute(m.strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, dwei},
                                 {DNNL_ARG_SCRATCHPAD, m.pad.mem}});
        m.dwei.written(m.strm);
    }
    m.strm.wait();
    if (dw)
        for (size_t i = 0; i < m.dw_tmp.size(); ++i) dw[i] += m.dw_tmp[i];
}

#endif

}  // namespace gan
