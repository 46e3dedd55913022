// The operations every device implements (backend/backend.h documents each), declared once: included
// inside the class body of each Backend implementation (CpuBackend, CudaBackend), after its memory
// functions. No include guard: each class includes it.
    void fill(float* x, size_t n, float value) override;
    void scale(float* x, size_t n, float a) override;
    void copy_2d(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t rows, size_t cols) override;

    void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
              int ldb, float beta, float* C, int ldc) override;
    void linear_forward(OpStatePtr& st, float* y, const float* x, const float* w, const float* b, int N, int IN,
                        int OUT, std::optional<Epilogue> epi, Precision p) override;
    void linear_backward(OpStatePtr& st, float* dx, float* dw, bool dw_overwrite, float* db, const float* dy,
                         const float* x, const float* y, const float* w, int N, int IN, int OUT,
                         std::optional<Epilogue> epi) override;
    void conv_forward(OpStatePtr& st, const ConvShape& s, float* y, const float* x, const float* w,
                      const float* b) override;
    void conv_backward(OpStatePtr& st, const ConvShape& s, float* dx, float* dw, float* db, const float* dy,
                       const float* x, const float* w) override;
    const char* conv_engine(const OpStatePtr& st) const override;

    double batchnorm_forward_train(OpStatePtr& st, Comm* comm, float* y, float* mean, float* rstd, const float* x,
                                   const float* weight, const float* bias, float* running_mean, float* running_var,
                                   int N, int C, int HW, float eps, float momentum) override;
    void batchnorm_forward_eval(float* y, float* mean, float* rstd, const float* x, const float* weight,
                                const float* bias, const float* running_mean, const float* running_var, int N, int C,
                                int HW, float eps) override;
    void batchnorm_backward(OpStatePtr& st, Comm* comm, float* dx, float* dweight, float* dbias, const float* dy,
                            const float* x, const float* mean, const float* rstd, const float* weight, int N, int C,
                            int HW, bool batch_stats, double M) override;
    void maxpool_forward(OpStatePtr& st, float* y, const float* x, int planes, int h, int w, int oh, int ow,
                         int kernel, int stride, int pad) override;
    void maxpool_backward(OpStatePtr& st, float* dx, const float* dy, int planes, int h, int w, int oh,
                          int ow) override;
    void act_forward(Act a, float alpha, float* y, const float* x, size_t n) override;
    void act_backward(Act a, float alpha, float* dx, const float* dy, const float* x, const float* y,
                      size_t n) override;

    void concat_one_hot(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t n, size_t head,
                        size_t block, const int* labels, int K) override;
    void proj_logits(float* logit, const float* out, size_t w, const int* labels, size_t n) override;
    void proj_logits_backward(float* dout, size_t w, const float* dlogit, const int* labels, size_t n) override;

    float gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth,
                   float* dlogits) override;
    float mean_sigmoid(const float* logits, size_t n) override;
    double softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight,
                        float* dlogits, size_t dld) override;

    void adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) override;
    void ema_update(float* ema, const float* p, size_t n, float decay) override;
    void bytes_to_unit(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img) override;
    void unit_to_bytes(uint8_t* pixels, const float* y, size_t n) override;
