#!/usr/bin/python3
"""Exports the real-model graphs qcc is tested and benchmarked on.

    /usr/bin/python3 test/models/make_models.py OUT_DIR [--only NAME,...]
                                                [--gpt2-config small|base]

Writes OUT_DIR/<name>/model.onnx plus test_data_set_0/input_*.pb (fixed-seed
random inputs) for:
  resnet18       torchvision ResNet-18, batch 1, 3x224x224 (random weights, seed 0)
  mobilenet_v2   torchvision MobileNetV2, batch 1, 3x224x224
  gpt2           GPT-2-style decoder, full sequence: tokens [1, T] -> logits
  gpt2_decode    the same weights as one decode step with a KV cache:
                 token [1, 1], past_k/past_v [L, 1, H, P, D] -> logits,
                 present_k/present_v [L, 1, H, P+1, D]
Weights are random but fixed by the seed; nothing is downloaded. Reference
outputs come from ONNX Runtime (tools/ort-run), not from this script, so the
comparison is against an independent runtime.
"""
import argparse
import math
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

CONFIGS = {
    # vocab, context, layers, heads, width, sequence length, past length
    "small": dict(vocab=512, ctx=64, layers=2, heads=4, width=128, seq=16, past=15),
    # ~100M parameters, GPT-2 small's shape with a 32k vocabulary.
    "base": dict(vocab=32000, ctx=256, layers=12, heads=12, width=768, seq=32, past=31),
}


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc = nn.Linear(width, 4 * width)
        self.out = nn.Linear(4 * width, width)

    def split_heads(self, x):
        b, t, c = x.shape
        return x.view(b, t, self.heads, c // self.heads).transpose(1, 2)

    def attend(self, q, k, v, mask):
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
        if mask is not None:
            att = att.masked_fill(mask, float("-inf"))
        y = torch.softmax(att, dim=-1) @ v
        b, h, t, d = y.shape
        return y.transpose(1, 2).reshape(b, t, h * d)

    def forward(self, x, past_k=None, past_v=None, mask=None):
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        x = x + self.proj(self.attend(q, k, v, mask))
        x = x + self.out(nn.functional.gelu(self.fc(self.ln2(x))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, vocab, ctx, layers, heads, width, **_):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(ctx, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.register_buffer("causal", torch.ones(ctx, ctx).triu(1).bool())

    def logits(self, x):
        return self.ln_f(x) @ self.wte.weight.t()  # tied LM head


class FullSequence(nn.Module):
    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt

    def forward(self, tokens):
        t = tokens.shape[1]
        pos = torch.arange(t).unsqueeze(0)
        x = self.gpt.wte(tokens) + self.gpt.wpe(pos)
        mask = self.gpt.causal[:t, :t]
        for blk in self.gpt.blocks:
            x, _, _ = blk(x, mask=mask)
        return self.gpt.logits(x)


class DecodeStep(nn.Module):
    def __init__(self, gpt, past):
        super().__init__()
        self.gpt = gpt
        self.past = past

    def forward(self, token, past_k, past_v):
        pos = torch.full((1, 1), self.past, dtype=torch.long)
        x = self.gpt.wte(token) + self.gpt.wpe(pos)
        ks, vs = [], []
        for i, blk in enumerate(self.gpt.blocks):
            x, k, v = blk(x, past_k[i], past_v[i])
            ks.append(k)
            vs.append(v)
        return self.gpt.logits(x), torch.stack(ks), torch.stack(vs)


def export(module, args, names_in, names_out, out_dir, inputs):
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    torch.onnx.export(module, args, path, input_names=names_in,
                      output_names=names_out, opset_version=13,
                      do_constant_folding=True)
    onnx.checker.check_model(path)
    for i, a in enumerate(inputs):
        t = numpy_helper.from_array(a, names_in[i])
        with open(os.path.join(out_dir, "test_data_set_0", "input_%d.pb" % i), "wb") as f:
            f.write(t.SerializeToString())
    print("wrote", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--only", default="resnet18,mobilenet_v2,gpt2,gpt2_decode")
    ap.add_argument("--gpt2-config", default="small", choices=sorted(CONFIGS))
    args = ap.parse_args()
    only = set(args.only.split(","))
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    image = rng.rand(1, 3, 224, 224).astype(np.float32)
    with torch.no_grad():
        if only & {"resnet18", "mobilenet_v2"}:
            import torchvision
        if "resnet18" in only:
            m = torchvision.models.resnet18().eval()
            export(m, (torch.from_numpy(image),), ["image"], ["logits"],
                   os.path.join(args.out, "resnet18"), [image])
        if "mobilenet_v2" in only:
            m = torchvision.models.mobilenet_v2().eval()
            export(m, (torch.from_numpy(image),), ["image"], ["logits"],
                   os.path.join(args.out, "mobilenet_v2"), [image])
        cfg = CONFIGS[args.gpt2_config]
        gpt = GPT(**cfg).eval()
        if "gpt2" in only:
            tokens = rng.randint(0, cfg["vocab"], (1, cfg["seq"])).astype(np.int64)
            export(FullSequence(gpt), (torch.from_numpy(tokens),), ["tokens"],
                   ["logits"], os.path.join(args.out, "gpt2"), [tokens])
        if "gpt2_decode" in only:
            d = cfg["width"] // cfg["heads"]
            shape = (cfg["layers"], 1, cfg["heads"], cfg["past"], d)
            token = rng.randint(0, cfg["vocab"], (1, 1)).astype(np.int64)
            pk = rng.randn(*shape).astype(np.float32)
            pv = rng.randn(*shape).astype(np.float32)
            export(DecodeStep(gpt, cfg["past"]),
                   (torch.from_numpy(token), torch.from_numpy(pk), torch.from_numpy(pv)),
                   ["token", "past_k", "past_v"], ["logits", "present_k", "present_v"],
                   os.path.join(args.out, "gpt2_decode"), [token, pk, pv])


if __name__ == "__main__":
    main()
