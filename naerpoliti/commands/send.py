"""naerpoliti newsletter send: one issue (its nyhedsbrev.eml) to a list of recipients over SMTP.

The issue is rendered from the site root as `newsletter render` does (commands/issues.py), into
its folder beside the site; or a .eml file is given. One message per recipient: the .eml byte for
byte, with `To:` set to the recipient and a
Message-ID derived from the issue's Message-ID and the address. The recipient list is personal data
and lives outside the repository; so does the log, beside it: JSON lines, each appended and fsynced
before the next step. It makes sending at most once per recipient:

- a `start` line names the issue and the SHA-256 of its .eml; a resume with other content is refused
  (--new-send starts a new send to everyone, with new Message-IDs);
- an `attempt` line is written before DATA, an outcome line (`sent`, `refused`, `failed`, `unknown`)
  after the server's answer. An attempt without an outcome, or `unknown` (the connection dropped,
  or the sender was killed, after the whole message was sent), is never sent again on its own: the
  next run lists those recipients and stops until --resolve-unknown says `sent` or `resend`;
- the last line about a recipient says where they are: `sent` and `refused` are done, `failed` and
  `resend` are sent (again).

Exit status: 0 done (permanently refused recipients included), 1 invalid recipients, unknown
outcomes, or the run stopped (temporary failure, lost connection, login refused), 2 usage error
(including a log of other content), 130 Ctrl-C.
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

from . import issues
from .common import EXIT_CONTENT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, resolve_root

EXIT_FAILED = EXIT_CONTENT  # invalid recipients, or stopped

PASSWORD_ENV = "NAERPOLITI_SMTP_PASSWORD"
TIMEOUT = 60.0  # seconds for connecting and for each SMTP reply
REFUSED_IN_A_ROW = 5  # this many permanent refusals in a row, and nothing accepted: stop the run
SHOWN = 5  # addresses shown by the dry run

ISSUE_ID_RE = issues.ISSUE_ID_RE
# a .eml in the folder `newsletter render` makes by default: ROOT/newsletters/KIND-ID-PERIOD/
ISSUE_PATH_RE = re.compile(r"(?:^|/)newsletters/((?:lokalsamfund|kommune)-[^/]+)/nyhedsbrev\.eml$")


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


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (more than 0, less than 3600)")
    return value


Resolution = tuple[str, str | None]  # ("sent" or "resend", one address or None for every unknown one)


def _resolution(text: str) -> Resolution:
    action, _, address = text.partition("=")
    if action not in ("sent", "resend") or ("=" in text and "@" not in address):
        raise argparse.ArgumentTypeError(f"'{text}' is not sent, resend, sent=ADDRESS or resend=ADDRESS")
    return action, address.strip() or None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `newsletter` (send, render, list) to the subcommands of the main parser."""
    nl = sub.add_parser("newsletter", help="make, list and send the newsletter issues of a site")
    nl_sub = nl.add_subparsers(dest="newsletter_command", metavar="SUBCOMMAND", required=True)
    p = nl_sub.add_parser(
        "send", allow_abbrev=False, help="send one newsletter issue to a list of recipients over SMTP",
        description="Send one newsletter issue of a site to every address of a recipients "
                    "file, one message each. Without --yes it only shows what it would send. A log "
                    "beside the recipients file records every delivery, so running the same command "
                    "again continues an interrupted run and sends nobody the issue twice; a message "
                    "whose outcome is unknown is listed and sent again only if you say so "
                    "(--resolve-unknown).")
    p.add_argument("issue", metavar="ISSUE",
                   help="an issue id such as lokalsamfund/skibby/2026-11 or kommune/frederikssund/2026-11 "
                        "(rendered from the site root into ROOT/newsletters/KIND-ID-PERIOD/, as "
                        "'newsletter render' does), or the path of a .eml file")
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
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="the built site, where the recipients file and the log must not be (default: ROOT/site)")
    issues.add_site_options(p)
    p.add_argument("--rate", type=_rate, metavar="N", help="send at most N messages a second (e.g. 0.5)")
    p.add_argument("--retry-refused", action="store_true",
                   help="send again to recipients the log records as refused by the server")
    p.add_argument("--resolve-unknown", type=_resolution, action="append", default=[], metavar="ACTION",
                   help="for messages whose outcome is unknown (the connection was lost, or the command "
                        "stopped, after the message was sent): 'sent' (they have it: not sent again) or "
                        "'resend' (send it again: they may get it twice); sent=ADDRESS or resend=ADDRESS "
                        "for one recipient (repeatable)")
    p.add_argument("--new-send", action="store_true",
                   help="start a new send of the issue as it is now to everyone on the list, also those "
                        "the log says have it (e.g. after rebuilding it); the log keeps the earlier send")
    p.add_argument("--timeout", type=_timeout, default=TIMEOUT, metavar="SECONDS",
                   help=f"wait at most this long for the server to connect or answer (default {TIMEOUT:g})")
    issues.add_parsers(nl_sub)


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
    sha256: str = ""  # of the .eml: a resume must send what the send began with


