"""The Jinja environment: the default theme, overridden file by file by a root's templates/."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
from babel.dates import format_date, format_time
from markupsafe import Markup

from ..model import EVENT_KINDS


def theme_dir() -> Path:
    """The default theme: the repository's templates/, shipped inside the package when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "theme", here.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise RuntimeError(f"naerpoliti's default theme is missing (looked in {here / 'theme'})")


def template_dirs(root: Path) -> list[Path]:
    dirs = [root / "templates"] if (root / "templates").is_dir() else []
    theme = theme_dir()
    if not dirs or dirs[0].resolve() != theme.resolve():
        dirs.append(theme)
    return dirs


def _locale(language: str) -> str:
    return {"da": "da_DK", "en": "en_GB"}.get(language, "da_DK")


def make_environment(root: Path, language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(root)]),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    locale = _locale(language)

    def date_long(value: dt.date) -> str:
        return format_date(value, "d. MMMM y" if language == "da" else "d MMMM y", locale=locale)

    def date_weekday(value: dt.date) -> str:
        return format_date(value, "EEEE 'd.' d. MMMM y" if language == "da" else "EEEE d MMMM y", locale=locale)

    def time_short(value: dt.datetime) -> str:
        return format_time(value, "HH.mm" if language == "da" else "HH:mm", locale=locale)

    def event_when(event) -> str:
        start_day = date_weekday(event.start.date())
        if event.all_day:
            if event.end and event.end.date() != event.start.date():
                return f"{start_day} – {date_weekday(event.end.date())}"
            return start_day
        text = f"{start_day}, kl. {time_short(event.start)}"
        if event.end:
            if event.end.date() == event.start.date():
                text += f"–{time_short(event.end)}"
            else:
                text += f" – {date_weekday(event.end.date())}, kl. {time_short(event.end)}"
        return text

    env.filters.update(
        date_long=date_long,
        event_when=event_when,
        event_kind=lambda kind: EVENT_KINDS.get(kind, kind),
        isodate=lambda value: value.isoformat(),
        event_iso=lambda e: e.start.date().isoformat() if e.all_day else e.start.isoformat(),
        html=lambda rendered: Markup(rendered.html),  # Markdown output, sanitised by markup.py
    )
    return env
