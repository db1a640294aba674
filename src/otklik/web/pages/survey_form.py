"""The public survey: `/s/<slug>` (no sign-in, works without JavaScript), the thank-you page
with review links, counted review-link clicks, the unsubscribe link, embedding, the
"closed" page a closed survey shows instead of its form, and the state the widget asks for."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from otklik.errors import InputError, NotFoundError
from otklik.i18n import LANGUAGES, negotiate
from otklik.services import invitations
from otklik.services import surveys as service
from otklik.surveys.document import Survey, text_in
from otklik.web.deps import render, web

router = APIRouter()

MAX_BODY = 64_000  # bytes a public answer may carry
HONEYPOT = "website"
SITE_NAMES = {
    "2gis": "2GIS",
    "google_maps": "Google Maps",
    "yandex_maps": "Yandex Maps",
    "kaspi": "Kaspi",
    "app_store": "App Store",
    "google_play": "Google Play",
}


def _language(
    request: Request,
    languages: tuple[str, ...],
    fallback: str | None = None,
    asked: str | None = None,
) -> str:
    """The language asked for (a form's, else the link's ?lang=), else the invitation's
    language, else the browser's, else the survey's first language."""
    asked = asked or request.query_params.get("lang")
    if asked in languages:
        return str(asked)
    if fallback in languages:
        return str(fallback)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        found = negotiate(part)
        if found in languages:
            return str(found)
    return languages[0]


def _ctx(lang: str, survey: Survey, **more: Any) -> dict[str, Any]:
    """A survey page's context: its language, the survey and `t`, a text in that language."""
    return {
        "lang": lang,
        "survey": survey,
        "t": lambda texts: text_in(texts, lang, survey.languages),
        **more,
    }


def _frame_headers(response: Response, origins: tuple[str, ...]) -> Response:
    """Let the widget's sites (or any site, when the survey names none) show the form."""
    ancestors = " ".join(origins) if origins else "*"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; frame-ancestors 'self' {ancestors}; form-action 'self'; "
        "base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = ""  # the CSP above decides; see app._security_headers
    return response


def _closed(request: Request, survey: Survey, lang: str, embed: bool) -> Response:
    """What a closed survey's link and widget show: 410 Gone, never cached, so that a
    reopened survey's form comes back at once."""
    response = render(
        request, "survey_closed.html", _ctx(lang, survey, embed=embed), status_code=410
    )
    response.headers["Cache-Control"] = "no-store"
    return _frame_headers(response, survey.allow_origins)


def _page(
    request: Request,
    slug: str,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
    sent: dict[str, str] | None = None,
) -> Response:
    """The form; `sent` holds a posted form's lang, t and embed (else the link's are read)."""
    record, survey, _ws = service.public(web(request).svc, slug)
    params = sent if sent is not None else request.query_params
    token = params.get("t") or ""
    invitation = None
    if token:
        invitation = invitations.invitation_for(web(request).svc, slug, token)
    lang = _language(
        request,
        survey.languages,
        invitation.language if invitation else None,
        asked=params.get("lang"),
    )
    if record.is_closed:
        return _closed(request, survey, lang, params.get("embed") == "1")
    if invitation is not None and invitation.answered_at is not None:
        return _frame_headers(
            render(request, "survey_done.html", _ctx(lang, survey, used=True)),
            survey.allow_origins,
        )
    context = {
        **_ctx(lang, survey),
        "slug": record.slug,
        "token": token,
        "embed": params.get("embed") == "1",
        "values": values or {},
        "problems": problems or {},
        "honeypot": HONEYPOT,
        "languages_shown": [code for code in LANGUAGES if code in survey.languages],
    }
    response = render(request, "survey_form.html", context, status_code=status_code)
    return _frame_headers(response, survey.allow_origins)


@router.get("/s/{slug}")
def survey_page(request: Request, slug: str) -> Response:
    """The survey form in the respondent's language, or the page that says it is closed."""
    return _page(request, slug)


