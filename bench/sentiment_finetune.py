"""Fine-tune multilingual-e5-small for sentiment on CPU (torch), all layers or only the top.

The bottom K layers stay frozen: their token states are computed once by the numpy forward
pass (``E5Layers.token_states``; ``--k 0`` is the embedding output, so every layer is tuned)
and cached as float16. The top 12 - K layers are rebuilt in torch from the same float32
(dequantised 4-bit) weights, followed by masked mean pooling and a 3-class linear classifier,
and trained on the train splits of the four commercial-use sets with the encoder-head loss
weighting (per set (mean size / size) ** 0.5, classes balanced). ``eval`` scores the tuned
model alone (argmax) on every dev split and on the CS set; without ``--skip-frozen`` it also
fits and scores a frozen baseline (a linear classifier on the untouched layer-12 means).

The shipped encoder tier (``--k 0``: two epochs, each about an hour on 2 cores, the second
started from the first's export with half the learning rate and another batch order), from
the repository root with the project venv (torch comes with the ``transformers`` extra)::

    python bench/sentiment_finetune.py cache --k 0                 # 1 minute
    python bench/sentiment_finetune.py train --k 0 --epochs 1 --lr-enc 5e-5 \\
        --skip-frozen --tag _full
    python bench/sentiment_finetune.py export --k 0 --tag _full
    python bench/sentiment_finetune.py train --k 0 --epochs 1 --lr-enc 2.5e-5 --lr-cls 5e-4 \\
        --seed 1 --skip-frozen --tag _ep2 --init .cache/finetune/e5_finetuned_full.npz
    python bench/sentiment_finetune.py eval --k 0 --skip-frozen --tag _ep2
    python bench/sentiment_finetune.py export --k 0 --tag _ep2
    otklik train sentiment --tier encoder --tuned .cache/finetune/e5_finetuned_ep2.npz \\
        --data ../shared/data/sentiment --out src/otklik/models/sentiment_encoder_head.npz

``--boost SET=FACTOR`` multiplies one train set's loss weight (a Kazakh-weighted further epoch
was tried this way; see the model card).

Outputs go to ``.cache/finetune/``: ``states_k{K}/<split>.npz`` (cached token states),
``top_layers{T}.pt`` (trained layers + classifier), ``logits{T}.npz`` (dev and CS logits),
``results{T}.json`` and, from ``export``, ``e5_finetuned{T}.npz`` (the layers int8 and the
classifier, what ``otklik train sentiment --tuned`` reads); ``frozen_clf.pkl`` is the frozen
baseline, shared by runs with the same K.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from multiprocessing import get_context  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from otklik.pipeline.sentiment_backends.base import LABELS  # noqa: E402
from otklik.text.e5_numpy import E5Layers  # noqa: E402
from otklik.training.sentiment import macro_f1_of  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sentiment"
CS_PATH = ROOT / "bench" / "data" / "cs_eval.csv"
OUT = ROOT / ".cache" / "finetune"
TRAIN_SETS = (
    "kazsandra_3class",
    "sentirueval_banks_telecom",
    "rusentitweet_3class",
    "tweeteval_sentiment_valtest",
)
DEV_SETS = (*TRAIN_SETS, "twitter_us_airline")  # twitter_us_airline: evaluation only
MAX_CHARS = 600
CHUNK = 256  # texts per worker task in the cache stage

_MODEL: E5Layers | None = None


# ---------------------------------------------------------------------------- data
def read_split(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Texts, labels and languages ('' when the file has none) of one CSV."""
    texts: list[str] = []
    labels: list[str] = []
    langs: list[str] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            texts.append(row["text"])
            labels.append(row["label"])
            langs.append(row.get("language", "") or "")
    return texts, labels, langs


def splits() -> dict[str, Path]:
    """Split name -> CSV path, for every split the probe caches."""
    out = {f"train.{s}": DATA / s / "train.csv" for s in TRAIN_SETS}
    out.update({f"dev.{s}": DATA / s / "dev.csv" for s in DEV_SETS})
    out["cs"] = CS_PATH
    return out


