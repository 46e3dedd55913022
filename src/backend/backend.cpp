// The backend factory: the one place that knows which devices this build has.
#include "backend/backend.h"

#include "backend/cpu_backend.h"
#include "core/check.h"
#include "kernels/gemm.h"

namespace gan {

#ifdef GAN_HAVE_CUDA
// The CUDA backend (src/cuda, built with GAN_WITH_CUDA); declared here rather than included, so that
// the device seam does not depend on the device's folder.
std::unique_ptr<Backend> make_cuda_backend();
#endif

bool device_built(Device d) {
#ifdef GAN_HAVE_CUDA
    if (d == Device::cuda) return true;
#endif
    return d == Device::cpu;
}

void set_library_threads(int threads) { blas_set_threads(threads); }
void set_caller_library_threads(int threads) { blas_set_caller_threads(threads); }

std::unique_ptr<Backend> make_backend(const BackendOptions& o) {
    GAN_CHECK(device_built(o.device), "this build of gan has no ", device_name(o.device),
              " device (rebuild with it, or use --device cpu)");
    set_library_threads(o.blas_threads);
#ifdef GAN_HAVE_CUDA
    if (o.device == Device::cuda) return make_cuda_backend();  // throws, naming why, without a GPU
#endif
    return std::make_unique<CpuBackend>(o.threads);
}

}  // namespace gan