@router.post("/s/{slug}")
async def survey_answer(request: Request, slug: str) -> Response:
    """Take the form: problems come back beside each question with the answers kept; a
    promoter sees the review links; a closed survey keeps nothing and says it is closed."""
    state = web(request)
    record, survey, ws = service.public(state.svc, slug)
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > MAX_BODY:
        return Response("the answer is too large", status_code=413)
    body = await request.body()
    if len(body) > MAX_BODY:
        return Response("the answer is too large", status_code=413)
    form = await request.form()
    address = request.client.host if request.client else "unknown"
    token = str(form.get("t") or "")
    embed = form.get("embed") == "1"
    lang = str(form.get("lang") or "")
    lang = lang if lang in survey.languages else survey.languages[0]
    if record.is_closed:
        return _closed(request, survey, lang, embed)
    given = _given(survey, form)
    switch = str(form.get("switch_lang") or "")
    sent = {"lang": lang, "t": token, "embed": "1" if embed else ""}
    if switch:  # the language switch: the same form in another language, answers kept
        sent["lang"] = switch if switch in survey.languages else lang
        return _page(request, slug, given, sent=sent)
    if not service.allow(state.svc, f"survey:{address}"):
        response = render(
            request, "survey_done.html", _ctx(lang, survey, limited=True), status_code=429
        )
        return _frame_headers(response, survey.allow_origins)
    if form.get(HONEYPOT):  # a bot filled the field people never see: thank it, keep nothing
        response = render(request, "survey_done.html", _ctx(lang, survey))
        return _frame_headers(response, survey.allow_origins)
    checked = service.check(survey, given)
    invitation = invitations.invitation_for(state.svc, slug, token) if token else None
    if not checked.is_valid:
        problems = {p.question: p.code for p in checked.problems}
        return _page(request, slug, given, problems, status_code=422, sent=sent)
    via = "invitation" if invitation else ("widget" if embed else "link")
    try:
        outcome = service.respond(
            state.svc, ws, record, checked.answers, lang, via, invitation=invitation
        )
    except service.AnswersRejected as exc:  # the survey changed while the form was open
        problems = {p.question: p.code for p in exc.problems}
        return _page(request, slug, given, problems, status_code=422, sent=sent)
    except service.SurveyClosed:  # closed while the form was open
        return _closed(request, survey, lang, embed)
    except InputError:  # the personal link was used in another tab meanwhile
        response = render(request, "survey_done.html", _ctx(lang, survey, used=True))
        return _frame_headers(response, survey.allow_origins)
    context = {
        **_ctx(lang, survey),
        "slug": record.slug,
        "links": outcome.review_links,
        "site_names": SITE_NAMES,
    }
    return _frame_headers(render(request, "survey_done.html", context), survey.allow_origins)


def _given(survey: Survey, form: Any) -> dict[str, Any]:
    """The answers as sent, by question id (a list for a multiple choice)."""
    given: dict[str, Any] = {}
    for question in survey.questions:
        if question.kind == "multiple":
            given[question.id] = [str(v) for v in form.getlist(question.id)]
        else:
            value = form.get(question.id)
            given[question.id] = value if isinstance(value, str) else None
    return given


@router.get("/s/{slug}/review/{site}")
def review_click(request: Request, slug: str, site: str) -> Response:
    """Count a promoter's click and send them to the review site."""
    target = service.click(web(request).svc, slug, site)
    return RedirectResponse(target, status_code=303)


@router.get("/s/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str) -> Response:
    """Ask to confirm (mail scanners open links; only the button unsubscribes)."""
    found = invitations.by_token(web(request).svc, token)
    lang = _language(request, LANGUAGES, found.language)
    return render(
        request,
        "survey_unsubscribe.html",
        {"lang": lang, "token": token, "done": False, "survey": None},
    )


@router.post("/s/unsubscribe/{token}")
def unsubscribe(request: Request, token: str) -> Response:
    """Never send survey e-mail to this address again."""
    found = invitations.unsubscribe(web(request).svc, token)
    lang = _language(request, LANGUAGES, found.language)
    return render(
        request,
        "survey_unsubscribe.html",
        {"lang": lang, "token": token, "done": True, "survey": None},
    )


@router.get("/s/{slug}/state")
def survey_state(request: Request, slug: str) -> Response:
    """`{"open": true|false}` for the widget, readable from the survey's sites (any site when
    it names none), never cached; 404 with `open: false` for an unknown slug."""
    try:
        record, survey, _ws = service.public(web(request).svc, slug)
    except NotFoundError:
        response = JSONResponse({"open": False}, status_code=404)
        origins: tuple[str, ...] = ()
    else:
        response = JSONResponse({"open": not record.is_closed})
        origins = survey.allow_origins
    asked = request.headers.get("origin", "")
    if not origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif asked in origins:
        response.headers["Access-Control-Allow-Origin"] = asked
    response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "no-store"
    return response
