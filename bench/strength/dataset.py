"""What every bench:strength attack shares: the rendered sets, the labels, and scoring
as the server scores (its default case rule: case and surrounding spaces ignored).

A job file (JSON, written by bench/strength/run.ts) names the sets and the rules:
  train_dir, test_dir   folders written by `captcha-studio render --count N --out-dir DIR`
  train_labels          CSV (file,label): what the attacker trains on (the answer, or a
                        math question's text)
  charset               the characters a label can hold (after case folding)
  math                  true when the answer is a question's result
  ignore_case           the server's case rule
"""
import csv
import json
import math
import os
import re

import numpy as np
from PIL import Image

# Height the CNNs see. The presets are 40 to 80 px high; at 32 their glyphs are still
# 15-25 px tall, and a training step costs a third of one at the presets' own height
# (this Debian torch has no MKL: convolutions are slow on this CPU).
HEIGHT = 32


def load_job(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def read_csv(path):
    with open(path, newline='', encoding='utf-8') as f:
        return [(r['file'], r[next(k for k in r if k != 'file')]) for r in csv.DictReader(f)]


def fold(s, ignore_case):
    s = s.strip()
    return s.lower() if ignore_case else s


def input_width(w, h):
    """The width the CNNs see for a w x h design: the aspect kept, a multiple of 4."""
    return max(16, int(round(w * HEIGHT / h / 4)) * 4)


def load_images(folder, files, size=None, limit=None):
    """RGB images as uint8 N x 3 x HEIGHT x W (an attacker keeps the colours); bytes, not
    floats, so 10,000 of them stay small."""
    files = files[:limit] if limit else files
    first = Image.open(os.path.join(folder, files[0]))
    w, h = first.size
    size = size or (input_width(w, h), HEIGHT)
    out = np.empty((len(files), 3, size[1], size[0]), dtype=np.uint8)
    for i, name in enumerate(files):
        im = Image.open(os.path.join(folder, name)).convert('RGB')
        if im.size != size:
            im = im.resize(size, Image.BILINEAR)
        out[i] = np.asarray(im, dtype=np.uint8).transpose(2, 0, 1)
    return out


MATH = re.compile(r'^\s*(\d{1,4})\s*([-+*x×])\s*(\d{1,4})')


def evaluate(question):
    """What an attacker answers for a question read as `question` (None when it does not parse)."""
    m = MATH.match(question)
    if not m:
        return None
    a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
    return str(a + b if op == '+' else a - b if op == '-' else a * b)


def wilson(hits, total, z=1.959964):
    """A rate with its 95% interval (Wilson score), as the product's Rate type holds it."""
    if total == 0:
        return {'hits': 0, 'total': 0, 'rate': 0.0, 'low': 0.0, 'high': 1.0}
    p = hits / total
    d = 1 + z * z / total
    c = (p + z * z / (2 * total)) / d
    r = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / d
    # Exact ends where the formula only rounds to them (0 hits has a lower bound of 0, not 1e-19).
    low = 0.0 if hits == 0 else max(0.0, c - r)
    high = 1.0 if hits == total else min(1.0, c + r)
    return {'hits': hits, 'total': total, 'rate': p, 'low': low, 'high': high}


def score(reads, answers, job):
    """Full-answer and per-character rates of `reads` (what the attack read: a question for
    math designs, evaluated here) against the true answers, under the server's case rule."""
    ic = job['ignore_case']
    full = chars = total_chars = 0
    solved = []
    for read, answer in zip(reads, answers):
        guess = evaluate(read) if job['math'] else read
        guess = fold(guess or '', ic)
        want = fold(answer, ic)
        if guess == want:
            full += 1
            if len(solved) < 8:
                solved.append({'answer': answer, 'read': read})
        total_chars += len(want)
        chars += sum(1 for a, b in zip(guess, want) if a == b)
    return {'full': wilson(full, len(answers)), 'perChar': wilson(chars, total_chars), 'solved': solved}
