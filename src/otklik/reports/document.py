"""A report's data turned into a document in one language: titled sections, each a table
(typed columns, so XLSX keeps numbers as numbers) and an optional chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from otklik.i18n import N_, Formats, translator
from otklik.surveys.document import text_in

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
METRICS = {
    "mentions": N_("Mentions"),
    "share_of_voice": N_("Share of voice"),
    "positive_share": N_("Positive share"),
    "negative_share": N_("Negative share"),
    "response_rate": N_("Response rate"),
    "first_response_hours": N_("Hours to first response (median)"),
    "engagement_rate": N_("Engagement rate by reach"),
    "reach": N_("Reach"),
    "clicks": N_("Link clicks"),
    "sessions": N_("Sessions"),
    "conversions": N_("Conversions"),
    "nps": N_("NPS"),
    "csat": N_("CSAT, share satisfied"),
    "ces": N_("CES (mean effort, 1–7)"),
}
PERCENT_METRICS = frozenset(
    {"share_of_voice", "positive_share", "negative_share", "response_rate", "engagement_rate"}
)
SMART_WORDS = {
    "specific": N_("Specific"),
    "measurable": N_("Measurable"),
    "achievable": N_("Achievable"),
    "relevant": N_("Relevant"),
    "time_bound": N_("Time-bound"),
}
WORDS = {
    "met": N_("met"),
    "not_met": N_("not met"),
    "in_progress": N_("in progress"),
    "unmeasurable": N_("cannot be measured"),
    "too_few": N_("too few answers to judge"),
    "not_measurable": N_("the metric cannot be measured"),
    "no_target": N_("no target"),
    "no_date": N_("no date"),
    "date_outside": N_("the date is before the campaign"),
    "wording_missing": N_("wording missing"),
    "before": N_("before"),
    "during": N_("during"),
    "after": N_("after"),
    "on_plan": N_("on plan"),
    "off_plan": N_("off plan"),
    "unplanned": N_("unplanned"),
    "positive": N_("positive"),
    "neutral": N_("neutral"),
    "negative": N_("negative"),
    "reach": N_("Reach"),
    "clicks": N_("Link clicks"),
    "sessions": N_("Sessions"),
    "conversions": N_("Conversions"),
    "photo": N_("photo"),
    "video": N_("video"),
    "carousel": N_("carousel"),
    "text": N_("text"),
    "story": N_("story"),
    "reels": N_("reels"),
    "other": N_("other"),
    "campaign": N_("Campaign report"),
    "smm": N_("SMM report"),
    "brand": N_("Brand report"),
}


@dataclass
class Column:
    """A table column: its key in the rows, heading, and kind (text, number, percent,
    decimal, date, flag)."""

    key: str
    title: str
    kind: str = "text"


@dataclass
class Chart:
    """A chart: bar, stacked, line, hbar or heatmap; `x` categories, `series` (name, values);
    a heatmap has `y` rows, `z` values and `counts` written in its cells."""

    kind: str
    x: list[str]
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)
    y: list[str] = field(default_factory=list)
    z: list[list[float | None]] = field(default_factory=list)
    counts: list[list[int]] = field(default_factory=list)
    is_percent: bool = False


@dataclass
class Section:
    """A titled part of a report: a note, a table, a chart."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    chart: Chart | None = None


@dataclass
class Document:
    """A report in one language, ready to render."""

    title: str
    subtitle: str
    language: str
    timezone: str
    sections: list[Section]


