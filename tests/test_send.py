"""`naerpoliti newsletter send` against a real SMTP server (aiosmtpd) on loopback: dry run, one message
per recipient, refusals, failures half-way and the rerun that continues, login, STARTTLS and TLS."""
from __future__ import annotations

import email
import hashlib
import json
import os
import signal
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from conftest import news  # noqa: E402
from naerpoliti.cli import main  # noqa: E402
from naerpoliti.commands.send import load_issue, personalize, recipient_message_id  # noqa: E402

ISSUE_ID = "lokalsamfund/skibby/2026-11"
MESSAGE_ID = "<nyhedsbrev.lokalsamfund-skibby.2026-11@test.example.dk>"
SENDER = "nyhedsbrev@test.example.dk"
SUBJECT = "Nyhedsbrev for Skibby – november 2026"
UNSUBSCRIBE = "<https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/afmeld/>"
USER, PASSWORD = "redaktion", "hemmelig-kode-42"


# --- the SMTP server -------------------------------------------------------------------------------

class Controller(aiosmtpd_controller.Controller):
    """aiosmtpd's Controller on an ephemeral port (port=0): it learns the port before its self-test."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Mailbox:
    """An SMTP handler that stores what it accepts and misbehaves as told.

    refuse: addresses answered 550 at RCPT; temporary: addresses answered 451 at RCPT;
    per_connection: after this many messages on one connection, MAIL is answered 421;
    down_after: after this many messages in all, every MAIL is answered 421 (down="421"), or the
    connection is closed without an answer (down="drop"), or the server stops listening (down="stop");
    lose_reply_at: the Nth message is stored, then the connection closes before the 250 (once);
    sigint_at: while receiving the Nth message, the test process gets a SIGINT (Ctrl-C).
    """

    def __init__(self, refuse=(), temporary=(), per_connection=None, down_after=None, down="421",
                 lose_reply_at=None, sigint_at=None):
        self.refuse, self.temporary = set(refuse), set(temporary)
        self.per_connection, self.down_after, self.down = per_connection, down_after, down
        self.lose_reply_at, self.sigint_at = lose_reply_at, sigint_at
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.data_commands = 0
        self.lock = threading.Lock()
        self.address = ""
        self.controller = None
        self.stopper = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.down_after is not None and len(self.messages) >= self.down_after:
            if self.down in ("drop", "stop"):
                if self.down == "stop" and self.stopper is None:
                    self.stopper = threading.Thread(target=self.controller.stop)
                    self.stopper.start()
                server.transport.close()
                return "250 OK"  # never reaches the client
            return "421 4.3.2 Service shutting down"
        if self.per_connection is not None and getattr(session, "count", 0) >= self.per_connection:
            return "421 4.7.0 Too many messages on one connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.temporary:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.sigint_at == self.data_commands:
            os.kill(os.getpid(), signal.SIGINT)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        session.count = getattr(session, "count", 0) + 1
        if self.lose_reply_at == len(self.messages):
            self.lose_reply_at = None
            server.transport.close()
        return "250 2.0.0 OK: queued"

    # what arrived
    def recipients(self) -> list[str]:
        return [rcpt for _, rcpts, _ in self.messages for rcpt in rcpts]

    def parsed(self) -> list[EmailMessage]:
        return [email.message_from_bytes(data, policy=policy.default) for _, _, data in self.messages]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == \
        (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp():
    """smtp(handler=None, **controller_options) -> the handler, listening at handler.address."""
    started = []

    def start(handler=None, **options) -> Mailbox:
        handler = handler or Mailbox()
        controller = Controller(handler, hostname="127.0.0.1", port=0, server_hostname="mail.test", **options)
        controller.start()
        started.append((controller, handler))
        handler.address = f"127.0.0.1:{controller.port}"
        handler.controller = controller
        return handler

    yield start
    for controller, handler in started:
        if handler.stopper is not None:  # it stopped itself
            handler.stopper.join()
        else:
            controller.stop()


def free_port() -> str:
    """An address where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


# --- a site root with one built issue, and a recipients file outside it -----------------------------

