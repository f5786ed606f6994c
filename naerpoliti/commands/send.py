"""naerpoliti newsletter send: one built issue (its nyhedsbrev.eml) to a list of recipients over SMTP.

One message per recipient: the issue's .eml byte for byte, with `To:` set to the recipient and a
Message-ID derived from the issue's Message-ID and the address, so a message sent again after an
unknown outcome is the same message. The recipient list is personal data and lives outside the
repository; so does the log, beside it, one JSON line a delivery, appended and fsynced as soon as
the server accepted (or permanently refused) the message. A rerun of the same command skips
everyone the log names and so continues where a crash, a Ctrl-C or a lost connection stopped it.

Exit status: 0 done (permanently refused recipients included), 1 invalid recipients or the run
stopped (temporary failure, lost connection, login refused), 2 usage error, 130 Ctrl-C.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import signal
import smtplib
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, TypedDict

from email_validator import EmailNotValidError, validate_email

from .common import EXIT_CONTENT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, resolve_root

EXIT_FAILED = EXIT_CONTENT  # invalid recipients, or stopped

PASSWORD_ENV = "NAERPOLITI_SMTP_PASSWORD"
TIMEOUT = 60.0  # seconds for connecting and for each SMTP reply
REFUSED_IN_A_ROW = 5  # this many permanent refusals in a row, and nothing accepted: stop the run
SHOWN = 5  # addresses shown by the dry run

ISSUE_ID_RE = re.compile(r"^(lokalsamfund|kommune)/([a-z0-9]+(?:-[a-z0-9]+)*)/([0-9]{4}-(?:W)?[0-9]{2})/?$")
ISSUE_PATH_RE = re.compile(r"(?:^|/)(lokalsamfund|kommune)/([^/]+)/nyhedsbrev/([^/]+)/nyhedsbrev\.eml$")


SendUsageError = UsageError  # the command cannot start: exit 2


class Stop(Exception):
    """The run cannot start or go on: exit 1."""


class Dropped(Exception):
    """The connection was lost (or the server said 421): the message's outcome is unknown."""


# --- the command line ------------------------------------------------------------------------------

def _host_port(text: str) -> tuple[str, int]:
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d+)|([^:\s\[\]]+):(\d+)", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not HOST:PORT (e.g. smtp.example.dk:587)")
    host, port = (m[1], m[2]) if m[1] else (m[3], m[4])
    if not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}': {port} is not a port number")
    return host, int(port)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number of messages a second")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `newsletter send` to the subcommands of the main parser."""
    nl = sub.add_parser("newsletter", help="work with the newsletter issues of a built site")
    nl_sub = nl.add_subparsers(dest="newsletter_command", metavar="SUBCOMMAND", required=True)
    p = nl_sub.add_parser(
        "send", allow_abbrev=False, help="send one built newsletter issue to a list of recipients over SMTP",
        description="Send one newsletter issue of a built site to every address of a recipients "
                    "file, one message each. Without --yes it only shows what it would send. A log "
                    "beside the recipients file records every delivery, so running the same command "
                    "again continues an interrupted run and sends nobody the issue twice.")
    p.add_argument("issue", metavar="ISSUE",
                   help="an issue id such as lokalsamfund/skibby/2026-11 or kommune/frederikssund/2026-11 "
                        "(read from OUT/<area>/nyhedsbrev/<period>/nyhedsbrev.eml), or the path of a .eml file")
    p.add_argument("--recipients", type=Path, required=True, metavar="FILE",
                   help="one address a line (blank lines and # comments ignored), or a CSV file with an "
                        "'email' column; keep it outside the repository")
    p.add_argument("--smtp", type=_host_port, required=True, metavar="HOST:PORT", help="the SMTP server")
    p.add_argument("--yes", action="store_true", help="really send (without it: a dry run that sends nothing)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true", help="upgrade the connection with STARTTLS (port 587)")
    tls.add_argument("--ssl", action="store_true", help="connect with TLS from the start (port 465)")
    p.add_argument("--user", metavar="NAME", help="log in to the server as NAME")
    p.add_argument("--password-env", default=PASSWORD_ENV, metavar="VAR",
                   help=f"the environment variable that holds the password for --user (default {PASSWORD_ENV})")
    p.add_argument("--password", dest="password_given", help=argparse.SUPPRESS)  # to refuse it, quietly
    p.add_argument("--log", type=Path, metavar="FILE",
                   help="the delivery log (default: beside the recipients file, "
                        "FILE.<issue>.log)")
    p.add_argument("--out", type=Path, metavar="DIR", help="the built site (default: ROOT/site)")
    p.add_argument("--root", type=Path, metavar="DIR",
                   help="the site root (default: the nearest folder, from here upwards, with a localities.yaml)")
    p.add_argument("--rate", type=_rate, metavar="N", help="send at most N messages a second (e.g. 0.5)")
    p.add_argument("--retry-refused", action="store_true",
                   help="send again to recipients the log records as refused by the server")


