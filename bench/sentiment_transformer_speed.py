"""Texts per second of the transformer backend, end to end (tokenising included), 128 tokens.

Usage: python bench/sentiment_transformer_speed.py [DATA_DIR] [--size base|tiny|both]
       [--batch 256] [--device auto]
Builds randomly initialised models from config only (no hub): an xlm-roberta-base-sized one
and a rubert-tiny2-sized one, with a WordPiece vocabulary trained on the data's texts, saves
them to a temporary directory and times `TransformerBackend.predict` on the dev texts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from otklik.pipeline.sentiment_backends.transformer import TransformerBackend
from otklik.training.sentiment import TRAIN_SETS, read_labelled_csv

SIZES = {
    # hidden, layers, heads, intermediate, vocabulary
    "base": (768, 12, 12, 3072, 250_002),
    "tiny": (312, 3, 12, 600, 83_828),
}


def build(path: Path, size: str, texts: list[str]) -> None:
    """Save a random sequence-classification model and a trained tokenizer to `path`."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    hidden, layers, heads, intermediate, vocab = SIZES[size]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(
        texts, trainers.WordPieceTrainer(vocab_size=30_000, special_tokens=special)
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    fast.save_pretrained(path)
    config = BertConfig(
        vocab_size=max(vocab, tok.get_vocab_size()),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    BertForSequenceClassification(config).save_pretrained(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--size", choices=["base", "tiny", "both"], default="both")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts: list[str] = []
    for name in TRAIN_SETS:
        texts += read_labelled_csv(args.data / name / "dev.csv")[0]
    for size in ("base", "tiny") if args.size == "both" else (args.size,):
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp), size, texts)
            backend = TransformerBackend(Path(tmp), args.device, args.batch, max_length=128)
            backend.load()
            backend.predict(texts[: args.batch], [None] * args.batch)
            started = time.perf_counter()
            for _ in range(args.repeat):
                backend.predict(texts, [None] * len(texts))
            seconds = time.perf_counter() - started
            print(
                f"{size}: {args.repeat * len(texts) / seconds:,.0f} texts/s end to end on "
                f"{backend._device} (batch {args.batch}, max 128 tokens, {len(texts)} texts)"
            )


if __name__ == "__main__":
    main()
