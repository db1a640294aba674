"""`otklik train sentiment` and `otklik eval sentiment`: build the compact model, measure any."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from otklik import output
from otklik.errors import OtklikError
from otklik.i18n import Translator, translator
from otklik.settings import Settings

if TYPE_CHECKING:
    from otklik.services.context import Store
    from otklik.training.sentiment import LabelledText, TrainConfig
    from otklik.training.workspace_model import Retraining

_FORMATS = click.Choice(["table", "json"])


def register(cli: click.Group) -> None:
    """Add the `train` and `eval` groups with their `sentiment` commands, and the
    `sentiment-model` command, to the root group."""
    cli.add_command(train)
    cli.add_command(eval_)
    cli.add_command(sentiment_model_command)


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
    "to show before/after) and make the model the workspace's own when it does at least "
    "as well on them as the workspace's current model.",
)
@click.option(
    "--use/--no-use",
    "force",
    default=None,
    help="With --workspace: make the new model the workspace's own whatever the scores "
    "(--use), or never (--no-use). Default: only when its macro-F1 on the held-back "
    "corrections is not lower.",
)
@click.option(
    "--dim-bits",
    type=click.IntRange(10, 24),
    default=20,
    show_default=True,
    help="Hashed feature columns as a power of two; 20 is the shipped model.",
)
@click.option(
    "--tier",
    type=click.Choice(["compact", "encoder"]),
    default="compact",
    show_default=True,
    help="compact: the hashed n-gram model; encoder: the head over e5 (needs the "
    "encoder extra; combined with the shipped compact model).",
)
@click.option(
    "--embeddings",
    "embeddings_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --tier encoder: folder of cached embeddings (bench/sentiment_embed_corpus.py); "
    "texts not in it are embedded here.",
)
@click.option(
    "--tuned",
    "tuned_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="With --tier encoder: a fine-tuned e5 exported by bench/sentiment_finetune.py; "
    "its layers and classifier go into the head file and only the combiner is fitted.",
)
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.pass_context
def train_sentiment_command(
    ctx: click.Context,
    data_dir: Path,
    out_path: Path | None,
    workspace: str | None,
    force: bool | None,
    dim_bits: int,
    tier: str,
    embeddings_dir: Path | None,
    tuned_path: Path | None,
    fmt: str,
) -> None:
    """Train the compact sentiment model and print macro-F1 on every dev split.

    The shipped model is `otklik train sentiment --data DIR --out PATH` on the shared data:
    same data, same file. Data sets marked evaluation-only are measured, never learnt from.

    With --workspace the model also learns from that workspace's corrections and becomes the
    workspace's own model (imports, `otklik reanalyse` and the web app use it) when its
    macro-F1 on the held-back corrections is not lower than the current model's; otherwise
    the current one stays. OTKLIK_SENTIMENT_MODEL, when set, wins over a workspace's model.
    `otklik sentiment-model --workspace W --reset` goes back to the shipped model.

    \b
    Example:
      otklik train sentiment --data ../shared/data/sentiment --out sentiment.npz
      otklik train sentiment --data ../shared/data/sentiment --out shop.npz --workspace shop
      otklik --workspace shop reanalyse
      otklik train sentiment --tier encoder --data ../shared/data/sentiment \\
        --out sentiment_encoder_head.npz --embeddings .cache/sentiment_embeddings
    """
    tr = _tr(ctx)
    if tier == "encoder":
        _train_encoder(tr, data_dir, out_path, embeddings_dir, tuned_path, fmt)
        return
    from otklik.services.sentiment import compact_config
    from otklik.training.sentiment import train_sentiment

    config = compact_config(dim_bits)

    if out_path is None:
        raise click.UsageError(tr.gettext("give --out PATH for the model file"))
    if force is not None and workspace is None:
        raise click.UsageError(tr.gettext("--use and --no-use need --workspace W"))
    retraining = None
    try:
        if workspace is not None:
            retraining = _retrain(ctx, workspace, data_dir, out_path, config, force)
            result: Any = retraining
            report = retraining.report.train
        else:
            report = result = train_sentiment(data_dir, out_path, config=config)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
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
    written = tr.ngettext(
        "model written to %(path)s (%(size).1f MB) in %(seconds).0f s; trained on %(num)d text",
        "model written to %(path)s (%(size).1f MB) in %(seconds).0f s; trained on %(num)d texts",
        sum(report.train_sizes.values()),
        path=report.out_path,
        size=report.out_path.stat().st_size / 1e6,
        seconds=report.seconds,
    )
    if report.extra_examples:
        written += tr.ngettext(
            " plus %(num)d correction", " plus %(num)d corrections", report.extra_examples
        )
    output.message(written)
    if retraining is not None:
        _render_retraining(ctx, workspace or "", retraining)


def _train_encoder(
    tr: Translator,
    data_dir: Path,
    out_path: Path | None,
    cache: Path | None,
    tuned: Path | None,
    fmt: str,
) -> None:
    from otklik.services.sentiment import train_encoder

    if out_path is None:
        raise click.UsageError(tr.gettext("give --out PATH for the head file"))
    try:
        report = train_encoder(data_dir, out_path, cache, tuned)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [
        {"dev split": name, "macro-F1": f"{ev.macro_f1:.4f}", "accuracy": f"{ev.accuracy:.4f}"}
        for name, ev in report.dev.items()
    ]
    if fmt == "json":
        click.echo(json.dumps({n: ev.as_dict() for n, ev in report.dev.items()}, indent=2))
        return
    output.emit(rows, "table", title=f"encoder head → {out_path} ({report.seconds:.0f} s)")


def _retrain(
    ctx: click.Context,
    name: str,
    data_dir: Path,
    out_path: Path,
    config: TrainConfig,
    force: bool | None,
) -> Retraining:
    from otklik.training.workspace_model import retrain_workspace

    store = _store(ctx)
    ws = store.workspace(name, create=False)
    corrections = workspace_corrections(ctx, name)
    previous = store.sentiment_model(ws)
    if previous is not None and not previous.is_file():
        output.message(
            _tr(ctx).gettext(
                "workspace %(name)r's model %(path)s is missing; comparing with the shipped one",
                name=name,
                path=previous,
            ),
            err=True,
        )
    return retrain_workspace(store, ws, data_dir, out_path, corrections, config, force)


def _render_retraining(ctx: click.Context, name: str, retraining: Retraining) -> None:
    report, tr = retraining.report, _tr(ctx)
    if report.before is None or report.after is None:
        output.message(tr.gettext("too few corrections to hold any back; no before/after to show"))
    else:
        current = _model_name(retraining.previous)
        render_before_after(
            report.before.as_dict(),
            report.after.as_dict(),
            report.held_back,
            (f"before: {current}", f"after: {retraining.written.name}"),
        )
    decision = retraining.decision
    if decision.use:
        output.message(
            tr.gettext(
                "workspace %(name)r now uses %(path)s: %(reason)s",
                name=name,
                path=retraining.written,
                reason=decision.reason,
            )
        )
        output.message(_labels_kept(tr, name))
    else:
        in_use = retraining.in_use
        output.message(
            tr.gettext(
                "workspace %(name)r keeps %(model)s: %(reason)s; the new model stays at %(path)s",
                name=name,
                model=tr.gettext("the shipped model") if in_use is None else in_use,
                reason=decision.reason,
                path=retraining.written,
            )
        )
    overriding = _settings(ctx).sentiment_model
    if overriding is not None:
        output.message(
            tr.gettext(
                "note: OTKLIK_SENTIMENT_MODEL=%(path)s is set and wins over any workspace's "
                "model; unset it to use the workspace's own",
                path=overriding,
            )
        )


def _labels_kept(tr: Translator, name: str) -> str:
    return tr.gettext(
        "stored mentions keep their labels until `otklik --workspace %(name)s reanalyse`",
        name=name,
    )


def _model_name(path: Path | None) -> str:
    return "the shipped model" if path is None else str(path)


def workspace_corrections(ctx: click.Context, name: str) -> list[LabelledText]:
    """The workspace's sentiment corrections of whole mentions, the latest per mention."""
    from otklik.training.workspace_model import training_corrections

    store = _store(ctx)
    corrections = training_corrections(store, store.workspace(name, create=False))
    if not corrections:
        raise click.ClickException(
            _tr(ctx).gettext(
                "workspace %(name)r has no sentiment corrections yet; correct some mentions first",
                name=name,
            )
        )
    return corrections