# --- the issue -------------------------------------------------------------------------------------

@dataclass
class Issue:
    path: Path
    label: str  # as shown: the issue id, or the path
    slug: str  # for the log's file name
    head: bytes  # the header section, every line with its line end
    body: bytes  # after the empty line
    subject: str
    from_: str
    sender: str  # the envelope sender: the From address
    message_id: str  # with its <>
    list_unsubscribe: str


def _site_root(arg: Path | None, near: Path | None) -> Path:
    """The same rule as build and check, then the root above the issue given as a path."""
    return resolve_root(arg, near)


def _locate_issue(text: str, root_arg: Path | None, out_arg: Path | None) -> tuple[Path, Path, Path, str, str]:
    """ISSUE -> (eml path, root, out, label, slug)."""
    m = ISSUE_ID_RE.match(text)
    given = Path(text)
    if m and not given.exists():
        root = _site_root(root_arg, None)
        out = (out_arg if out_arg is not None else root / "site").resolve()
        kind, id, period = m.groups()
        eml = out / kind / id / "nyhedsbrev" / period / "nyhedsbrev.eml"
        if not eml.is_file():
            how = f"naerpoliti build --root {root}" + (f" --out {out_arg}" if out_arg is not None else "")
            raise SendUsageError(
                f"there is no newsletter issue {kind}/{id}/{period}: {eml} does not exist. Build the site "
                f"first ({how}) and check the issue id: the area's folder in {out}/{kind}/ and the period "
                f"(YYYY-MM, or YYYY-Www for weekly newsletters)")
        return eml, root, out, f"{kind}/{id}/{period}", f"{kind}-{id}-{period}"
    if given.is_dir():
        given = given / "nyhedsbrev.eml"
    if not given.is_file():
        if text.endswith(".eml") or given.name == "nyhedsbrev.eml":
            raise SendUsageError(f"{given} does not exist: build the site first (naerpoliti build), "
                                 f"or give an issue id such as lokalsamfund/skibby/2026-11")
        raise SendUsageError(f"ISSUE '{text}' is neither a .eml file nor an issue id such as "
                             f"lokalsamfund/skibby/2026-11 or kommune/frederikssund/2026-11")
    eml = given.resolve()
    root = _site_root(root_arg, eml.parent)
    out = (out_arg if out_arg is not None else root / "site").resolve()
    m = ISSUE_PATH_RE.search(eml.as_posix())
    if m:
        return eml, root, out, text, "-".join(m.groups())
    return eml, root, out, text, ""


def load_issue(path: Path, label: str, slug: str) -> Issue:
    raw = path.read_bytes()
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    if not ends:
        raise SendUsageError(f"{path}: not an email message (no empty line after the header)")
    end = min(ends)
    eol = b"\r\n" if raw[end:end + 2] == b"\r\n" else b"\n"
    head, body = raw[:end + len(eol)], raw[end + 2 * len(eol):]
    msg = BytesParser(policy=policy.default).parsebytes(head + eol, headersonly=True)

    def one(name: str) -> str:
        values = msg.get_all(name) or []
        if len(values) != 1 or not str(values[0]).strip():
            raise SendUsageError(f"{path}: the message needs exactly one {name} header: rebuild the site "
                                 f"(naerpoliti build)")
        return str(values[0]).strip()

    subject, from_, message_id = one("Subject"), one("From"), one("Message-ID")
    addresses = msg["From"].addresses
    if len(addresses) != 1 or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise SendUsageError(f"{path}: From: '{from_}' is not one address")
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message_id):
        raise SendUsageError(f"{path}: Message-ID: '{message_id}' is not <local@domain>")
    if not slug:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-") or "issue"
        slug = f"{stem}-{hashlib.sha256(message_id.encode()).hexdigest()[:8]}"
    return Issue(path, label, slug, head, body, subject, from_, addresses[0].addr_spec, message_id,
                 str(msg.get("List-Unsubscribe", "")).strip())


