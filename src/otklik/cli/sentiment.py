"""`otklik train sentiment` and `otklik eval sentiment`: build the compact model, measure any."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from otklik import output
from otklik.errors import OtklikError
from otklik.settings import Settings

if TYPE_CHECKING:
    from otklik.training.sentiment import LabelledText

_FORMATS = click.Choice(["table", "json"])


def register(cli: click.Group) -> None:
    """Add the `train` and `eval` groups with their `sentiment` commands to the root group."""
    cli.add_command(train)
    cli.add_command(eval_)


@click.group()
def train() -> None:
    """Train models from labelled data.

    \b
    Example:
      otklik train sentiment --data ../shared/data/sentiment --out model.npz
    """


@click.group("eval")
def eval_() -> None:
    """Measure models on labelled data.

    \b
    Example:
      otklik eval sentiment labelled.csv --text-column text --label-column label
    """


@train.command("sentiment")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder with one sub-folder per data set, each holding train.csv and dev.csv.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the model (.npz).",
)
@click.option(
    "--workspace",
    help="Also learn from this workspace's sentiment corrections (every 5th is held back "
    "to show before/after).",
)
@click.option(
    "--dim-bits",
    type=click.IntRange(10, 24),
    default=20,
    show_default=True,
    help="Hashed feature columns as a power of two; 20 is the shipped model.",
)
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.pass_context
def train_sentiment_command(
    ctx: click.Context,
    data_dir: Path,
    out_path: Path | None,
    workspace: str | None,
    dim_bits: int,
    fmt: str,
) -> None:
    """Train the compact sentiment model and print macro-F1 on every dev split.

    The shipped model is `otklik train sentiment --data DIR --out PATH` on the shared data:
    same data, same file. Data sets marked evaluation-only are measured, never learnt from.

    \b
    Example:
      otklik train sentiment --data ../shared/data/sentiment --out sentiment.npz
      otklik train sentiment --data ../shared/data/sentiment --out shop.npz --workspace shop
    """
    from otklik.pipeline.sentiment_backends.compact import Featuriser
    from otklik.training.sentiment import TrainConfig, train_sentiment, train_workspace

    config = TrainConfig(featuriser=Featuriser(dim_bits, 2, 5))

    if out_path is None:
        raise click.UsageError("give --out PATH for the model file")
    try:
        if workspace is not None:
            from otklik.pipeline.sentiment_backends import load_backend

            corrections = workspace_corrections(ctx, workspace)
            baseline = load_backend(_settings(ctx))
            result = train_workspace(data_dir, out_path, corrections, baseline, config)
            report = result.train
        else:
            result = None
            report = train_sentiment(data_dir, out_path, config=config)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps((result or report).as_dict(), ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "data set": name,
            "n": ev.n,
            "accuracy": f"{ev.accuracy:.4f}",
            "macro-F1": f"{ev.macro_f1:.4f}",
            **{f"F1 {label}": f"{f1:.4f}" for label, f1 in ev.per_class_f1.items()},
        }
        for name, ev in report.dev.items()
    ]
    output.emit(rows, "table", title="dev splits")
    output.message(
        f"model written to {report.out_path} ({report.out_path.stat().st_size / 1e6:.1f} MB) "
        f"in {report.seconds:.0f} s; trained on {sum(report.train_sizes.values())} texts"
        + (f" plus {report.extra_examples} corrections" if report.extra_examples else "")
    )
    if result is not None:
        if result.before is None or result.after is None:
            output.message("too few corrections to hold any back; no before/after to show")
        else:
            render_before_after(result.before.as_dict(), result.after.as_dict(), result.held_back)


def workspace_corrections(ctx: click.Context, name: str) -> list[LabelledText]:
    """The workspace's sentiment corrections of whole mentions, the latest per mention."""
    from otklik.training.sentiment import LabelledText

    app = ctx.find_root().obj
    if not hasattr(app, "store"):
        raise click.UsageError("--workspace needs the database; run it as `otklik train ...`")
    store = app.store()
    latest: dict[int, LabelledText] = {}
    for correction in store.corrections(store.workspace(name, create=False)):
        if correction.brand_id is None and (correction.text or "").strip():
            latest.pop(correction.mention_id, None)
            latest[correction.mention_id] = LabelledText(correction.text, correction.label)
    if not latest:
        raise click.ClickException(
            f"workspace {name!r} has no sentiment corrections yet; correct some mentions first"
        )
    return list(latest.values())


