"""Codebook: the default codebook's content and strict validation of malformed ones."""

from __future__ import annotations

import copy

import pytest
import yaml

from workbench import config
from workbench.coding.codebook import (
    CODE_KEYS,
    TEMPLATE,
    TOP_KEYS,
    CodebookError,
    load_codebook,
    parse_codebook,
)
from workbench.coding.rules import MODIFIERS, OPERATORS, Sentence


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(config.CODEBOOK.read_text(encoding="utf-8"))


def test_minimum_codes_per_category():
    cb = load_codebook()
    counts = {cat: sum(c.category == cat for c in cb.codes) for cat in cb.categories}
    assert counts["problem"] >= 10 and counts["cause"] >= 8
    assert counts["countermeasure"] >= 10 and counts["liaison"] >= 6
    for c in cb.codes:
        assert c.label_zh and c.label_en and c.definition and c.examples


def test_every_example_is_verbatim_in_the_corpus_and_coded(seeds):
    cb = load_codebook()
    seg = seeds.segments
    for code in cb.codes:
        for quote in code.examples:
            rows = seg[seg["text"].str.contains(quote, regex=False)]
            assert len(rows), f"{code.id}: example not in corpus: {quote}"
        # At least one sentence holding an example gets the code (grounding).
        hits = [
            code.match(Sentence(t, r, h)) is not None
            for quote in code.examples
            for t, r, h in seg.loc[
                seg["text"].str.contains(quote, regex=False), ["text", "role", "is_heading"]
            ].itertuples(index=False)
        ]
        assert any(hits), code.id


def test_polarity_keeps_problem_and_countermeasure_apart():
    cb = load_codebook()
    problem = {c.id for c in cb.match("一些地方对干部监督不力。", "problem")}
    counter = {c.id for c in cb.match("要加强监督。", "countermeasure")}
    assert "P_oversight" in problem and "M_oversight" not in problem
    assert "M_oversight" in counter and "P_oversight" not in counter
    # Same words, other section role: a cause section makes the deficiency a cause.
    cause = {c.id for c in cb.match("一些地方对干部监督不力。", "cause")}
    assert "C_oversight" in cause and "P_oversight" not in cause


def test_traditional_source_codes_like_simplified(seeds):
    # 000 is Traditional in the source; matching runs on the Simplified text column.
    cb = load_codebook()
    row = seeds.segments[seeds.segments["text_orig"].str.contains("監督弱化", regex=False)].iloc[0]
    assert "C_oversight" in {c.id for c in cb.match(row["text"], row["role"])}


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda r: r["codes"][0].update(colour="red"), "code 'P_purpose', field 'colour'"),
        (lambda r: r["codes"][1].update(id="P_purpose"), "code 'P_purpose', field 'id': duplicate"),
        (lambda r: r["codes"][0].update(rules=[{"regex": "(("}]), "field 'rules.any[0].regex'"),
        (lambda r: r["codes"][0].update(rules=[]), "code 'P_purpose', field 'rules'"),
        (lambda r: r["codes"][0].update(rules=[{"any": []}]), "field 'rules.any[0].any'"),
        (
            lambda r: r["codes"][0].update(rules=[{"any": ["x"], "roles": ["summary"]}]),
            "field 'rules.any[0].roles': unknown role",
        ),
        (lambda r: r["codes"][0].update(category="idea"), "field 'category'"),
        (lambda r: r["codes"][0].pop("definition"), "'P_purpose', field 'definition': missing"),
        (lambda r: r["codes"][0].update(examples="x"), "field 'examples': needs a list"),
        (lambda r: r["polarity"].update(window=0), "field 'polarity.window'"),
        (lambda r: r.update(extra=1), "field 'extra'"),
    ],
)
def test_malformed_codebook_names_code_and_field(raw, mutate, needle):
    bad = copy.deepcopy(raw)
    mutate(bad)
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "bad.yaml")
    assert needle in str(err.value)
    # one error: one line, worded as before errors were collected
    assert err.value.errors == (str(err.value),) and "\n" not in str(err.value)