def recipient_message_id(issue_message_id: str, recipient: str) -> str:
    """The Message-ID of the copy for one recipient: the same for the same issue and address."""
    inner = issue_message_id.strip().strip("<>")
    local, _, domain = inner.rpartition("@")
    digest = hashlib.sha256(f"{inner}\n{recipient.casefold()}".encode()).hexdigest()[:20]
    return f"<{local}.{digest}@{domain}>"


def personalize(issue: Issue, recipient: str, message_id: str) -> bytes:
    """The issue's bytes with To: the recipient and the recipient's Message-ID; no Cc, no Bcc."""
    fields: list[bytes] = []
    for line in issue.head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    to = b"To: " + recipient.encode() + b"\r\n"
    mid = b"Message-ID: " + message_id.encode() + b"\r\n"
    head: list[bytes] = []
    for f in fields:
        name = f.split(b":", 1)[0].strip().lower()
        if name == b"to":
            head.append(to)
            to = b""
        elif name == b"message-id":
            head.append(mid)
            mid = b""
        elif name not in (b"cc", b"bcc"):
            head.append(f.rstrip(b"\r\n") + b"\r\n")
    return b"".join(head) + to + mid + b"\r\n" + issue.body


# --- the recipients --------------------------------------------------------------------------------

@dataclass
class Recipient:
    address: str  # as it is sent: normalized by email-validator
    where: str  # file:line

    @property
    def key(self) -> str:
        return self.address.casefold()


@dataclass
class RecipientList:
    recipients: list[Recipient] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _delimiter(line: str) -> str | None:
    """The CSV delimiter if line is a CSV header with an 'email' column; '' if it is CSV without one."""
    candidates = [d for d in (",", ";", "\t") if d in line]
    for d in candidates:
        cells = next(csv.reader([line], delimiter=d))
        if any(c.strip().casefold() == "email" for c in cells):
            return d
    if line.strip().casefold() == "email":
        return ","
    return "" if candidates else None


def read_recipients(path: Path) -> RecipientList:
    result = RecipientList()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.errors.append(f"{path}: error: the file is not UTF-8 text (byte {exc.start + 1}): save it as UTF-8")
        return result
    lines = io.StringIO(text, newline="").readlines()
    content = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        result.errors.append(f"{path}: error: there are no addresses in the file")
        return result
    seen: dict[str, Recipient] = {}

    def add(value: str, n: int) -> None:
        where = f"{path}:{n}"
        value = value.strip()
        if not value:
            result.errors.append(f"{where}: error: no address in the email column")
            return
        try:
            valid = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            result.errors.append(f"{where}: error: '{value}' is not a valid email address: {exc}")
            return
        r = Recipient(valid.ascii_email or valid.normalized, where)
        if r.key in seen:
            result.duplicates += 1
        else:
            seen[r.key] = r
            result.recipients.append(r)

    header_line, header = content[0]
    delimiter = _delimiter(header)
    if delimiter is None:  # one address a line
        for n, line in content:
            add(line, n)
        return result
    if delimiter == "":
        result.errors.append(f"{path}:{header_line}: error: the first line looks like a CSV header but has no "
                             f"'email' column: name the column of addresses 'email'")
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    column = None
    start = 1
    for row in reader:
        n, start = start, reader.line_num + 1
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if column is None:
            column = [c.strip().casefold() for c in row].index("email")
            continue
        add(row[column] if column < len(row) else "", n)
    return result


# --- the log ---------------------------------------------------------------------------------------

# One line of the log. Functional syntax: "message-id" is not a Python name.
LogEntry = TypedDict("LogEntry", {"time": str, "recipient": str, "message-id": str, "status": str,
                                  "code": int | None, "reply": str, "issue": str}, total=False)


