"""The survey reader's word lists live in ``resources/survey_words.yaml``, read once."""

from __future__ import annotations

import pandas as pd

from workbench import config
from workbench.survey import io
from workbench.survey.codebook import load_codebook


def test_word_lists_are_the_resource_files_and_unchanged():
    # The lists the code held before they moved to the resource file: behaviour identical.
    before = ("拒答", "拒绝回答", "拒绝", "不知道", "不清楚", "说不清", "不适用", "无法回答",
              "不回答", "无回答", "refused", "don't know", "dk", "n/a")  # fmt: skip
    assert io.NONRESPONSE[: len(before)] == before  # then 问卷星's (跳过), (空), 跳过
    assert io.CODE_LIKE == (-99, -98, -97, -9, -8, -7, 97, 98, 99, 997, 998, 999, 9999)
    assert io.PLACE_ENDINGS == ("村", "镇", "乡", "县", "区", "市", "社区", "街道", "组")
    assert io.SURVEY_WORDS.parent == config.RESOURCES_DIR and io.SURVEY_WORDS.is_file()


def test_word_lists_are_read_once():
    before = io.survey_words.cache_info().misses
    for _ in range(3):
        io.survey_words()
    assert io.survey_words.cache_info().misses == before


def test_a_word_of_the_list_still_makes_a_note(tmp_path):
    rows = pd.RangeIndex(1, 5, name="row")
    frame = pd.DataFrame({"way": ["走访", "谈心", "走访", "Don't know "]}, index=rows)
    notes = io.survey_notes(frame, load_codebook(), "s.csv")
    assert len(notes) == 1 and "\"Don't know \" (row 4), which reads as no answer" in notes[0]


def test_wjx_skipped_and_empty_answers_are_suggested_as_missing(tmp_path):
    """问卷星 writes (跳过) for a question skipped by its logic: the message suggested 1."""
    import pytest

    from workbench.survey.validate import SurveyValidationError

    path = tmp_path / "wjx.csv"
    path.write_text("序号,visits\n1,3\n2,(跳过)\n3,(空)\n", encoding="utf-8")
    with pytest.raises(SurveyValidationError, match=r"visits: \{\(空\): null, \(跳过\): null\}"):
        io.load_survey(path)


def test_answer_scales_number_a_word_alike_wherever_it_occurs():
    """A word of two scales (一般, 满意, 很少) gets one number, whichever scale matches the
    answers first; no scale repeats a word."""
    place: dict[str, int] = {}
    for scale in io.ANSWER_SCALES:
        assert len(set(scale)) == len(scale) >= 4
        for number, word in enumerate(scale, 1):
            assert place.setdefault(word, number) == number, (word, scale)