def test_every_error_is_reported_in_one_run(raw):
    bad = copy.deepcopy(raw)
    bad["codes"][0]["colour"] = "red"  # an unknown key
    bad["codes"][3].pop("label_en")  # a missing field
    bad["codes"][5]["rules"] = [{"regex": "(("}, "ok", {"set": "nope"}]  # two bad rules
    bad["codes"][7]["category"] = "idea"  # an unknown category
    bad["codes"][8]["id"] = "P_purpose"  # a duplicate id
    bad["codes"][9]["id"] = "9x"  # a bad id
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "bad.yaml")
    message = str(err.value)
    ids = [c["id"] for c in raw["codes"]]
    expected = [
        f"code '{ids[0]}', field 'colour': unknown key",
        f"code '{ids[3]}', field 'label_en': missing",
        f"code '{ids[5]}', field 'rules.any[0].regex': bad regular expression",
        f"code '{ids[5]}', field 'rules.any[2].set': unknown term set 'nope'",
        f"code '{ids[7]}', field 'category': unknown category 'idea'",
        "code 'P_purpose', field 'id': duplicate id",
        "code '9x', field 'id': needs an identifier",
    ]
    assert message.startswith(f"bad.yaml: {len(expected)} errors in the codebook:\n")
    positions = [message.find(e) for e in expected]
    assert all(p > 0 for p in positions), message
    assert positions == sorted(positions)  # in the order of the file
    assert len(err.value.errors) == len(expected)
    assert all(e.startswith("bad.yaml") for e in err.value.errors)


def test_keys_yaml_reads_as_booleans_are_errors_not_tracebacks():
    # YAML 1.1 reads on/off/yes/no as booleans: a user's stray `on:` key is a plain error
    raw = yaml.safe_load("on: 1\ncategories: {no: x, problem: y}\ncodes: [{id: P_x, yes: 2}]")
    with pytest.raises(CodebookError) as err:
        parse_codebook(raw, "x.yaml")
    assert err.value.errors[0].startswith("x.yaml, field True: unknown top-level key")
    assert "code 'P_x', field True: unknown key" in str(err.value)


def test_a_malformed_set_is_reported_once(raw):
    bad = copy.deepcopy(raw)
    bad["sets"]["modal"] = []  # used by dozens of rules
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "bad.yaml")
    assert err.value.errors == ("bad.yaml, field 'sets.modal': needs a non-empty list of terms",)


def test_examples_and_polarity_are_optional(raw):
    no_examples = copy.deepcopy(raw)
    for code in no_examples["codes"]:
        code.pop("examples")
    no_examples["codes"][1]["examples"] = []
    cb = parse_codebook(no_examples, "mine.yaml")
    assert all(c.examples == () for c in cb.codes) and cb.table()[0]["examples"] == 0
    mine = {
        "categories": raw["categories"],
        "codes": [{"id": "L_visit", "category": "liaison", "label_zh": "走访", "label_en": "Visits",
                   "definition": "干部走访群众。", "rules": [["走访", "入户"]]}],
    }  # fmt: skip
    cb = parse_codebook(mine, "mine.yaml")
    assert [c.id for c in cb.match("干部常走访群众。")] == ["L_visit"]
    # without a polarity section, a rule that uses polarity is an error naming where
    mine["codes"][0]["rules"] = ["走访", {"any": [{"set": "s", "polarity": "negative"}]}]
    mine["sets"] = {"s": ["监督"]}
    where = r"code 'L_visit', field 'rules.any\[1\].any\[0\].polarity': uses polarity, but"
    with pytest.raises(CodebookError, match=where):
        parse_codebook(mine, "mine.yaml")