class Log:
    """JSON lines, one a delivery: {"time", "recipient", "message-id", "status", ["code", "reply"], "issue"}."""

    def __init__(self, path: Path, issue: Issue) -> None:
        self.path, self.issue = path, issue
        self.done: dict[str, LogEntry] = {}  # recipient key -> last entry
        self.fd: int | None = None
        self.needs_newline = False

    def read(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise SendUsageError(f"--log {self.path}: cannot read it: {exc.strerror}") from None
        lines = data.split(b"\n")
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry: LogEntry = json.loads(line)  # checked below as far as this command reads it
                if not isinstance(entry, dict) or not isinstance(entry.get("recipient"), str):
                    raise ValueError
            except ValueError:
                if n == len(lines):  # the last line, cut off when its writer stopped: ignore it
                    self.needs_newline = True
                    continue
                raise SendUsageError(f"{self.path}:{n}: this line is not one this command writes: the "
                                     f"log is damaged; repair it, or give another --log") from None
            if entry.get("issue") != self.issue.message_id:
                raise SendUsageError(
                    f"{self.path}:{n}: this log is of another issue (Message-ID {entry.get('issue')}), not of "
                    f"{self.issue.label} ({self.issue.message_id}); if the issue was rebuilt since, its "
                    f"Message-ID changed: send the issue that was built then, or give another --log")
            if entry.get("status") in ("sent", "refused"):
                self.done[entry["recipient"].casefold()] = entry
        if data and not data.endswith(b"\n"):
            self.needs_newline = True

    def open(self) -> None:
        new = not self.path.exists()
        try:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SendUsageError(f"--log {self.path}: cannot write it: {exc.strerror}") from None
        fcntl: ModuleType | None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self.close()
                raise SendUsageError(f"{self.path}: another send of this issue is running (it holds "
                                     f"the log); wait for it or stop it first") from None
        if new:
            _fsync_dir(self.path.parent)

    def append(self, entry: LogEntry) -> None:
        if self.fd is None:
            raise RuntimeError("the log is not open")
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        if self.needs_newline:
            line, self.needs_newline = "\n" + line, False
        data = line.encode()
        while data:
            data = data[os.write(self.fd, data):]
        os.fsync(self.fd)
        self.done[entry["recipient"].casefold()] = entry

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- SMTP ------------------------------------------------------------------------------------------

@dataclass
class Server:
    host: str
    port: int
    starttls: bool
    ssl: bool
    user: str | None
    password: str | None
    smtp: smtplib.SMTP | None = None

    @property
    def name(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def describe(self) -> str:
        how = "TLS" if self.ssl else "STARTTLS" if self.starttls else "no TLS"
        return f"{self.name} ({how}" + (f", as {self.user}" if self.user else "") + ")"

    def connect(self) -> None:
        """Connects, says EHLO, starts TLS and logs in; raises Stop or Dropped."""
        context = ssl.create_default_context()
        try:
            if self.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        except smtplib.SMTPConnectError as exc:
            why = f"{self.name} did not accept the connection: {exc.smtp_code} {_text(exc.smtp_error)}"
            raise (Dropped(why) if 400 <= exc.smtp_code < 500 else Stop(why)) from None
        except ssl.SSLError as exc:
            raise Stop(f"TLS with {self.name} failed: {exc}") from None
        except OSError as exc:
            raise Dropped(f"cannot connect to {self.name}: {_oserror(exc)}") from None
        try:
            smtp.ehlo_or_helo_if_needed()
            if self.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
        except smtplib.SMTPNotSupportedError as exc:
            smtp.close()
            raise Stop(f"{self.name}: {exc}") from None
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise Stop(f"{self.name} refused the login as {self.user}: "
                       f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        except ssl.SSLError as exc:
            smtp.close()
            raise Stop(f"STARTTLS with {self.name} failed: {exc}") from None
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            why = f"{self.name} answered {exc.smtp_code} {_text(exc.smtp_error)}"
            raise (Dropped(why) if 400 <= exc.smtp_code < 500 else Stop(why)) from None
        except smtplib.SMTPServerDisconnected as exc:
            smtp.close()
            raise Dropped(f"the connection to {self.name} was lost: {_oserror(exc)}") from None
        except smtplib.SMTPException as exc:
            smtp.close()
            raise Stop(f"{self.name}: {exc}") from None
        except OSError as exc:
            smtp.close()
            raise Dropped(f"the connection to {self.name} was lost: {_oserror(exc)}") from None
        except BaseException:  # Ctrl-C
            smtp.close()
            raise
        self.smtp = smtp

    def close(self, polite: bool = True) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            if polite:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()


def _oserror(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


@dataclass
class Outcome:
    status: str  # "sent" or "refused"
    code: int | None = None
    reply: str = ""


def deliver(server: Server, sender: str, recipient: str, data: bytes, guard: _Interrupt) -> Outcome:
    """One transaction; raises Dropped (outcome unknown, or not sent) or Stop (temporary failure)."""
    smtp = server.smtp
    assert smtp is not None
    options: list[str] = []
    if not (sender + recipient).isascii():
        if not smtp.has_extn("smtputf8"):
            return Outcome("refused", None, "the server does not accept non-ASCII addresses (no SMTPUTF8)")
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    elif not data.isascii() and smtp.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    reply: bytes | str  # the server's words, as smtplib hands them over
    try:
        with guard.abortable():
            smtp.sendmail(sender, [recipient], data, mail_options=options)
        return Outcome("sent")
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = exc.recipients.get(recipient, (0, b""))
        stage = f"for {recipient}"
    except smtplib.SMTPSenderRefused as exc:
        code, reply = exc.smtp_code, exc.smtp_error
        if code >= 500:
            raise Stop(f"{server.name} refused the sender {sender} ({code} {_text(reply)}): check the From "
                       f"address of the issue and --user") from None
        stage = f"for the sender {sender}"
    except smtplib.SMTPDataError as exc:
        code, reply = exc.smtp_code, exc.smtp_error
        stage = f"to the message for {recipient}"
    except smtplib.SMTPResponseException as exc:
        code, reply, stage = exc.smtp_code, exc.smtp_error, f"sending to {recipient}"
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        server.close(polite=False)
        raise Dropped(f"the connection to {server.name} was lost: {_oserror(exc)}") from None
    if code == 421:
        server.close(polite=False)
        raise Dropped(f"{server.name} closed the connection: {code} {_text(reply)}")
    if 500 <= code < 600:
        return Outcome("refused", code, _text(reply))
    raise Stop(f"{server.name} answered {code} {_text(reply)} {stage}: a temporary failure")


# --- Ctrl-C ----------------------------------------------------------------------------------------

class _Interrupt:
    """The first Ctrl-C lets the message being sent finish (and be logged), then stops; a second one
    stops at once, but only while a message is on the wire, never between its acceptance and its log
    line. While connecting, with no message on the wire, the first Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._abortable = 0  # 0: not now; 1: on a second Ctrl-C; 2: on any Ctrl-C
        self._old: Callable[[int, FrameType | None], Any] | int | None = None  # signal's own type

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._abortable == 2 or (self.requested and self._abortable):
            self.requested = True
            raise KeyboardInterrupt
        if not self.requested:
            print("naerpoliti: interrupted: stopping after the message being sent "
                  "(Ctrl-C again to stop at once)", file=sys.stderr, flush=True)
        self.requested = True

    class _Abortable:
        def __init__(self, owner: _Interrupt, level: int) -> None:
            self.owner, self.level = owner, level

        def __enter__(self) -> None:
            self.owner._abortable = self.level

        def __exit__(self, *exc: object) -> None:
            self.owner._abortable = 0

    def abortable(self, at_once: bool = False) -> _Interrupt._Abortable:
        """A block that Ctrl-C may cut short: on a second Ctrl-C, or with at_once on the first."""
        return self._Abortable(self, 2 if at_once else 1)

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.requested and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))


# --- the command -----------------------------------------------------------------------------------

def _git_work_tree(path: Path) -> Path | None:
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _check_outside(what: str, path: Path, root: Path, out: Path) -> None:
    resolved = path.resolve()
    tree = _git_work_tree(root)
    for folder, name in ((tree or root, "the site's git work tree" if tree else "the site root"),
                         (out, "the built site")):
        if resolved.is_relative_to(folder):
            raise SendUsageError(
                f"{what} {path} lies inside {name} ({folder}): it holds personal data, which must not "
                f"be committed or published; keep it in a folder outside it")


def main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except SendUsageError as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    eml, root, out, label, slug = _locate_issue(args.issue, args.root, args.out)
    issue = load_issue(eml, label, slug)

    recipients_path: Path = args.recipients
    if not recipients_path.is_file():
        raise SendUsageError(f"--recipients {recipients_path}: there is no such file")
    _check_outside("the recipients file", recipients_path, root, out)
    log_path: Path = args.log if args.log is not None else \
        recipients_path.with_name(f"{recipients_path.name}.{issue.slug}.log")
    _check_outside("the log", log_path, root, out)
    if args.log is not None and args.log.resolve() == recipients_path.resolve():
        raise SendUsageError("--log cannot be the recipients file")

    password = None
    if args.password_given is not None:
        raise SendUsageError(f"there is no --password: put the password in the environment variable "
                             f"{PASSWORD_ENV} (or the one --password-env names); a password on the command "
                             f"line is visible to other users of the machine and stays in the shell history")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.password_env):
        raise SendUsageError("--password-env takes the name of an environment variable, not a password")
    if args.user:
        password = os.environ.get(args.password_env)
        if not password:
            raise SendUsageError(f"--user {args.user}: put the password in the environment variable "
                                 f"{args.password_env} (it is never read from an argument or a file)")
        host = args.smtp[0]
        if not (args.starttls or args.ssl) and host not in ("localhost", "::1") and not host.startswith("127."):
            raise SendUsageError(f"--user without --starttls or --ssl would send the password to "
                                 f"{host} unencrypted: add --starttls (port 587) or --ssl (port 465)")

    listed = read_recipients(recipients_path)
    if listed.errors:
        for line in listed.errors:
            print(line, file=sys.stderr)
        n = len(listed.errors)
        print(f"naerpoliti: {n} error{'s' * (n != 1)} in the recipients file; nothing was sent",
              file=sys.stderr)
        return EXIT_FAILED

    log = Log(log_path, issue)
    log.read()
    server = Server(args.smtp[0], args.smtp[1], args.starttls, args.ssl, args.user, password)
    run = Run(issue, listed, log, server, args.retry_refused)

    if not args.yes:
        run.dry_run()
        return EXIT_OK
    return run.send(args.rate)


@dataclass
class Run:
    issue: Issue
    listed: RecipientList
    log: Log
    server: Server
    retry_refused: bool
    sent: int = 0

    def _done(self, r: Recipient) -> str | None:
        entry = self.log.done.get(r.key)
        if entry is None or (entry["status"] == "refused" and self.retry_refused):
            return None
        return entry["status"]

    def _counts(self) -> tuple[int, int, int]:
        """(already sent before this run, refused, remaining)."""
        before = refused = remaining = 0
        for r in self.listed.recipients:
            status = self._done(r)
            if status is None:
                remaining += 1
            elif status == "refused":
                refused += 1
            else:
                before += 1
        return before - self.sent, refused, remaining

    def summary(self) -> str:
        skipped, refused, remaining = self._counts()
        return (f"naerpoliti newsletter send: sent {self.sent}, skipped (already sent) {skipped}, "
                f"refused {refused}, remaining {remaining}")

    def dry_run(self) -> None:
        i = self.issue
        todo = [r for r in self.listed.recipients if self._done(r) is None]
        skipped, refused, remaining = self._counts()
        total, dup = len(self.listed.recipients), self.listed.duplicates
        print("naerpoliti newsletter send: dry run, nothing is sent (add --yes to send)")
        print(f"  issue:            {i.label}" + (f" ({i.path})" if i.label != str(i.path) else ""))
        print(f"  subject:          {i.subject}")
        print(f"  from:             {i.from_}")
        print(f"  list-unsubscribe: {i.list_unsubscribe or '(none)'}")
        print(f"  recipients:       {total}" + (f" ({dup} duplicate{'s' * (dup != 1)} sent once)" if dup else ""))
        print(f"  already done:     {skipped} sent, {refused} refused, per the log {self.log.path}"
              if self.log.done else f"  already done:     none (no log yet at {self.log.path})")
        print(f"  to send:          {remaining}" + (", first " + ", ".join(r.address for r in todo[:SHOWN])
                                                    + (", ..." if len(todo) > SHOWN else "") if todo else ""))
        print(f"  server:           {self.server.describe()}")

    def send(self, rate: float | None) -> int:
        todo = [r for r in self.listed.recipients if self._done(r) is None]
        if not todo:
            print(self.summary())
            return EXIT_OK
        self.log.open()
        code, message = EXIT_OK, None
        try:
            with _Interrupt() as guard:
                try:
                    code, message = self._loop(todo, guard, rate)
                except KeyboardInterrupt:
                    code, message = EXIT_INTERRUPTED, "interrupted"
        finally:
            self.server.close(polite=code != EXIT_INTERRUPTED)
            self.log.close()
        if message:
            print(f"naerpoliti: {'error: ' if code == EXIT_FAILED else ''}{message}", file=sys.stderr)
        if code != EXIT_OK:
            print(f"naerpoliti: stopped after sending {self.sent} message{'s' * (self.sent != 1)}; "
                  f"the log {self.log.path} records who has the issue: run the same command again "
                  f"to continue", file=sys.stderr)
        print(self.summary())
        return code

    def _loop(self, todo: list[Recipient], guard: _Interrupt, rate: float | None) -> tuple[int, str | None]:
        refused_in_a_row, last = 0, None
        for r in todo:
            if guard.requested:
                return EXIT_INTERRUPTED, "interrupted"
            if rate and last is not None:
                guard.sleep(last + 1 / rate - time.monotonic())
                if guard.requested:
                    return EXIT_INTERRUPTED, "interrupted"
            last = time.monotonic()
            message_id = recipient_message_id(self.issue.message_id, r.address)
            outcome = self._attempt(r, personalize(self.issue, r.address, message_id), guard)
            if not isinstance(outcome, Outcome):
                return outcome
            stop = self._record(r, message_id, outcome)
            if stop is not None:
                return EXIT_FAILED, stop
            if outcome.status == "sent":
                self.sent += 1
                refused_in_a_row = 0
            else:
                print(f"naerpoliti: {r.address} ({r.where}) refused: "
                      f"{outcome.code or ''} {outcome.reply}".rstrip(), file=sys.stderr)
                refused_in_a_row += 1
                if refused_in_a_row >= REFUSED_IN_A_ROW and not self.sent:
                    return EXIT_FAILED, (
                        f"{self.server.name} refused the first {refused_in_a_row} recipients: check the server "
                        f"settings (--smtp, --user, --starttls) and the From address; to try the refused "
                        f"ones again, add --retry-refused")
        return EXIT_OK, None

    def _attempt(self, r: Recipient, data: bytes, guard: _Interrupt) -> Outcome | tuple[int, str]:
        """One message delivered, connecting first when there is no connection and once more when it
        drops; or the exit code and message to stop with."""
        dropped = None
        while True:
            try:
                if self.server.smtp is None:
                    with guard.abortable(at_once=True):
                        self.server.connect()
                    if guard.requested:
                        return EXIT_INTERRUPTED, "interrupted"
                return deliver(self.server, self.issue.sender, r.address, data, guard)
            except Dropped as exc:
                self.server.close(polite=False)
                if dropped is not None:
                    return EXIT_FAILED, f"{dropped}; after connecting again: {exc}"
                dropped = str(exc)
                if guard.requested:
                    return EXIT_INTERRUPTED, "interrupted"
            except Stop as exc:
                return EXIT_FAILED, str(exc)

    def _record(self, r: Recipient, message_id: str, outcome: Outcome) -> str | None:
        """The outcome in the log; why to stop when it could not be written there."""
        entry: LogEntry = {"time": _now(), "recipient": r.address, "message-id": message_id,
                           "status": outcome.status}
        if outcome.status == "refused":
            entry.update({"code": outcome.code, "reply": outcome.reply})
        entry["issue"] = self.issue.message_id
        try:
            self.log.append(entry)
        except OSError as exc:
            return (f"cannot write the log {self.log.path}: {exc.strerror}; {r.address} "
                    f"({outcome.status}) is NOT in the log: add this line to it before "
                    f"running again, or they get the issue twice: {json.dumps(entry)}")
        return None
