"""The Jinja environment: the default theme, overridden file by file by a root's templates/, with
the interface translated by Babel message catalogs and dates formatted per language."""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, TypeVar

import jinja2
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from .. import __version__
from ..dates import Formats
from ..texts import EVENT_KINDS
from ..urls import mailto
from .cache import RenderCache
from .images import renditions


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


def translations(root: Path | None, language: str) -> NullTranslations:
    """The theme's catalog for a language, with a site's own templates/locale/ catalog on top
    (root None: the theme's alone)."""
    result: NullTranslations = NullTranslations()
    for folder in reversed(template_dirs(root) if root is not None else [theme_dir()]):
        locale_dir = folder / "locale"
        if (locale_dir / language / "LC_MESSAGES" / "messages.mo").is_file():
            loaded = Translations.load(str(locale_dir), [language])
            if isinstance(result, Translations):
                loaded.add_fallback(result)  # the site's own strings first, then the theme's
            result = loaded
    return result


def json_for_script(value: object) -> Markup:
    """JSON safe inside <script>: no '</script>', '<!--' or line separators can break out."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


def _signature(root: Path) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """What an environment is made from: the template folders and their catalogs' mtimes."""
    dirs = template_dirs(root)
    catalogs: list[tuple[str, int]] = []
    for folder in dirs:
        for mo in sorted((folder / "locale").glob("*/LC_MESSAGES/messages.mo")):
            catalogs.append((str(mo), mo.stat().st_mtime_ns))
    return tuple(str(d) for d in dirs), tuple(catalogs)


