"""One configured Markdown renderer for all content text.

CommonMark with tables, strikethrough and footnotes. Raw HTML is never passed through (it is
shown as text), markdown-it's link validation drops javascript:, vbscript: and data: links, images
must be files in content/media/ (never another host, nor a data: URI), nesting is capped (maxNesting),
headings are renumbered from h2 without gaps (the page title is the only h1), links to site pages and
media are rewritten for the site's base path, and external links get rel="noopener noreferrer".
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .errors import Diagnostics, Position
from .fieldtypes import SUMMARY_MAX
from .model import MediaInfo, Rendered


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)

    # Wide tables scroll inside a focusable wrapper instead of widening the page on a phone.
    def table_open(self: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
        return '<div class="table--responsive-scroll" tabindex="0">\n<table class="table">\n'

    def table_close(self: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
        return "</table>\n</div>\n"

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    return md


_MD = _make_parser()
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _plain(tokens: list[Token]) -> str:
    # Iterative, so no nesting of hostile input can exhaust Python's recursion limit.
    out: list[str] = []
    stack = [iter(tokens)]
    while stack:
        tok = next(stack[-1], None)
        if tok is None:
            stack.pop()
        elif tok.children:
            stack.append(iter(tok.children))
        elif tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


# --- plain text ------------------------------------------------------------------------------------
#
# The one plain-text form of content, for calendars (DESCRIPTION) and e-mails (email.txt), made from
# the same tokens as the HTML: paragraphs and headings apart by a blank line; list items one a line,
# "- " or numbered "1. " (from the list's own start), nested ones indented under their parent's
# text; "> " before quoted lines; code blocks as written, indented by four spaces; table rows one a
# line, cells apart by " | "; emphasis, strikethrough and inline code as their text; a link as
# "text (URL)", unless the text is the address itself or the link leads within the page; an image
# as "[alt text]"; footnote references "[1]" and footnotes "[1] text" at the end.

SITE = "\x00"  # the site's origin in Rendered.text; markdown-it never passes a NUL through


def plain_text(rendered: Rendered, origin: str) -> str:
    """The plain-text form of rendered content, its site links absolute under `origin`."""
    return rendered.text.replace(SITE, origin)


def _link_suffix(href: str, label: str) -> str:
    if not href or href.startswith("#"):
        return ""
    shown = SITE + href if href.startswith("/") and not href.startswith("//") else href.removeprefix("mailto:")
    if label.strip() in (href, shown, shown.split("://", 1)[-1].rstrip("/")):
        return ""
    return f" ({shown})"


def _inline(tok: Token) -> str:
    """An inline token's children as text (iterative: no nesting exhausts the recursion limit)."""
    out: list[str] = []
    links: list[tuple[str, int]] = []
    for child in tok.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "image":
            alt = _plain(child.children or []).strip()
            out.append(f"[{alt}]" if alt else "")
        elif kind == "footnote_ref":
            out.append(f"[{child.meta['id'] + 1}]")
        elif kind == "link_open":
            links.append((str(child.attrs.get("href", "")), len(out)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            out.append(_link_suffix(href, "".join(out[start:])))
    return "".join(out)


@dataclass
class _Container:
    """A list item, quote or footnote: the prefix of its first line ("- ", "1. ", "> ", "[1] ")
    and of its other lines."""

    first: str
    rest: str
    started: bool = False

    def prefix(self) -> str:
        return self.rest if self.started else self.first


class _PlainText:
    """Block tokens -> lines, each with the prefixes of the containers it is in."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.containers: list[_Container] = []
        self.lists: list[list[int]] = []  # per open list: [ordered, next number]
        self.row: list[str] | None = None
        self.gap = False  # a blank line before the next block
        self.fresh = False  # the first block of a list item follows its bullet on the same line

    def _emit(self, text: str, gap: bool = True) -> None:
        if (gap or self.gap) and self.lines:
            self.lines.append("".join(c.rest for c in self.containers if c.started))
        self.gap = False
        for line in text.split("\n"):
            self.lines.append("".join(c.prefix() for c in self.containers) + line)
            for c in self.containers:
                c.started = True

    def _open(self, tok: Token) -> None:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not self.lists:
                self.gap = True
            self.lists.append([kind == "ordered_list_open", int(tok.attrs.get("start", 1) or 1)])
        elif kind == "list_item_open":
            ordered, number = self.lists[-1]
            self.lists[-1][1] += 1
            bullet = f"{number}. " if ordered else "- "
            self.containers.append(_Container(bullet, " " * len(bullet)))
            self.fresh = True
        elif kind == "blockquote_open":
            self.gap = True
            self.containers.append(_Container("> ", "> "))
        elif kind == "footnote_open":
            self.gap = True
            label = f"[{tok.meta['id'] + 1}] "
            self.containers.append(_Container(label, " " * len(label)))
        elif kind == "tr_open":
            self.row = []
        elif kind in ("hr", "footnote_block_open", "table_open"):
            self.gap = True

    def _close(self, tok: Token) -> None:
        kind = tok.type
        if kind in ("list_item_close", "blockquote_close", "footnote_close"):
            self.containers.pop()
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            if not self.lists:
                self.gap = True
        elif kind == "tr_close" and self.row is not None:
            self._emit(" | ".join(self.row), gap=False)
            self.row = None
        elif kind in ("table_close", "blockquote_close"):
            self.gap = True

    def render(self, tokens: list[Token]) -> str:
        paragraph_hidden = False
        for tok in tokens:
            kind = tok.type
            if kind == "inline":
                text = _inline(tok)
                if self.row is not None:
                    self.row.append(text.strip())
                else:
                    self._emit(text, gap=not (self.fresh or paragraph_hidden))
                    self.fresh = False
            elif kind in ("code_block", "fence"):
                self._emit("\n".join("    " + line for line in tok.content.rstrip("\n").split("\n")),
                           gap=not self.fresh)
                self.fresh = False
            elif kind == "paragraph_open":
                paragraph_hidden = tok.hidden
            elif kind.endswith("_open") or kind == "hr":
                self._open(tok)
            elif kind.endswith("_close"):
                self._close(tok)
        return "\n".join(line.rstrip() for line in self.lines).strip("\n")


class Markup:
    """Renders Markdown for one site: knows the base path and where media live."""

    def __init__(self, base_path: str, check_media: Callable[[str, Position, bool], MediaInfo | None]):
        # base_path: URL path of the site root, "/" or "/sub/"; check_media validates a media
        # reference and returns what it is, or None after reporting an error.
        self.base_path = base_path
        self.check_media = check_media

    def render(self, source: str, relpath: str, first_line: int, diags: Diagnostics) -> Rendered:
        tokens = _MD.parse(source, {})
        lines = source.split("\n")
        media: list[str] = []
        links: list[tuple[str, Position]] = []
        first_paragraph = ""
        # Headings start at h2 under the page's h1, without gaps: the levels used, in order,
        # become h2, h3, ... (an editor's "##" and "####" become h2 and h3).
        used = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
        level = {n: f"h{min(i + 2, 6)}" for i, n in enumerate(used)}
        for i, tok in enumerate(tokens):
            if tok.type in ("heading_open", "heading_close"):
                tok.tag = level[int(tok.tag[1])]
            if tok.type == "inline":
                index = tok.map[0] if tok.map else 0  # line of the block, counted from 0
                if not first_paragraph and i > 0 and tokens[i - 1].type == "paragraph_open":
                    first_paragraph = _plain([tok]).strip()
                for child in tok.children or []:
                    if child.type in ("softbreak", "hardbreak"):
                        index += 1
                        continue
                    target = str(child.attrs.get("src") or child.attrs.get("href") or "")
                    text = lines[index] if index < len(lines) else ""
                    column = text.find("](" + target) + 3 if target and "](" + target in text else 1
                    pos = Position(relpath, first_line + index, column)
                    self._fix_inline(child, pos, diags, media, links)
        body = _MD.renderer.render(tokens, _MD.options, {})
        return Rendered(
            html=body,
            text=_PlainText().render(tokens),
            first_paragraph=first_paragraph,
            media=tuple(dict.fromkeys(media)),
            links=tuple(links),
        )

    def _fix_inline(self, tok: Token, pos: Position, diags: Diagnostics, media: list[str],
                    links: list[tuple[str, Position]]) -> None:
        if tok.type == "image":
            src = str(tok.attrs.get("src", ""))
            alt = _plain(tok.children or []).strip()
            if not alt:
                diags.error(pos, f"the image '{src}' has no alt text: write a short description "
                                 f"between the brackets, ![like this]({src})")
            if not src.startswith("media/"):
                # An image from another host would tell that host who reads the page.
                diags.error(pos, f"the image '{src[:100]}' is not a file of this site: images must be files "
                                 "in content/media/, written as ![Alt text](media/news/foto.jpg)")
                tok.attrs["src"] = ""
                return
            self._rewrite(tok, "src", pos, diags, media, links, is_image=True)
        elif tok.type == "link_open":
            href = str(tok.attrs.get("href", ""))
            if href.startswith(("http://", "https://", "//")):
                tok.attrs["rel"] = "noopener noreferrer"
            else:
                self._rewrite(tok, "href", pos, diags, media, links, is_image=False)

    def _rewrite(self, tok: Token, attr: str, pos: Position, diags: Diagnostics, media: list[str],
                 links: list[tuple[str, Position]], is_image: bool) -> None:
        target = str(tok.attrs.get(attr, ""))
        if target and not target.startswith(("/", "#", "media/")) and not _SCHEME.match(target):
            # Relative to what? A page's URL is not where its file is: ask for a site path instead.
            diags.error(pos, f"link to '{target}': write links to pages on this site from the site root, "
                             "starting with '/', e.g. '/lokalsamfund/skibby/' (or 'media/...' for a file)")
            return
        if target.startswith("media/"):
            # markdown-it percent-encodes the destination (a space, å): the file's name is the decoded one
            info = self.check_media(unquote(html.unescape(target)), pos, is_image)
            if info is not None:
                media.append(info.path)
                tok.attrs[attr] = self.base_path + quote(info.path)
                if info.width and info.height:  # no layout shift while images load
                    tok.attrs["width"] = str(info.width)
                    tok.attrs["height"] = str(info.height)
        elif target.startswith("/") and not target.startswith("//"):
            links.append((target, pos))
            tok.attrs[attr] = self.base_path + target[1:]


def bounded_summary(text: str) -> str:
    """A summary of at most SUMMARY_MAX characters (a written one is refused beyond that; a first
    paragraph used instead is cut here): cut at a space, with an ellipsis. A summary is shown on
    every list of every area an item belongs to, so one file cannot multiply the site's size."""
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[: SUMMARY_MAX - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[SUMMARY_MAX // 2:] else cut).rstrip() + "…"