def issue_message() -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = f"Nærpoliti Skibby <{SENDER}>"
    msg["To"] = "undisclosed-recipients:;"
    msg["Subject"] = SUBJECT
    msg["Date"] = "Sun, 01 Nov 2026 08:00:00 +0100"
    msg["Message-ID"] = MESSAGE_ID
    msg["List-Id"] = "Nyhedsbrev for Skibby <skibby.lokalsamfund.test.example.dk>"
    msg["List-Unsubscribe"] = UNSUBSCRIBE
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("Nyt fra dit lokalsamfund.\n\nRing 114 til politiet, 112 ved fare.\n")
    msg.add_alternative("<!doctype html><html lang=da><body><h1>Nyt fra Skibby</h1>"
                        "<p>Ring 114 til politiet, 112 ved fare.</p></body></html>\n", subtype="html")
    return msg


@dataclass
class Site:
    root: Path
    eml: Path
    private: Path  # a folder outside the repository

    def recipients(self, text: str, name: str = "modtagere.txt") -> Path:
        path = self.private / name
        path.write_text(text, encoding="utf-8")
        return path

    def records(self, recipients: Path, slug: str = "lokalsamfund-skibby-2026-11") -> list[dict]:
        """Every line of the log."""
        path = recipients.with_name(f"{recipients.name}.{slug}.log")
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def log(self, recipients: Path, slug: str = "lokalsamfund-skibby-2026-11") -> list[dict]:
        """The outcomes in the log: no start, no attempts."""
        return [e for e in self.records(recipients, slug) if e["status"] not in ("start", "attempt")]


@pytest.fixture
def site(tmp_path) -> Site:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "localities.yaml").write_text("site: {title: Test}\n", encoding="utf-8")
    eml = root / "newsletters/lokalsamfund-skibby-2026-11/nyhedsbrev.eml"  # where `newsletter render` puts it
    eml.parent.mkdir(parents=True)
    eml.write_bytes(issue_message().as_bytes(policy=policy.SMTP))
    private = tmp_path / "private"
    private.mkdir()
    return Site(root, eml, private)


ADDRESSES = ["anna@example.dk", "bo@example.dk", "carl@example.dk", "dorte@example.dk", "erik@example.dk"]