class Writer:
    """Words and formats of one language for building documents."""

    def __init__(self, language: str, timezone: str) -> None:
        self.tr = translator(language)
        self.fmt = Formats(language, timezone)
        self.language = language

    def gettext(self, message: str, **values: object) -> str:
        """The message in this language, %-formatted with `values` when given."""
        return self.tr.gettext(message, **values)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message for `n`, with %(num)d filled in."""
        return self.tr.ngettext(singular, plural, n)

    def word(self, code: str | None) -> str:
        """A stored code in words."""
        if code is None:
            return ""
        found = WORDS.get(code) or METRICS.get(code)
        return self.tr.gettext(found) if found else code

    def metric(self, code: str) -> str:
        """A metric's name (a manual one keeps its own name)."""
        if code.startswith("manual:"):
            return code.removeprefix("manual:")
        return self.tr.gettext(METRICS[code]) if code in METRICS else code

    def span(self, period: dict[str, str]) -> str:
        """A period with its dates written out: 3 March 2025 — 9 March 2025."""
        start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        return f"{self.fmt.day(start, 'long')} — {self.fmt.day(end, 'long')}"

    def kind(self, row: dict[str, Any], column: Column) -> str:
        """The kind of one cell: the row's own for that column, else the column's."""
        kinds = row.get("_kinds") or {}
        return str(kinds.get(column.key, column.kind))

    def cell(self, value: Any, kind: str) -> str:
        """A value as text for a page or a PDF."""
        if value is None or value == "":
            return "—"
        if kind == "percent":
            return self.fmt.percent(float(value), fraction=True)
        if kind == "number":
            return self.fmt.number(round(float(value), 2))
        if kind == "decimal":
            number = float(value)
            return (
                f"< {self.fmt.number(0.001)}"
                if 0 <= number < 0.001
                else self.fmt.number(round(number, 3))
            )
        if kind == "date":
            return self.fmt.day(date.fromisoformat(str(value)[:10]))
        if kind == "flag":
            return self.gettext("yes") if value else self.gettext("no")
        return str(value)


def build_document(data: dict[str, Any], language: str, timezone: str) -> Document:
    """The document of a report's data (`data["kind"]` says which)."""
    w = Writer(language, timezone)
    kind = data["kind"]
    if kind == "campaign":
        name = data["campaign"]["name"]
        title = f"{w.word('campaign')}: {name}"
        sections = _campaign(w, data)
    elif kind == "brand":
        title = w.word("brand") + (f": {data['brand']}" if data.get("brand") else "")
        sections = _brand(w, data)
    else:
        title = w.word("smm")
        sections = _smm(w, data)
    subtitle = w.gettext("Period: %(span)s", span=w.span(data["period"]))
    if data.get("previous_period"):
        subtitle += "; " + w.gettext("compared with %(span)s", span=w.span(data["previous_period"]))
    return Document(title, subtitle, language, timezone, sections)


def _campaign(w: Writer, data: dict[str, Any]) -> list[Section]:
    c = data["campaign"]
    periods = data["periods"]
    summary = [
        {"field": w.gettext("Period"), "value": w.span(data["period"])},
        {"field": w.gettext("Brand"), "value": c["brand"] or "—"},
        {"field": w.gettext("Partners"), "value": ", ".join(c["partners"]) or "—"},
        {"field": w.gettext("Channels"), "value": ", ".join(c["channels"]) or "—"},
        {"field": w.gettext("UTM campaigns"), "value": ", ".join(c["utm_campaigns"]) or "—"},
        {"field": w.gettext("Linked surveys"), "value": ", ".join(c.get("surveys") or []) or "—"},
        {"field": w.gettext("Notes"), "value": c["notes"] or "—"},
    ]
    sections = [
        Section(
            "summary",
            w.gettext("Campaign"),
            [Column("field", w.gettext("Field")), Column("value", w.gettext("Value"))],
            summary,
        ),
        _goals(w, data["goals"]),
        _comparison(w, data["comparison"], periods),
        _funnel(w, data["funnel"]),
        *_voice(w, data["voice"]),
        *_smm(w, data["smm"]),
        *_answers(w, data.get("answers") or []),
        Section(
            "team",
            w.gettext("The team's conclusions"),
            [Column("field", w.gettext("Question")), Column("value", w.gettext("Answer"))],
            [
                {"field": w.gettext("What worked"), "value": data["team"]["worked"] or "—"},
                {
                    "field": w.gettext("What did not work"),
                    "value": data["team"]["not_worked"] or "—",
                },
                {
                    "field": w.gettext("Three ideas for the next launch"),
                    "value": data["team"]["ideas"] or "—",
                },
            ],
        ),
    ]
    return sections


