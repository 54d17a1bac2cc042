"""Fault injection rules, set per test through `POST /_admin/faults`.

A rule is a JSON object; every key is optional::

    {"path": "*model.safetensors",   # fnmatch glob on the request's decoded path (for the CDN: also the repo file path)
     "target": "any",                # "api", "cdn", "cas" (the Xet CAS server) or "any"
     "method": "GET",                # only this method
     "count": 1,                     # how many responses it fires on (null: all of them)
     "status": 503, "retry_after": 1,  # answer this status (429/503/...) with Retry-After instead of the real answer
     "drop_after": 1000,             # close the connection after sending this many body bytes
     "corrupt_at": 12345,            # flip the byte at this offset of the file (if the response covers it)
     "stall": 2.0, "stall_at": 0,    # sleep this long before the headers, or after `stall_at` body bytes
     "rate": 1048576,                # send the body at most this many bytes per second (a slow link)
     "xet": "corrupt_chunk"}         # a fault of Xet storage (xet_faults.py), on the CAS or the bridge; nothing else

A rule only counts as fired on a response it actually affects (a drop on a body shorter than `drop_after` does not).
A stall ends early when the client hangs up, so an abandoned response is logged at once, not after the stall.
"""
import fnmatch
import threading
from dataclasses import dataclass, field

from .xet_faults import KINDS as XET_KINDS

_KEYS = {"path", "target", "method", "count", "status", "retry_after", "drop_after", "corrupt_at", "stall", "stall_at",
         "rate", "xet"}


@dataclass
class FaultRule:
    path: str = "*"
    target: str = "any"
    method: str | None = None
    count: int | None = 1
    status: int | None = None
    retry_after: float | None = None
    drop_after: int | None = None
    corrupt_at: int | None = None
    stall: float | None = None
    stall_at: int | None = None
    rate: int | None = None
    xet: str | None = None
    fired: int = 0

    @classmethod
    def from_json(cls, data: dict) -> "FaultRule":
        unknown = set(data) - _KEYS
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}; known keys: {sorted(_KEYS)}")
        if data.get("target", "any") not in ("api", "cdn", "cas", "any"):
            raise ValueError('target must be "api", "cdn", "cas" or "any"')
        if data.get("xet") is not None and data["xet"] not in XET_KINDS:
            raise ValueError(f"xet must be one of {list(XET_KINDS)}")
        if data.get("rate") is not None and not (isinstance(data["rate"], int) and data["rate"] > 0):
            raise ValueError("rate must be a positive number of bytes per second")
        return cls(**data)

    def matches(self, target: str, method: str, paths: tuple[str, ...]) -> bool:
        if self.target not in ("any", target) or (self.method and self.method.upper() != method):
            return False
        if self.count is not None and self.fired >= self.count:
            return False
        return any(fnmatch.fnmatchcase(p, self.path) for p in paths)

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class FaultPlan:
    """What to do to one response, decided once when the response starts."""

    status: int | None = None
    retry_after: float | None = None
    stall_before: float = 0.0
    drop_after: int | None = None  # body bytes
    corrupt_at: list[int] = field(default_factory=list)  # body offsets
    stall_at: int | None = None
    stall_for: float = 0.0
    rate: int | None = None  # body bytes per second

    @property
    def touches_body(self) -> bool:
        return (self.drop_after is not None or bool(self.corrupt_at) or self.stall_at is not None
                or self.rate is not None)

    def describe(self) -> str | None:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if v not in (None, 0.0, [])]
        return ",".join(parts) or None


class FaultBook:
    """The active rules (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, payload) -> list[dict]:
        rules = [FaultRule.from_json(item) for item in (payload if isinstance(payload, list) else [payload])]
        with self._lock:
            self._rules.extend(rules)
        return [r.as_json() for r in rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def active(self) -> bool:
        with self._lock:
            return any(r.count is None or r.fired < r.count for r in self._rules)

    def rules(self) -> list[dict]:
        with self._lock:
            return [r.as_json() for r in self._rules]

    def plan(self, target: str, method: str, paths: tuple[str, ...], body_start: int | None = None,
             body_length: int = 0) -> FaultPlan:
        """Fire the matching rules for a response whose body covers file bytes [body_start, body_start+length)."""
        plan = FaultPlan()
        has_body = method != "HEAD" and body_start is not None
        with self._lock:
            for rule in self._rules:
                if rule.xet or not rule.matches(target, method, paths):
                    continue
                fired = False
                if rule.status is not None and plan.status is None:
                    plan.status, plan.retry_after, fired = rule.status, rule.retry_after, True
                if rule.stall is not None and rule.stall_at is None:
                    plan.stall_before, fired = plan.stall_before + rule.stall, True
                if has_body and rule.stall is not None and rule.stall_at is not None and rule.stall_at < body_length:
                    plan.stall_at, plan.stall_for, fired = rule.stall_at, rule.stall, True
                if has_body and rule.drop_after is not None and rule.drop_after < body_length:
                    plan.drop_after = min(rule.drop_after, plan.drop_after or rule.drop_after)
                    fired = True
                if has_body and rule.rate is not None and body_length > 0:
                    plan.rate = min(rule.rate, plan.rate or rule.rate)
                    fired = True
                if has_body and rule.corrupt_at is not None and body_start <= rule.corrupt_at < body_start + body_length:
                    plan.corrupt_at.append(rule.corrupt_at - body_start)
                    fired = True
                if fired:
                    rule.fired += 1
        return plan

    def xet_fault(self, target: str, method: str, paths: tuple[str, ...], kinds: tuple[str, ...]) -> str | None:
        """Fire the first matching Xet rule of one of `kinds` and return its kind."""
        with self._lock:
            for rule in self._rules:
                if rule.xet in kinds and rule.matches(target, method, paths):
                    rule.fired += 1
                    return rule.xet
        return None

    def xet_pending(self, paths: tuple[str, ...]) -> bool:
        """Whether a Xet rule for the bridge ("cdn" or "any") would match these paths, without firing it."""
        with self._lock:
            return any(rule.xet and rule.matches("cdn", "GET", paths) for rule in self._rules)