def send(capsys, site: Site, recipients: Path, server: str, *extra: str) -> tuple[int, str, str]:
    code = main(["newsletter", "send", str(site.eml), "--root", str(site.root), "--recipients", str(recipients),
                 "--smtp", server, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def summary(out: str) -> str:
    return out.strip().splitlines()[-1]


# --- the tests -------------------------------------------------------------------------------------

def test_dry_run_sends_nothing_and_says_what_it_would_send(site, capsys):
    recipients = site.recipients("# nabohjælp Skibby\n" + "\n".join(ADDRESSES + ["ANNA@example.dk"]) + "\n\n")
    code, out, err = send(capsys, site, recipients, free_port())  # nothing listens: no connection is made
    assert code == 0, err
    assert "dry run, nothing is sent (add --yes to send)" in out
    assert f"subject:          {SUBJECT}" in out
    assert f"from:             Nærpoliti Skibby <{SENDER}>" in out
    assert "recipients:       5 (1 duplicate sent once)" in out
    assert "already done:     none" in out
    assert "to send:          5, first anna@example.dk, bo@example.dk, carl@example.dk, dorte@example.dk, " \
           "erik@example.dk" in out
    assert not list(site.private.glob("*.log"))


def test_every_recipient_gets_exactly_one_message_with_their_to(site, smtp, capsys):
    server = smtp()
    recipients = site.recipients("\n".join(ADDRESSES + ["Bo@Example.DK"]) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 5, skipped (already sent) 0, refused 0, remaining 0"
    assert sorted(server.recipients()) == ADDRESSES
    original = email.message_from_bytes(site.eml.read_bytes(), policy=policy.default)
    original_body = site.eml.read_bytes().split(b"\r\n\r\n", 1)[1]
    ids = set()
    for (mail_from, rcpts, data), msg in zip(server.messages, server.parsed(), strict=True):
        assert mail_from == SENDER and len(rcpts) == 1
        assert msg["To"] == rcpts[0]
        assert msg["Message-ID"] == recipient_message_id(MESSAGE_ID, rcpts[0]) != MESSAGE_ID
        ids.add(msg["Message-ID"])
        for name in ("From", "Subject", "Date", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
                     "MIME-Version", "Content-Type"):
            assert msg[name] == original[name], name
        assert msg["Subject"] == SUBJECT
        assert msg.get_content_type() == "multipart/alternative"
        assert msg.get_body(("plain",)).get_content() == original.get_body(("plain",)).get_content()
        assert msg.get_body(("html",)).get_content() == original.get_body(("html",)).get_content()
        assert data.split(b"\r\n\r\n", 1)[1] == original_body  # the body byte for byte
        assert len(msg.get_all("To")) == 1 and len(msg.get_all("Message-ID")) == 1
    assert len(ids) == 5
    log = site.log(recipients)
    assert [e["recipient"] for e in log] == [r for _, (r,), _ in server.messages]
    assert all(e["status"] == "sent" and e["message-id"] == recipient_message_id(MESSAGE_ID, e["recipient"])
               and e["time"] and e["issue"] == MESSAGE_ID for e in log)
    assert os.stat(site.private / f"{recipients.name}.lokalsamfund-skibby-2026-11.log").st_mode & 0o077 == 0

    # the same command again sends nobody anything
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 5, refused 0, remaining 0"
    assert len(server.messages) == 5


def test_message_id_is_deterministic_per_issue_and_recipient():
    a = recipient_message_id(MESSAGE_ID, "anna@example.dk")
    assert a == recipient_message_id(MESSAGE_ID, "Anna@example.dk")
    assert a.startswith("<nyhedsbrev.lokalsamfund-skibby.2026-11.") and a.endswith("@test.example.dk>")
    assert a != recipient_message_id(MESSAGE_ID, "bo@example.dk")
    assert a != recipient_message_id("<nyhedsbrev.lokalsamfund-skibby.2026-12@test.example.dk>", "anna@example.dk")


def test_personalize_replaces_the_placeholder_to_and_keeps_the_rest(site):
    issue = load_issue(site.eml, ISSUE_ID, "x")
    data = personalize(issue, "anna@example.dk", "<a.b@test.example.dk>")
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"To: anna@example.dk" in head.split(b"\r\n") and b"undisclosed-recipients" not in head
    assert b"Message-ID: <a.b@test.example.dk>" in head.split(b"\r\n")
    original_head = site.eml.read_bytes().split(b"\r\n\r\n", 1)[0]
    strip = {b"to", b"message-id"}
    assert [h for h in head.split(b"\r\n") if h.split(b":")[0].lower() not in strip] == \
        [h for h in original_head.split(b"\r\n") if h.split(b":")[0].lower() not in strip]


def test_a_550_is_logged_and_not_retried(site, smtp, capsys):
    server = smtp(Mailbox(refuse={"carl@example.dk"}))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 4, skipped (already sent) 0, refused 1, remaining 0"
    assert f"carl@example.dk ({recipients}:3) refused: 550 5.1.1 <carl@example.dk>" in err
    assert sorted(server.recipients()) == [a for a in ADDRESSES if a != "carl@example.dk"]
    refused = [e for e in site.log(recipients) if e["status"] == "refused"]
    assert len(refused) == 1 and refused[0]["recipient"] == "carl@example.dk" and refused[0]["code"] == 550
    assert "User unknown" in refused[0]["reply"]

    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 4, refused 1, remaining 0"
    assert len(server.messages) == 4 and len(site.log(recipients)) == 5


@pytest.mark.parametrize("down", ["421", "drop"])
def test_server_gone_half_way_then_the_rerun_sends_exactly_the_rest(site, smtp, capsys, down):
    server = smtp(Mailbox(down_after=2, down=down))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1
    assert "stopped after sending 2 messages" in err and "run the same command again to continue" in err
    assert summary(out) == "naerpoliti newsletter send: sent 2, skipped (already sent) 0, refused 0, remaining 3"
    first = server.recipients()
    assert len(first) == 2 and [e["recipient"] for e in site.log(recipients)] == first

    server.down_after = None  # the server is back
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 3, skipped (already sent) 2, refused 0, remaining 0"
    second = server.recipients()[2:]
    assert set(first) | set(second) == set(ADDRESSES) and not set(first) & set(second)
    assert len(first) + len(second) == len(ADDRESSES)
    assert sorted(e["recipient"] for e in site.log(recipients)) == ADDRESSES


def test_server_stopped_half_way_then_rerun_against_another(site, smtp, capsys):
    server = smtp(Mailbox(down_after=3, down="stop"))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1 and "after connecting again" in err
    assert summary(out) == "naerpoliti newsletter send: sent 3, skipped (already sent) 0, refused 0, remaining 2"
    server.stopper.join()
    code, out, err = send(capsys, site, recipients, server.address, "--yes")  # refused connection
    assert code == 1 and "cannot connect to" in err and "stopped after sending 0 messages" in err
    other = smtp()  # the same log, another server
    code, out, err = send(capsys, site, recipients, other.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ADDRESSES[:3] and other.recipients() == ADDRESSES[3:]


def test_nothing_listening_stops_with_exit_1_and_sends_nothing(site, capsys):
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, free_port(), "--yes")
    assert code == 1
    assert "cannot connect to 127.0.0.1:" in err and "stopped after sending 0 messages" in err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 0, refused 0, remaining 5"


def test_a_temporary_4xx_stops_the_run_and_the_rerun_continues_there(site, smtp, capsys):
    server = smtp(Mailbox(temporary={"carl@example.dk"}))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1
    assert "451 4.7.1 Greylisted, try again later for carl@example.dk: a temporary failure" in err
    assert summary(out) == "naerpoliti newsletter send: sent 2, skipped (already sent) 0, refused 0, remaining 3"
    server.temporary.clear()
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ADDRESSES


def test_a_server_that_closes_every_few_messages_is_reconnected(site, smtp, capsys):
    server = smtp(Mailbox(per_connection=2))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ADDRESSES


def test_an_unknown_outcome_is_not_sent_again_until_resolved(site, smtp, capsys):
    server = smtp(Mailbox(lose_reply_at=2))  # the 2nd message is stored, then the connection drops
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1  # the others are sent; bo's is not sent again in the same run
    assert server.recipients() == ADDRESSES
    assert "1 message may or may not have been delivered" in err
    assert f"bo@example.dk ({recipients}:2): Message-ID {recipient_message_id(MESSAGE_ID, ADDRESSES[1])}" in err
    assert summary(out) == "naerpoliti newsletter send: sent 4, skipped (already sent) 0, refused 0, " \
                           "remaining 0, unknown 1"
    assert [(e["recipient"], e["status"]) for e in site.log(recipients)] == \
        [(a, "unknown" if a == ADDRESSES[1] else "sent") for a in ADDRESSES]

    # the rerun says so again and sends nothing until told what became of it
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1 and "bo@example.dk" in err and "--resolve-unknown" in err and len(server.messages) == 5
    code, out, err = send(capsys, site, recipients, server.address, "--resolve-unknown", "sent")
    assert code == 0 and "unknown outcome" not in out and "to send:          0" in out  # the dry run
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--resolve-unknown", "sent")
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 5, refused 0, remaining 0"
    assert len(server.messages) == 5
    resolution = site.log(recipients)[-1]
    assert resolution["recipient"] == ADDRESSES[1] and resolution["status"] == "sent" and resolution["resolved"]


def test_ctrl_c_finishes_the_message_being_sent_logs_it_and_exits_130(site, smtp, capsys):
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        pytest.skip("SIGINT is handled in the main thread only")
    server = smtp(Mailbox(sigint_at=2))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 130
    assert "interrupted" in err and "run the same command again to continue" in err
    assert summary(out) == "naerpoliti newsletter send: sent 2, skipped (already sent) 0, refused 0, remaining 3"
    assert server.recipients() == ADDRESSES[:2]
    assert [e["recipient"] for e in site.log(recipients)] == ADDRESSES[:2]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ADDRESSES


def test_a_log_line_cut_off_by_a_crash_is_ignored(site, smtp, capsys):
    server = smtp()
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    log = site.private / f"{recipients.name}.lokalsamfund-skibby-2026-11.log"
    entry = {"time": "2026-11-01T08:00:00+00:00", "recipient": "anna@example.dk",
             "message-id": recipient_message_id(MESSAGE_ID, "anna@example.dk"), "status": "sent",
             "issue": MESSAGE_ID}  # a log of an earlier version: no start line
    log.write_text(json.dumps(entry) + '\n{"time": "2026-11-01T08:00:01+00:00", "recip', encoding="utf-8")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert "begun by an earlier version" in err
    assert summary(out) == "naerpoliti newsletter send: sent 4, skipped (already sent) 1, refused 0, remaining 0"
    assert server.recipients() == ADDRESSES[1:]
    assert [e["recipient"] for e in site.log(recipients)] == ADDRESSES  # the cut-off line is gone
    code, out, err = send(capsys, site, recipients, server.address, "--yes")  # and the log reads whole
    assert code == 0, err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 5, refused 0, remaining 0"


def test_a_log_of_another_issue_is_refused(site, capsys):
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    log = site.private / "other.log"
    log.write_text(json.dumps({"recipient": "anna@example.dk", "status": "sent", "issue": "<x@y.dk>"}) + "\n")
    code, out, err = send(capsys, site, recipients, free_port(), "--log", str(log))
    assert code == 2 and "this log is of another issue" in err


def test_invalid_recipients_are_all_listed_with_file_and_line(site, smtp, capsys):
    server = smtp()
    recipients = site.recipients("anna@example.dk\n# kommentar\nbo(at)example.dk\n\ncarl@example\n"
                                 "dorte@example.dk\nerik@@example.dk\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1
    lines = err.splitlines()
    assert [line.split(": error: ")[0] for line in lines[:-1]] == [f"{recipients}:3", f"{recipients}:5",
                                                                   f"{recipients}:7"]
    assert "'bo(at)example.dk' is not a valid email address" in lines[0]
    assert lines[-1] == "naerpoliti: 3 errors in the recipients file; nothing was sent"
    assert server.messages == [] and not list(site.private.glob("*.log"))


def test_csv_with_an_email_column(site, smtp, capsys):
    server = smtp()
    recipients = site.recipients('navn;email;postnummer\n"Hansen; Anna";anna@example.dk;4050\n\n'
                                 'Bo;BO@example.dk;4050\nBo igen;bo@example.dk;3550\nCarl;carl@example.dk;\n',
                                 name="medlemmer.csv")
    code, out, err = send(capsys, site, recipients, server.address)
    assert code == 0, err
    assert "recipients:       3 (1 duplicate sent once)" in out
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ["anna@example.dk", "BO@example.dk", "carl@example.dk"]

    bad = site.recipients("navn,email\nAnna,anna@example.dk\nBo,\nCarl,carl@@example.dk\n", name="bad.csv")
    code, out, err = send(capsys, site, bad, server.address)
    assert code == 1
    assert err.splitlines()[:2] == [f"{bad}:3: error: no address in the email column",
                                    f"{bad}:4: error: 'carl@@example.dk' is not a valid email address: "
                                    + err.splitlines()[1].split("address: ", 1)[1]]
    nocolumn = site.recipients("navn,adresse\nAnna,anna@example.dk\n", name="nocolumn.csv")
    code, out, err = send(capsys, site, nocolumn, server.address)
    assert code == 1 and f"{nocolumn}:1: error:" in err and "'email'" in err


def test_recipients_file_inside_the_repository_is_refused(site, tmp_path, capsys):
    inside = site.root / "content" / "modtagere.txt"
    inside.parent.mkdir()
    inside.write_text("anna@example.dk\n")
    code, out, err = send(capsys, site, inside, free_port())
    assert code == 2 and "inside the site's git work tree" in err and "personal data" in err

    # a site root inside a larger git work tree: the whole work tree counts
    top = tmp_path / "mono"
    (top / ".git").mkdir(parents=True)
    root = top / "sites" / "skibby"
    (root / "site").mkdir(parents=True)
    (root / "localities.yaml").write_text("site: {}\n")
    (top / "modtagere.txt").write_text("anna@example.dk\n")
    code = main(["newsletter", "send", str(site.eml), "--root", str(root), "--recipients",
                 str(top / "modtagere.txt"), "--smtp", free_port()])
    assert code == 2 and "inside the site's git work tree" in capsys.readouterr().err

    # a log inside the repository is refused as well
    recipients = site.recipients("anna@example.dk\n")
    code, out, err = send(capsys, site, recipients, free_port(), "--log", str(site.root / "send.log"))
    assert code == 2 and "the log" in err


def test_an_issue_by_id_is_rendered_from_the_root_and_a_send_resumes(site_root, tmp_path, smtp, capsys):
    """No built site: send renders the issue as `newsletter render` does, the same bytes each time,
    so an interrupted send resumes; by the rendered file's path it is the same send (the same log)."""
    root = site_root({"content/news/a.md": news("Nyhed", "2026-11-20")})
    private = tmp_path / "private"
    private.mkdir()
    recipients = private / "modtagere.txt"
    recipients.write_text("\n".join(ADDRESSES) + "\n", encoding="utf-8")
    server = smtp(Mailbox(down_after=2))
    args = ["newsletter", "send", ISSUE_ID, "--root", str(root), "--today", "2026-11-22",
            "--recipients", str(recipients), "--smtp", server.address, "--yes"]
    assert main(args) == 1 and len(server.messages) == 2
    assert not (root / "site").exists()
    server.down_after = None
    assert main(args) == 0, capsys.readouterr().err
    assert server.recipients() == ADDRESSES
    eml = root / "newsletters/lokalsamfund-skibby-2026-11/nyhedsbrev.eml"
    assert main(["newsletter", "render", ISSUE_ID, "--root", str(root), "--today", "2026-11-22",
                 "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again/nyhedsbrev.eml").read_bytes() == eml.read_bytes()
    sent = email.message_from_bytes(server.messages[0][2], policy=policy.default)
    assert sent["Subject"] == "Testpoliti – Skibby, november 2026"
    capsys.readouterr()
    code = main(["newsletter", "send", str(eml), "--root", str(root), "--recipients", str(recipients),
                 "--smtp", server.address, "--yes"])
    assert code == 0 and "skipped (already sent) 5" in capsys.readouterr().out
    # the next day the current period's issue has grown (its date moved): not the send that began
    later = [*args]
    later[later.index("--today") + 1] = "2026-11-23"
    code = main(later)
    assert code == 2 and "is not the issue this send began with" in capsys.readouterr().err


def test_an_unknown_issue_says_how_to_list_the_issues(site_root, tmp_path, capsys):
    root = site_root({"content/news/a.md": news("Nyhed", "2026-11-20")})
    recipients = tmp_path / "modtagere.txt"
    recipients.write_text("anna@example.dk\n", encoding="utf-8")
    for issue, expected in [("lokalsamfund/skibby/2025-11", f"newsletter list lokalsamfund/skibby --root {root}"),
                            ("kommune/nowhere/2026-11", f"newsletter list --root {root}")]:
        code = main(["newsletter", "send", issue, "--root", str(root), "--today", "2026-11-22",
                     "--recipients", str(recipients), "--smtp", free_port()])
        err = capsys.readouterr().err
        assert code == 1 and f"there is no newsletter issue {issue}" in err and expected in err, err
        assert "Traceback" not in err
    for issue in ("skibby", str(tmp_path / "nyhedsbrev.eml")):
        code = main(["newsletter", "send", issue, "--root", str(root), "--recipients", str(recipients),
                     "--smtp", free_port()])
        assert code == 2 and "naerpoliti: error:" in capsys.readouterr().err


def test_password_only_from_the_environment(site, capsys, monkeypatch):
    recipients = site.recipients("anna@example.dk\n")
    monkeypatch.delenv("NAERPOLITI_SMTP_PASSWORD", raising=False)
    code, out, err = send(capsys, site, recipients, free_port(), "--user", USER)
    assert code == 2 and "NAERPOLITI_SMTP_PASSWORD" in err and "never read from an argument" in err
    for option in (["--password", PASSWORD], ["--password-env", PASSWORD]):  # no password as an argument
        code, out, err = send(capsys, site, recipients, free_port(), "--user", USER, *option)
        assert code == 2 and "environment variable" in err and PASSWORD not in out + err
    monkeypatch.setenv("MIT_KODEORD", PASSWORD)
    code, out, err = send(capsys, site, recipients, "mail.example.dk:25", "--user", USER,
                          "--password-env", "MIT_KODEORD")
    assert code == 2 and "unencrypted" in err  # a password is not sent in clear text to another host


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_environment(site, smtp, capsys, monkeypatch):
    server = smtp(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    recipients = site.recipients("\n".join(ADDRESSES[:2]) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1 and "530" in err and server.messages == []  # the server wants a login

    monkeypatch.setenv("NAERPOLITI_SMTP_PASSWORD", "forkert")
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--user", USER)
    assert code == 1 and f"refused the login as {USER}: 535" in err and server.messages == []
    assert "forkert" not in out + err

    monkeypatch.setenv("NAERPOLITI_SMTP_PASSWORD", PASSWORD)
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--user", USER)
    assert code == 0, err
    assert server.recipients() == ADDRESSES[:2]
    log = (site.private / f"{recipients.name}.lokalsamfund-skibby-2026-11.log").read_text()
    assert PASSWORD not in out + err + log


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A test CA the client trusts (through SSL_CERT_FILE) and the server context of a certificate for
    127.0.0.1 that it signed."""
    trustme = pytest.importorskip("trustme", reason="trustme (in the test extra) makes the test certificates")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    return context


def test_starttls_and_login(site, smtp, tls, capsys, monkeypatch):
    server = smtp(tls_context=tls, require_starttls=True, authenticator=authenticator, auth_required=True)
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    monkeypatch.setenv("NAERPOLITI_SMTP_PASSWORD", PASSWORD)
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--starttls", "--user", USER)
    assert code == 0, err
    assert server.recipients() == ADDRESSES

    # a certificate the client does not trust: stop before sending anything
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_FILE", str(site.private / "no-such-ca.pem"))
    other = site.recipients("anna@example.dk\n", name="andre.txt")
    code, out, err = send(capsys, site, other, server.address, "--yes", "--starttls", "--user", USER)
    assert code == 1 and "certificate verify failed" in err and len(server.messages) == 5


def test_implicit_tls(site, smtp, tls, capsys):
    server = smtp(ssl_context=tls)
    recipients = site.recipients("\n".join(ADDRESSES[:3]) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--ssl")
    assert code == 0, err
    assert server.recipients() == ADDRESSES[:3]


def test_refusals_from_the_start_stop_the_run(site, smtp, capsys):
    many = [f"person{i}@example.dk" for i in range(8)]
    server = smtp(Mailbox(refuse=set(many)))
    recipients = site.recipients("\n".join(many) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1 and "refused the first 5 recipients" in err and "--retry-refused" in err
    assert summary(out) == "naerpoliti newsletter send: sent 0, skipped (already sent) 0, refused 5, remaining 3"
    server.refuse.clear()  # the settings are fixed
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--retry-refused")
    assert code == 0, err
    assert server.recipients() == many


def test_rate(site, smtp, capsys):
    server = smtp()
    recipients = site.recipients("\n".join(ADDRESSES[:3]) + "\n")
    start = time.monotonic()
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--rate", "20")
    assert code == 0, err
    # a lower bound (two waits of 1/20 s between three messages): load only makes it longer
    assert time.monotonic() - start >= 2 / 20
    with pytest.raises(SystemExit):
        main(["newsletter", "send", ISSUE_ID, "--recipients", str(recipients), "--smtp", "x:25", "--rate", "0"])


def test_addresses_differing_beyond_ascii_case_are_different_mailboxes(site, smtp, capsys):
    server = smtp(enable_SMTPUTF8=True)
    listed = ["straße@example.dk", "strasse@example.dk", "STRASSE@Example.DK", "Straße@example.dk",
              "é@example.dk", "e@example.dk"]
    recipients = site.recipients("\n".join(listed) + "\n")
    code, out, err = send(capsys, site, recipients, server.address)
    assert code == 0 and "recipients:       4 (2 duplicates sent once)" in out
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    # only the case of ASCII letters makes two lines one mailbox (STRASSE@ is strasse@, Straße@ is straße@);
    # ß is not ss, é is not e
    assert server.recipients() == ["straße@example.dk", "strasse@example.dk", "é@example.dk", "e@example.dk"]
    assert len({m["Message-ID"] for m in server.parsed()}) == 4
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0 and len(server.messages) == 4


def test_a_rebuilt_issue_does_not_resume_a_send(site, smtp, capsys):
    server = smtp(Mailbox(down_after=2))
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 1 and len(server.messages) == 2
    start = site.records(recipients)[0]
    assert start["status"] == "start" and start["sha256"] == hashlib.sha256(site.eml.read_bytes()).hexdigest()

    original = site.eml.read_bytes()
    site.eml.write_bytes(original.replace(b"Ring 114", b"Ring 114 (ny nyhed)"))  # rebuilt, same Message-ID
    server.down_after = None
    for extra in ((), ("--yes",)):
        code, out, err = send(capsys, site, recipients, server.address, *extra)
        assert code == 2 and "is not the issue this send began with" in err and "--new-send" in err
        assert "The 2 recipients who have it" in err
    assert len(server.messages) == 2

    site.eml.write_bytes(original)  # built as it was: the send continues
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    assert code == 0, err
    assert server.recipients() == ADDRESSES

    # a new send, explicitly: everyone, the new content, new Message-IDs; the log keeps the first send
    site.eml.write_bytes(original.replace(b"Ring 114", b"Ring 114 (ny nyhed)"))
    code, out, err = send(capsys, site, recipients, server.address, "--new-send")
    assert code == 0 and "to send:          5" in out
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--new-send")
    assert code == 0, err
    assert server.recipients() == ADDRESSES * 2
    assert all(b"ny nyhed" in data for _, _, data in server.messages[5:])
    first, second = ({m["Message-ID"] for m in server.parsed()[i:i + 5]} for i in (0, 5))
    assert len(second) == 5 and not first & second
    code, out, err = send(capsys, site, recipients, server.address, "--yes")  # and it resumes as usual
    assert code == 0 and "skipped (already sent) 5" in out and len(server.messages) == 10


def test_resolve_unknown_is_checked(site, smtp, capsys):
    server = smtp(Mailbox(lose_reply_at=1))
    recipients = site.recipients("\n".join(ADDRESSES[:3]) + "\n")
    assert send(capsys, site, recipients, server.address, "--yes")[0] == 1
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--resolve-unknown", "sent=bo@example.dk")
    assert code == 2 and "no unknown outcome for bo@example.dk" in err
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--resolve-unknown", "sent",
                          "--resolve-unknown", "resend")
    assert code == 2
    with pytest.raises(SystemExit):
        main(["newsletter", "send", ISSUE_ID, "--recipients", str(recipients), "--smtp", "x:25",
              "--resolve-unknown", "maybe"])
    capsys.readouterr()
    # resend: the operator's choice, said out loud: the message goes again, with the same Message-ID
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--resolve-unknown",
                          "resend=Anna@example.dk")
    assert code == 0, err
    assert server.recipients() == ["anna@example.dk", "bo@example.dk", "carl@example.dk", "anna@example.dk"]
    ids = [m["Message-ID"] for m in server.parsed()]
    assert ids[0] == ids[3]
