// The backend factory: the one place that knows which devices this build has.
#include "backend/backend.h"

#include "backend/cpu_backend.h"
#include "core/check.h"
#include "kernels/gemm.h"

namespace gan {

bool device_built(Device d) { return d == Device::cpu; }

void set_library_threads(int threads) { blas_set_threads(threads); }

std::unique_ptr<Backend> make_backend(const BackendOptions& o) {
    GAN_CHECK(device_built(o.device), "this build of gan has no ", device_name(o.device),
              " device (rebuild with it, or use --device cpu)");
    set_library_threads(o.blas_threads);
    return std::make_unique<CpuBackend>(o.threads);
}

}  // namespace gan