def test_template_loads_and_its_examples_are_coded_in_the_seeds(seeds):
    from workbench.coding.codebook import TEMPLATE

    cb = load_codebook(TEMPLATE)
    assert {c.category for c in cb.codes} == {"problem", "countermeasure"}
    assert cb.catch_alls == ["P_other", "M_other"] and cb.sets and cb.cues.negative
    lines = TEMPLATE.read_text(encoding="utf-8").splitlines()
    comments = "\n".join(x for x in lines if x.lstrip().startswith("#"))
    # every field, and every form of the rule language, is explained in a comment
    for word in (*CODE_KEYS, *TOP_KEYS, *OPERATORS, *MODIFIERS, "within", "ordered"):
        assert word in comments, word
    seg = seeds.segments
    for code in cb.codes:
        for quote in code.examples:
            rows = seg.loc[seg["text"].str.contains(quote, regex=False),
                           ["text", "role", "is_heading"]]  # fmt: skip
            assert len(rows), (code.id, quote)
            assert any(code.match(Sentence(*r)) is not None for r in rows.itertuples(index=False))


def test_unknown_rule_key_and_set_are_reported(raw):
    bad = copy.deepcopy(raw)
    bad["codes"][2]["rules"] = [{"any": ["走访"], "within": 3}]
    with pytest.raises(CodebookError, match=r"code 'P_formalism', field 'rules.any\[0\]'"):
        parse_codebook(bad)
    bad["codes"][2]["rules"] = [{"set": "nope"}]
    with pytest.raises(CodebookError, match="unknown term set 'nope'"):
        parse_codebook(bad)


def test_residual_codes_fire_only_without_a_specific_code(seeds):
    from workbench.coding.coder import code_segments

    cb = load_codebook()
    frame = code_segments(seeds.analysis_segments(), cb).frame()
    for residual in ("P_other", "C_other", "M_other"):
        category = cb.code(residual).category
        # C_attribution marks causal language, not a cause: it does not suppress C_other.
        specific = [
            c.id for c in cb.codes
            if c.category == category and c.id not in (residual, "C_attribution")
        ]  # fmt: skip
        assert frame[residual].sum() > 0, residual
        assert not ((frame[residual] > 0) & (frame[specific].max(axis=1) > 0)).any(), residual


def test_rules_of_the_revised_codes():
    cb = load_codebook()

    def ids(text: str, role: str, heading: bool = False) -> set[str]:
        return {c.id for c in cb.match(text, role, heading)}

    # 服务群众 as the goal of another measure, or in a programme formula, is not M_service.
    cm = "countermeasure"
    assert "M_service" not in ids("进一步提升干部联系群众、服务群众的能力。", cm)
    assert "M_service" not in ids("构建深入基层、服务群众的长效机制。", cm)
    assert "M_service" in ids("要真心服务群众,多办实事。", cm)
    # P_slack: the negative predicate may come later in the same clause.
    assert "P_slack" in ids("机关党员服务能力、积极性和整体素质需进一步提高。", "problem")
    assert "P_slack" in ids("个别干部自律意识差。", "problem")
    assert "P_slack" not in ids("充分发挥群众的积极性,差距明显缩小。", "problem")
    # 不谋私 is clean conduct, not a corruption problem.
    got = ids("二是公正办事不谋私。", "countermeasure", True)
    assert "M_anticorruption" in got and "P_corruption" not in got


def test_a_codebook_of_ones_own_declares_categories_and_parts(tmp_path):
    from own_codebook import OWN_CATEGORIES, write_own_codebook

    cb = load_codebook(write_own_codebook(tmp_path))
    assert tuple(cb.categories) == OWN_CATEGORIES  # in declaration order
    parts = {p: cb.category_for_part(p) for p in ("problem", "cause", "countermeasure")}
    assert parts == {"problem": "grievance", "cause": "explanation", "countermeasure": "remedy"}
    assert cb.part_of("actor") is None and cb.categories["actor"]["part"] == ""
    assert cb.category_label("remedy", "en") == "Remedy" and cb.category_label("actor") == "行动者"
    # definitions of categories, polarity and examples are optional
    assert cb.categories["grievance"]["definition"] == "" and cb.table("en")[0]["category"] == (
        "Grievance")
    with pytest.raises(ValueError, match="unknown part 'liaison'"):
        cb.category_for_part("liaison")