def render_before_after(before: dict[str, Any], after: dict[str, Any], held_back: int) -> None:
    """Macro-F1 and accuracy on held-back corrections, before and after retraining."""
    rows = [
        {
            "model": name,
            "accuracy": f"{result['accuracy']:.4f}",
            "macro-F1": f"{result['macro_f1']:.4f}",
        }
        for name, result in (("before", before), ("after", after))
    ]
    output.emit(rows, "table", title=f"{held_back} held-back corrections")


@eval_.command("sentiment")
@click.argument(
    "file", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--text-column", default="text", show_default=True, help="Column with the text.")
@click.option(
    "--label-column",
    default="label",
    show_default=True,
    help="Column with the true label: positive, neutral or negative.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A compact model file from `otklik train sentiment` (default: the configured one).",
)
@click.option(
    "--workspace",
    help="Instead of FILE: the workspace's held-back corrections, before (configured model) "
    "and after (--model, its retrained model).",
)
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.pass_context
def eval_sentiment_command(
    ctx: click.Context,
    file: Path | None,
    text_column: str,
    label_column: str,
    model_path: Path | None,
    workspace: str | None,
    fmt: str,
) -> None:
    """Print accuracy, macro-F1, per-class F1 and the confusion matrix on a labelled CSV.

    \b
    Example:
      otklik eval sentiment reviews.csv --text-column text --label-column label
      otklik eval sentiment reviews.csv --format json
      otklik eval sentiment --workspace shop --model shop.npz
    """
    from otklik.pipeline.sentiment_backends import load_backend
    from otklik.training.sentiment import evaluate, read_labelled_csv

    if workspace is not None:
        eval_workspace(ctx, workspace, model_path, fmt)
        return
    if file is None:
        raise click.UsageError("give a labelled FILE.csv, or --workspace W --model PATH")
    try:
        texts, labels = read_labelled_csv(file, text_column, label_column)
        backend = load_backend(None if model_path else _settings(ctx), model_path)
        backend.load()
        result = evaluate(backend, texts, labels)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps({"model": backend.name, **result.as_dict()}, indent=2))
        return
    render_evaluation(result.as_dict(), title=f"{file.name} ({backend.name} model)")


def eval_workspace(ctx: click.Context, workspace: str, model_path: Path | None, fmt: str) -> None:
    """Before/after on the corrections `train sentiment --workspace` held back."""
    from otklik.pipeline.sentiment_backends import load_backend
    from otklik.training.sentiment import evaluate, split_held_back

    if model_path is None:
        raise click.UsageError("--workspace needs --model PATH: the retrained workspace model")
    try:
        _, held = split_held_back(workspace_corrections(ctx, workspace))
        if not held:
            raise click.ClickException("too few corrections to hold any back (fewer than 5)")
        texts, labels = [c.text for c in held], [c.label for c in held]
        before = evaluate(load_backend(_settings(ctx)), texts, labels).as_dict()
        after = evaluate(load_backend(None, model_path), texts, labels).as_dict()
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps({"held_back": len(held), "before": before, "after": after}))
        return
    render_before_after(before, after, len(held))


def render_evaluation(result: dict[str, Any], title: str) -> None:
    """Summary table and confusion matrix of one evaluation."""
    summary = {
        "n": result["n"],
        "accuracy": f"{result['accuracy']:.4f}",
        "macro-F1": f"{result['macro_f1']:.4f}",
        **{f"F1 {k}": f"{v:.4f}" for k, v in result["per_class_f1"].items()},
    }
    output.emit([summary], "table", title=title)
    labels = result["labels"]
    matrix = [
        {"true \\ predicted": label, **dict(zip(labels, map(str, row), strict=True))}
        for label, row in zip(labels, result["confusion"], strict=True)
    ]
    output.emit(matrix, "table", title="confusion matrix (rows: true, columns: predicted)")


def _settings(ctx: click.Context) -> Settings:
    # The root group stores an AppContext with settings; alone (in tests) read them here.
    app = ctx.find_root().obj
    settings = getattr(app, "settings", None)
    return settings if isinstance(settings, Settings) else Settings.model_validate({})
