"""The SMM period report: engagement rate by reach, format and rubric mix, posting time,
plan discipline, followers, the gap against competitors, response time on cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.campaign import PLANS, Post
from otklik.domain.records import Workspace
from otklik.services.campaigns import engagement_rate, posts_between, response_numbers
from otklik.services.context import Services

# A rubric is "a dead horse" when it takes at least this share of posts and earns less than
# half of that share of engagement.
DEAD_HORSE_MIN_SHARE = 0.1


def post_er(post: Post) -> float | None:
    """One post's actions ÷ its reach."""
    return post.actions / post.reach if post.reach else None


def mix(posts: Sequence[Post], key: str) -> list[dict[str, Any]]:
    """Posts grouped by `key` (format or rubric): count, share of posts, actions, share of
    engagement, reach and ER by reach; most posts first."""
    groups: dict[str, list[Post]] = defaultdict(list)
    for p in posts:
        groups[getattr(p, key) or "—"].append(p)
    all_actions = sum(p.actions for p in posts)
    rows = []
    for name, members in groups.items():
        actions = sum(p.actions for p in members)
        share_posts = len(members) / len(posts)
        share_engagement = actions / all_actions if all_actions else 0.0
        rows.append(
            {
                key: name,
                "posts": len(members),
                "share_posts": share_posts,
                "actions": actions,
                "share_engagement": share_engagement,
                "reach": sum(p.reach or 0 for p in members),
                "er_reach": engagement_rate(members),
                "is_dead_horse": share_posts >= DEAD_HORSE_MIN_SHARE
                and share_engagement < share_posts / 2,
            }
        )
    return sorted(rows, key=lambda r: (-r["posts"], str(r[key])))


def heatmap(posts: Sequence[Post], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Weekday (0 = Monday) × hour cells in the workspace's time zone: posts behind each
    cell, their actions, reach and ER by reach; only cells with posts."""
    cells: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for p in posts:
        local = p.published_at.replace(tzinfo=UTC).astimezone(tz)
        cells[(local.weekday(), local.hour)].append(p)
    return [
        {
            "weekday": day,
            "hour": hour,
            "posts": len(members),
            "actions": sum(p.actions for p in members),
            "reach": sum(p.reach or 0 for p in members),
            "er_reach": engagement_rate(members),
        }
        for (day, hour), members in sorted(cells.items())
    ]


def followers(posts: Sequence[Post]) -> list[dict[str, Any]]:
    """Per account that reports followers: the first and last count in the period and growth."""
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in posts:
        if p.followers is not None:
            seen[(p.platform, p.account)].append(p.followers)
    return [
        {
            "platform": platform,
            "account": account,
            "first": counts[0],
            "last": counts[-1],
            "growth": counts[-1] - counts[0],
            "growth_share": (counts[-1] - counts[0]) / counts[0] if counts[0] else None,
        }
        for (platform, account), counts in sorted(seen.items())
    ]


def competitors(own: Sequence[Post], others: Sequence[Post]) -> list[dict[str, Any]]:
    """Each competitor account's ER by reach and our ER minus theirs."""
    ours = engagement_rate(own)
    accounts: dict[tuple[str, str], list[Post]] = defaultdict(list)
    for p in others:
        accounts[(p.platform, p.account)].append(p)
    rows = []
    for (platform, account), members in sorted(accounts.items()):
        theirs = engagement_rate(members)
        rows.append(
            {
                "platform": platform,
                "account": account,
                "posts": len(members),
                "er_reach": theirs,
                "gap": ours - theirs if ours is not None and theirs is not None else None,
            }
        )
    return rows


def headline(posts: Sequence[Post]) -> dict[str, Any]:
    """Posts, reach, actions, link clicks and ER by reach of a set of posts."""
    return {
        "posts": len(posts),
        "reach": sum(p.reach or 0 for p in posts),
        "views": sum(p.views or 0 for p in posts),
        "actions": sum(p.actions for p in posts),
        "link_clicks": sum(p.link_clicks or 0 for p in posts),
        "er_reach": engagement_rate(posts),
    }


def smm_report(svc: Services, ws: Workspace, start: date, end: date) -> dict[str, Any]:
    """Everything the SMM report shows for local days start..end, and the same numbers for
    the period of the same length before it."""
    tz = ZoneInfo(ws.timezone)
    every = posts_between(svc, ws, start, end)
    own = [p for p in every if p.account_kind == "own"]
    span = (end - start).days + 1
    before = (start - timedelta(days=span), start - timedelta(days=1))
    previous = [p for p in posts_between(svc, ws, *before) if p.account_kind == "own"]
    plan = {name: sum(1 for p in own if p.plan == name) for name in PLANS}
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "previous_period": {"from": before[0].isoformat(), "to": before[1].isoformat()},
        "timezone": ws.timezone,
        **headline(own),
        "previous": headline(previous),
        "by_format": mix(own, "format"),
        "by_rubric": mix(own, "rubric"),
        "heatmap": heatmap(own, tz),
        "plan": plan,
        "followers": followers(own),
        "competitors": competitors(own, [p for p in every if p.account_kind == "competitor"]),
        "response": response_numbers(svc, ws, None, start, end),
        "top_posts": [
            {
                "url": p.url,
                "published_at": p.published_at.isoformat() + "Z",
                "platform": p.platform,
                "format": p.format,
                "rubric": p.rubric,
                "reach": p.reach,
                "actions": p.actions,
                "er_reach": post_er(p),
            }
            for p in sorted(own, key=lambda p: -(post_er(p) or 0))[:10]
        ],
    }
