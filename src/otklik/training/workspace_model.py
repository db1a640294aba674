"""A workspace's own sentiment model: retrain it from corrections, and keep it only when it
does at least as well as the model the workspace uses now on the corrections held back."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from otklik.domain.records import Workspace
from otklik.storage import Store
from otklik.training.sentiment import (
    Evaluation,
    LabelledText,
    TrainConfig,
    WorkspaceReport,
    train_workspace,
)


@dataclass(frozen=True)
class Decision:
    """Whether the retrained model becomes the workspace's model, and why, in words."""

    use: bool
    reason: str


@dataclass
class Retraining:
    """A workspace retraining: the report, the decision, and which file is where."""

    report: WorkspaceReport
    decision: Decision
    written: Path  # the new model file
    previous: Path | None  # the workspace's own model before (None: the shipped one)
    in_use: Path | None  # the workspace's own model now

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            **self.report.as_dict(),
            "used": self.decision.use,
            "reason": self.decision.reason,
            "written": str(self.written),
            "previous_model": str(self.previous) if self.previous else None,
            "workspace_model": str(self.in_use) if self.in_use else None,
        }


def training_corrections(store: Store, ws: Workspace) -> list[LabelledText]:
    """The workspace's sentiment corrections of whole mentions, the latest per mention, in the
    order they were last made."""
    latest: dict[int, LabelledText] = {}
    for correction in store.corrections(ws):
        if correction.brand_id is None and (correction.text or "").strip():
            latest.pop(correction.mention_id, None)
            latest[correction.mention_id] = LabelledText(correction.text, correction.label)
    return list(latest.values())


def decide(before: Evaluation | None, after: Evaluation | None, force: bool | None) -> Decision:
    """Use the retrained model when its macro-F1 on held-back corrections is not lower than the
    current model's; `force` True or False overrides the comparison."""
    scores = (
        f"macro-F1 {after.macro_f1:.4f} against {before.macro_f1:.4f} for the current model "
        f"on {after.n} held-back corrections"
        if before is not None and after is not None
        else None
    )
    if force is not None:
        flag = "--use" if force else "--no-use"
        return Decision(force, f"{flag} given" + (f" ({scores})" if scores else ""))
    if before is None or after is None:
        return Decision(
            False,
            "too few corrections to hold any back and compare (fewer than 5); "
            "pass --use to use it anyway",
        )
    if after.macro_f1 >= before.macro_f1:
        return Decision(True, f"it does at least as well: {scores}")
    return Decision(False, f"it does worse: {scores}; pass --use to use it anyway")


def retrain_workspace(
    store: Store,
    ws: Workspace,
    data_dir: Path,
    out_path: Path,
    corrections: list[LabelledText],
    config: TrainConfig | None = None,
    force: bool | None = None,
) -> Retraining:
    """Retrain on the shipped data plus the corrections, compare with the workspace's own
    model (or the shipped one) on the held-back corrections, and record `out_path` as the
    workspace's model when `decide` says so.

    When `out_path` is the workspace's model now, the new one is written beside it first and
    moves over it only when used, so a worse model never replaces a better one."""
    from otklik.pipeline.sentiment_backends.compact import CompactBackend

    previous = store.sentiment_model(ws)
    baseline = CompactBackend(previous if previous and previous.is_file() else None)
    out_path = Path(out_path).expanduser().resolve()
    target = out_path
    if previous is not None and previous == out_path:
        target = out_path.with_name(f"{out_path.stem}.candidate{out_path.suffix}")
    report = train_workspace(data_dir, target, corrections, baseline, config)
    decision = decide(report.before, report.after, force)
    written = target
    if decision.use:
        if target != out_path:
            os.replace(target, out_path)
            report.train.out_path = written = out_path
        store.set_sentiment_model(ws, out_path)
    return Retraining(report, decision, written, previous, store.sentiment_model(ws))
