"""The OCR attack of bench:strength: Tesseract 5 (Debian's tesseract-ocr, its `eng` data)
on preprocessed test images, as an attacker with no training data would try first.

Preprocessing: greyscale, upscaled 3x (bicubic), Otsu threshold, dark text on white
(inverted when the dark class is the larger), a white margin. Tesseract reads with the
design's charset whitelisted (both cases when the server ignores case), in page modes
7 (single line), 8 (single word) and 13 (raw line); the best mode on the test set is
reported (choosing it on the same set flatters the attack a little: a lower bound stays
a lower bound). Math designs: the question is read and evaluated.

  /usr/bin/python3 bench/strength/tesseract_attack.py JOB.json --samples 1000 --out result.json
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from dataset import load_job, read_csv, score

MODES = (7, 8, 13)
TESSERACT = 'tesseract'


def otsu(grey):
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = grey.size
    sum_all = np.dot(np.arange(256), hist)
    w0 = np.cumsum(hist)
    s0 = np.cumsum(np.arange(256) * hist)
    w1 = total - w0
    with np.errstate(divide='ignore', invalid='ignore'):
        between = (s0 * w1 - (sum_all - s0) * w0) ** 2 / (w0 * w1)
    return int(np.nanargmax(between))


def preprocess(path):
    im = Image.open(path).convert('L')
    im = im.resize((im.width * 3, im.height * 3), Image.BICUBIC)
    grey = np.asarray(im)
    dark = grey <= otsu(grey)
    if dark.mean() > 0.5:  # light text on a dark ground: the text is the smaller class
        dark = ~dark
    out = np.where(dark, 0, 255).astype(np.uint8)
    return Image.fromarray(np.pad(out, 12, constant_values=255))


def languages():
    try:
        out = subprocess.run([TESSERACT, '--list-langs'], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f'tesseract is not installed (apt-get install tesseract-ocr): {e}')
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


CHUNK = 100


def read_list(files, mode, whitelist, lang):
    """One tesseract process reads a list of images; pages come back separated by form feeds.
    None when tesseract dies (it can, with SIGFPE, on a rare image)."""
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
        f.write('\n'.join(files) + '\n')
        listing = f.name
    try:
        env = {**os.environ, 'OMP_THREAD_LIMIT': '1'}
        cmd = [TESSERACT, listing, 'stdout', '-l', lang, '--psm', str(mode), '-c', f'tessedit_char_whitelist={whitelist}']
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    finally:
        os.unlink(listing)
    if done.returncode != 0:
        return None
    pages = done.stdout.split('\f')
    if len(pages) < len(files):
        raise SystemExit(f'tesseract returned {len(pages)} pages for {len(files)} images (psm {mode})')
    return [''.join(p.split()) for p in pages[: len(files)]]


def read_all(files, mode, whitelist, lang):
    """Reads in chunks; a chunk tesseract dies on is read image by image, and an image it
    dies on reads as nothing."""
    reads = []
    for i in range(0, len(files), CHUNK):
        chunk = files[i : i + CHUNK]
        got = read_list(chunk, mode, whitelist, lang)
        if got is None:
            got = [(read_list([f], mode, whitelist, lang) or [''])[0] for f in chunk]
        reads += got
    return reads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('job')
    ap.add_argument('--samples', type=int, default=1000)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    job = load_job(a.job)
    log = lambda s: print(f'[{job["preset"]} tesseract] {s}', file=sys.stderr, flush=True)
    rows = read_csv(os.path.join(job['test_dir'], 'answers.csv'))[: a.samples]
    answers = [ans for _, ans in rows]
    lang = job.get('tesseract_lang', 'eng')
    if lang not in languages():
        result = {'skipped': f'no Tesseract data for "{lang}" is installed (apt-get install tesseract-ocr-{lang.replace("_", "-")})'}
        log(result['skipped'])
        with open(a.out, 'w', encoding='utf-8') as f:
            json.dump(result, f)
        return
    charset = job['tesseract_charset']
    start = time.time()
    with tempfile.TemporaryDirectory(prefix='strength-tess-') as tmp:
        files = []
        for i, (name, _) in enumerate(rows):
            p = os.path.join(tmp, f'{i:05d}.png')
            preprocess(os.path.join(job['test_dir'], name)).save(p)
            files.append(p)
        # Two page modes at a time: one per core.
        with ThreadPoolExecutor(max_workers=2) as pool:
            reads = dict(zip(MODES, pool.map(lambda m: read_all(files, m, charset, lang), MODES)))
    modes = {m: score(reads[m], answers, job) for m in MODES}
    best = max(MODES, key=lambda m: (modes[m]['full']['hits'], modes[m]['perChar']['hits']))
    result = dict(modes[best])
    result.update(
        psm=best,
        byMode={str(m): {'full': modes[m]['full'], 'perChar': modes[m]['perChar']} for m in MODES},
        testSamples=len(rows),
        seconds=round(time.time() - start, 1),
    )
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump(result, f)
    log(f'best psm {best}: full answers {result["full"]["rate"]:.1%}, characters {result["perChar"]["rate"]:.1%} ({result["seconds"]} s)')


if __name__ == '__main__':
    main()