def _site_root(arg: Path | None, near: Path | None) -> Path:
    """The same rule as build and check, then the root above the issue given as a path."""
    return resolve_root(arg, near)


def _locate_issue(text: str, root_arg: Path | None, out_arg: Path | None,
                  today: dt.date | None) -> tuple[Path, Path, Path, str, str]:
    """ISSUE -> (eml path, root, out, label, slug): an issue id is rendered from the site root."""
    m = ISSUE_ID_RE.match(text)
    given = Path(text)
    if m and not given.exists():
        made = issues.render_issue(text, root_arg, today, None)
        out = (out_arg if out_arg is not None else made.root / "site").resolve()
        return made.eml, made.root, out, made.label, made.slug
    if given.is_dir():
        given = given / "nyhedsbrev.eml"
    if not given.is_file():
        if text.endswith(".eml") or given.name == "nyhedsbrev.eml":
            raise SendUsageError(f"{given} does not exist: give an issue id such as lokalsamfund/skibby/2026-11 "
                                 f"(naerpoliti newsletter list lists them), or make the file with "
                                 f"naerpoliti newsletter render")
        raise SendUsageError(f"ISSUE '{text}' is neither a .eml file nor an issue id such as "
                             f"lokalsamfund/skibby/2026-11 or kommune/frederikssund/2026-11")
    eml = given.resolve()
    root = _site_root(root_arg, eml.parent)
    out = (out_arg if out_arg is not None else root / "site").resolve()
    m = ISSUE_PATH_RE.search(eml.as_posix())
    if m:
        return eml, root, out, text, m.group(1)
    return eml, root, out, text, ""


def load_issue(path: Path, label: str, slug: str) -> Issue:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SendUsageError(f"{path}: cannot read it: {exc.strerror}") from None
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
            raise SendUsageError(f"{path}: the message needs exactly one {name} header: make it again "
                                 f"(naerpoliti newsletter render)")
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
                 str(msg.get("List-Unsubscribe", "")).strip(), hashlib.sha256(raw).hexdigest())


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def address_key(address: str) -> str:
    """One mailbox, as the log and the deduplication know it: the address as it is sent (normalized by
    email-validator: the domain in lower case, the local part in Unicode NFC), with the ASCII letters of
    the local part in lower case too, as every mail system of practical use treats them. Nothing else
    is folded: straße@ and strasse@, or é@ and e@, are different mailboxes and each gets the issue."""
    local, _, domain = address.rpartition("@")
    return f"{local.translate(_ASCII_LOWER)}@{domain.lower()}"


def recipient_message_id(issue_message_id: str, recipient: str, send: int = 1) -> str:
    """The Message-ID of the copy for one recipient: the same for the same issue, address and send
    (a new send of the issue, --new-send, is a new message)."""
    inner = issue_message_id.strip().strip("<>")
    local, _, domain = inner.rpartition("@")
    text = f"{inner}\n{address_key(recipient)}" + (f"\n{send}" if send > 1 else "")
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
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
        return address_key(self.address)


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
                                  "code": int | None, "reply": str, "resolved": str, "issue": str,
                                  "sha256": str, "send": int, "eml": str}, total=False)