def test_the_four_of_this_field_play_the_part_of_their_name(raw):
    from workbench.coding.codebook import DEFAULT_CATEGORIES, PARTS

    cb = parse_codebook(copy.deepcopy(raw), "cb.yaml")
    assert tuple(cb.categories) == DEFAULT_CATEGORIES
    assert [cb.category_for_part(p) for p in PARTS] == list(PARTS)
    assert cb.part_of("liaison") is None
    # `part: none` takes a part away; another category may then play it
    mine = copy.deepcopy(raw)
    mine["categories"]["cause"]["part"] = "none"
    mine["categories"]["liaison"]["part"] = "cause"
    cb = parse_codebook(mine, "cb.yaml")
    assert cb.category_for_part("cause") == "liaison" and cb.part_of("cause") is None


def test_category_errors_are_reported_in_one_run(raw):
    bad = copy.deepcopy(raw)
    bad["categories"]["liaison"]["part"] = "problem"  # problem plays it already (by its name)
    bad["categories"]["actor"] = {"label_zh": "行动者", "label_en": "Actor", "part": "subject"}
    bad["categories"]["remedy"] = {"label_zh": "补救", "label_en": "Remedy", "colour": "red",
                                   "part": "countermeasure"}  # fmt: skip
    bad["categories"]["9x"] = {"label_zh": "甲", "label_en": "A"}
    bad["codes"][0]["category"] = "grievance"  # not declared
    bad["codes"][4]["category"] = "actor"  # declared (with a bad part): no error of its own
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "bad.yaml")
    message = str(err.value)
    expected = [
        "category 'actor', field 'part': unknown part 'subject'",
        "category 'remedy', field 'colour': unknown key",
        "field 'categories.9x': a category id must be an identifier",
        "category 'liaison', field 'part': the part 'problem' is already played by category "
        "'problem'; at most one category per part; give 'problem' `part: none`",
        "category 'remedy', field 'part': the part 'countermeasure' is already played by "
        "category 'countermeasure'",
        f"code '{raw['codes'][0]['id']}', field 'category': unknown category 'grievance': not "
        "declared under `categories:`",
    ]
    assert message.startswith(f"bad.yaml: {len(expected)} errors in the codebook:\n"), message
    assert all(e in message for e in expected), message
    assert len(err.value.errors) == len(expected)
    # no categories at all: one error for them, none for every code's category
    none = copy.deepcopy(raw)
    none["categories"] = {}
    with pytest.raises(CodebookError) as err:
        parse_codebook(none, "none.yaml")
    assert err.value.errors == ("none.yaml, field 'categories': needs a mapping of at least one "
                                "category id to its label_zh and label_en (e.g. problem, cause, "
                                "countermeasure, liaison), got {}",)  # fmt: skip


