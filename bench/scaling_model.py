"""How data-parallel training would scale past this 2-core machine: a model on paper from measured inputs.

  /usr/bin/python3 bench/scaling_model.py

Inputs (BENCHMARKS.md, "Data-parallel training"): each model's step time on one rank (scripts/bench_mpi.sh,
1 rank x 1 thread), its gradient bytes per update, the number of small collectives per step (batch-norm
statistics: 2 per BN layer in a forward pass, 1 in a backward pass; plus the loss statistics and the stop
flag), and the sum's cost: alpha (seconds per message hop) and beta (seconds per byte through one link),
measured with build/bench_comm on this machine's shared memory, and assumed for a 10 GbE cluster.

The sum (src/mpi/mpi_comm.h) is a chain in rank order: n bytes go up the chain and the result comes back,
pipelined in chunks of c bytes, so for N > 2 ranks
    T_sum(n, N) = 2 (n / c + N - 2) (alpha + c beta)
and for N = 2 the pair exchange T = alpha + n beta; a small collective costs 2 (N - 1) alpha.
Weak scaling (each rank keeps the one-rank batch, the global --batch grows with N):
    step(N) = t1 + 2 T_sum(n / 2, N) + k * 2 (N - 1) alpha     (G's and D's arenas of about n / 2 each)
    speed-up(N) = N t1 / step(N)
Nothing overlaps communication with compute, as in the code.
"""

CHUNK = 4 * 65536  # bytes per chain message (64 Ki floats)

# model: one-rank step seconds (batch), gradient bytes per update (G + D), small collectives per step
MODELS = {
    "classic MLP (B 100)": (100 / 28552.3, 4 * 214673, 2),
    "MNIST DCGAN (B 64)": (64 / 185.6, 4 * 1496960, 29),
    "DCGAN 32x32 RGB (B 64)": (64 / 125.4, 4 * 1732224, 29),
    "DCGAN 64x64 RGB (B 64)": (64 / 25.8, 4 * 6342272, 41),
}
NETWORKS = {
    "this machine's shared memory (measured)": (0.8e-6, 0.55e-3 / 1048576),
    "10 GbE TCP (assumed: 25 us, 1.19 GB/s)": (25e-6, 1 / 1.19e9),
}


def t_sum(n, N, alpha, beta):
    if N == 1:
        return 0.0
    if N == 2:
        return alpha + n * beta
    return 2 * (n / CHUNK + N - 2) * (alpha + CHUNK * beta)


def step(model, N, alpha, beta):
    t1, n, k = MODELS[model]
    return t1 + 2 * t_sum(n / 2, N, alpha, beta) + k * 2 * (N - 1) * alpha * (N > 1)


for net, (alpha, beta) in NETWORKS.items():
    print(f"\n{net}: speed-up over one rank (efficiency), weak scaling")
    print("| model | 2 | 8 | 64 | 512 | last N at >= 50 % efficiency |")
    print("|---|---|---|---|---|---|")
    for m, (t1, _, _) in MODELS.items():
        cells = []
        for N in (2, 8, 64, 512):
            s = N * t1 / step(m, N, alpha, beta)
            cells.append(f"{s:.1f}x ({100 * s / N:.0f} %)")
        half = max(N for N in range(1, 4097) if t1 / step(m, N, alpha, beta) >= 0.5)
        print(f"| {m} | " + " | ".join(cells) + f" | {half}{'+' if half == 4096 else ''} |")