def states_dir(k: int) -> Path:
    return OUT / f"states_k{k}"


# ---------------------------------------------------------------------------- cache
def _init_worker() -> None:
    global _MODEL
    _MODEL = E5Layers()


def _encode(job: tuple[list[str], int]) -> tuple[npt.NDArray[np.float16], npt.NDArray[np.int64]]:
    texts, k = job
    assert _MODEL is not None
    states, lens = _MODEL.token_states(texts, k, max_chars=MAX_CHARS)
    return states.astype(np.float16), lens


def stage_cache(k: int, workers: int) -> None:
    """Compute and store layer-K token states of every split (float16, packed)."""
    d = states_dir(k)
    d.mkdir(parents=True, exist_ok=True)
    t_all = time.time()
    ctx = get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        for name, path in splits().items():
            dest = d / f"{name}.npz"
            if dest.exists():
                print(f"[cache] {name}: exists", flush=True)
                continue
            texts, labels, langs = read_split(path)
            jobs = [(texts[i : i + CHUNK], k) for i in range(0, len(texts), CHUNK)]
            parts: list[npt.NDArray[np.float16]] = []
            lens: list[npt.NDArray[np.int64]] = []
            t0 = time.time()
            for j, (st, ln) in enumerate(pool.imap(_encode, jobs)):
                parts.append(st)
                lens.append(ln)
                if j % 20 == 0:
                    done = min((j + 1) * CHUNK, len(texts))
                    rate = done / max(time.time() - t0, 1e-9)
                    print(f"[cache] {name}: {done}/{len(texts)} {rate:.0f} texts/s", flush=True)
            np.savez(
                dest,
                states=np.concatenate(parts),
                lens=np.concatenate(lens),
                texts=np.array(texts, dtype=object),
                labels=np.array(labels),
                langs=np.array(langs),
            )
            print(f"[cache] {name}: {len(texts)} texts in {time.time() - t0:.0f}s", flush=True)
    print(f"[cache] total {time.time() - t_all:.0f}s", flush=True)