def _goals(w: Writer, goals: list[dict[str, Any]]) -> Section:
    rows = []
    for g in goals:
        kind = "percent" if g["metric"] in PERCENT_METRICS else "number"
        missing = [
            w.gettext(SMART_WORDS[p.partition(":")[2]])
            for p in g["problems"]
            if p.startswith("wording_missing:")
        ]
        problems = [w.word(p) for p in g["problems"] if not p.startswith("wording_missing:")]
        if missing:
            problems.append(f"{w.word('wording_missing')}: {', '.join(missing)}")
        ci = g.get("ci")
        interval = f"{w.cell(ci[0], kind)} … {w.cell(ci[1], kind)}" if ci else ""
        if g.get("responses") is not None:
            answers = w.ngettext("%(num)d answer", "%(num)d answers", g["responses"])
            interval = f"{interval}; {answers}" if interval else answers
        rows.append(
            {
                "metric": w.metric(g["metric"]),
                "target": g["target"],
                "actual": g["actual"],
                "interval": interval or "—",
                "_kinds": {"target": kind, "actual": kind},
                "progress": g["progress"],
                "status": w.word(g["status"]),
                "deadline": g["deadline"],
                "problems": "; ".join(dict.fromkeys(problems)) or "—",
            }
        )
    chart = Chart(
        "bar",
        [r["metric"] for r in rows],
        [(w.gettext("Progress to target"), [g["progress"] for g in goals])],
        is_percent=True,
    )
    return Section(
        "goals",
        w.gettext("Goals: target and actual"),
        [
            Column("metric", w.gettext("Metric")),
            Column("target", w.gettext("Target"), "number"),
            Column("actual", w.gettext("Actual"), "number"),
            Column("interval", w.gettext("95% interval, answers")),
            Column("progress", w.gettext("Progress"), "percent"),
            Column("status", w.gettext("Status")),
            Column("deadline", w.gettext("Deadline"), "date"),
            Column("problems", w.gettext("What the goal lacks")),
        ],
        rows,
        chart=chart if goals else None,
    )


def _answer_summary(w: Writer, q: dict[str, Any], languages: list[str]) -> str:
    if q["kind"] == "nps":
        counts = w.gettext(
            "promoters %(p)s, passives %(s)s, detractors %(d)s",
            p=q["promoters"],
            s=q["passives"],
            d=q["detractors"],
        )
        if q["nps"] is None:
            return w.gettext("NPS: too few answers for a score") + "; " + counts
        low, high = q["nps_ci"]
        score = w.gettext(
            "NPS %(value)s (95%% interval %(low)s … %(high)s)",
            value=w.cell(q["nps"], "number"),
            low=w.cell(low, "number"),
            high=w.cell(high, "number"),
        )
        return score + "; " + counts
    if "mean" in q:
        if q["mean"] is None:
            return "—"
        text = w.gettext(
            "mean %(mean)s of %(top)s",
            mean=w.cell(q["mean"], "number"),
            top=w.cell(q["scale"][1], "number"),
        )
        if q["kind"] == "csat":
            share = (
                w.gettext("CSAT: too few answers for a score")
                if q["csat"] is None
                else w.gettext("CSAT %(value)s", value=w.fmt.percent(q["csat"]))
            )
            text += "; " + share
        return text
    if "counts" in q:
        return "; ".join(
            f"{text_in(c['text'], w.language, languages)} — {w.cell(c['count'], 'number')}"
            for c in q["counts"]
        )
    return w.gettext("open answers, quoted below")


