"""What a room is made of: join codes, teacher tokens, and the validated messages.

Join code: ``CODE_LENGTH`` characters of ``CODE_ALPHABET`` (31 symbols without the
look-alikes 0/O, 1/I/L), drawn with ``secrets``: 31**8 ~ 8.5e11 codes, 39.6 bits.
With wrong codes limited to ``MAX_ROOM_JOINS_PER_MINUTE`` per client address,
finding one of even a thousand open rooms by guessing takes decades per address.

Teacher token: 128 random bits (``secrets.token_urlsafe(16)``). The broker
stores only its SHA-256; comparison is constant-time.

A room's *state* is the teacher page's URL hash (``k=v&k=v``, the codec's own
text): the server checks its size and alphabet, the pages decode and normalise
it with the same property table as a link. Nothing else a client sends is
trusted either: questions and votes are pydantic models with finite floats,
bounded strings and no unknown fields.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from .. import limits

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_BITS = CODE_LENGTH * 4.954  # log2(31) per character
PAGES = ("surfaces", "networks")
PAGE_PATHS = {"surfaces": "/", "networks": "/network.html"}

_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
# One hash pair: a key, optionally "=value"; values use the codec's raw characters and %XX.
_PAIR_RE = re.compile(r"^[A-Za-z0-9_\-]{1,32}(=([A-Za-z0-9_.\-~!*:,]|%[0-9A-Fa-f]{2})*)?$")


def new_code() -> str:
    """A fresh join code (uniform over the alphabet)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    """A fresh teacher token: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Whether ``token`` is the room's teacher token (constant-time)."""
    if not token or len(token) > 128:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def normal_code(code: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be one."""
    text = code.strip().upper().replace("-", "").replace(" ", "")
    return text if _CODE_RE.match(text) else None


def state_problem(text: Any) -> str | None:
    """Why ``text`` is not a room state (a page's URL hash without '#'), or None."""
    if not isinstance(text, str):
        return "state must be a string: the page's URL hash without '#'"
    if len(text) > limits.MAX_ROOM_STATE_CHARS:
        return f"state of {len(text)} characters is over {limits.MAX_ROOM_STATE_CHARS}"
    for part in text.split("&") if text else []:
        if not _PAIR_RE.match(part):
            shown = part[:40]
            return (
                f"state part {shown!r} is not key=value with URL-safe characters "
                "(letters, digits, _ . - ~ ! * : , and %XX escapes)"
            )
    return None


# --------------------------------------------------------------------------- REST bodies


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CreateRoom(_Strict):
    """``POST /api/rooms``: which page the teacher drives."""

    page: Literal["surfaces", "networks"] = "surfaces"

    model_config = ConfigDict(json_schema_extra={"examples": [{"page": "surfaces"}]})


Coordinate = Annotated[float, Field(ge=-limits.MAX_COORDINATE, le=limits.MAX_COORDINATE)]
Choice = Annotated[str, Field(min_length=1, max_length=limits.MAX_CHOICE_CHARS)]
DEVICE_PATTERN = r"^[A-Za-z0-9_\-]{16,64}$"


class _Question(_Strict):
    prompt: str = Field(min_length=1, max_length=limits.MAX_QUESTION_CHARS)
    scene: str = Field(default="", max_length=64)
    step: int = Field(default=0, ge=0, le=999)


class ChoiceQuestion(_Question):
    """A question answered by picking one of 2 to ``MAX_CHOICES`` choices."""

    kind: Literal["choice"]
    choices: list[Choice] = Field(min_length=2, max_length=limits.MAX_CHOICES)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "choice",
                    "prompt": "Which learning rate diverges?",
                    "scene": "learning-rate",
                    "step": 0,
                    "choices": ["0.01", "0.1", "0.2"],
                }
            ]
        }
    )


class PointQuestion(_Question):
    """A question answered by a click on the contour; ``view`` = [x_min, x_max, y_min,
    y_max] of the contour the clicks fall in (the teacher's heat map spans it)."""

    kind: Literal["point"]
    view: list[Coordinate] | None = Field(default=None, min_length=4, max_length=4)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "point",
                    "prompt": "Where does this start end up?",
                    "scene": "local-minima",
                    "step": 0,
                    "view": [-5.0, 5.0, -5.0, 5.0],
                }
            ]
        }
    )


# Each rule is in the schema itself (the OpenAPI document is exact: whatever it allows
# is accepted), so the two kinds are two models told apart by ``kind``.
Question = Annotated[ChoiceQuestion | PointQuestion, Field(discriminator="kind")]
QUESTION = TypeAdapter(Question)


class _Vote(_Strict):
    """``device`` is a random id the page keeps in localStorage (16-64 URL-safe
    characters): it makes answers one per device without naming anyone."""

    device: str = Field(pattern=DEVICE_PATTERN)
    question: int = Field(ge=1)


class ChoiceVote(_Vote):
    choice: int = Field(ge=0, lt=limits.MAX_CHOICES)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"device": "d7Jx2mQp9sLw4vNa", "question": 1, "choice": 2}]}
    )


class PointVote(_Vote):
    point: list[Coordinate] = Field(min_length=2, max_length=2)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"device": "d7Jx2mQp9sLw4vNa", "question": 1, "point": [3.0, 2.0]}]
        }
    )


Vote = ChoiceVote | PointVote  # exactly one of choice / point (no unknown fields)
VOTE = TypeAdapter(Vote)


# --------------------------------------------------------------------------- socket messages


class StateMessage(_Strict):
    """Teacher -> room: the page's state (its URL hash)."""

    type: Literal["state"]
    hash: str

    @field_validator("hash")
    @classmethod
    def _hash(cls, v: str) -> str:
        problem = state_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class ModeMessage(_Strict):
    """Student -> room: follow the teacher again, or explore on one's own."""

    type: Literal["follow", "explore"]


def tally(question: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """A question's answers summed: counts per choice, or the clicked points.

    Returns {"question": id, "total": n, "counts": [n per choice]} or
    {"question": id, "total": n, "points": [[x, y], ...]}.
    """
    out: dict[str, Any] = {"question": question["id"], "total": len(answers)}
    if question["kind"] == "choice":
        counts = [0] * len(question["choices"])
        for a in answers:
            if 0 <= a.get("choice", -1) < len(counts):
                counts[a["choice"]] += 1
        out["counts"] = counts
    else:
        out["points"] = [a["point"] for a in answers if a.get("point") is not None]
    return out
