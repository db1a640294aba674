"""Public Telegram channels through their web preview (`t.me/s/<channel>`): posts with text,
views, date and link, paging back with `?before=`; a page whose layout is not the one we read
is an error that says so, never a silent empty poll."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx

from otklik.ingest.fetch import fetch
from otklik.ingest.poll import Poll, SourceError
from otklik.ingest.raw import RawItem

_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class LayoutChanged(SourceError):
    """The preview page no longer has the markup the parser reads."""


@dataclass
class Post:
    """One channel post as the preview shows it."""

    post: str  # channel/id, the post's identity
    text: str = ""
    views: str | None = None
    published_at: str | None = None
    link: str | None = None
    author: str | None = None

    @property
    def number(self) -> int:
        """The post's id within its channel."""
        return int(self.post.rsplit("/", 1)[1])


@dataclass
class Page:
    """The posts of one preview page (oldest first) and the cursor to the page before it."""

    posts: list[Post] = field(default_factory=list)
    before: int | None = None
    has_history: bool = False
    is_channel_page: bool = False


def channel_name(value: str) -> str:
    """A channel's username from `name`, `@name` or a t.me link (InputError-like otherwise)."""
    name = value.strip().rstrip("/")
    name = re.sub(r"^(https?://)?(www\.)?(t\.me|telegram\.me)/(s/)?", "", name).lstrip("@")
    if not _CHANNEL.match(name):
        raise SourceError(
            f"{value!r} is not a public channel's username (5–32 letters, digits or _)"
        )
    return name


def parse_views(text: str | None) -> int | None:
    """ "1.2K" → 1200, "3,4M" → 3400000, "987" → 987."""
    if not text:
        return None
    found = re.match(r"^\s*([\d.,]+)\s*([KMB]?)\s*$", text.strip(), re.IGNORECASE)
    if not found:
        return None
    number = float(found.group(1).replace(",", "."))
    scale = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}[found.group(2).upper()]
    return int(round(number * scale))


def parse_page(html: str, channel: str) -> Page:
    """The posts of a preview page; LayoutChanged when the page is not one we can read."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    page = reader.page
    if not page.has_history:
        if page.is_channel_page:
            raise SourceError(
                f"t.me/s/{channel} has no public preview (a private or unknown channel)"
            )
        raise LayoutChanged(
            f"t.me/s/{channel}: page layout changed: no section.tgme_channel_history found"
        )
    if not page.posts:
        raise LayoutChanged(
            f"t.me/s/{channel}: page layout changed: no posts "
            "(div.tgme_widget_message[data-post]) in the channel history"
        )
    for post in page.posts:
        if post.published_at is None:
            raise LayoutChanged(
                f"t.me/s/{channel}: page layout changed: post {post.post} has no "
                "time[datetime] in its a.tgme_widget_message_date"
            )
    return page


def poll_channel(
    client: httpx.Client,
    base_url: str,
    channel: str,
    state: dict[str, Any],
    *,
    depth: int,
    max_bytes: int,
) -> Poll:
    """Read the newest page and page back (`?before=`) until the last post taken before, at
    most `depth` pages (the whole depth on the first run)."""
    last = int(state.get("last_post_id") or 0)
    url = f"{base_url.rstrip('/')}/s/{channel}"
    posts: dict[str, Post] = {}
    before: int | None = None
    for _ in range(max(depth, 1)):
        target = url if before is None else f"{url}?before={before}"
        got = fetch(client, target, max_bytes=max_bytes)
        page = parse_page(got.body.decode("utf-8", errors="replace"), channel)
        posts.update({p.post: p for p in page.posts})
        oldest = min(p.number for p in page.posts)
        if page.before is None or page.before == before or (last and oldest <= last):
            break
        before = page.before
    ordered = sorted(posts.values(), key=lambda p: p.number)
    items = [_item(n, post) for n, post in enumerate(ordered, start=1) if post.text]
    newest = max([last, *(p.number for p in ordered)])
    return Poll(items=items, state={"last_post_id": newest})


def _item(position: int, post: Post) -> RawItem:
    data = {
        "text": post.text,
        "url": post.link or f"https://t.me/{post.post}",
        "author": post.author,
        "published_at": post.published_at,
        "views": parse_views(post.views),
        "channel": "telegram",
    }
    raw = {"post": post.post, **{k: v for k, v in vars(post).items() if k != "post"}}
    return RawItem(
        position=position,
        data=data,
        raw=json.dumps(raw, ensure_ascii=False),
        payload=raw,
        external_id=post.post,
    )


class _PageReader(HTMLParser):
    """Walks the preview's markup, keeping the depth of open divs to know where a post and
    its text end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.depth = 0
        self.post: Post | None = None
        self.post_depth = 0
        self.text_depth = 0  # depth of the open text div, 0 when outside one
        self.text_done = False
        self.text: list[str] = []
        self.capture: str | None = None  # "views" or "author" while inside that element
        self.captured: list[str] = []
        self.in_date = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        if "tgme_channel_history" in classes:
            self.page.has_history = True
        if "tgme_page" in classes or "tgme_page_extra" in classes:
            self.page.is_channel_page = True
        if tag == "a" and "js-messages_more" in classes and found.get("data-before"):
            before = found["data-before"] or ""
            if before.isdigit() and self.page.before is None:
                self.page.before = int(before)
        if tag == "br" and self.text_depth:
            self.text.append("\n")
            return
        if tag != "div":
            self._inline(tag, found, classes)
            return
        self.depth += 1
        if "tgme_widget_message" in classes and found.get("data-post"):
            self.post = Post(post=found["data-post"] or "")
            self.post_depth = self.depth
            self.text, self.text_done, self.text_depth = [], False, 0
        elif self.post is not None and "tgme_widget_message_text" in classes:
            if not self.text_depth and not self.text_done:
                self.text_depth = self.depth
        elif self.text_depth:
            self.text.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.text_depth:
            self.text.append("\n")
        elif tag != "div":
            self.handle_starttag(tag, attrs)

    def _inline(self, tag: str, found: dict[str, str | None], classes: set[str]) -> None:
        if self.post is None:
            return
        if tag == "span" and "tgme_widget_message_views" in classes:
            self.capture, self.captured = "views", []
        elif tag == "a" and "tgme_widget_message_owner_name" in classes:
            self.capture, self.captured = "author", []
        elif tag == "a" and "tgme_widget_message_date" in classes:
            self.post.link = found.get("href")
            self.in_date = True
        elif tag == "time" and self.in_date and found.get("datetime"):
            self.post.published_at = found["datetime"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.capture == "views" and self.post is not None:
            self.post.views = "".join(self.captured).strip()
            self.capture = None
        elif tag == "a" and self.capture == "author" and self.post is not None:
            self.post.author = " ".join("".join(self.captured).split()) or None
            self.capture = None
        elif tag == "a":
            self.in_date = False
        if tag != "div":
            return
        if self.text_depth and self.depth == self.text_depth:
            self.text_depth, self.text_done = 0, True
        elif self.text_depth:
            self.text.append("\n")
        if self.post is not None and self.depth == self.post_depth:
            self.post.text = _tidy("".join(self.text))
            self.page.posts.append(self.post)
            self.post = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.text_depth:
            self.text.append(data)
        if self.capture:
            self.captured.append(data)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