def _answers(w: Writer, surveys: list[dict[str, Any]]) -> list[Section]:
    if not surveys:
        return []
    rows, quotes = [], []
    for s in surveys:
        title = text_in(s["title"], w.language, s["languages"]) or s["survey"]
        for q in s["questions"]:
            question = text_in(q["text"], w.language, s["languages"])
            rows.append(
                {
                    "survey": title,
                    "question": question,
                    "answered": q["answered"],
                    "summary": _answer_summary(w, q, s["languages"]) if q["answered"] else "—",
                }
            )
            quotes += [
                {
                    "survey": title,
                    "question": question,
                    "text": quote["text"],
                    "sentiment": w.word(quote["sentiment"]) or "—",
                    "day": quote["day"],
                }
                for quote in q.get("quotes", [])
            ]
    first = surveys[0]["period"]
    note = w.gettext(
        "Answers to the surveys linked to the campaign, given %(span)s (from its first day to "
        "the end of the after-period). Responses: %(counts)s.",
        span=w.span(first),
        counts=", ".join(
            f"{text_in(s['title'], w.language, s['languages']) or s['survey']} — {s['responses']}"
            for s in surveys
        ),
    )
    return [
        Section(
            "answers",
            w.gettext("The partner's and the team's answers"),
            [
                Column("survey", w.gettext("Survey")),
                Column("question", w.gettext("Question")),
                Column("answered", w.gettext("Answers"), "number"),
                Column("summary", w.gettext("Summary")),
            ],
            rows,
            note=note,
        ),
        Section(
            "answer_quotes",
            w.gettext("Quotes from the partner and the team"),
            [
                Column("survey", w.gettext("Survey")),
                Column("question", w.gettext("Question")),
                Column("text", w.gettext("Quote")),
                Column("sentiment", w.gettext("Sentiment")),
                Column("day", w.gettext("Day"), "date"),
            ],
            quotes,
        ),
    ]


def _comparison(
    w: Writer, rows: list[dict[str, Any]], periods: dict[str, dict[str, str]]
) -> Section:
    note = "; ".join(f"{w.word(k)}: {w.span(v)}" for k, v in periods.items())
    note += ". " + w.gettext(
        "A change is more than noise when its test gives p < 0.05 (Poisson counts, Fisher for "
        "shares, Welch for daily values and per-post rates). Sessions and conversions here "
        "count all imported traffic, not only the campaign's UTM names."
    )
    out = []
    for r in rows:
        is_percent = r["metric"] in PERCENT_METRICS
        out.append(
            {
                "metric": w.metric(r["metric"]),
                **{k: r[k] for k in ("before", "during", "after")},
                "_kinds": dict.fromkeys(("before", "during", "after"), "percent")
                if is_percent
                else {},
                "change": r["change"],
                "p_value": r["p_value"],
                "beyond_noise": r["beyond_noise"],
            }
        )
    return Section(
        "comparison",
        w.gettext("Before, during and after"),
        [
            Column("metric", w.gettext("Metric")),
            Column("before", w.word("before"), "number"),
            Column("during", w.word("during"), "number"),
            Column("after", w.word("after"), "number"),
            Column("change", w.gettext("Change, during vs before"), "percent"),
            Column("p_value", w.gettext("p-value"), "decimal"),
            Column("beyond_noise", w.gettext("More than noise"), "flag"),
        ],
        out,
        note=note,
    )


def _funnel(w: Writer, funnel: dict[str, Any]) -> Section:
    rows = [
        {"step": w.word(s["step"]), "value": s["value"], "kept": s["kept"]} for s in funnel["steps"]
    ]
    note = (
        w.gettext("The step that lost the most: %(step)s", step=w.word(funnel["lost_most"]))
        if funnel["lost_most"]
        else ""
    )
    return Section(
        "funnel",
        w.gettext("Funnel: reach to conversion"),
        [
            Column("step", w.gettext("Step")),
            Column("value", w.gettext("Value"), "number"),
            Column("kept", w.gettext("Share of the step before"), "percent"),
        ],
        rows,
        note=note,
        chart=Chart(
            "hbar",
            [r["step"] for r in rows],
            [(w.gettext("Value"), [float(r["value"]) for r in rows])],
        ),
    )


