"""A partner-ready e-mail drafted from a campaign report, in Kazakh, Russian or English:
results against the goals, thanks, and proposals for next time; the user edits it."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from otklik import mail
from otklik.errors import InputError
from otklik.reports.document import PERCENT_METRICS, Writer
from otklik.services.context import Services


def draft(data: dict[str, Any], language: str, timezone: str) -> tuple[str, str]:
    """(subject, body) of the e-mail to the campaign's partners."""
    w = Writer(language, timezone)
    campaign = data["campaign"]
    subject = w.gettext("%(name)s: the results of our joint campaign", name=campaign["name"])
    lines = [
        w.gettext("Hello!"),
        "",
        w.gettext(
            "Thank you for our joint campaign “%(name)s” (%(span)s).",
            name=campaign["name"],
            span=w.span(data["period"]),
        ),
        "",
        w.gettext("Results:"),
    ]
    for goal in data["goals"]:
        kind = "percent" if goal["metric"] in PERCENT_METRICS else "number"
        lines.append(
            "— "
            + w.gettext(
                "%(metric)s: %(actual)s against the target of %(target)s (%(status)s)",
                metric=w.metric(goal["metric"]),
                actual=w.cell(goal["actual"], kind),
                target=w.cell(goal["target"], kind),
                status=w.word(goal["status"]),
            )
        )
    steps = {s["step"]: s["value"] for s in data["funnel"]["steps"]}
    lines.append(
        "— "
        + w.gettext(
            "reach %(reach)s, link clicks %(clicks)s, sessions %(sessions)s, "
            "conversions %(conversions)s",
            **{k: w.cell(v, "number") for k, v in steps.items()},
        )
    )
    lines += _feedback(w, data.get("answers") or [])
    team = data["team"]
    if team.get("worked"):
        lines += ["", w.gettext("What worked best: %(text)s", text=team["worked"])]
    if team.get("ideas"):
        lines += ["", w.gettext("Our proposals for the next launch: %(text)s", text=team["ideas"])]
    lines += [
        "",
        w.gettext("We would be glad to continue working together."),
        "",
        w.gettext("Best regards,"),
    ]
    return subject, "\n".join(lines)


def _feedback(w: Writer, surveys: list[dict[str, Any]]) -> list[str]:
    """The rating and one open answer (a positive one when there is) from the first linked
    survey with answers: link the partner's debrief first."""
    found = next((s for s in surveys if s["responses"]), None)
    if found is None:
        return []
    out = [""]
    rating = next(
        (q for q in found["questions"] if q["kind"] == "rating" and q.get("mean") is not None),
        None,
    )
    if rating is not None:
        out.append(
            w.gettext(
                "Your rating of the campaign: %(mean)s of %(top)s.",
                mean=w.cell(rating["mean"], "number"),
                top=w.cell(rating["scale"][1], "number"),
            )
        )
    quotes = [quote for q in found["questions"] for quote in q.get("quotes", [])]
    quotes.sort(key=lambda quote: quote["sentiment"] != "positive")
    if quotes:
        out.append(w.gettext("Thank you for your words: “%(quote)s”", quote=quotes[0]["text"]))
    return out if len(out) > 1 else []


def can_send(svc: Services) -> bool:
    """True when an SMTP server is configured."""
    return mail.can_send(svc.settings)


def send(svc: Services, to: str, subject: str, body: str, language: str) -> None:
    """Send the (edited) e-mail as plain text with an HTML copy (InputError for a bad
    address, ConfigError without SMTP)."""
    address = to.strip()
    if "@" not in address or any(c in address for c in " ,;<>\r\n"):
        raise InputError(f"{to!r} is not one e-mail address")
    if not subject.strip() or not body.strip():
        raise InputError("the e-mail needs a subject and a text")
    html = "<p>" + str(escape(body)).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    mail.send(svc.settings, address, subject.strip(), body, html, language)