def render_before_after(
    before: dict[str, Any],
    after: dict[str, Any],
    held_back: int,
    names: tuple[str, str] = ("before", "after"),
) -> None:
    """Macro-F1 and accuracy on held-back corrections, before and after retraining."""
    rows = [
        {
            "model": name,
            "accuracy": f"{result['accuracy']:.4f}",
            "macro-F1": f"{result['macro_f1']:.4f}",
        }
        for name, result in zip(names, (before, after), strict=True)
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
    help="Instead of FILE: the workspace's held-back corrections, before (the shipped model) "
    "and after (the workspace's own model); with --model, before is the model the workspace "
    "uses now and after is --model.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Instead of FILE: every dev split under this folder, scored by each --tier.",
)
@click.option(
    "--cs",
    "cs_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A customer-service set (text,label,language), scored by each --tier per language.",
)
@click.option(
    "--tier",
    "tiers",
    multiple=True,
    type=click.Choice(["floor", "compact", "encoder", "cascade"]),
    help="With --data/--cs: tiers to score (repeatable; default compact, encoder, cascade; "
    "floor trains TF-IDF + logistic regression on --data's train splits first).",
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
    data_dir: Path | None,
    cs_path: Path | None,
    tiers: tuple[str, ...],
    fmt: str,
) -> None:
    """Print accuracy, macro-F1, per-class F1 and the confusion matrix on a labelled CSV.

    \b
    Example:
      otklik eval sentiment reviews.csv --text-column text --label-column label
      otklik eval sentiment reviews.csv --format json
      otklik eval sentiment --workspace shop
      otklik eval sentiment --workspace shop --model shop.npz
      otklik eval sentiment --data ../shared/data/sentiment --cs bench/data/cs_eval.csv \\
        --tier floor --tier compact --tier encoder --tier cascade
    """
    from otklik.services.sentiment import evaluate_file

    if data_dir is not None or cs_path is not None:
        eval_tiers(data_dir, cs_path, tiers or ("compact", "encoder", "cascade"), fmt)
        return
    if workspace is not None:
        eval_workspace(ctx, workspace, model_path, fmt)
        return
    if file is None:
        raise click.UsageError(
            _tr(ctx).gettext("give a labelled FILE.csv, or --workspace W --model PATH")
        )
    try:
        name, result = evaluate_file(_settings(ctx), model_path, file, text_column, label_column)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps({"model": name, **result.as_dict()}, indent=2))
        return
    render_evaluation(result.as_dict(), title=f"{file.name} ({name} model)")