def _voice(w: Writer, voice: dict[str, Any]) -> list[Section]:
    tags = voice["top_tags"]
    trend = voice["sentiment_by_day"]
    names = ("negative", "neutral", "positive")
    return [
        Section(
            "tags",
            w.gettext("What customers talked about: top tags"),
            [Column("tag", w.gettext("Tag")), Column("count", w.gettext("Mentions"), "number")],
            tags,
            chart=Chart(
                "bar",
                [t["tag"] for t in tags],
                [(w.gettext("Mentions"), [float(t["count"]) for t in tags])],
            )
            if tags
            else None,
        ),
        Section(
            "quotes",
            w.gettext("What customers said"),
            [
                Column("sentiment", w.gettext("Sentiment")),
                Column("text", w.gettext("Quote")),
                Column("day", w.gettext("Day"), "date"),
                Column("channel", w.gettext("Channel")),
            ],
            [{**q, "sentiment": w.word(q["sentiment"])} for q in voice["quotes"]],
        ),
        Section(
            "sentiment",
            w.gettext("Sentiment by day"),
            [Column("day", w.gettext("Day"), "date")]
            + [Column(n, w.word(n), "number") for n in names],
            trend,
            chart=Chart(
                "stacked",
                [t["day"] for t in trend],
                [(w.word(n), [float(t[n]) for t in trend]) for n in names],
            )
            if trend
            else None,
        ),
    ]


def _mix(w: Writer, key: str, title: str, rows: list[dict[str, Any]]) -> Section:
    shown = [{**r, key: w.word(r[key]) if key == "format" else r[key]} for r in rows]
    return Section(
        f"by_{key}",
        title,
        [
            Column(key, w.gettext("Format") if key == "format" else w.gettext("Rubric")),
            Column("posts", w.gettext("Posts"), "number"),
            Column("share_posts", w.gettext("Share of posts"), "percent"),
            Column("share_engagement", w.gettext("Share of engagement"), "percent"),
            Column("er_reach", w.gettext("ER by reach"), "percent"),
            Column("is_dead_horse", w.gettext("Dead horse"), "flag"),
        ],
        shown,
        note=w.gettext(
            "A dead horse takes at least a tenth of the posts and earns less than half that "
            "share of the engagement."
        )
        if key == "rubric"
        else "",
        chart=Chart(
            "bar",
            [str(r[key]) for r in shown],
            [
                (w.gettext("Share of posts"), [r["share_posts"] for r in rows]),
                (w.gettext("Share of engagement"), [r["share_engagement"] for r in rows]),
            ],
            is_percent=True,
        )
        if rows
        else None,
    )


