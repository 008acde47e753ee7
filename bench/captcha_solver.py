"""
The learned captcha solver an attacker would train on our generator's own output: a small CNN, a
bidirectional GRU over the image columns and a CTC head (the usual CRNN shape of commercial solvers).

bench/captcha.ts renders the samples (raw RGB, downscaled) into a directory; this script trains one model
per training-set size on a fixed time budget, one after another on one thread, reads a separate set of
fresh captchas and prints one JSON line per size. The weights live only in memory.

  python3 bench/captcha_solver.py --data DIR --sizes 2000,10000 --minutes 3 [--steps 800] --alphabet ACEF...

The budget is wall-clock minutes, or a number of optimiser steps (batches) capped by the minutes: on a
shared machine steps are the fair way to give two generators the same budget.

DIR holds train.u8 / test.u8 (N x H x W x 3 bytes) and train.txt / test.txt (one answer per line).
Benchmark-only: Debian's python3-torch, never a runtime dependency of the service.
"""

import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # the machine is shared; one training at a time, on one core


class Crnn(nn.Module):
    def __init__(self, classes: int, height: int):
        super().__init__()

        def conv(cin, cout, stride=1):
            return [nn.Conv2d(cin, cout, 3, stride, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        # Height / 8 and width / 4: 40 columns for at most 7 characters, enough for CTC's blanks.
        self.cnn = nn.Sequential(
            *conv(3, 16, 2),
            *conv(16, 32),
            nn.MaxPool2d(2),
            *conv(32, 64),
            nn.MaxPool2d((2, 1)),
            *conv(64, 96),
        )
        self.rnn = nn.GRU(96 * (height // 8), 128, bidirectional=True, batch_first=True)
        self.head = nn.Linear(256, classes + 1)  # class 0: the CTC blank

    def forward(self, x):
        f = self.cnn(x)  # B x C x H' x T
        b, c, h, t = f.shape
        f = f.permute(0, 3, 1, 2).reshape(b, t, c * h)
        return self.head(self.rnn(f)[0]).log_softmax(-1)  # B x T x classes+1


def load(data: str, split: str, height: int, width: int):
    labels = open(os.path.join(data, f"{split}.txt")).read().split()
    images = np.fromfile(os.path.join(data, f"{split}.u8"), dtype=np.uint8)
    return images.reshape(len(labels), height, width, 3), labels


def to_tensor(images: np.ndarray) -> torch.Tensor:
    # Per-image standardisation: what an attacker does first against per-captcha colours.
    x = torch.from_numpy(images).float().permute(0, 3, 1, 2)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    std = x.std(dim=(1, 2, 3), keepdim=True) + 1e-3
    return (x - mean) / std


def decode(log_probs: torch.Tensor, alphabet: str) -> list:
    """Greedy CTC decoding: best class per column, repeats merged, blanks dropped."""
    out = []
    for row in log_probs.argmax(-1).tolist():
        text, previous = [], 0
        for c in row:
            if c != previous and c != 0:
                text.append(alphabet[c - 1])
            previous = c
        out.append("".join(text))
    return out


def evaluate(model, images, labels, alphabet):
    model.eval()
    guesses = []
    with torch.no_grad():
        for i in range(0, len(labels), 256):
            guesses += decode(model(to_tensor(images[i : i + 256])), alphabet)
    model.train()
    solved = sum(g == t for g, t in zip(guesses, labels)) / len(labels)
    right = sum(sum(a == b for a, b in zip(g, t)) for g, t in zip(guesses, labels))
    return solved, right / sum(len(t) for t in labels)


def train(size, args, train_set, test_set):
    torch.manual_seed(size)
    images, labels = train_set[0][:size], train_set[1][:size]
    index = {ch: i + 1 for i, ch in enumerate(args.alphabet)}
    targets = [torch.tensor([index[ch] for ch in t]) for t in labels]
    model = Crnn(len(args.alphabet), args.height)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    budget = args.minutes * 60
    started = time.monotonic()
    steps = seen = 0
    rng = np.random.default_rng(size)
    while (elapsed := time.monotonic() - started) < budget and (not args.steps or steps < args.steps):
        # Learning rate by share of the budget spent: short warm-up, then cosine decay to zero.
        share = steps / args.steps if args.steps else elapsed / budget
        scale = share / 0.05 if share < 0.05 else 0.5 * (1 + math.cos(math.pi * (share - 0.05) / 0.95))
        for group in optimiser.param_groups:
            group["lr"] = args.lr * scale
        batch = rng.choice(size, args.batch, replace=False)
        log_probs = model(to_tensor(images[batch]))  # B x T x C
        target = torch.cat([targets[i] for i in batch])
        target_lengths = torch.tensor([len(targets[i]) for i in batch])
        input_lengths = torch.full((len(batch),), log_probs.shape[1], dtype=torch.long)
        loss = ctc(log_probs.permute(1, 0, 2), target, input_lengths, target_lengths)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        optimiser.step()
        steps += 1
        seen += len(batch)
    minutes = (time.monotonic() - started) / 60
    solved, char_accuracy = evaluate(model, *test_set, args.alphabet)
    return {
        "trainSize": size,
        "minutes": round(minutes, 1),
        "steps": steps,
        "epochs": round(seen / size, 1),
        "finalLoss": round(loss.item(), 3),
        "test": len(test_set[1]),
        "solved": solved,
        "charAccuracy": char_accuracy,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--alphabet", required=True)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()
    train_set = load(args.data, "train", args.height, args.width)
    test_set = load(args.data, "test", args.height, args.width)
    for size in [int(s) for s in args.sizes.split(",")]:
        print(json.dumps(train(size, args, train_set, test_set)), flush=True)


if __name__ == "__main__":
    main()
