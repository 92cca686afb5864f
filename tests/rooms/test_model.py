"""Join codes, tokens and the room messages' validation."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from losscape import limits
from losscape.rooms import model


def test_codes_use_the_unambiguous_alphabet_and_carry_about_forty_bits() -> None:
    codes = {model.new_code() for _ in range(2_000)}
    assert len(codes) == 2_000  # 2,000 draws from 8.5e11 codes: a repeat would be a bug
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01OIL")
    assert pytest.approx(8 * math.log2(31), abs=0.01) == model.CODE_BITS
    assert model.CODE_BITS > 39


def test_a_code_typed_in_lower_case_or_with_a_dash_is_found() -> None:
    assert model.normal_code("abcd-efgh") == "ABCDEFGH"
    assert model.normal_code("ABCD EFGH") == "ABCDEFGH"
    assert model.normal_code("ABCDEFG0") is None  # 0 is not in the alphabet
    assert model.normal_code("ABC") is None


def test_teacher_tokens_are_128_bits_and_only_their_hash_matches() -> None:
    token = model.new_token()
    assert len(token) == 22  # 16 bytes in URL-safe base64
    stored = model.token_hash(token)
    assert token not in stored
    assert model.token_matches(token, stored)
    assert not model.token_matches(token[:-1] + ("A" if token[-1] != "A" else "B"), stored)
    assert not model.token_matches(None, stored)
    assert not model.token_matches("x" * 500, stored)


@pytest.mark.parametrize(
    "text",
    ["", "scene=momentum&step=2", "net&dataset=moons&lr=0.1", "r=gd:0.1:-1.5,2&t=40", "a=%C3%A9"],
)
def test_page_hashes_are_room_states(text: str) -> None:
    assert model.state_problem(text) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (42, "must be a string"),
        ("x" * (limits.MAX_ROOM_STATE_CHARS + 1), "over"),
        ("a=<script>", "URL-safe"),
        ("a=1&&b=2", "URL-safe"),
        ("a=%ZZ", "URL-safe"),
        ("a b=1", "URL-safe"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: object, words: str) -> None:
    problem = model.state_problem(text)
    assert problem is not None and words in problem


def test_a_choice_question_needs_two_choices_and_a_point_question_none() -> None:
    with pytest.raises(ValidationError, match="at least 2"):
        model.QUESTION.validate_python({"kind": "choice", "prompt": "which?", "choices": ["a"]})
    with pytest.raises(ValidationError, match="choices"):
        model.QUESTION.validate_python({"kind": "point", "prompt": "where?", "choices": ["a"]})
    point = model.QUESTION.validate_python({"kind": "point", "prompt": "where?"})
    assert isinstance(point, model.PointQuestion) and point.view is None
    with pytest.raises(ValidationError, match="kind"):
        model.QUESTION.validate_python({"kind": "essay", "prompt": "why?"})


def test_a_vote_gives_exactly_one_finite_answer() -> None:
    device = "d" * 16
    with pytest.raises(ValidationError):
        model.VOTE.validate_python({"device": device, "question": 1})
    with pytest.raises(ValidationError):
        model.VOTE.validate_python({"device": device, "question": 1, "choice": 0, "point": [0, 0]})
    with pytest.raises(ValidationError):
        model.VOTE.validate_python({"device": device, "question": 1, "point": [float("nan"), 0]})
    with pytest.raises(ValidationError, match="pattern"):
        model.VOTE.validate_python({"device": "me", "question": 1, "choice": 0})
    vote = model.VOTE.validate_python({"device": device, "question": 1, "point": [0.5, -1]})
    assert isinstance(vote, model.PointVote) and vote.point == [0.5, -1.0]


def test_tally_counts_choices_and_collects_points() -> None:
    question = {"id": 3, "kind": "choice", "choices": ["a", "b", "c"]}
    answers = [{"choice": 2}, {"choice": 0}, {"choice": 2}]
    assert model.tally(question, answers) == {"question": 3, "total": 3, "counts": [1, 0, 2]}
    point = {"id": 4, "kind": "point", "choices": []}
    assert model.tally(point, [{"point": [1.0, 2.0]}]) == {
        "question": 4,
        "total": 1,
        "points": [[1.0, 2.0]],
    }
