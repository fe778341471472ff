"""The peer of `benches/core.rs`'s training benchmark in PyTorch: the same 2D denoiser (a
residual MLP over Fourier features of the point and of the time, the time injected into every
block through LayerNorm, see src/points/mlp.rs), the same step (a batch of data, random
timesteps of a cosine schedule, v-prediction, mean squared error, Adam, gradient clipping by
norm 1, an exponential moving average of the weights) and the same batches, timed the same way
(20 steps of warm-up, then 300 steps, the loss read back once at the end).

Run: python3 benches/peers/points_torch.py [--device cpu|cuda] [--batches 256,1024,4096]
[--width 128] [--steps 300] [--profile]. Speed only: nothing here is compared number for number.
--profile then times 20 more steps of each batch kernel by kernel (torch.profiler), the peer of
burn's kernel profile (`scripts/kernel-times.py`).
"""

import argparse
import math
import time

import torch
from torch import nn


def sinusoidal(values, size, scale):
    """sin and cos of scale·v·f_k, f_k = 10000^(-k/half), for every column of values."""
    half = size // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, device=values.device) / half)
    args = values.unsqueeze(2) * scale * freqs
    return torch.cat([args.sin(), args.cos()], 2).reshape(values.shape[0], -1)


class Block(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.first, self.time, self.second = nn.Linear(w, w), nn.Linear(w, w), nn.Linear(w, w)
        self.norm = nn.LayerNorm(w)

    def forward(self, h, tau):
        inner = self.first(nn.functional.silu(h)) + self.time(tau)
        return h + self.second(nn.functional.silu(self.norm(inner)))


class Denoiser(nn.Module):
    def __init__(self, width=128, depth=3, time_features=64, input_features=32):
        super().__init__()
        self.tf, self.xf = time_features, input_features
        self.input = nn.Linear(2 * input_features + time_features, width)
        self.time = nn.Linear(time_features, width)
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.output = nn.Linear(width, 2)

    def forward(self, x, t):
        t_emb = sinusoidal(t, self.tf, 1000.0)
        x_emb = sinusoidal(x, self.xf, 25.0)
        tau = nn.functional.silu(self.time(t_emb))
        h = self.input(torch.cat([x_emb, t_emb], 1))
        for block in self.blocks:
            h = block(h, tau)
        return self.output(nn.functional.silu(h))


def moons(n, generator):
    """Two interleaved half circles with a little noise (the shape, not the exact points)."""
    u = torch.rand(n, generator=generator) * math.pi
    upper = torch.rand(n, generator=generator) < 0.5
    x = torch.where(upper, torch.cos(u), 1 - torch.cos(u))
    y = torch.where(upper, torch.sin(u), 0.5 - torch.sin(u))
    points = torch.stack([x, y], 1) + 0.05 * torch.randn(n, 2, generator=generator)
    return (points - points.mean(0)) / points.std(0)


def cosine_alphas_cumprod(steps=1000, s=0.008):
    t = torch.arange(steps + 1, dtype=torch.float64) / steps
    f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    return torch.cumprod(1 - betas, 0).float()


def steps_per_second(device, batch, width, steps, profile=False):
    torch.manual_seed(0)
    data = moons(20_000, torch.Generator().manual_seed(1)).to(device)
    abar_all = cosine_alphas_cumprod().to(device)
    model = Denoiser(width).to(device)
    ema = [p.detach().clone() for p in model.parameters()]
    optim = torch.optim.Adam(model.parameters(), lr=2e-3)

    def step():
        idx = torch.randint(0, data.shape[0], (batch,), device=device)
        k = torch.randint(0, abar_all.shape[0], (batch,), device=device)
        x0 = data[idx]
        abar = abar_all[k].unsqueeze(1)
        alpha, sigma = abar.sqrt(), (1 - abar).sqrt()
        eps = torch.randn_like(x0)
        x_t = alpha * x0 + sigma * eps
        v = alpha * eps - sigma * x0
        t = ((k + 1).float() / abar_all.shape[0]).unsqueeze(1)
        loss = (model(x_t, t) - v).square().mean()
        optim.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        with torch.no_grad():
            torch._foreach_lerp_(ema, list(model.parameters()), 1 - 0.999)
        return loss

    for _ in range(20):
        step()
    step().item()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()
    rate = steps / (time.perf_counter() - start)
    if profile:
        activities = [torch.profiler.ProfilerActivity.CPU]
        if device == "cuda":
            activities.append(torch.profiler.ProfilerActivity.CUDA)
        with torch.profiler.profile(activities=activities) as prof:
            for _ in range(20):
                loss = step()
            loss.item()
        key = "cuda_time_total" if device == "cuda" else "cpu_time_total"
        print(prof.key_averages().table(sort_by=key, row_limit=20, max_name_column_width=70))
    return rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batches", default="256,1024,4096")
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    name = torch.cuda.get_device_name() if args.device == "cuda" else f"{torch.get_num_threads()} threads"
    # Matrix products in full f32, as burn's are (PyTorch's default; TF32 would use tensor cores).
    tf32 = torch.backends.cuda.matmul.allow_tf32
    print(f"machine: PyTorch {torch.__version__} on {args.device} ({name}); TF32 matmuls: {tf32}")
    for batch in map(int, args.batches.split(",")):
        rate = steps_per_second(args.device, batch, args.width, args.steps, args.profile)
        print(f"pytorch training, batch {batch}, width {args.width}: {rate:.1f} steps/s")


if __name__ == "__main__":
    main()