def eval_tiers(
    data_dir: Path | None, cs_path: Path | None, tiers: tuple[str, ...], fmt: str
) -> None:
    """Every tier on every dev split and the customer-service set, per language and class."""
    from otklik.services.sentiment import evaluate_sets

    try:
        results = evaluate_sets(data_dir, cs_path, tiers)
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(results, indent=2))
        return
    rows = []
    for tier, by_set in results.items():
        for name, parts in by_set.items():
            for part, ev in parts.items():
                f1 = ev["per_class_f1"]
                rows.append(
                    {
                        "tier": tier,
                        "set": name,
                        "language": part,
                        "n": ev["n"],
                        "macro-F1": f"{ev['macro_f1']:.4f}",
                        "F1 neg/neu/pos": "/".join(f"{f1[k]:.3f}" for k in f1),
                        "confusion (rows true neg/neu/pos)": " | ".join(
                            " ".join(map(str, row)) for row in ev["confusion"]
                        ),
                    }
                )
    output.emit(rows, "table", title="sentiment tiers: macro-F1, per-class F1, confusion")


def eval_workspace(ctx: click.Context, workspace: str, model_path: Path | None, fmt: str) -> None:
    """Before/after on the corrections `train sentiment --workspace` held back: the shipped
    model against the workspace's own, or (with --model) the model in use against that one."""
    from otklik.services.sentiment import evaluate_workspace

    try:
        found = evaluate_workspace(
            _store(ctx),
            _settings(ctx),
            workspace,
            model_path,
            lambda: workspace_corrections(ctx, workspace),
        )
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    tr = _tr(ctx)
    if found is None:
        raise click.UsageError(
            tr.gettext(
                "workspace %(name)r has no model of its own (it uses the shipped one); train "
                "one with `otklik train sentiment --workspace` or give --model",
                name=workspace,
            )
        )
    if not found.held_back:
        raise click.ClickException(
            tr.gettext("too few corrections to hold any back (fewer than 5)")
        )
    held, names, before, after = found.held_back, found.names, found.before, found.after
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "held_back": held,
                    "before_model": names[0],
                    "after_model": names[1],
                    "before": before,
                    "after": after,
                },
                ensure_ascii=False,
            )
        )
        return
    render_before_after(before, after, held, (f"before: {names[0]}", f"after: {names[1]}"))


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


