"""The learning attacks of bench:strength: a small CNN trained on rendered captchas, two ways.

  positions  one softmax head per character position (fixed length; shorter labels end
             with an "end" class), the classic captcha breaker
  ctc        the same convolutions, then a sequence model over the columns (two 1-D
             convolutions; see Crnn) trained with CTC loss: reads labels of any length
             without knowing where the glyphs are

Budget: --epochs passes over --train images (the figures do not depend on how loaded
the machine is), ended early when the model reads 99 % of an epoch's training images
right (nothing left to learn). --seconds is only a safety net for a machine far slower
than this one: a run it cuts says so. The learning rate warms up, then follows a cosine
over the epochs. Inputs are each image less its mean colour.

  /usr/bin/python3 bench/strength/cnn.py JOB.json --model positions --train 10000 \
      --epochs 3 --seconds 1200 --out result.json
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from dataset import fold, load_images, load_job, read_csv, score

# The machine has 2 cores shared with other work; the figures say what they were measured on.
torch.set_num_threads(2)
# One fixed seed, so a rerun of a design gives its figures again. STRENGTH_TRAIN_SEED trains
# with another one: how far a design's figures move between training runs.
TRAIN_SEED = int(os.environ.get('STRENGTH_TRAIN_SEED', '1'))
torch.manual_seed(TRAIN_SEED)
np.random.seed(TRAIN_SEED)

BATCH = {'positions': 64, 'ctc': 32}
LR = {'positions': 1e-3, 'ctc': 1e-3}
WARMUP = 0.05
# An epoch read this well on its own training images leaves nothing to learn.
DONE = 0.99


def block(cin, cout, pool, stride=1):
    layers = [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return layers + ([nn.MaxPool2d(pool)] if pool else [])


def backbone():
    """32 x W in, 96 x 2 x W/4 out: small enough to train thousands of images a minute on 2 cores
    (the first layer strides instead of pooling: full-size feature maps cost the most)."""
    return nn.Sequential(
        *block(3, 16, None, stride=2),
        *block(16, 32, 2),
        *block(32, 64, None),
        *block(64, 64, (2, 1)),
        *block(64, 96, (2, 1)),
    )


class Positions(nn.Module):
    def __init__(self, classes, length):
        super().__init__()
        self.features = backbone()
        self.pool = nn.AdaptiveMaxPool2d((2, 12))
        self.fc = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(96 * 24, 384), nn.ReLU(inplace=True), nn.Dropout(0.3))
        self.heads = nn.Linear(384, classes * length)
        self.classes, self.length = classes, length

    def forward(self, x):
        return self.heads(self.fc(self.pool(self.features(x)))).view(-1, self.length, self.classes)


class Crnn(nn.Module):
    """The CTC reader: the same convolutions, the columns pooled to W/8 (fewer steps for CTC
    to align), then two 1-D convolutions over them (each step sees about three glyphs) in
    place of a recurrent layer. The old head (a bidirectional GRU over W/4 columns) ran at
    half the positions model's images a second on this torch (generic BLAS, 2 cores: 111
    against 229 in the last run that recorded both) and, on seed-002-captcha's 10,000
    images, still sat on CTC's all-blank plateau (loss ~3.8) after two epochs; this one left
    it within the first epoch (loss 0.9 at step 300). --head gru puts a GRU back (over the
    W/8 columns) to compare."""

    def __init__(self, classes, head='conv'):
        super().__init__()
        self.features = backbone()
        self.collapse = nn.Sequential(nn.Conv2d(96, 128, (2, 1), bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True), nn.MaxPool2d((1, 2)))
        self.head = head
        if head == 'gru':
            self.rnn = nn.GRU(128, 80, bidirectional=True, batch_first=True)
            self.out = nn.Linear(160, classes)
        else:
            self.context = nn.Sequential(
                nn.Conv1d(128, 128, 5, padding=2, bias=False), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
                nn.Conv1d(128, 128, 5, padding=2, bias=False), nn.BatchNorm1d(128), nn.ReLU(inplace=True),
            )
            self.out = nn.Conv1d(128, classes, 1)

    def forward(self, x):
        f = self.collapse(self.features(x)).squeeze(2)  # N x 128 x T
        if self.head == 'gru':
            return self.out(self.rnn(f.transpose(1, 2))[0])  # N x T x classes
        return self.out(self.context(f)).transpose(1, 2)  # N x T x classes


def encode(labels, charset, length):
    """Index 0 is the end class (positions) or CTC's blank; characters are 1..len(charset)."""
    index = {c: i + 1 for i, c in enumerate(charset)}
    out = np.zeros((len(labels), length), dtype=np.int64)
    lengths = np.zeros(len(labels), dtype=np.int64)
    for r, label in enumerate(labels):
        codes = [index[c] for c in label]
        out[r, : len(codes)] = codes
        lengths[r] = len(codes)
    return out, lengths


def decode_positions(logits, charset, logits_given=True):
    reads = []
    for row in (logits.argmax(-1) if logits_given else logits).tolist():
        s = ''
        for k in row:
            if k == 0:
                break
            s += charset[k - 1]
        reads.append(s)
    return reads


def decode_ctc(logits, charset):
    reads = []
    for row in logits.argmax(-1).tolist():
        s, prev = '', 0
        for k in row:
            if k != prev and k != 0:
                s += charset[k - 1]
            prev = k
        reads.append(s)
    return reads


