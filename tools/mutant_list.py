"""The promises of the README's Security and Delivery semantics sections, each
with one hand-written change that breaks it and the tests that must catch it
(tools/mutants.py runs them). A promise added to those sections gets a mutant
here.
"""

from __future__ import annotations

from dataclasses import dataclass

SECURITY = "Security"
DELIVERY = "Delivery semantics"


@dataclass(frozen=True)
class Mutant:
    name: str
    promise: str  # what the change breaks, in the README's words
    section: str
    path: str  # inside the smswire package
    original: str  # found exactly once in that file
    mutated: str
    tests: tuple[str, ...]  # paths or node ids, relative to the checkout


MUTANTS: tuple[Mutant, ...] = (
    # -- Security ---------------------------------------------------------------
    Mutant(
        "tls-floor",
        "TLS 1.2 or newer",
        SECURITY,
        "tls.py",
        "TLS_FLOOR = ssl.TLSVersion.TLSv1_2",
        "TLS_FLOOR = ssl.TLSVersion.TLSv1",
        ("tests/test_tls.py", "tests/smpp/test_connection.py", "tests/link/test_client.py"),
    ),
    Mutant(
        "tls-any-context",
        "a given SSLContext that does not verify both is refused",
        SECURITY,
        "tls.py",
        "if not context.check_hostname or context.verify_mode != ssl.CERT_REQUIRED:",
        "if False:",
        ("tests/test_tls.py", "tests/smpp/test_client.py", "tests/link/test_client.py"),
    ),
    Mutant(
        "tls-no-host-check",
        "the host name checked",
        SECURITY,
        "tls.py",
        "    if context.minimum_version < TLS_FLOOR:",
        "    context.check_hostname = False\n    if context.minimum_version < TLS_FLOOR:",
        ("tests/test_tls.py", "tests/smpp/test_connection.py", "tests/link/test_client.py"),
    ),
    Mutant(
        "link-plain-http",
        "the legacy http:// URL needs allow_insecure_http=True",
        SECURITY,
        "link/client.py",
        "            if not allow_insecure_http:",
        "            if False:",
        ("tests/link/test_client.py", "tests/link/test_blocking.py"),
    ),
    Mutant(
        "smpp-password-repr",
        "passwords never appear in reprs",
        SECURITY,
        "smpp/credentials.py",
        "    password: str = field(repr=False)",
        "    password: str = field(repr=True)",
        ("tests/smpp/test_credentials.py", "tests/smpp/test_client.py"),
    ),
    Mutant(
        "link-password-logs",
        "passwords never appear in logs",
        SECURITY,
        "link/logs.py",
        "        if redacted != message:\n            record.msg, record.args = redacted, ()",
        "        if False:\n            record.msg, record.args = redacted, ()",
        ("tests/link/test_logs.py", "tests/link/test_client.py"),
    ),
    Mutant(
        "xml-entities",
        "the report receiver parses XML with defusedxml",
        SECURITY,
        "link/reports.py",
        "        root = SafeElementTree.fromstring(body, forbid_dtd=True)",
        "        import xml.etree.ElementTree as Unsafe\n\n        root = Unsafe.fromstring(body)",
        ("tests/link/test_reports.py", "tests/link/test_receiver.py"),
    ),
    Mutant(
        "forwarded-for-believed",
        "believing X-Forwarded-For only from proxies you name",
        SECURITY,
        "link/receiver.py",
        "    if peer is None or not trusted_proxies or not _within(peer, trusted_proxies):",
        "    if peer is None:",
        ("tests/link/test_receiver.py",),
    ),
    # -- Delivery semantics -----------------------------------------------------
    Mutant(
        "at-most-once-resends",
        "AT_MOST_ONCE reports those as unknown instead: no duplicates",
        DELIVERY,
        "smpp/pump.py",
        "        if not (resubmit and self.delivery is Delivery.AT_LEAST_ONCE):",
        "        if not resubmit:",
        ("tests/smpp/test_client.py", "tests/smpp/test_pump.py"),
    ),
    Mutant(
        "at-least-once-drops",
        "at-least-once (the default): nothing is lost",
        DELIVERY,
        "smpp/pump.py",
        "        if not (resubmit and self.delivery is Delivery.AT_LEAST_ONCE):",
        "        if True:",
        ("tests/smpp/test_client.py", "tests/smpp/test_pump.py"),
    ),
    Mutant(
        "partial-is-not-sent",
        "a message whose first parts were accepted and whose last never left is unknown",
        DELIVERY,
        "smpp/pump.py",
        "            if outcome is Outcome.NOT_SENT and job.accepted:",
        "            if False:",
        ("tests/smpp/test_client.py", "tests/smpp/test_pump.py"),
    ),
    Mutant(
        "resubmitted-forever",
        "every resubmission and retry of a part counts against Limits.retries",
        DELIVERY,
        "smpp/pump.py",
        "            elif part.retries > self._retries:",
        "            elif False:",
        ("tests/smpp/test_pump_wire.py",),
    ),
    Mutant(
        "throttled-forever",
        "ESME_RTHROTTLED ... retried with back-off ... counts against Limits.retries",
        DELIVERY,
        "smpp/pump.py",
        "            self._throttling.throttled(loop.time())",
        "            self._throttling.throttled(loop.time())\n"
        "            self._queue.appendleft(part)\n            return",
        ("tests/smpp/test_pump_wire.py",),
    ),
    Mutant(
        "cancelled-still-written",
        "cancelling withdraws every part not yet written",
        DELIVERY,
        "smpp/pump.py",
        "            if withdrawn:",
        "            withdrawn = []\n            if withdrawn:",
        ("tests/smpp/test_pump_wire.py",),
    ),
    Mutant(
        "cancelled-resubmitted",
        "cancelled parts already on the wire are not sent again, even under at-least-once",
        DELIVERY,
        "smpp/pump.py",
        "            if part.job.batch.future.done():\n"
        "                self._settle_withdrawn(part)\n            elif",
        "            if False:\n                pass\n            elif",
        ("tests/smpp/test_pump_wire.py",),
    ),
    Mutant(
        "link-resends-unknown",
        "after a read timeout the message is unknown, never resent",
        DELIVERY,
        "link/exchange.py",
        "        return self.connecting and not self.written",
        "        return True",
        ("tests/link/test_exchange.py", "tests/link/test_client.py", "tests/link/test_blocking.py"),
    ),
    Mutant(
        "early-receipt-lost",
        "an SMPP receipt that arrives before its submit_sm_resp still correlates",
        DELIVERY,
        "smpp/receiving.py",
        "                    self._name(held, key, message)\n                    self._ready(held)",
        "                    self._ready(held)",
        ("tests/smpp/test_receiving.py", "tests/smpp/test_client.py"),
    ),
    Mutant(
        "handler-error-acknowledged",
        "a receipt is acknowledged only once the application has it",
        DELIVERY,
        "smpp/receiving.py",
        "                    self._answer(batch, accept=False)",
        "                    self._answer(batch, accept=True)",
        ("tests/smpp/test_receiving.py",),
    ),
    Mutant(
        "outbox-ack-before-commit",
        "the outbox acknowledges a receipt only once it is committed",
        DELIVERY,
        "outbox/inbound.py",
        "            keys = await self._outbox.record_inbound(self.route, list(items))",
        "            keys = [None for _ in items]",
        ("tests/outbox/test_inbound.py", "tests/outbox/test_worker.py"),
    ),
    Mutant(
        "report-200-before-handler",
        "the LINK receiver answers 200 only after your handler has taken the report",
        DELIVERY,
        "link/receiver.py",
        "        if await self._handler.took(report):",
        "        if await self._handler.took(report) or True:",
        ("tests/link/test_receiver.py",),
    ),
    Mutant(
        "outcome-unknown-retried",
        "unknown (it may have been sent: reconcile, never resend blindly)",
        DELIVERY,
        "errors.py",
        "class OutcomeUnknown(SmswireError):",
        "class OutcomeUnknown(TransportError):",
        ("tests/test_errors.py", "tests/test_message.py", "tests/link/test_client.py"),
    ),
)
