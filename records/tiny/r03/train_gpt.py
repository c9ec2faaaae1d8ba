"""Tiny track, record 3: a run length fitted to the target, with a shorter warmup and a higher peak rate.

Learned absolute positions, LayerNorm, GELU MLP, tied embedding/unembedding, AdamW with linear warmup and
cosine decay. CPU only; runs on PyTorch 1.13 and 2.x.
"""
import glob
import math
import os
import time

# Single-threaded BLAS/OpenMP, set before numpy and torch load them (torch.set_num_threads alone leaves
# OpenBLAS's own pool running, and then the CPU-time clock below would count two threads).
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# One thread, and the process's CPU time as the training clock: at this model size a second thread buys
# little, and CPU time keeps train_time steady when other work shares the machine (it never exceeds wall time).
torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class Hyperparameters:
    # data (fixed by the track: do not change)
    train_files = os.environ["NANOGPT_TRAIN_FILES"]
    val_files = os.environ["NANOGPT_VAL_FILES"]
    val_tokens = int(os.environ["NANOGPT_VAL_TOKENS"])
    vocab_size = 256
    # model
    n_layer = 2
    n_head = 2
    n_embd = 64
    # optimisation
    batch_size = 16
    seq_len = 128
    num_iterations = 600
    learning_rate = 1.5e-3
    warmup_iters = 50
    weight_decay = 0.1
    # evaluation
    val_every = 25


args = Hyperparameters()

# -----------------------------------------------------------------------------
# Data: upstream .bin shards (256 int32 header: magic 20240520, version 1, token count; then uint16 tokens)


def load_shard(path):
    header = np.fromfile(path, dtype="<i4", count=256)
    if header.size != 256 or header[0] != 20240520:
        raise ValueError(f"{path}: not a token shard (bad magic number)")
    if header[1] != 1:
        raise ValueError(f"{path}: unsupported shard version {header[1]}")
    tokens = np.fromfile(path, dtype="<u2", offset=256 * 4)
    if tokens.size != header[2]:
        raise ValueError(f"{path}: header says {header[2]} tokens, file has {tokens.size}")
    return torch.from_numpy(tokens.astype(np.int64))


def shard_paths(pattern):
    paths = sorted(glob.glob(pattern))
    if not paths:
        raise FileNotFoundError(f"no shards match {pattern}")
    return paths


class DataLoader:
    """Walks the training shards in order, B*T tokens per batch, wrapping around at the end."""

    def __init__(self, pattern, B, T):
        self.paths = shard_paths(pattern)
        self.B, self.T = B, T
        self.shard = -1
        self.next_shard()

    def next_shard(self):
        self.shard = (self.shard + 1) % len(self.paths)
        self.tokens = load_shard(self.paths[self.shard])
        self.pos = 0

    def next_batch(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.tokens):
            self.next_shard()
        buf = self.tokens[self.pos : self.pos + n + 1]
        self.pos += n
        return buf[:-1].view(self.B, self.T), buf[1:].view(self.B, self.T)


val_data = torch.cat([load_shard(p) for p in shard_paths(args.val_files)])
assert len(val_data) > args.val_tokens, "not enough validation tokens"
val_data = val_data[: args.val_tokens + 1]

# -----------------------------------------------------------------------------
# Model


def causal_attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    T = q.size(-2)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    att = att.masked_fill(~mask, float("-inf"))
    return att.softmax(dim=-1) @ v


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head)
        k = k.view(B, T, self.n_head, C // self.n_head)
        v = v.view(B, T, self.n_head, C // self.n_head)
        y = causal_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, n_head)
        self.ln_2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, vocab_size, n_layer, n_head, dim, seq_len):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, dim)
        self.wpe = nn.Embedding(seq_len, dim)
        self.blocks = nn.ModuleList([Block(dim, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab_size, bias=False)
        self.apply(self._init_weights)
        self.lm_head.weight = self.wte.weight  # weight tying

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets):
        pos = torch.arange(idx.size(1))
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


model = GPT(args.vocab_size, args.n_layer, args.n_head, args.n_embd, args.seq_len)

# -----------------------------------------------------------------------------
# Optimiser and schedule

optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=args.weight_decay)


def get_lr(it):
    """Linear warmup, then cosine decay to a tenth of the peak."""
    if it < args.warmup_iters:
        return args.learning_rate * (it + 1) / args.warmup_iters
    progress = (it - args.warmup_iters) / (args.num_iterations - args.warmup_iters)
    return args.learning_rate * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


# -----------------------------------------------------------------------------
# Training loop (the clock stops during validation)


def evaluate():
    model.eval()
    n = args.batch_size * args.seq_len
    assert args.val_tokens % n == 0, "val_tokens must be a multiple of batch_size * seq_len"
    total = 0.0
    with torch.no_grad():
        for i in range(args.val_tokens // n):
            buf = val_data[i * n : (i + 1) * n + 1]
            x, y = buf[:-1].view(args.batch_size, args.seq_len), buf[1:].view(args.batch_size, args.seq_len)
            total += model(x, y).item()
    model.train()
    return total / (args.val_tokens // n)


train_loader = DataLoader(args.train_files, args.batch_size, args.seq_len)
N = args.num_iterations
training_time_ms = 0.0
t0 = time.process_time()
for step in range(N + 1):
    last_step = step == N
    if last_step or step % args.val_every == 0:
        training_time_ms += 1000 * (time.process_time() - t0)
        val_loss = evaluate()
        step_avg = training_time_ms / step if step > 0 else float("nan")
        print(f"step:{step}/{N} val_loss:{val_loss:.4f} train_time:{training_time_ms:.0f}ms step_avg:{step_avg:.2f}ms", flush=True)
        t0 = time.process_time()
    if last_step:
        break

    x, y = train_loader.next_batch()
    loss = model(x, y)
    loss.backward()
    for group in optimizer.param_groups:
        group["lr"] = get_lr(step)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

    elapsed_ms = training_time_ms + 1000 * (time.process_time() - t0)
    print(f"step:{step + 1}/{N} train_loss:{loss.item():.4f} train_time:{elapsed_ms:.0f}ms step_avg:{elapsed_ms / (step + 1):.2f}ms", flush=True)