# A recipient's last status -> where they are. "attempt" is written before DATA: alone, it means the
# message may or may not have been delivered.
STATES = {"sent": "sent", "refused": "refused", "attempt": "unknown", "unknown": "unknown",
          "failed": "todo", "resend": "todo"}


class Log:
    """JSON lines: {"status": "start", "issue", "sha256", "send", "eml"} when a send begins, then per
    recipient {"time", "recipient", "message-id", "status", ["code", "reply"], ["resolved"], "issue"}."""

    def __init__(self, path: Path, issue: Issue) -> None:
        self.path, self.issue = path, issue
        self.entries: dict[str, LogEntry] = {}  # recipient key -> last entry of the current send
        self.lines: dict[str, int] = {}  # recipient key -> the line of that entry
        self.start: LogEntry | None = None  # the current send's start
        self.sends = 0  # start lines read
        self.records = 0  # lines read
        self.fd: int | None = None
        self.needs_newline = False
        self.torn_at: int | None = None  # where a last line cut off by a crash begins

    def state(self, key: str) -> str | None:
        entry = self.entries.get(key)
        return None if entry is None else STATES[entry["status"]]

    def read(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise SendUsageError(f"--log {self.path}: cannot read it: {exc.strerror}") from None
        lines = data.split(b"\n")
        offset = 0
        for n, line in enumerate(lines, 1):
            begins, offset = offset, offset + len(line) + 1
            if not line.strip():
                continue
            try:
                entry = self._parse(line)
            except ValueError:
                if n == len(lines):  # the last line, cut off when its writer was killed: it never was
                    self.torn_at = begins
                    continue
                raise SendUsageError(f"{self.path}:{n}: this line is not one this command writes: the "
                                     f"log is damaged; repair it, or give another --log") from None
            self._add(entry, n)
        if data and not data.endswith(b"\n") and self.torn_at is None:
            self.needs_newline = True

    @staticmethod
    def _parse(line: bytes) -> LogEntry:
        entry: LogEntry = json.loads(line)  # checked here as far as this command reads it
        if not isinstance(entry, dict) or entry.get("status") not in (*STATES, "start"):
            raise ValueError
        if entry["status"] == "start":
            if not isinstance(entry.get("send", 1), int) or not isinstance(entry.get("sha256", ""), str):
                raise ValueError
        elif not isinstance(entry.get("recipient"), str):
            raise ValueError
        return entry

    def _add(self, entry: LogEntry, n: int) -> None:
        if entry.get("issue") != self.issue.message_id:
            raise SendUsageError(
                f"{self.path}:{n}: this log is of another issue (Message-ID {entry.get('issue')}), not of "
                f"{self.issue.label} ({self.issue.message_id}); if the issue was made again since, "
                f"its Message-ID changed: send the issue as it was made then, or give another --log")
        self.records += 1
        if entry["status"] == "start":
            self.sends += 1
            if entry.get("send", 1) > 1:  # a new send: what happened before is history
                self.entries.clear()
                self.lines.clear()
            self.start = entry
            return
        key = address_key(entry["recipient"])
        self.entries[key], self.lines[key] = entry, n

    @property
    def send_number(self) -> int:
        return int(self.start.get("send", 1)) if self.start is not None else 1

    def open(self) -> None:
        """Opens the log for appending and locks it: one send of an issue at a time."""
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

    def drop_torn_line(self) -> None:
        """Cuts off a last line half written when its writer was killed, so that every line stays whole.
        (A cut-off attempt was never followed by DATA; a cut-off outcome leaves its attempt: unknown.)"""
        if self.fd is not None and self.torn_at is not None:
            os.ftruncate(self.fd, self.torn_at)
            os.fsync(self.fd)
            self.torn_at = None

    def begin(self, new_send: bool) -> None:
        """Writes the start of a send: the issue's content that every message of it must have."""
        number = max(self.sends, 1) + 1 if new_send and self.records else 1
        self.append({"time": _now(), "status": "start", "issue": self.issue.message_id,
                     "sha256": self.issue.sha256, "send": number, "eml": str(self.issue.path)})

    def append(self, entry: LogEntry) -> None:
        """Appends one line and fsyncs it: when this returns, the line survives a crash."""
        if self.fd is None:
            raise RuntimeError("the log is not open")
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        if self.needs_newline:
            line, self.needs_newline = "\n" + line, False
        data = line.encode()
        while data:
            data = data[os.write(self.fd, data):]
        os.fsync(self.fd)
        self._add(entry, 0)

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
    timeout: float = TIMEOUT
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
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
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
    """What became of one message. status: "sent"; "refused" (permanently, 5xx); "failed" (not
    delivered: a temporary refusal, or the connection lost before the message was complete);
    "unknown" (the whole message was sent, and no answer came)."""
    status: str
    code: int | None = None
    reply: str = ""
    dropped: bool = False  # the connection is gone
    interrupted: bool = False  # by a second Ctrl-C


def deliver(server: Server, sender: str, recipient: str, data: bytes, guard: _Interrupt,
            before_data: Callable[[], None]) -> Outcome:
    """One transaction: MAIL, RCPT, then before_data() (which logs the attempt), then DATA. Raises
    Dropped (the connection was lost before DATA: not delivered) or Stop."""
    smtp = server.smtp
    assert smtp is not None
    options: list[str] = []
    if not (sender + recipient).isascii():
        if not smtp.has_extn("smtputf8"):
            return Outcome("refused", None, "the server does not accept non-ASCII addresses (no SMTPUTF8)")
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    elif not data.isascii() and smtp.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    refused = _envelope(server, sender, recipient, options, guard)
    if refused is not None:
        return refused
    before_data()
    return _data(server, recipient, data, guard)


def _envelope(server: Server, sender: str, recipient: str, options: list[str],
              guard: _Interrupt) -> Outcome | None:
    """MAIL and RCPT: None when the server takes the recipient, else their permanent refusal."""
    smtp = server.smtp
    assert smtp is not None
    try:
        with guard.abortable():
            code, reply = smtp.mail(sender, options)
            stage = f"for the sender {sender}"
            if code == 250:
                code, reply = smtp.rcpt(recipient)
                stage = f"for {recipient}"
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        server.close(polite=False)
        raise Dropped(f"the connection to {server.name} was lost: {_oserror(exc)}") from None
    if code in (250, 251):
        return None
    if code == 421:
        server.close(polite=False)
        raise Dropped(f"{server.name} closed the connection: {code} {_text(reply)}")
    _rset(server)
    if 500 <= code < 600 and stage.startswith("for the sender"):
        raise Stop(f"{server.name} refused the sender {sender} ({code} {_text(reply)}): check the From "
                   f"address of the issue and --user")
    if 500 <= code < 600:
        return Outcome("refused", code, _text(reply))
    raise Stop(f"{server.name} answered {code} {_text(reply)} {stage}: a temporary failure")


def _data(server: Server, recipient: str, data: bytes, guard: _Interrupt) -> Outcome:
    """DATA, the message and its final dot, and the answer. Until the whole message is handed to the
    connection the server cannot have taken it; after that, no answer means nobody knows."""
    smtp = server.smtp
    assert smtp is not None
    complete = False
    try:
        with guard.abortable():
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code == 354:
                smtp.send(_dot_stuffed(data))  # sendall: it returns only when every byte is sent
                complete = True
                code, reply = smtp.getreply()
    except (smtplib.SMTPException, OSError) as exc:
        server.close(polite=False)
        return _lost(complete, f"the connection to {server.name} was lost: {_oserror(exc)}")
    except KeyboardInterrupt:  # the second Ctrl-C: say what became of the message, then stop
        server.close(polite=False)
        outcome = _lost(complete, "interrupted")
        outcome.interrupted = True
        return outcome
    text = _text(reply)
    if not complete:
        return _data_refused(server, code, text)
    if 200 <= code < 300:
        return Outcome("sent", code, text)
    if code == 421:  # not taken: the server is closing
        server.close(polite=False)
        return Outcome("failed", code, text, dropped=True)
    if 400 <= code < 600:
        _rset(server)
        return Outcome("refused" if code >= 500 else "failed", code, text)
    server.close(polite=False)
    return Outcome("unknown", code, f"the server's answer was not understood: {code} {text}", dropped=True)


def _data_refused(server: Server, code: int, text: str) -> Outcome:
    """The server did not ask for the message (no 354): it was not sent."""
    if code == 421 or not 200 <= code < 600:
        server.close(polite=False)
        return Outcome("failed", code, text, dropped=True)
    _rset(server)
    return Outcome("refused" if code >= 500 else "failed", code, text)


def _lost(complete: bool, why: str) -> Outcome:
    if complete:
        return Outcome("unknown", None, f"{why}, after the whole message was sent and before the server "
                                        f"answered", dropped=True)
    return Outcome("failed", None, f"{why}, before the message was complete: not delivered", dropped=True)


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA sends it (RFC 5321 4.5.2), as smtplib's data() would."""
    q = re.sub(rb"(?m)^\.", b"..", data)
    if not q.endswith(b"\r\n"):
        q += b"\r\n"
    return q + b".\r\n"


def _rset(server: Server) -> None:
    """Ends a transaction the server turned down, so the connection can carry the next one."""
    smtp = server.smtp
    if smtp is None:
        return
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        server.close(polite=False)


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
    if args.newsletter_command != "send":
        return issues.main(args)
    try:
        return _run(args)
    except SendUsageError as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except issues.ContentError as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace) -> int:
    eml, root, out, label, slug = _locate_issue(args.issue, args.root, args.out, args.today)
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
    password = _password(args)

    listed = read_recipients(recipients_path)
    if listed.errors:
        for line in listed.errors:
            print(line, file=sys.stderr)
        n = len(listed.errors)
        print(f"naerpoliti: {n} error{'s' * (n != 1)} in the recipients file; nothing was sent",
              file=sys.stderr)
        return EXIT_FAILED

    log = Log(log_path, issue)
    server = Server(args.smtp[0], args.smtp[1], args.starttls, args.ssl, args.user, password, args.timeout)
    run = Run(issue, listed, log, server, args.retry_refused)
    if not args.yes:
        log.read()
        run.prepare(args.new_send, args.resolve_unknown)
        run.dry_run()
        return EXIT_OK
    log.open()  # locked before it is read: what it says stays true while this run sends
    try:
        log.read()
        run.prepare(args.new_send, args.resolve_unknown)
        return run.send(args.rate, args.new_send)
    finally:
        log.close()


