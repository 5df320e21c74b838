"""Regression gate on the shared corpus of real pages: extraction must not fall below the
levels it reached, measured with the corpus's own scoring functions."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from archive.extract import extract_article
from archive.records import FetchedPage

SHARED = Path(__file__).parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
SCORER = SHARED / "eval" / "score.py"
CAPTURED = datetime(2024, 6, 1, tzinfo=UTC)

# Levels reached on the 95 pages of the corpus, less a small margin for harmless shifts:
# text F1 0.971 (92/95 >= 0.9), title 93, date 86, author 42, source 65, publisher 6,
# editor 39, views 9, with the body chosen by agreement between engines.
MIN_TEXT_F1 = 0.965
MIN_COUNTS = {
    "text_f1_ge_0.9": 91,
    "title": 92,
    "published_at": 85,
    "author": 41,
    "source": 64,
    "publisher": 6,
    "editor": 38,
    "views": 9,
}

pytestmark = pytest.mark.skipif(
    not (CORPUS / "cases.jsonl").exists() or not SCORER.exists(),
    reason=f"the shared corpus and its scorer are not beside the repository ({SHARED})",
)


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prediction(case: dict) -> dict:
    headers = {"content-type": f"text/html; charset={case['charset']}"} if case.get("charset") else {}
    page = FetchedPage(
        url=case["url"], status=200, headers=headers, body=(CORPUS / case["html"]).read_bytes(), fetched_at=CAPTURED
    )
    record = extract_article([page], site="corpus")
    if record is None:
        return {}
    values = vars(record)
    return {name: value.isoformat() if isinstance(value, datetime) else value for name, value in values.items()}


def test_corpus_scores_do_not_regress() -> None:
    score = _scorer()
    cases = [json.loads(line) for line in (CORPUS / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line]
    predictions = {case["id"]: _prediction(case) for case in cases}
    result = score.score(cases, predictions, 1.0)
    problems = []
    if result["text_f1"] < MIN_TEXT_F1:
        problems.append(f"text_f1 {result['text_f1']} < {MIN_TEXT_F1}")
    for column, minimum in MIN_COUNTS.items():
        reached = int(str(result[column]).split("/")[0])
        if reached < minimum:
            problems.append(f"{column} {result[column]} < {minimum}")
    assert not problems, "; ".join(problems)
