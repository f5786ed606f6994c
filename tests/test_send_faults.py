"""Fault injection for `naerpoliti newsletter send`: real SMTP servers on loopback that drop the
connection, answer too late or answer 4xx at each step of the transaction, and a sender killed
(SIGKILL) at each step. After each, the same command is run again until it is done, resolving unknown
outcomes as an operator would (from what the server stored), and the test checks what the server
stored and what the log says: nobody skipped, nobody sent a message twice, and every unknown outcome
reported with exit status 1 before anything more is sent to that recipient."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
import test_send  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402
from test_send import ADDRESSES, ISSUE_ID, Controller, Mailbox, send  # noqa: E402

from naerpoliti.commands.send import recipient_message_id  # noqa: E402

HANG_GUARD = 60  # seconds: only so that a broken test ends
site = test_send.site  # the fixture: a site root with one built issue


class FaultySMTP(SMTP):
    """aiosmtpd's SMTP with a hook at the DATA command itself (before its 354)."""

    async def smtp_DATA(self, arg: str) -> None:
        reply = await self.event_handler.fault("data", self)
        if reply == "":
            return  # the connection is gone
        if reply is not None:
            await self.push(reply)
            return
        await super().smtp_DATA(arg)


class FaultController(Controller):
    def factory(self):
        return FaultySMTP(self.handler, **self.SMTP_kwargs)


class Faults(Mailbox):
    """A Mailbox with one fault, once: at the nth time a client reaches `stage` ("ehlo", "mail",
    "rcpt", "data": the DATA command, "end": the end of the message, "quit"), `action`:
    "drop" (close the connection without an answer), "slow" (answer only when the test is done, long
    after the client's timeout), a reply such as "451 4.3.0 Try later", or "kill" (SIGKILL the sending
    process and wait for it to die). At "end", stored says whether the message is stored first."""

    def __init__(self, stage, n, action, stored=True):
        super().__init__()
        self.stage, self.n, self.action, self.stored = stage, n, action, stored
        self.seen = Counter()
        self.fired = False
        self.release = threading.Event()
        self.victim = None  # the sending process, for "kill"
        self.victim_set = threading.Event()

    async def fault(self, stage, server):
        """None: carry on; "": the connection was closed; else the reply to give instead."""
        self.seen[stage] += 1
        if self.fired or stage != self.stage or self.seen[stage] != self.n:
            return None
        self.fired = True
        if self.action == "drop":
            server.transport.close()
            return ""
        if self.action == "slow":
            end = time.monotonic() + HANG_GUARD
            while not self.release.is_set() and time.monotonic() < end:
                await asyncio.sleep(0.02)
            return None
        if self.action == "kill":
            assert self.victim_set.wait(HANG_GUARD)
            os.kill(self.victim.pid, signal.SIGKILL)
            self.victim.wait(HANG_GUARD)
            return None
        return self.action

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # this hook's duty, in aiosmtpd
        reply = await self.fault("ehlo", server)
        return [reply] if reply else responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = await self.fault("mail", server)
        return reply if reply is not None else await super().handle_MAIL(server, session, envelope, address,
                                                                          mail_options)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = await self.fault("rcpt", server)
        return reply if reply is not None else await super().handle_RCPT(server, session, envelope, address,
                                                                          rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        at_fault = not self.fired and self.stage == "end" and self.seen["end"] + 1 == self.n
        if at_fault and self.stored or not at_fault:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        reply = await self.fault("end", server)
        if reply is not None:
            return reply or "250 OK"  # after "drop" it never reaches the client
        return "250 2.0.0 OK: queued"

    async def handle_QUIT(self, server, session, envelope):
        await self.fault("quit", server)
        return "221 Bye"


@pytest.fixture
def faulty():
    """faulty(stage, n, action, stored=True) -> the handler, listening at handler.address."""
    started = []

    def start(*args, **kwargs) -> Faults:
        handler = Faults(*args, **kwargs)
        controller = FaultController(handler, hostname="127.0.0.1", port=0, server_hostname="mail.test")
        controller.start()
        started.append((controller, handler))
        handler.address = f"127.0.0.1:{controller.port}"
        return handler

    yield start
    for controller, handler in started:
        handler.release.set()
        controller.stop()


# --- what the log says -------------------------------------------------------------------------------

def last_status(site, recipients) -> dict[str, str]:
    """Each recipient's last line in the log (of the current send)."""
    states = {}
    for e in site.records(recipients):
        if e["status"] != "start":
            states[e["recipient"]] = e["status"]
    return states


def unknown_in_log(site, recipients) -> list[str]:
    return [r for r, s in last_status(site, recipients).items() if s in ("attempt", "unknown")]


def finish(capsys, site, recipients, server, *extra, runs=4):
    """Runs the command again until it is done, as an operator would: an unknown outcome stops the run
    with exit 1, sends nobody anything and names the recipient; the operator looks at what the server
    stored and answers --resolve-unknown sent=ADDRESS or resend=ADDRESS. Returns the unknowns met."""
    met = []
    for _ in range(runs):
        before = len(server.messages)
        code, out, err = send(capsys, site, recipients, server.address, "--yes", *extra)
        if code == 0:
            assert "may or may not have been delivered" not in err
            return met
        assert code == 1, err
        unknown = unknown_in_log(site, recipients)
        if not unknown:  # a stop of another kind (a temporary failure): the next run continues
            continue
        assert "may or may not have been delivered" in err
        for address in unknown:
            assert address in err
        met += unknown
        # the run that reports them sends nothing more to them
        if "unknown" in out.splitlines()[-1]:
            assert not set(server.recipients()[before:]) & set(unknown)
        stored = len(server.messages)
        code, out, err = send(capsys, site, recipients, server.address, "--yes", *extra)
        assert code == 1 and len(server.messages) == stored  # nothing sent until they are resolved
        assert set(unknown) <= {a for a in ADDRESSES if a in err}
        stored = set(server.recipients())
        answers = [f"{'sent' if a in stored else 'resend'}={a}" for a in unknown]
        extra = tuple(extra) + tuple(x for answer in answers for x in ("--resolve-unknown", answer))
    raise AssertionError(f"not done after {runs} runs")


def assert_exactly_once(site, recipients, server):
    """Nobody skipped, nobody twice, and the log agrees with the server."""
    assert Counter(server.recipients()) == Counter(ADDRESSES)
    assert last_status(site, recipients) == dict.fromkeys(ADDRESSES, "sent")
    for (_, (rcpt,), _data), msg in zip(server.messages, server.parsed(), strict=True):
        assert msg["Message-ID"] == recipient_message_id("<nyhedsbrev.lokalsamfund-skibby.2026-11@test.example.dk>",
                                                         rcpt)


# --- a connection lost --------------------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "n", "stored"), [
    ("ehlo", 1, False), ("mail", 2, False), ("rcpt", 3, False),  # before the attempt: not delivered
    ("data", 2, False),  # after the attempt, before the 354: not delivered, sent again at once
    ("end", 1, True), ("end", 3, True), ("end", 5, True),  # stored, the 250 lost: unknown
    ("end", 2, False),  # the whole message sent, the server gone before storing it: unknown too
])
def test_connection_lost(site, faulty, capsys, stage, n, stored):
    server = faulty(stage, n, "drop", stored=stored)
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    if stage == "end":  # nobody can know: reported, not sent again, the others sent
        assert code == 1 and "may or may not have been delivered" in err
        assert unknown_in_log(site, recipients) == [ADDRESSES[n - 1]]
        assert Counter(server.recipients()) == Counter(a for a in ADDRESSES if stored or a != ADDRESSES[n - 1])
        assert out.splitlines()[-1].endswith("remaining 0, unknown 1")
    else:  # known not delivered: connected again and sent in the same run
        assert code == 0, err
    met = finish(capsys, site, recipients, server)
    assert met == ([ADDRESSES[n - 1]] if stage == "end" else [])
    assert_exactly_once(site, recipients, server)