def as_input(batch):
    """Each image less its own mean colour (nearly its background): glyphs in a
    random colour on a random background become the same signal whatever the colours, which
    an attacker does first, and without it the models sat at chance on seed 002's flat design."""
    x = torch.from_numpy(batch).float().div_(255.0)
    return x - x.flatten(2).mean(dim=2)[:, :, None, None]


def train(model, kind, x, y, lengths, epochs, seconds, log, charset):
    base = LR[kind]
    opt = torch.optim.AdamW(model.parameters(), lr=base, weight_decay=1e-4)
    n = len(x)
    batch = BATCH[kind]
    steps_per_epoch = math.ceil(n / batch)
    total_steps = steps_per_epoch * epochs
    start = time.time()
    step = 0
    done_epochs = 0.0
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    for epoch in range(epochs):
        order = np.random.permutation(n)
        model.train()
        seen = correct = 0
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            # The budget is epochs; the clock only stops a run on a machine far slower than
            # the one the budget was set on (and the result says so).
            if time.time() - start >= seconds:
                break
            progress = step / total_steps
            lr = base * progress / WARMUP if progress < WARMUP else base * 0.5 * (1 + math.cos(math.pi * progress))
            for g in opt.param_groups:
                g['lr'] = lr
            idx = order[b * batch : (b + 1) * batch]
            xb = as_input(x[idx])
            yb = torch.from_numpy(y[idx])
            out = model(xb)
            if kind == 'positions':
                loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
                correct += (out.argmax(-1) == yb).all(1).sum().item()
            else:
                lb = torch.from_numpy(lengths[idx])
                logp = out.log_softmax(-1).transpose(0, 1)  # T x N x C
                targets = torch.cat([yb[i, : lb[i]] for i in range(len(idx))])
                loss = ctc(logp, targets, torch.full((len(idx),), logp.shape[0], dtype=torch.long), lb)
                want = decode_positions(yb, charset, logits_given=False)
                correct += sum(a == b for a, b in zip(decode_ctc(out.detach(), charset), want))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % 100 == 0:
                log(f'step {step}: loss {loss.item():.3f}, {time.time() - start:.0f} s')
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
        else:
            done_epochs += 1
            log(f'epoch {epoch + 1}: loss {loss_sum / max(1, seen):.3f}, training images read {correct / max(1, seen):.1%}, {time.time() - start:.0f} s')
            if correct / max(1, seen) >= DONE:
                return done_epochs, time.time() - start, step * batch, 'learned'
            continue
        done_epochs += seen / n
        log(f'stopped by the clock in epoch {epoch + 1} ({seen} of {n} images): loss {loss_sum / max(1, seen):.3f}, {time.time() - start:.0f} s')
        return done_epochs, time.time() - start, step * batch, 'clock'
    return done_epochs, time.time() - start, step * batch, 'epochs'


def predict(model, kind, x, charset):
    model.eval()
    reads = []
    with torch.no_grad():
        for b in range(0, len(x), 256):
            out = model(as_input(x[b : b + 256]))
            reads += decode_positions(out, charset) if kind == 'positions' else decode_ctc(out, charset)
    return reads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('job')
    ap.add_argument('--model', choices=['positions', 'ctc'], required=True)
    ap.add_argument('--train', type=int, default=10000)
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--seconds', type=float, default=300)
    ap.add_argument('--out', required=True)
    ap.add_argument('--head', choices=['conv', 'gru'], default='conv', help='the ctc model\'s sequence layer (gru: the old, slower one, to compare)')
    a = ap.parse_args()
    job = load_job(a.job)
    log = lambda s: print(f'[{job["preset"]} {a.model}] {s}', file=sys.stderr, flush=True)

    train_rows = read_csv(job['train_labels'])[: a.train]
    labels = [fold(label, job['ignore_case']) for _, label in train_rows]
    charset = job['charset']
    unknown = sorted({c for label in labels for c in label} - set(charset))
    if unknown:
        raise SystemExit(f'labels hold characters outside the charset: {unknown[:10]}')
    length = max(len(label) for label in labels)
    x = load_images(job['train_dir'], [f for f, _ in train_rows])
    size = (x.shape[3], x.shape[2])
    y, lengths = encode(labels, charset, length)
    test_rows = read_csv(os.path.join(job['test_dir'], 'answers.csv'))
    xt = load_images(job['test_dir'], [f for f, _ in test_rows], size)

    classes = len(charset) + 1
    model = Positions(classes, length) if a.model == 'positions' else Crnn(classes, a.head)
    epochs, seconds, images, ended = train(model, a.model, x, y, lengths, a.epochs, a.seconds, log, charset)
    t = time.time()
    reads = predict(model, a.model, xt, charset)
    result = score(reads, [ans for _, ans in test_rows], job)
    result.update(
        model=a.model,
        trainSamples=len(x),
        testSamples=len(xt),
        epochs=round(epochs, 2),
        ended=ended,
        trainSeconds=round(seconds, 1),
        imagesPerSecond=round(images / max(seconds, 1e-9)),
        predictSeconds=round(time.time() - t, 1),
        input=f'{size[0]}x{size[1]} RGB',
    )
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump(result, f)
    log(f'full answers {result["full"]["rate"]:.1%}, characters {result["perChar"]["rate"]:.1%}')


if __name__ == '__main__':
    main()