# ---------------------------------------------------------------------------- torch model
def read_tuned(path: Path) -> tuple[list[Any], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The 12 layers and the classifier ((H, classes) weights, bias) of a fine-tuned encoder:
    an ``export`` file, or an encoder head that carries tuned layers."""
    from otklik.text.e5_numpy import layers_from_arrays

    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise SystemExit(f"{path}: cannot be read as a fine-tuned encoder (.npz): {e}") from None
    with z:
        layers = layers_from_arrays(z)
        w_key, b_key = ("cls_weight", "cls_bias") if "cls_weight" in z else ("weights", "bias")
        if len(layers) != 12 or w_key not in z or z[w_key].shape[1:] != (len(LABELS),):
            raise SystemExit(f"{path}: not a 12-layer fine-tuned encoder with a 3-class classifier")
        return layers, np.asarray(z[w_key], dtype=np.float32), np.asarray(z[b_key], np.float32)


def build_top(k: int, init: Path | None = None) -> Any:
    """Torch top (12 - K) layers + linear classifier, initialised from the numpy model, or
    with ``init`` from an earlier fine-tuned encoder (an ``export`` file, or an encoder head
    that carries tuned layers): its layers and its classifier."""
    import torch
    from torch import nn

    e5 = E5Layers()
    layers = list(e5._layers)
    cls_w: npt.NDArray[np.float32] | None = None
    cls_b: npt.NDArray[np.float32] | None = None
    if init is not None:
        layers, cls_w, cls_b = read_tuned(init)
    eps, nh, h = e5.eps, e5.n_heads, e5.dim

    class Layer(nn.Module):
        def __init__(self, ly: Any) -> None:
            super().__init__()
            self.qkv = nn.Linear(h, 3 * h)
            self.o = nn.Linear(h, h)
            self.ln1 = nn.LayerNorm(h, eps=eps)
            self.fi = nn.Linear(h, ly.w_in.shape[1])
            self.fo = nn.Linear(ly.w_in.shape[1], h)
            self.ln2 = nn.LayerNorm(h, eps=eps)
            with torch.no_grad():
                for lin, w, b in (
                    (self.qkv, ly.w_qkv, ly.b_qkv),
                    (self.o, ly.w_o, ly.b_o),
                    (self.fi, ly.w_in, ly.b_in),
                    (self.fo, ly.w_out, ly.b_out),
                ):
                    lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
                    lin.bias.copy_(torch.from_numpy(b))
                for ln, w, b in ((self.ln1, ly.ln1_w, ly.ln1_b), (self.ln2, ly.ln2_w, ly.ln2_b)):
                    ln.weight.copy_(torch.from_numpy(w))
                    ln.bias.copy_(torch.from_numpy(b))

        def forward(self, x: Any, pad: Any) -> Any:
            b, length, _ = x.shape
            qkv = self.qkv(x).view(b, length, 3, nh, h // nh).permute(2, 0, 3, 1, 4)
            mask = (~pad)[:, None, None, :]  # True = attend
            ctx = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
            ctx = ctx.transpose(1, 2).reshape(b, length, h)
            x = self.ln1(x + self.o(ctx))
            return self.ln2(x + self.fo(nn.functional.gelu(self.fi(x))))

    class Top(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList([Layer(ly) for ly in layers[k:]])
            self.cls = nn.Linear(h, len(LABELS))
            if cls_w is not None and cls_b is not None:
                with torch.no_grad():
                    self.cls.weight.copy_(torch.from_numpy(np.ascontiguousarray(cls_w.T)))
                    self.cls.bias.copy_(torch.from_numpy(cls_b))

        def pooled(self, x: Any, pad: Any) -> Any:
            for layer in self.layers:
                x = layer(x, pad)
            keep = (~pad).to(x.dtype)[..., None]
            return (x * keep).sum(1) / keep.sum(1)

        def forward(self, x: Any, pad: Any) -> Any:
            return self.cls(self.pooled(x, pad))

    return Top()


class Split:
    """A cached split: packed float16 token states with offsets, labels, texts."""

    def __init__(self, path: Path) -> None:
        z = np.load(path, allow_pickle=True)
        self.states: npt.NDArray[np.float16] = z["states"]
        self.lens: npt.NDArray[np.int64] = z["lens"]
        self.offs = np.concatenate([[0], np.cumsum(self.lens)]).astype(np.int64)
        self.texts: list[str] = [str(t) for t in z["texts"]]
        self.y = np.array([LABELS.index(str(v)) for v in z["labels"]], dtype=np.int64)
        self.langs: list[str] = [str(v) for v in z["langs"]]
        self.rows = np.arange(len(self.lens))
        self.set_sizes = [len(self.lens)]


def batch_tensor(sp: Split, idx: npt.NDArray[np.int64]) -> tuple[Any, Any]:
    """Padded (B, L, H) float32 states and the (B, L) padding mask of rows ``idx``."""
    import torch

    lens = sp.lens[idx]
    length = int(lens.max())
    x = np.zeros((len(idx), length, sp.states.shape[1]), dtype=np.float32)
    for r, i in enumerate(idx.tolist()):
        x[r, : lens[r]] = sp.states[sp.offs[i] : sp.offs[i + 1]]
    pad = np.arange(length)[None, :] >= lens[:, None]
    return torch.from_numpy(x), torch.from_numpy(pad)


def buckets(
    lens: npt.NDArray[np.int64], size: int, rng: np.random.Generator
) -> list[npt.NDArray[np.int64]]:
    """Batches of ~``size`` rows of similar length, in random order."""
    order = rng.permutation(len(lens))
    out: list[npt.NDArray[np.int64]] = []
    pool = size * 50  # sort within pools of 50 batches, then shuffle batches
    for p in range(0, len(order), pool):
        chunk = order[p : p + pool]
        chunk = chunk[np.argsort(lens[chunk], kind="stable")]
        out.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(out)
    return out


def set_weights(
    ys: list[npt.NDArray[np.int64]], boosts: list[float] | None = None
) -> npt.NDArray[np.float64]:
    """Encoder-head weighting: per set (mean size / size) ** 0.5 (times the set's boost, 1 by
    default), then classes balanced."""
    sizes = np.array([len(y) for y in ys], dtype=np.float64)
    boosts = boosts or [1.0] * len(ys)
    w = np.concatenate(
        [
            np.full(len(y), b * (sizes.mean() / len(y)) ** 0.5)
            for y, b in zip(ys, boosts, strict=True)
        ]
    )
    y = np.concatenate(ys)
    for c in range(len(LABELS)):
        share = w[y == c].sum() / w.sum()
        w[y == c] *= 1 / (len(LABELS) * share)
    return w


def merged_train(
    k: int, boost: dict[str, float] | None = None
) -> tuple[Split, npt.NDArray[np.float64]]:
    """All train splits concatenated into one Split, and per-row loss weights (``boost``
    multiplies a set's weight before the classes are balanced)."""
    parts = [Split(states_dir(k) / f"train.{s}.npz") for s in TRAIN_SETS]
    sizes = [len(p.lens) for p in parts]
    m = parts[0]
    m.states = np.concatenate([p.states for p in parts])
    m.lens = np.concatenate([p.lens for p in parts])
    m.offs = np.concatenate([[0], np.cumsum(m.lens)]).astype(np.int64)
    m.texts = [t for p in parts for t in p.texts]
    m.y = np.concatenate([p.y for p in parts])
    m.langs = [v for p in parts for v in p.langs]
    m.rows = np.arange(len(m.lens))
    m.set_sizes = sizes
    return m, set_weights([p.y for p in parts], [(boost or {}).get(s, 1.0) for s in TRAIN_SETS])


def frozen_subset(tr: Split, cap: int, rng: np.random.Generator) -> Split:
    """At most ``cap`` random rows per train set (the frozen baseline's fit data)."""
    sizes = tr.set_sizes
    rows: list[npt.NDArray[np.int64]] = []
    start = 0
    for n in sizes:
        pick = rng.permutation(n)[: min(n, cap)] + start
        rows.append(np.sort(pick))
        start += n
    sel = np.concatenate(rows)
    sub = Split.__new__(Split)
    sub.rows = sel
    sub.lens = tr.lens[sel]
    sub.states = np.concatenate([tr.states[tr.offs[i] : tr.offs[i + 1]] for i in sel.tolist()])
    sub.offs = np.concatenate([[0], np.cumsum(sub.lens)]).astype(np.int64)
    sub.y = tr.y[sel]
    sub.texts = [tr.texts[i] for i in sel.tolist()]
    sub.langs = [tr.langs[i] for i in sel.tolist()]
    return sub


def pooled_and_logits(
    model: Any, sp: Split, batch: int = 256
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Mean-pooled last-layer states and classifier logits of every row of ``sp``."""
    import torch

    model.eval()
    pooled = np.zeros((len(sp.lens), 384), dtype=np.float32)
    logits = np.zeros((len(sp.lens), len(LABELS)), dtype=np.float32)
    order = np.argsort(sp.lens, kind="stable")
    with torch.no_grad():
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            x, pad = batch_tensor(sp, idx)
            p = model.pooled(x, pad)
            pooled[idx] = p.numpy()
            logits[idx] = model.cls(p).numpy()
    return pooled, logits


# ---------------------------------------------------------------------------- train
def train_linear(
    feats: npt.NDArray[np.float32], y: npt.NDArray[np.int64], w: npt.NDArray[np.float64]
) -> Any:
    """Weighted multinomial logistic regression (the frozen baseline's classifier)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    clf.fit(feats, y, logisticregression__sample_weight=w)
    return clf


def stage_train(args: argparse.Namespace) -> None:
    """Fine-tune the top layers + classifier; also fit the frozen baseline classifier."""
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    tr, w = merged_train(args.k, dict(args.boost))
    print(f"[train] {len(tr.y)} texts, {int(tr.lens.sum())} tokens", flush=True)
    if args.init is not None and args.k != 0:
        raise SystemExit("--init needs --k 0: the cached states must be the embedding output")
    model = build_top(args.k, args.init)

    if not args.skip_frozen:
        t0 = time.time()
        sub = frozen_subset(tr, args.frozen_cap, rng)
        feats, _ = pooled_and_logits(model, sub)
        print(f"[frozen] pooled {len(sub.y)} train texts in {time.time() - t0:.0f}s", flush=True)
        clf = train_linear(feats, sub.y, w[sub.rows])
        import pickle

        with (OUT / "frozen_clf.pkl").open("wb") as f:
            pickle.dump(clf, f)
        print(f"[frozen] logistic regression fitted, {time.time() - t0:.0f}s total", flush=True)

    enc_params = [p for n, p in model.named_parameters() if not n.startswith("cls.")]
    opt = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": args.lr_enc, "weight_decay": 0.01},
            {"params": model.cls.parameters(), "lr": args.lr_cls, "weight_decay": 0.0},
        ]
    )
    batches_per_epoch = math.ceil(len(tr.y) / args.batch)
    total = int(min(batches_per_epoch * args.epochs, args.max_steps))
    budget = args.max_minutes * 60
    base_lrs = [g["lr"] for g in opt.param_groups]
    t_start = time.time()

    def set_lr(step: int) -> None:
        """Warm-up over 6% then linear decay to 0, by steps or by the time budget."""
        frac = max((step + 1) / total, (time.time() - t_start) / budget)
        f = frac / 0.06 if frac < 0.06 else max(0.0, (1 - frac) / 0.94)
        for g, lr in zip(opt.param_groups, base_lrs, strict=True):
            g["lr"] = lr * f

    wt = torch.from_numpy(w.astype(np.float32))
    yt = torch.from_numpy(tr.y)
    step = 0
    deadline = time.time() + budget
    stopped = False
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        run_loss, run_w = 0.0, 0.0
        for bi, idx in enumerate(buckets(tr.lens, args.batch, rng)):
            x, pad = batch_tensor(tr, idx)
            logits = model(x, pad)
            ii = torch.from_numpy(idx)
            per = torch.nn.functional.cross_entropy(logits, yt[ii], reduction="none")
            bw = wt[ii]
            loss = (per * bw).sum() / bw.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            set_lr(step)
            opt.step()
            step += 1
            run_loss += float(loss.detach()) * float(bw.sum())
            run_w += float(bw.sum())
            if bi % 100 == 0:
                el = time.time() - t0
                print(
                    f"[train] ep{epoch} {bi}/{batches_per_epoch} loss {run_loss / run_w:.4f} "
                    f"{el:.0f}s ({(bi + 1) / max(el, 1e-9):.2f} batch/s)",
                    flush=True,
                )
                run_loss, run_w = 0.0, 0.0
            if step >= total:
                stopped = True
                break
            if time.time() > deadline:
                print(f"[train] time budget hit at epoch {epoch} batch {bi}", flush=True)
                stopped = True
                break
        print(f"[train] epoch {epoch} took {time.time() - t0:.0f}s", flush=True)
        torch.save(
            {
                "k": args.k,
                "state_dict": model.state_dict(),
                "epochs_done": epoch + 1,
                "steps": step,
                "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            },
            OUT / f"top_layers{args.tag}.pt",
        )
        if stopped:
            break
    print(f"[train] saved top_layers{args.tag}.pt", flush=True)


# ---------------------------------------------------------------------------- eval
def f1_report(y: npt.NDArray[np.int64], logits: npt.NDArray[np.float32]) -> float:
    return float(macro_f1_of(y, logits.argmax(1).astype(np.int64)))


def stage_eval(args: argparse.Namespace) -> None:
    """Macro-F1 (argmax) of the frozen baseline and the fine-tuned model; save logits."""
    import pickle

    import torch

    torch.set_num_threads(args.threads)
    frozen = None if args.skip_frozen else build_top(args.k)
    tuned = build_top(args.k)
    ckpt = torch.load(OUT / f"top_layers{args.tag}.pt", weights_only=False)
    tuned.load_state_dict(ckpt["state_dict"])
    clf = None
    if frozen is not None:
        with (OUT / "frozen_clf.pkl").open("rb") as f:
            clf = pickle.load(f)
    results: dict[str, dict[str, float]] = {"frozen": {}, "finetuned": {}}
    saved: dict[str, Any] = {}
    names = [f"dev.{s}" for s in DEV_SETS] + ["cs"]
    for name in names:
        sp = Split(states_dir(args.k) / f"{name}.npz")
        if frozen is not None and clf is not None:
            fz_feats, _ = pooled_and_logits(frozen, sp)
            fz_logits = clf.decision_function(fz_feats).astype(np.float32)
        else:  # --skip-frozen: no baseline, its logits are left at zero
            fz_logits = np.zeros((len(sp.y), len(LABELS)), dtype=np.float32)
        _, ft_logits = pooled_and_logits(tuned, sp)
        saved[f"{name}.finetuned_logits"] = ft_logits
        saved[f"{name}.frozen_logits"] = fz_logits
        saved[f"{name}.texts"] = np.array(sp.texts, dtype=object)
        saved[f"{name}.labels"] = sp.y
        groups: dict[str, npt.NDArray[np.bool_]] = {name: np.ones(len(sp.y), bool)}
        if name == "cs":
            saved["cs.langs"] = np.array(sp.langs)
            for lang in ("ru", "kk", "en"):
                groups[f"cs.{lang}"] = np.array([v == lang for v in sp.langs])
        for g, m in groups.items():
            results["frozen"][g] = f1_report(sp.y[m], fz_logits[m])
            results["finetuned"][g] = f1_report(sp.y[m], ft_logits[m])
            print(
                f"{g:36s} frozen {results['frozen'][g]:.4f}  "
                f"finetuned {results['finetuned'][g]:.4f}",
                flush=True,
            )
    np.savez(OUT / f"logits{args.tag}.npz", **saved)
    meta = {
        "k": args.k,
        "epochs_done": ckpt["epochs_done"],
        "steps": ckpt["steps"],
        "train_args": ckpt["args"],
    }
    (OUT / f"results{args.tag}.json").write_text(json.dumps({"meta": meta, **results}, indent=2))
    print(json.dumps(meta), flush=True)


def stage_export(args: argparse.Namespace) -> None:
    """Write a fully fine-tuned checkpoint (``--k 0``) as numpy arrays our engine reads:
    the 12 layers int8 per output column (``layers_to_arrays``) and the classifier."""
    import torch

    from otklik.text.e5_numpy import _Layer, layers_to_arrays

    ckpt = torch.load(OUT / f"top_layers{args.tag}.pt", weights_only=False)
    if ckpt["k"] != 0:
        raise SystemExit("export needs a checkpoint trained with --k 0 (every layer tuned)")
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in ckpt["state_dict"].items()}
    # torch module name -> our _Layer fields (torch keeps Linear weights output-major).
    linear = {"qkv": "qkv", "o": "o", "fi": "in", "fo": "out"}
    layers = []
    for i in range(12):
        p = f"layers.{i}."
        fields = {}
        for torch_name, ours in linear.items():
            fields[f"w_{ours}"] = np.ascontiguousarray(sd[f"{p}{torch_name}.weight"].T)
            fields[f"b_{ours}"] = sd[f"{p}{torch_name}.bias"]
        for ln in ("ln1", "ln2"):
            fields[f"{ln}_w"], fields[f"{ln}_b"] = sd[f"{p}{ln}.weight"], sd[f"{p}{ln}.bias"]
        layers.append(_Layer(**fields))
    dest = OUT / f"e5_finetuned{args.tag}.npz"
    np.savez(
        dest,
        **layers_to_arrays(layers),
        cls_weight=np.ascontiguousarray(sd["cls.weight"].T),
        cls_bias=sd["cls.bias"],
        info=np.array(json.dumps({"steps": ckpt["steps"], "train_args": ckpt["args"]})),
    )
    print(f"[export] {dest} ({dest.stat().st_size / 1e6:.1f} MB)", flush=True)


def stage_average(args: argparse.Namespace) -> None:
    """Average the layers and classifiers of fine-tuned encoders (``--inputs``: export files
    or encoder heads with tuned layers, e.g. two epochs of one run) into one export file."""
    from dataclasses import fields, replace

    from otklik.text.e5_numpy import layers_to_arrays

    if not args.inputs or len(args.inputs) < 2:
        raise SystemExit("average needs --inputs with two files or more")
    tuned = [read_tuned(path) for path in args.inputs]

    def mean(arrays: list[Any]) -> npt.NDArray[np.float32]:
        return np.asarray(np.mean(np.stack(arrays), axis=0), dtype=np.float32)

    layers = [
        replace(
            first,
            **{f.name: mean([getattr(t[0][i], f.name) for t in tuned]) for f in fields(first)},
        )
        for i, first in enumerate(tuned[0][0])
    ]
    dest = OUT / f"e5_finetuned{args.tag}.npz"
    info = {"averaged": [str(p) for p in args.inputs]}
    np.savez(
        dest,
        **layers_to_arrays(layers),
        cls_weight=mean([t[1] for t in tuned]),
        cls_bias=mean([t[2] for t in tuned]),
        info=np.array(json.dumps(info)),
    )
    print(f"[average] {dest} from {len(tuned)} encoders", flush=True)


def _boost(value: str) -> tuple[str, float]:
    name, _, factor = value.partition("=")
    if name not in TRAIN_SETS:
        raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(TRAIN_SETS)}")
    try:
        return name, float(factor)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: the factor after = must be a number"
        ) from None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stage", choices=("cache", "train", "eval", "export", "average"))
    ap.add_argument("--k", type=int, default=10, help="frozen bottom layers")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr-enc", type=float, default=3e-5)
    ap.add_argument("--lr-cls", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=1e9, help="training time budget")
    ap.add_argument("--skip-frozen", action="store_true")
    ap.add_argument("--tag", default="", help="suffix of the checkpoint/logits/results files")
    ap.add_argument("--max-steps", type=int, default=10**9, help="cap on optimiser steps")
    ap.add_argument(
        "--init",
        type=Path,
        help="train: start from this fine-tuned encoder (an export .npz or an encoder head "
        "with tuned layers) instead of the pretrained e5 - a further epoch",
    )
    ap.add_argument(
        "--inputs", type=Path, nargs="+", help="average: the fine-tuned encoders to average"
    )
    ap.add_argument(
        "--boost",
        type=_boost,
        nargs="*",
        default=[],
        metavar="SET=FACTOR",
        help="train: multiply a train set's loss weight, e.g. kazsandra_3class=2",
    )
    ap.add_argument(
        "--frozen-cap", type=int, default=8000, help="texts per set for the frozen baseline"
    )
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.stage == "cache":
        stage_cache(args.k, args.workers)
    elif args.stage == "train":
        stage_train(args)
    elif args.stage == "export":
        stage_export(args)
    elif args.stage == "average":
        stage_average(args)
    else:
        stage_eval(args)


if __name__ == "__main__":
    main()