def _password(args: argparse.Namespace) -> str | None:
    if args.password_given is not None:
        raise SendUsageError(f"there is no --password: put the password in the environment variable "
                             f"{PASSWORD_ENV} (or the one --password-env names); a password on the command "
                             f"line is visible to other users of the machine and stays in the shell history")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.password_env):
        raise SendUsageError("--password-env takes the name of an environment variable, not a password")
    if not args.user:
        return None
    password = os.environ.get(args.password_env)
    if not password:
        raise SendUsageError(f"--user {args.user}: put the password in the environment variable "
                             f"{args.password_env} (it is never read from an argument or a file)")
    host = args.smtp[0]
    if not (args.starttls or args.ssl) and host not in ("localhost", "::1") and not host.startswith("127."):
        raise SendUsageError(f"--user without --starttls or --ssl would send the password to "
                             f"{host} unencrypted: add --starttls (port 587) or --ssl (port 465)")
    return password


@dataclass
class Run:
    issue: Issue
    listed: RecipientList
    log: Log
    server: Server
    retry_refused: bool
    sent: int = 0
    decided: dict[str, str] = field(default_factory=dict)  # recipient key -> how --resolve-unknown resolves it
    last_drop: str | None = None  # why the connection was last lost, until a message gets through

    # --- where everyone is

    def _state(self, r: Recipient) -> str | None:
        """"sent", "refused", "unknown", or None: to send."""
        state = self.log.state(r.key)
        if state == "unknown" and r.key in self.decided:
            state = "sent" if self.decided[r.key] == "sent" else None
        if state == "todo" or (state == "refused" and self.retry_refused):
            return None
        return state

    def _counts(self) -> tuple[int, int, int, int]:
        """(already sent before this run, refused, unknown, remaining)."""
        counts = {"sent": 0, "refused": 0, "unknown": 0, None: 0}
        for r in self.listed.recipients:
            counts[self._state(r)] += 1
        return counts["sent"] - self.sent, counts["refused"], counts["unknown"], counts[None]

    def summary(self) -> str:
        skipped, refused, unknown, remaining = self._counts()
        return (f"naerpoliti newsletter send: sent {self.sent}, skipped (already sent) {skipped}, "
                f"refused {refused}, remaining {remaining}" + (f", unknown {unknown}" if unknown else ""))

    def _unknown(self) -> list[Recipient]:
        return [r for r in self.listed.recipients if self._state(r) == "unknown"]

    # --- before sending

    def prepare(self, new_send: bool, given: list[Resolution]) -> None:
        """Checks the issue against the log and the --resolve-unknown options against the unknowns."""
        log, issue = self.log, self.issue
        if new_send:  # begin() writes it; a dry run only shows it
            log.entries.clear()
            log.lines.clear()
        elif log.start is None and log.records:
            print(f"naerpoliti: note: the log {log.path} was begun by an earlier version that did not record "
                  f"the issue's content: make sure {issue.path} is the issue it began to send", file=sys.stderr)
        elif log.start is not None and log.start.get("sha256") != issue.sha256:
            done = sum(1 for e in log.entries.values() if e["status"] == "sent")
            raise SendUsageError(
                f"{issue.path} is not the issue this send began with (the log {log.path} says SHA-256 "
                f"{str(log.start.get('sha256'))[:16]}..., it is now {issue.sha256[:16]}...): its content changed "
                f"since. The {done} recipients who have it got the earlier content. To continue, make the "
                f"issue as it was (from the same commit, with --today the date the send began); "
                f"or add --new-send to send the issue as it "
                f"is now to everyone on the list, as a new message, also to those {done}")
        self.decided = self._resolutions(given)

    def _resolutions(self, given: list[Resolution]) -> dict[str, str]:
        unknown = {r.key for r in self.listed.recipients if self.log.state(r.key) == "unknown"}
        decided: dict[str, str] = {}
        for action, address in given:  # one address first, then the rest
            if address is None:
                continue
            key = address_key(address)
            if key not in unknown:
                raise SendUsageError(f"--resolve-unknown {action}={address}: the log records no unknown "
                                     f"outcome for {address} among the recipients")
            if decided.setdefault(key, action) != action:
                raise SendUsageError(f"--resolve-unknown says both sent and resend for {address}")
        general = {action for action, address in given if address is None}
        if len(general) > 1:
            raise SendUsageError("--resolve-unknown sent and --resolve-unknown resend: say one of them for "
                                 "all, or one per address (sent=ADDRESS)")
        for action in general:
            for key in unknown:
                decided.setdefault(key, action)
        return decided

    def dry_run(self) -> None:
        i = self.issue
        todo = [r for r in self.listed.recipients if self._state(r) is None]
        skipped, refused, unknown, remaining = self._counts()
        total, dup = len(self.listed.recipients), self.listed.duplicates
        print("naerpoliti newsletter send: dry run, nothing is sent (add --yes to send)")
        print(f"  issue:            {i.label}" + (f" ({i.path})" if i.label != str(i.path) else ""))
        print(f"  subject:          {i.subject}")
        print(f"  from:             {i.from_}")
        print(f"  list-unsubscribe: {i.list_unsubscribe or '(none)'}")
        print(f"  recipients:       {total}" + (f" ({dup} duplicate{'s' * (dup != 1)} sent once)" if dup else ""))
        if self.log.entries:
            print(f"  already done:     {skipped} sent, {refused} refused, per the log {self.log.path}")
        elif self.log.records:
            print(f"  already done:     none in this send (the log {self.log.path} keeps the earlier)")
        else:
            print(f"  already done:     none (no log yet at {self.log.path})")
        if unknown:
            first = ", ".join(r.address for r in self._unknown()[:SHOWN])
            print(f"  unknown outcome:  {unknown}, {first}: --yes stops until --resolve-unknown says what "
                  f"became of them")
        resolved = len(self.decided)
        if resolved:
            print(f"  resolved:         {resolved} unknown by --resolve-unknown")
        print(f"  to send:          {remaining}" + (", first " + ", ".join(r.address for r in todo[:SHOWN])
                                                    + (", ..." if len(todo) > SHOWN else "") if todo else ""))
        print(f"  server:           {self.server.describe()}")

    # --- sending

    def send(self, rate: float | None, new_send: bool) -> int:
        try:
            self.log.drop_torn_line()
            if new_send or self.log.start is None:
                self.log.begin(new_send)
            self._write_resolutions()
        except OSError as exc:
            print(f"naerpoliti: error: cannot write the log {self.log.path}: {exc.strerror}; nothing was sent",
                  file=sys.stderr)
            return EXIT_FAILED
        if self._unknown():
            self._report_unknown()
            print(self.summary())
            return EXIT_FAILED
        todo = [r for r in self.listed.recipients if self._state(r) is None]
        if not todo:
            print(self.summary())
            return EXIT_OK
        code, message = EXIT_OK, None
        try:
            with _Interrupt() as guard:
                try:
                    code, message = self._loop(todo, guard, rate)
                except KeyboardInterrupt:
                    code, message = EXIT_INTERRUPTED, "interrupted"
        finally:
            self.server.close(polite=code != EXIT_INTERRUPTED)
        return self._finish(code, message)

    def _write_resolutions(self) -> None:
        for key, action in self.decided.items():
            entry = self.log.entries[key]
            self.log.append({"time": _now(), "recipient": entry["recipient"], "message-id": entry["message-id"],
                             "status": action, "resolved": "--resolve-unknown", "issue": self.issue.message_id})
        self.decided = {}

    def _finish(self, code: int, message: str | None) -> int:
        if message:
            print(f"naerpoliti: {'error: ' if code == EXIT_FAILED else ''}{message}", file=sys.stderr)
        if code != EXIT_OK:
            print(f"naerpoliti: stopped after sending {self.sent} message{'s' * (self.sent != 1)}; "
                  f"the log {self.log.path} records who has the issue: run the same command again "
                  f"to continue", file=sys.stderr)
        if self._unknown():
            self._report_unknown()
            code = code if code != EXIT_OK else EXIT_FAILED
        print(self.summary())
        return code

    def _report_unknown(self) -> None:
        unknown = self._unknown()
        n = len(unknown)
        print(f"naerpoliti: error: {n} message{'s' * (n != 1)} may or may not have been delivered: the "
              f"connection was lost, or the sending stopped, after the message was sent and before the "
              f"server answered. {'They are' if n != 1 else 'It is'} not sent again without your word:",
              file=sys.stderr)
        for r in unknown:
            entry = self.log.entries[r.key]
            line = self.log.lines.get(r.key)
            why = entry.get("reply") or f"no outcome after the attempt of {entry.get('time')}"
            print(f"  {r.address} ({r.where}): Message-ID {entry.get('message-id')}: {why}"
                  + (f" (log line {line})" if line else ""), file=sys.stderr)
        print("naerpoliti: find out whether the server took them (its log, by the Message-ID), then run the "
              "same command again with --resolve-unknown sent (they have it: not sent again) or "
              "--resolve-unknown resend (sent again: if they had it, they get it twice); "
              "sent=ADDRESS or resend=ADDRESS for one of them", file=sys.stderr)

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
            outcome = self._attempt(r, guard)
            if not isinstance(outcome, Outcome):
                return outcome
            if outcome.status == "sent":
                self.sent += 1
                refused_in_a_row = 0
            elif outcome.status == "refused":
                print(f"naerpoliti: {r.address} ({r.where}) refused: "
                      f"{outcome.code or ''} {outcome.reply}".rstrip(), file=sys.stderr)
                refused_in_a_row += 1
                if refused_in_a_row >= REFUSED_IN_A_ROW and not self.sent:
                    return EXIT_FAILED, (
                        f"{self.server.name} refused the first {refused_in_a_row} recipients: check the server "
                        f"settings (--smtp, --user, --starttls) and the From address; to try the refused "
                        f"ones again, add --retry-refused")
        return EXIT_OK, None

    def _attempt(self, r: Recipient, guard: _Interrupt) -> Outcome | tuple[int, str]:
        """One message: sent, refused or unknown, connecting first when there is no connection and
        again when it drops before the message is complete; or the exit code and message to stop with."""
        message_id = recipient_message_id(self.issue.message_id, r.address, self.log.send_number)
        data = personalize(self.issue, r.address, message_id)
        while True:
            try:
                if self.server.smtp is None:
                    with guard.abortable(at_once=True):
                        self.server.connect()
                    if guard.requested:
                        return EXIT_INTERRUPTED, "interrupted"
                outcome = deliver(self.server, self.issue.sender, r.address, data, guard,
                                  lambda: self._record(r, message_id, "attempt"))
                self._record(r, message_id, outcome.status, outcome)
            except Dropped as exc:  # before DATA: not delivered
                stop = self._dropped(str(exc), guard)
                if stop is not None:
                    return stop
                continue
            except Stop as exc:
                return EXIT_FAILED, str(exc)
            if outcome.interrupted:
                raise KeyboardInterrupt
            if outcome.dropped:
                stop = self._dropped(outcome.reply, guard)
                if stop is not None:
                    return stop
                if outcome.status == "failed":  # not delivered: again, on a new connection
                    continue
                return outcome  # unknown: set aside until the operator says
            if outcome.status == "failed":
                return EXIT_FAILED, (f"{self.server.name} answered {outcome.code} {outcome.reply} to the "
                                     f"message for {r.address}: a temporary failure")
            self.last_drop = None
            return outcome

    def _dropped(self, why: str, guard: _Interrupt) -> tuple[int, str] | None:
        """The connection was lost: connect again, but not after two losses with nothing delivered between."""
        self.server.close(polite=False)
        if self.last_drop is not None:
            return EXIT_FAILED, f"{self.last_drop}; after connecting again: {why}"
        self.last_drop = why
        if guard.requested:
            return EXIT_INTERRUPTED, "interrupted"
        return None

    def _record(self, r: Recipient, message_id: str, status: str, outcome: Outcome | None = None) -> None:
        """One line in the log, on disk before the next step; raises Stop when it cannot be written."""
        entry: LogEntry = {"time": _now(), "recipient": r.address, "message-id": message_id, "status": status}
        if outcome is not None and (outcome.code is not None or outcome.reply):
            entry.update({"code": outcome.code, "reply": outcome.reply})
        entry["issue"] = self.issue.message_id
        try:
            self.log.append(entry)
        except OSError as exc:
            if status == "attempt":
                raise Stop(f"cannot write the log {self.log.path}: {exc.strerror}; the message for {r.address} "
                           f"was not sent") from None
            raise Stop(f"cannot write the log {self.log.path}: {exc.strerror}; it records that the message for "
                       f"{r.address} was sent off but not that it was {status}: the next run asks what became "
                       f"of it (--resolve-unknown {'sent' if status == 'sent' else 'resend'})") from None