@click.command("sentiment-model")
@click.option(
    "--workspace",
    "name",
    help="Workspace whose model to show or change (default: the one `otklik --workspace` "
    "or OTKLIK_WORKSPACE names).",
)
@click.option(
    "--set",
    "new_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Make this compact model file (.npz from `otklik train sentiment`) the workspace's.",
)
@click.option("--reset", is_flag=True, help="Go back to the compact model shipped in the package.")
@click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True)
@click.pass_context
def sentiment_model_command(
    ctx: click.Context, name: str | None, new_path: Path | None, reset: bool, fmt: str
) -> None:
    """Show or change the sentiment model a workspace analyses its mentions with.

    A workspace uses, in this order: the model OTKLIK_SENTIMENT_MODEL names, when set (it
    wins over every workspace's own); the workspace's own model, recorded by `otklik train
    sentiment --workspace` or --set here; the compact model shipped in the package. Stored
    mentions keep their labels until `otklik reanalyse`; people's corrections always stay.

    \b
    Example:
      otklik sentiment-model --workspace shop
      otklik sentiment-model --workspace shop --set shop.npz
      otklik sentiment-model --workspace shop --reset
    """
    tr = _tr(ctx)
    if new_path is not None and reset:
        raise click.UsageError(tr.gettext("give --set PATH or --reset, not both"))
    settings = _settings(ctx)
    name = name or settings.workspace
    from otklik.services.sentiment import set_workspace_model

    try:
        store = _store(ctx)
        if new_path is not None or reset:
            own = set_workspace_model(store, name, new_path)
        else:
            own = store.sentiment_model(store.workspace(name, create=False))
    except OtklikError as exc:
        raise click.ClickException(str(exc)) from exc
    overriding = settings.sentiment_model
    in_use = overriding or own
    state = {
        "workspace": name,
        "workspace_model": str(own) if own else None,
        "environment_model": str(overriding) if overriding else None,
        "in_use": str(in_use) if in_use else "shipped",
    }
    if fmt == "json":
        click.echo(json.dumps(state, ensure_ascii=False))
        return
    model = own or tr.gettext("none (the shipped one)")
    output.message(tr.gettext("workspace %(name)r: own model %(model)s", name=name, model=model))
    if overriding is not None:
        output.message(
            tr.gettext("OTKLIK_SENTIMENT_MODEL=%(path)s is set and wins over it", path=overriding)
        )
    if in_use:
        output.message(tr.gettext("in use: %(model)s", model=in_use))
    else:
        output.message(tr.gettext("in use: shipped"))
    if new_path is not None or reset:
        output.message(_labels_kept(tr, name))


def _store(ctx: click.Context) -> Store:
    app = ctx.find_root().obj
    if not hasattr(app, "services"):
        raise click.UsageError(
            _tr(ctx).gettext("--workspace needs the database; run it as `otklik ...`")
        )
    return app.services().store  # type: ignore[no-any-return]


def _settings(ctx: click.Context) -> Settings:
    # The root group stores an AppContext with settings; alone (in tests) read them here.
    app = ctx.find_root().obj
    settings = getattr(app, "settings", None)
    return settings if isinstance(settings, Settings) else Settings.model_validate({})


def _tr(ctx: click.Context) -> Translator:
    return translator(_settings(ctx).language)
