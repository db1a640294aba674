"""Any local Hugging Face sequence-classification model as a sentiment backend (extra
`transformers`), batched, on a GPU when one is present."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from otklik.errors import ModelError
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction

INSTALL_HINT = "pip install 'otklik[transformers]'"

# Names models give their classes, mapped to ours; matched after lower-casing.
_ALIASES: dict[str, str] = {
    "negative": "negative",
    "neg": "negative",
    "bad": "negative",
    "1 star": "negative",
    "2 stars": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "neut": "neutral",
    "3 stars": "neutral",
    "positive": "positive",
    "pos": "positive",
    "good": "positive",
    "4 stars": "positive",
    "5 stars": "positive",
    "отрицательный": "negative",
    "нейтральный": "neutral",
    "положительный": "positive",
}
# Generic LABEL_k names follow the common order (negative, neutral, positive) for 3 classes
# and (negative, positive) for 2.
_GENERIC_ORDER = {2: ("negative", "positive"), 3: LABELS}


def map_labels(id2label: dict[int, str]) -> list[str]:
    """Our label for each of the model's class indices, from its config's id2label."""
    size = len(id2label)
    out: list[str] = []
    for index in range(size):
        raw = str(id2label.get(index, f"LABEL_{index}")).strip().lower().replace("_", " ")
        raw = re.sub(r"\bstar\b", "star", raw)
        generic = re.fullmatch(r"label ?(\d+)", raw)
        if raw in _ALIASES:
            out.append(_ALIASES[raw])
        elif raw.rstrip("s") + "s" in _ALIASES:
            out.append(_ALIASES[raw.rstrip("s") + "s"])
        elif generic and size in _GENERIC_ORDER and int(generic.group(1)) < size:
            out.append(_GENERIC_ORDER[size][int(generic.group(1))])
        else:
            raise ModelError(
                f"cannot map the model's class {index} ({id2label.get(index)!r}) to "
                f"{', '.join(LABELS)}; set id2label in its config.json to those names"
            )
    if "negative" not in out or "positive" not in out:
        raise ModelError(f"model classes {out} lack negative or positive; it cannot be used")
    return out


class TransformerBackend:
    """A local sequence-classification model directory (config.json, weights, tokenizer)."""

    name = "transformer"

    def __init__(
        self,
        path: Path,
        device: str = "auto",
        batch_size: int = 64,
        max_length: int = 128,
    ) -> None:
        self.path = Path(path)
        self.device_name = device
        self.batch_size = batch_size
        self.max_length = max_length
        self._model: Any = None
        self._tokenizer: Any = None
        self._device: Any = None
        self._labels: list[str] = []

    def load(self) -> None:
        """Load tokenizer and model once, on the configured device."""
        if self._model is not None:
            return
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError(
                f"the transformer sentiment backend needs the extra: {INSTALL_HINT} "
                f"(missing {exc.name})"
            ) from exc
        if not self.path.is_dir():
            raise ModelError(
                f"sentiment model directory {self.path} does not exist; set "
                "OTKLIK_SENTIMENT_MODEL to a local Hugging Face model directory"
            )
        device = self.device_name
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                self.path, local_files_only=True
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load sentiment model from {self.path}: {exc}") from exc
        self._labels = map_labels(dict(model.config.id2label))
        self._device = torch.device(device)
        if self._device.type == "cuda":
            model = model.half()
        self._model = model.to(self._device).eval()

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[Prediction]:
        """Label texts a batch at a time; the model reads the language from the text."""
        del languages
        self.load()
        import torch

        out: list[Prediction] = []
        for start in range(0, len(texts), self.batch_size):
            chunk = [text or " " for text in texts[start : start + self.batch_size]]
            encoded = self._tokenizer(
                chunk,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self._device)
            with torch.inference_mode():
                logits = self._model(**encoded).logits.float()
            probs = torch.softmax(logits, dim=-1).cpu().tolist()
            out += [self._to_prediction(row) for row in probs]
        return out

    def _to_prediction(self, probs: list[float]) -> Prediction:
        # Several model classes may map to one of ours (1 and 2 stars): their mass adds up.
        ours = dict.fromkeys(LABELS, 0.0)
        for label, p in zip(self._labels, probs, strict=True):
            ours[label] += p
        return Prediction.of([ours[label] for label in LABELS])