def _smm(w: Writer, smm: dict[str, Any]) -> list[Section]:
    previous = smm["previous"]
    headline = [
        {"metric": w.gettext(label), "value": smm[key], "previous": previous[key], "kind": kind}
        for key, label, kind in (
            ("posts", N_("Posts"), "number"),
            ("reach", N_("Reach"), "number"),
            ("actions", N_("Actions (likes, comments, reposts, saves)"), "number"),
            ("link_clicks", N_("Link clicks"), "number"),
            ("er_reach", N_("ER by reach"), "percent"),
        )
    ]
    for row in headline:
        row["_kinds"] = dict.fromkeys(("value", "previous"), row.pop("kind"))
    cells = smm["heatmap"]
    hours = sorted({c["hour"] for c in cells})
    grid = {(c["weekday"], c["hour"]): c for c in cells}
    heat = Chart(
        "heatmap",
        [f"{h:02d}:00" for h in hours],
        y=[w.gettext(d) for d in WEEKDAYS],
        z=[[grid[(d, h)]["er_reach"] if (d, h) in grid else None for h in hours] for d in range(7)],
        counts=[[grid[(d, h)]["posts"] if (d, h) in grid else 0 for h in hours] for d in range(7)],
        is_percent=True,
    )
    plan_rows = [{"plan": w.word(k), "posts": v} for k, v in smm["plan"].items()]
    response = smm["response"]
    return [
        Section(
            "smm",
            w.gettext("SMM: the main numbers"),
            [
                Column("metric", w.gettext("Metric")),
                Column("value", w.gettext("This period"), "number"),
                Column("previous", w.gettext("Period before"), "number"),
            ],
            headline,
            note=w.gettext("Period before: %(span)s", span=w.span(smm["previous_period"])),
        ),
        _mix(w, "format", w.gettext("Formats: share of posts and of engagement"), smm["by_format"]),
        _mix(w, "rubric", w.gettext("Rubrics: share of posts and of engagement"), smm["by_rubric"]),
        Section(
            "heatmap",
            w.gettext("Posting time: ER by reach by weekday and hour"),
            [
                Column("weekday", w.gettext("Weekday")),
                Column("hour", w.gettext("Hour"), "number"),
                Column("posts", w.gettext("Posts"), "number"),
                Column("er_reach", w.gettext("ER by reach"), "percent"),
            ],
            [{**c, "weekday": w.gettext(WEEKDAYS[c["weekday"]])} for c in cells],
            note=w.gettext(
                "Time zone: %(zone)s. The number in a cell is how many posts stand behind it.",
                zone=w.fmt.zone_name(),
            ),
            chart=heat if cells else None,
        ),
        Section(
            "plan",
            w.gettext("Posts on plan, off plan and unplanned"),
            [Column("plan", w.gettext("Plan")), Column("posts", w.gettext("Posts"), "number")],
            plan_rows,
            chart=Chart(
                "bar",
                [r["plan"] for r in plan_rows],
                [(w.gettext("Posts"), [float(r["posts"]) for r in plan_rows])],
            ),
        ),
        Section(
            "followers",
            w.gettext("Followers"),
            [
                Column("platform", w.gettext("Platform")),
                Column("account", w.gettext("Account")),
                Column("first", w.gettext("At the start"), "number"),
                Column("last", w.gettext("At the end"), "number"),
                Column("growth", w.gettext("Growth"), "number"),
            ],
            smm["followers"],
        ),
        Section(
            "competitors",
            w.gettext("Competitors: ER by reach and our gap"),
            [
                Column("platform", w.gettext("Platform")),
                Column("account", w.gettext("Account")),
                Column("posts", w.gettext("Posts"), "number"),
                Column("er_reach", w.gettext("ER by reach"), "percent"),
                Column("gap", w.gettext("Our ER minus theirs"), "percent"),
            ],
            smm["competitors"],
        ),
        Section(
            "response",
            w.gettext("Response to mentions (cases)"),
            [Column("metric", w.gettext("Metric")), Column("value", w.gettext("Value"), "number")],
            [
                {"metric": w.gettext("Mentions"), "value": response["mentions"]},
                {"metric": w.gettext("Answered"), "value": response["answered"]},
                {
                    "metric": w.gettext("Response rate"),
                    "value": response["response_rate"],
                    "_kinds": {"value": "percent"},
                },
                {
                    "metric": w.gettext("Hours to first response (median)"),
                    "value": response["first_response_hours"],
                },
            ],
        ),
    ]


def _brand(w: Writer, data: dict[str, Any]) -> list[Section]:
    rows = []
    for r in data["metrics"]:
        is_percent = r["metric"] in PERCENT_METRICS
        rows.append(
            {
                "metric": w.metric(r["metric"]),
                "value": r["value"],
                "previous": r["previous"],
                "_kinds": dict.fromkeys(("value", "previous"), "percent") if is_percent else {},
                "change": r["change"],
            }
        )
    return [
        Section(
            "metrics",
            w.gettext("The brand's numbers against the period before"),
            [
                Column("metric", w.gettext("Metric")),
                Column("value", w.gettext("This period"), "number"),
                Column("previous", w.gettext("Period before"), "number"),
                Column("change", w.gettext("Change"), "percent"),
            ],
            rows,
        ),
        *_voice(w, data["voice"]),
        *_smm(w, data["smm"]),
    ]
