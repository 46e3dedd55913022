// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). The stream is a pure function
// of (seed, stream id, counter), so a seed reproduces a run whatever the thread count, and the
// whole state is three integers that a checkpoint can store.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gan {

struct RngState {
    uint64_t key = 0;      // seed mixed with the stream id
    uint64_t counter = 0;  // next 128-bit block to generate (low 64 bits; high bits are 0)
    uint32_t used = 4;     // how many of the current block's four words were consumed
};

class Rng {
  public:
    explicit Rng(uint64_t seed = 0, uint64_t stream = 0);
    uint32_t next_u32();
    float uniform();                                  // [0, 1), 24 random bits
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
    float normal();                                   // N(0, 1), Box-Muller
    uint32_t below(uint32_t n);                       // uniform in [0, n), unbiased
    // The next n words / normals / uniforms, exactly as n calls of next_u32() / normal() / uniform()
    // (eight Philox blocks at a time in AVX2 lanes): for bulk draws such as latents.
    void fill_u32(uint32_t* out, size_t n);
    void fill_normal(float* out, size_t n);
    void fill_uniform(float* out, size_t n);  // as n calls of uniform()
    RngState state() const { return s_; }
    void set_state(const RngState& s);

  private:
    void refill();
    RngState s_;
    uint32_t block_[4] = {0, 0, 0, 0};
};

// One Philox4x32-10 block: the pure function under Rng, exposed for tests.
void philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

}  // namespace gan
