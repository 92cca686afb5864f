"""Encoded answers of small requests, kept for identical requests (bounded, per worker).

A class on one scene sends the same request many times: every page opening the
link, every student stepping through the teacher's scene. The live channel's
small requests (``Operation.inline``) are deterministic functions of their
body (noise is seeded), so the encoded answer of one serves every identical
body. The key is the operation, the frame kind (JSON or binary) and the body
as canonical JSON (keys sorted, so key order does not matter); only bodies
that validated and answered are stored, so a hit skips validation too. A
cached answer repeats its first computation's ``elapsed_ms``.

Least recently used entries go first past ``limits.ANSWER_CACHE_ENTRIES``
entries or ``limits.ANSWER_CACHE_BYTES`` bytes of keys and answers; an answer
over a quarter of the byte bound is not kept.
"""

from __future__ import annotations

import collections
from typing import Any

import orjson

from .. import limits
from .encoding import BinaryBody

Answer = bytes | BinaryBody


def answer_size(answer: Answer) -> int:
    """Bytes an answer holds (a binary answer's skeleton and blob)."""
    if isinstance(answer, BinaryBody):
        return len(answer.skeleton) + len(answer.blob)
    return len(answer)


def request_key(kind: str, binary: bool, body: Any) -> bytes | None:
    """The cache key of a request body (parsed JSON), or None if it cannot be one."""
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # e.g. keys that are not strings: never a valid body anyway
        return None
    return f"{kind}:{int(binary)}:".encode() + canonical


class AnswerCache:
    """A least-recently-used map of request keys to encoded answers, bounded in count and bytes."""

    def __init__(
        self,
        max_bytes: int = limits.ANSWER_CACHE_BYTES,
        max_entries: int = limits.ANSWER_CACHE_ENTRIES,
    ) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._entries: collections.OrderedDict[bytes, Answer] = collections.OrderedDict()
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: bytes, answer: Answer) -> None:
        size = len(key) + answer_size(answer)
        if size > self.max_bytes // 4:
            return  # one answer must not push out most of the others
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= len(key) + answer_size(old)
        self._entries[key] = answer
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
            k, v = self._entries.popitem(last=False)
            self.bytes -= len(k) + answer_size(v)

    def clear(self) -> None:
        """Empty the cache and its hit and miss counts."""
        self._entries.clear()
        self.bytes = self.hits = self.misses = 0