def _bytecode_cache(cache_dir: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates on disk, so that a fresh process (a CLI build) skips compiling; Jinja
    checks each entry against the template's source, so a stale entry is never used."""
    if cache_dir is None:
        return None
    folder = cache_dir / f"jinja-{jinja2.__version__}"  # with the builds' cache ($NAERPOLITI_CACHE)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(root: Path, language: str, cache: RenderCache | None = None) -> jinja2.Environment:
    """The environment of a root's templates in a language. With a cache, one per (root, language)
    for as long as the cache lives (serve rebuilds many times, and compiling the templates is most
    of a small site's build time): a template whose file changed is loaded again, checked here,
    once per build, rather than by Jinja on every page (auto_reload: 0.7 CPU-s of stat calls in a
    national build); a new or changed message catalog or a new templates/ folder makes a new
    environment."""
    if cache is None:
        return _new_environment(root, language)
    key = (str(root.resolve()), language)
    signature = _signature(root)
    cached = cache.environments.get(key)
    if cached is not None and cached[0] == signature:
        env: jinja2.Environment = cached[1]
        loaded = env.cache if env.cache is not None else {}
        for name, template in list(loaded.items()):
            if not template.is_up_to_date:
                del loaded[name]
        return env
    env = _new_environment(root, language, cache.bytecode_dir)
    cache.environments.put(key, (signature, env))
    return env


def _install_gettext(env: jinja2.Environment, catalog: NullTranslations) -> None:
    """The i18n extension's newstyle gettext, with the same results but cheaper: a page calls `_()`
    a hundred times, and every call went through three context.call()s (the `_` alias, the
    newstyle wrapper, the catalog), in a loop or block also deriving a new Context.

    Like Jinja's own newstyle gettext (jinja2.ext._make_new_gettext), `gettext` and `_` translate
    the message, make it Markup where autoescaping is on, and always format it with `%` and the
    keyword arguments, which Markup escapes. Translations are remembered per message and
    autoescape state, and so is the formatted result of a message without arguments: the catalog
    cannot change in an environment's lifetime (a changed catalog makes a new environment, see
    make_environment). `pass_eval_context` gives the function only what it reads, the autoescape
    state, so Jinja does not derive a Context for it. ngettext, pgettext and npgettext stay
    Jinja's own; no template uses them."""
    # the i18n extension adds this method to the environment, which Jinja's types do not declare
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    translated: dict[tuple[str, bool], str] = {}
    constant: dict[tuple[str, bool], str] = {}

    @jinja2.pass_eval_context
    def gettext(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **variables: object) -> str:
        key = (message, eval_ctx.autoescape)
        template = translated.get(key)
        if template is None:
            template = catalog.gettext(message)
            if eval_ctx.autoescape:
                template = Markup(template)
            translated[key] = template
        if variables:
            return template % variables
        result = constant.get(key)
        if result is None:
            result = constant[key] = template % {}  # "%%" -> "%", as Jinja's newstyle gettext does
        return result

    # `_` was an alias that looked `gettext` up in the context on every call; no template sets
    # a variable of that name, so both are the one function
    env.globals.update(gettext=gettext, _=gettext)


# what pass_eval_context marks a function with
_EVAL_CONTEXT = getattr(jinja2.pass_eval_context(lambda eval_ctx: None), "jinja_pass_arg")  # noqa: B009


class _Context(jinja2.runtime.Context):
    """Jinja's context, whose call() (every call in a template: `urls.news(n.slug)`, a macro)
    calls a macro, a builtin, or a function or method that takes nothing of Jinja's (no
    pass_context, pass_eval_context or pass_environment) or only the eval context (gettext)
    directly. Jinja's own looks for those three on the callable and on its __call__ first, every
    time: about a tenth of a page's rendering."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        kind = type(__obj)
        if kind is jinja2.runtime.Macro or kind is BuiltinFunctionType:  # a builtin takes nothing of Jinja's
            passed = None
        elif kind is FunctionType or kind is MethodType:
            passed = getattr(__obj, "jinja_pass_arg", None)
            if passed is _EVAL_CONTEXT:  # gettext, `_`: a hundred calls a page
                args = (__self.eval_ctx, *args)
            elif passed is not None:  # the context (derived in loops and blocks), or the environment
                return super().call(__obj, *args, **kwargs)
        else:
            return super().call(__obj, *args, **kwargs)
        if kwargs:  # what Jinja passes for pass_context callables only
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


_T = TypeVar("_T")
FRAGMENTS = "fragments"  # the context variable of a renderer's store of shared() parts


def store_of(fragments: dict[Any, Any] | None, *name: Hashable) -> dict[Any, Any]:
    """A renderer's part, under `name`, of a build's store of what its tasks make once and use in
    many (render_tasks' `fragments`, one per rendering process); without one, a store of its own."""
    return fragments.setdefault(name, {}) if fragments is not None else {}


def made_once(store: dict[Any, Any], key: Hashable, obj: object, make: Callable[[], _T]) -> _T:
    """What make() gives for `obj`, made once per store under `key` (which holds id(obj)): kept
    with `obj`, so that the id is not another object's. shared_each() does the same inline: it is
    called for two million lines of a national site."""
    found = store.get(key)
    if found is None or found[0] is not obj:
        found = store[key] = (obj, make())
    result: _T = found[1]
    return result


@jinja2.pass_context
def shared(context: jinja2.runtime.Context, name: str, macro: Callable[[], str]) -> str:
    """What `macro()` renders, made once for all the pages a renderer makes in one go (one
    language version of one build) when it gives its pages a store (the context variable
    `fragments`: pages.py, newsletters.py), else every time. The theme's header and footer are the
    same on every page and were a quarter of a page's rendering."""
    store = context.get(FRAGMENTS)
    if not isinstance(store, dict):
        return macro()
    made = store.get(name)
    if made is None:
        made = store[name] = macro()
    return made


@jinja2.pass_context
def shared_each(context: jinja2.runtime.Context, name: str, items: Iterable[object],
                macro: Callable[..., str], *args: Hashable) -> Markup:
    """What `macro(item, *args)` renders for each of `items`, one after another, each item's made
    once (for the same `args`) for all the pages of a renderer's store (see shared()): a national
    site's newsletter pages list two million news lines, of 20,000 items, and its lists of news
    the same items again and again."""
    store = context.get(FRAGMENTS)
    if not isinstance(store, dict):
        return Markup("".join(macro(item, *args) for item in items))
    made = []
    for item in items:
        key = (name, args, id(item))
        found = store.get(key)
        if found is None or found[0] is not item:  # the item is kept, so its id is not reused
            found = store[key] = (item, macro(item, *args))
        made.append(found[1])
    return Markup("".join(made))


def _new_environment(root: Path, language: str, cache_dir: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(cache_dir),
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(root)]),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        auto_reload=False,  # make_environment() looks for changed templates, once per build
    )
    env.context_class = _Context
    _install_gettext(env, translations(root, language))
    formats = Formats(language)  # its own: the cache of days lives as long as the environment

    env.globals["language"] = language
    env.globals["event_kinds"] = EVENT_KINDS  # msgids, translated by the event_kind() macro
    env.globals["naerpoliti_version"] = __version__  # <meta name="generator"> of every page
    env.globals["image_renditions"] = renditions  # srcset of the image() macro
    env.globals["shared"] = shared
    env.globals["shared_each"] = shared_each
    env.filters.update(
        date_long=formats.date,
        event_when=formats.event_when,  # at the time as written, with weekday and "kl."
        isodate=lambda value: value.isoformat(),
        event_iso=lambda e: e.start.date().isoformat() if e.all_day else e.start.isoformat(),
        html=lambda rendered: Markup(rendered.html),  # Markdown output, sanitised by markup.py
        json_script=json_for_script,
        mailto=mailto,  # every mailto: link the site writes, percent-encoded (RFC 6068)
    )
    return env