def test_the_template_documents_parts_and_a_fifth_category(tmp_path):
    from workbench.coding.codebook import TEMPLATE

    text = TEMPLATE.read_text(encoding="utf-8")
    assert "part: problem | cause | countermeasure | none" in text
    assert "part: none" in text and "  # actor:" in text
    # uncommented, the fifth category loads, with no part, after the four
    lines = text.splitlines()
    start = lines.index("  # actor:")
    for i in range(start, start + 5):
        lines[i] = lines[i].replace("  # ", "  ", 1).replace("#   ", "  ", 1)
    (tmp_path / "five.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cb = load_codebook(tmp_path / "five.yaml")
    assert list(cb.categories)[-1] == "actor" and cb.part_of("actor") is None
    assert len(cb.categories) == 5 and cb.category_for_part("cause") == "cause"


def test_a_codebook_saved_as_gbk_is_refused_with_its_line(tmp_path):
    """A codebook saved by an editor on Chinese Windows (GBK): a message, not a traceback."""
    text = TEMPLATE.read_text(encoding="utf-8")
    path = tmp_path / "我的编码表.yaml"
    path.write_bytes(text.encode("gb18030"))
    first = next(i for i, line in enumerate(text.splitlines(), 1) if not line.isascii())
    with pytest.raises(CodebookError, match=rf"我的编码表.yaml: line {first} is not UTF-8"):
        load_codebook(path)


def test_a_codebook_that_is_not_yaml_says_where_and_what_to_check(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("codes:\n  - id: M_visit\n    rules: [走访, 谈心\n    label_en: x\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert "mine.yaml: not valid YAML: line 4, column 13" in message
    assert "in the list opened on line 3" in message and "<unicode string>" not in message
    assert "label_en: x" in message and "closed by ]" in message


@pytest.mark.parametrize("name", ["nope.yaml", ""])
def test_a_codebook_path_that_is_no_file_says_what_to_give(tmp_path, name):
    # "[Errno 2] No such file or directory" named neither --codebook nor a way on.
    with pytest.raises(FileNotFoundError, match=r"(no such codebook|is a folder).*--codebook"):
        load_codebook(tmp_path / name)


def test_a_regex_written_in_traditional_is_flagged(raw, caplog):
    """Terms are converted to Simplified, a regex is not: 便民熱線 never matched the
    Simplified text, and neither lint nor code said so."""
    mine = {
        "categories": raw["categories"],
        "document_kinds": {"notice": {"definition": "通報", "head": 2, "patterns": ["通報$"]}},
        "yields": [{"category": "liaison", "to": ["problem"], "unless": {"regex": "務必"}}],
        "codes": [{"id": "L_hotline", "category": "liaison", "label_zh": "热线",
                   "label_en": "Hotline", "definition": "便民热线。",
                   "rules": [{"regex": "便民熱線|市長熱線"}, {"regex": "[线線]路"}, "市民熱線"]}],
    }  # fmt: skip
    with caplog.at_level("WARNING"):
        cb = parse_codebook(mine, "mine.yaml")
    warned = [r.getMessage() for r in caplog.records]
    assert any("mine.yaml code 'L_hotline': regex '便民熱線|市長熱線' has Traditional characters "
               "(熱 → 热, 線 → 线, 長 → 长)" in m for m in warned), warned  # fmt: skip
    assert any("yields[0].unless: regex '務必'" in m for m in warned), warned
    assert any("document kind 'notice', field 'patterns': regex '通報$'" in m for m in warned)
    assert not any("[线線]" in m or "市民熱線" in m for m in warned)  # both forms; a term
    assert [c.id for c in cb.match("开通市民热线。")] == ["L_hotline"]  # terms are converted
    caplog.clear()
    with caplog.at_level("WARNING"):
        load_codebook()
    assert caplog.records == []  # the bundled codebook's regexes are Simplified


def test_an_unquoted_version_read_as_a_number_is_warned_of(raw, caplog):
    """version: 2.10 (unquoted) was recorded as '2.1' with every coding, without a word."""
    mine = {**copy.deepcopy(raw), "version": 2.10}
    with caplog.at_level("WARNING"):
        assert parse_codebook(mine, "mine.yaml").version == "2.1"
    assert any("field 'version': read as the number 2.1" in r.getMessage()
               and "put it in quotes" in r.getMessage() for r in caplog.records)  # fmt: skip
    caplog.clear()
    with caplog.at_level("WARNING"):
        parse_codebook({**copy.deepcopy(raw), "version": "2.10"}, "mine.yaml")
    assert caplog.records == []


def test_a_removed_code_still_named_by_a_catch_all_says_what_to_delete(tmp_path):
    """A researcher deletes P_trust; P_other's list of excluded codes still says *r_P_trust.
    YAML said "found undefined alias" and the hint spoke of indentation."""
    text = config.CODEBOOK.read_text(encoding="utf-8")
    start, end = text.index("  - id: P_trust\n"), text.index("  - id: P_unfair\n")
    path = tmp_path / "mine.yaml"
    lines = (text[:start] + text[end:]).splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    line = next(i for i, ln in enumerate(lines, start=1) if "*r_P_trust" in ln)
    assert f"mine.yaml: not valid YAML: line {line}," in message
    assert "*r_P_trust refers to the rules named &r_P_trust" in message
    assert "Delete *r_P_trust here" in message and "indentation" not in message


def test_a_term_written_with_a_leading_star_is_told_to_be_quoted(tmp_path):
    path = tmp_path / "mine.yaml"
    text = TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("{any: [流于形式, 走过场]", "{any: [*号, 流于形式, 走过场]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    assert "put the term in quotes, e.g. ['*号'" in str(err.value)
    assert "indentation" not in str(err.value)


def test_a_code_whose_rule_is_only_a_not_is_refused(raw):
    """{not: 官僚} alone codes every sentence without 官僚 (120 of a test corpus's 123
    sentences), and nothing said so; restricted to a role it is a condition one may mean."""
    mine = {
        "categories": raw["categories"],
        "codes": [
            {"id": "P_x", "category": "problem", "label_zh": "非官僚", "label_en": "x",
             "definition": "x", "rules": [["脱离群众"], {"not": "官僚"}]},
            {"id": "C_y", "category": "cause", "label_zh": "原因", "label_en": "y",
             "definition": "y", "rules": [{"not": "官僚", "roles": ["cause"]}]},
        ],
    }  # fmt: skip
    with pytest.raises(CodebookError) as err:
        parse_codebook(mine, "mine.yaml")
    assert str(err.value).startswith(
        "mine.yaml code 'P_x', field 'rules.any[1]': codes every sentence")
    assert "{all: [干部, {not: 官僚}]}" in str(err.value)
    del mine["codes"][0]
    assert parse_codebook(mine, "mine.yaml").ids == ["C_y"]


def test_a_misspelt_key_and_a_role_written_without_brackets_say_what_to_write(raw):
    """roles: problem (no brackets) said "unknown role(s) 'problem'", a role there is;
    defintion: and rols: said "unknown key" without the key meant."""
    code = {"id": "G_land", "category": "problem", "label_zh": "征地", "label_en": "Land",
            "defintion": "征地拆迁。", "rules": [{"any": ["征地"], "roles": "problem"}]}
    with pytest.raises(CodebookError) as err:
        parse_codebook({"categories": raw["categories"], "codes": [code]}, "mine.yaml")
    said = str(err.value)
    assert "field 'defintion': unknown key (did you mean 'definition'?)" in said
    assert "field 'rules.any[0].roles': needs a list of roles: write roles: [problem]" in said
    code = {**code, "definition": code.pop("defintion"), "rules": [{"any": ["征地"], "rols": []}]}
    with pytest.raises(CodebookError, match=r"unknown key\(s\) \['rols'\] \(did you mean "
                                            r"'rols' → 'roles'\?\)"):  # fmt: skip
        parse_codebook({"categories": raw["categories"], "codes": [code]}, "mine.yaml")


def test_a_category_without_its_english_label_says_missing(raw):
    cats = {**raw["categories"], "grievance": {"label_zh": "诉求"}}
    code = {"id": "G_land", "category": "grievance", "label_zh": "征地", "label_en": "Land",
            "definition": "征地。", "rules": [["征地"]]}  # fmt: skip
    with pytest.raises(CodebookError) as err:
        parse_codebook({"categories": cats, "codes": [code]}, "mine.yaml")
    assert str(err.value) == "mine.yaml category 'grievance', field 'label_en': missing"


def test_codebook_shows_title_version_and_size_not_its_rules(tmp_path):
    # The dataclass's default repr printed every definition and rule (thousands of
    # characters) and the codebook's full path, which differs from machine to machine.
    cb = load_codebook()
    assert repr(cb) == (
        f"Codebook 'codebook.yaml' version {cb.version}: {len(cb.categories)} categories, "
        f"{len(cb.codes)} codes ({cb.title})"
    )
    mine = tmp_path / "我的编码表.yaml"
    mine.write_text(config.CODEBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    assert repr(load_codebook(mine)).startswith("Codebook '我的编码表.yaml' version ")
    assert str(tmp_path) not in repr(load_codebook(mine))