# --- a server that answers too late ---------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "n"), [("ehlo", 1), ("mail", 2), ("rcpt", 4), ("data", 3), ("end", 2)])
def test_answer_after_the_timeout(site, faulty, capsys, stage, n):
    # the timeout is what makes the client give up; the server answers only when the test ends, so the
    # test does not depend on how fast the machine is
    server = faulty(stage, n, "slow")
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes", "--timeout", "3")
    if stage == "end":  # stored, no answer in time: unknown
        assert code == 1 and unknown_in_log(site, recipients) == [ADDRESSES[n - 1]]
        assert "timed out" in err
    else:
        assert code == 0, err
    finish(capsys, site, recipients, server)
    assert_exactly_once(site, recipients, server)


# --- temporary refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "n", "reply"), [
    ("mail", 2, "451 4.3.0 Mail server temporarily rejected message"),
    ("rcpt", 3, "452 4.2.2 Mailbox full"),
    ("data", 2, "451 4.3.0 Try again later"),
    ("end", 4, "451 4.7.1 Greylisted, try again later"),
    ("end", 2, "421 4.3.2 Service shutting down"),  # not taken, and the connection closes
    ("mail", 1, "421 4.7.0 Too many connections"),
])
def test_temporary_refusal(site, faulty, capsys, stage, n, reply):
    server = faulty(stage, n, reply, stored=False)
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    code, out, err = send(capsys, site, recipients, server.address, "--yes")
    if reply.startswith("421"):  # connected again, the rest sent in the same run
        assert code == 0, err
    else:
        assert code == 1 and "a temporary failure" in err and reply in err
        assert not unknown_in_log(site, recipients)
        assert len(server.messages) == n - 1
        if stage in ("data", "end"):  # an attempt, then its outcome: not delivered
            assert last_status(site, recipients)[ADDRESSES[n - 1]] == "failed"
    assert finish(capsys, site, recipients, server) == []
    assert_exactly_once(site, recipients, server)


# --- the sender killed ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "n", "stored", "unknown"), [
    ("ehlo", 1, False, False),  # before anything
    ("mail", 1, False, False),  # before the first MAIL's answer
    ("mail", 3, False, False),  # after the 2nd outcome was logged
    ("rcpt", 2, False, False),  # after MAIL, before the attempt is logged
    ("data", 2, False, True),  # after the attempt was logged, before the message was sent
    ("end", 2, True, True),  # after the message was sent and stored, before the answer
    ("end", 4, False, True),  # after the message was sent, not stored
    ("end", 5, True, True),  # the last one
    ("quit", 1, False, False),  # after every outcome was logged
])
def test_sender_killed(site, faulty, capsys, stage, n, stored, unknown):
    server = faulty(stage, n, "kill", stored=stored)
    recipients = site.recipients("\n".join(ADDRESSES) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "naerpoliti", "newsletter", "send", str(site.eml), "--root", str(site.root),
         "--recipients", str(recipients), "--smtp", server.address, "--yes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    server.victim = proc
    server.victim_set.set()
    proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == -signal.SIGKILL and server.fired

    states = last_status(site, recipients)
    expected_unknown = [ADDRESSES[n - 1]] if unknown else []
    assert unknown_in_log(site, recipients) == expected_unknown
    assert list(states.values()).count("sent") == len(server.messages) - (1 if unknown and stored else 0)
    met = finish(capsys, site, recipients, server)
    assert met == expected_unknown
    assert_exactly_once(site, recipients, server)
