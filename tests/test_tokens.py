"""Tests for workbench.corpus.tokens and the lexicon files it reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache

import pytest

from workbench import config
from workbench.corpus import tokens
from workbench.corpus.script import to_simplified

# Sentence ends; the split keeps the mark with its sentence.
SENTENCE_END = re.compile(r"(?<=[。！？!?])")


@cache
def seed_sentences() -> tuple[str, ...]:
    """Every sentence of every seed, converted to Simplified, in corpus order."""
    out: list[str] = []
    for path in sorted(config.SEEDS_DIR.glob("*.txt")):
        for line in to_simplified(path.read_text(encoding="utf-8")).split("\n"):
            out.extend(s for s in SENTENCE_END.split(line) if s.strip())
    return tuple(out)


@cache
def seed_text() -> str:
    return "\n".join(seed_sentences())


def cut_points(toks: list[str]) -> set[int]:
    points, pos = set(), 0
    for t in toks:
        pos += len(t)
        points.add(pos)
    return points


def crosses(term: str, sentence: str, points: set[int]) -> list[int]:
    """Start offsets of occurrences of ``term`` that a token boundary cuts through."""
    starts = [m.start() for m in re.finditer(re.escape(term), sentence)]
    return [s for s in starts if any(s < p < s + len(term) for p in points)]


def covering(toks: list[str], start: int, end: int) -> list[str]:
    """Tokens overlapping the character span [start, end)."""
    out, pos = [], 0
    for t in toks:
        if pos < end and pos + len(t) > start:
            out.append(t)
        pos += len(t)
    return out


# --- import laziness and logging -----------------------------------------------------


@pytest.mark.parametrize("module", ["jieba", "rjieba"])
def test_import_does_not_load_the_segmenters(module, eager_imports):
    assert eager_imports("workbench.corpus.tokens", module) == set()


@pytest.mark.parametrize(
    ("engine", "text", "expected"),
    [
        ("jieba", "干群关系", "['干群关系']"),
        ("rjieba", "干群关系 1-2", "['干群关系', ' ', '1', '-', '2']"),
    ],
)
def test_first_use_prints_nothing(engine, text, expected):
    code = ("from workbench.corpus.tokens import tokenize; "
            f"print(tokenize({text!r}, engine={engine!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    assert done.stdout.strip() == expected


def test_private_tokenizer_is_cached_and_not_global():
    import jieba

    assert tokens.tokenizer() is tokens.tokenizer()
    assert tokens.tokenizer() is not jieba.dt


# --- lexicon files ---------------------------------------------------------------------


def test_userdict_format_sorted_unique():
    lines = config.USER_DICT.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 60
    for line in lines:
        word, freq, tag = line.split(" ")  # jieba format, no comments
        assert freq.isdigit() and tag.isalpha() and word.strip() == word
    terms = tokens.user_terms()
    assert terms == sorted(terms)
    assert len(set(terms)) == len(terms)


def test_every_user_term_occurs_in_the_seeds():
    text = seed_text()
    missing = [t for t in tokens.user_terms() if t not in text]
    assert missing == []


def test_every_user_term_is_one_token_in_the_seeds():
    """Each term is a whole token in a seed sentence, and is only ever cut where it
    overlaps another user term (e.g. 人民群众利益: 人民群众 vs 群众利益)."""
    terms = tokens.user_terms()
    term_set = set(terms)
    sentences = seed_sentences()
    cut = [tokens.tokenize(s) for s in sentences]
    never_whole, bad_cuts = [], {}
    for term in terms:
        containing = [(s, toks) for s, toks in zip(sentences, cut, strict=True) if term in s]
        if not any(term in toks for _, toks in containing):
            never_whole.append(term)
        for s, toks in containing:
            for start in crosses(term, s, cut_points(toks)):
                rivals = [t for t in covering(toks, start, start + len(term)) if t in term_set]
                if not rivals:
                    bad_cuts.setdefault(term, []).append(s[max(0, start - 5) : start + 10])
    assert never_whole == []
    assert bad_cuts == {}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("导致干群关系紧张的关键问题", ["导致", "干群关系", "紧张", "的", "关键问题"]),
        ("对农村党群干群关系情况进行社会调查", ["党群", "干群关系"]),
        ("下基层走马观花,流于形式", ["下基层", "走马观花"]),
        ("领导干部全员接访制度", ["领导干部", "接访"]),
        ("群众观看了演出", ["群众", "观看"]),  # 群众观 must not swallow 观看
    ],
)
def test_known_segmentations(sentence, expected):
    toks = tokens.tokenize(sentence)
    assert "".join(toks) == sentence
    for t in expected:
        assert t in toks


def test_tokenize_is_deterministic():
    sample = list(seed_sentences()[:200])
    first = [tokens.tokenize(s) for s in sample]
    assert first == [tokens.tokenize(s) for s in sample]
    assert first == [tokens.tokenize(s) for s in reversed(sample)][::-1]


def test_tokenize_is_lossless_and_handles_empty():
    s = seed_sentences()[0]
    assert "".join(tokens.tokenize(s)) == s
    assert tokens.tokenize("") == []


# --- stopwords and content tokens --------------------------------------------------------


def test_stopwords_file_and_loader():
    sw = tokens.load_stopwords()
    assert isinstance(sw, frozenset) and 200 <= len(sw) <= 600
    for word in [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "等",
        "也",
        "就",
        "都",
        "而",
        "对",
        "把",
        "被",
    ]:
        assert word in sw
    lines = config.STOPWORDS.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))
    # Domain words must never be stopwords.
    assert not sw & set(tokens.user_terms())
    assert not sw & {"干部", "群众", "党员", "关系", "作风", "服务"}


def test_load_stopwords_custom_path(tmp_path):
    path = tmp_path / "sw.txt"
    path.write_text("甲\n\n 乙 \n", encoding="utf-8")
    assert tokens.load_stopwords(path) == frozenset({"甲", "乙"})


def test_user_terms_custom_path(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("词甲 10 n\n词乙\n\n", encoding="utf-8")
    assert tokens.user_terms(path) == ["词甲", "词乙"]


def test_content_tokens_filters_noise():
    text = "2013年09月18日, 我们 要 坚持党的群众路线, 反对形式主义 a 、3.5%!"
    toks = tokens.content_tokens(text)
    assert toks == ["坚持", "党", "群众路线", "反对", "形式主义"]


def test_content_tokens_on_traditional_seed_after_conversion():
    line = (config.SEEDS_DIR / "002_d96b58a24a94b0c4.txt").read_text(encoding="utf-8")
    first = to_simplified(line.split("\n")[2])  # 當前,干部中存在的以權謀私 ...
    toks = tokens.content_tokens(first)
    assert {"以权谋私", "人民群众", "干群关系"} <= set(toks)
    assert not set(toks) & tokens.load_stopwords()


# --- add_terms -------------------------------------------------------------------------


@pytest.fixture
def fresh_tokenizer():
    """Build a new tokenizer for the test and drop it afterwards, so terms added in
    the test do not leak into other tests (nor into added_terms(), which the pipeline
    replays in its workers)."""
    tokens.sync_terms([])
    tokens.tokenizer.cache_clear()
    yield
    tokens.sync_terms([])
    tokens.tokenizer.cache_clear()


def test_add_terms_registers_new_terms(fresh_tokenizer):
    sentence = "开展三送三帮三扶促发展活动"
    assert "三送三帮三扶" not in tokens.tokenize(sentence)
    tokens.add_terms(["三送三帮三扶", "  ", ""])
    assert "三送三帮三扶" in tokens.tokenize(sentence)


# --- the jieba-rs engine ---------------------------------------------------------------


def test_rjieba_agrees_with_jieba_on_the_seeds():
    assert tokens.agreement(seed_sentences()) >= 0.99


def test_rjieba_keeps_user_terms_whole_where_jieba_does():
    sentences = seed_sentences()
    lost = []
    for term in tokens.user_terms():
        for s in (s for s in sentences if term in s):
            by_jieba = tokens.tokenize(s, engine="jieba")
            if term in by_jieba and term not in tokens.tokenize(s, engine="rjieba"):
                lost.append((term, s))
    assert lost == []


@pytest.mark.parametrize(
    "text",
    ["xiexiebang.com 1-2 3.5% A股 2013年 abc-def_1 ４５ 1.2.3 v1.0-beta", "COVID-19疫情",
     "一、1-2个", "3.5%%", "\u3400\u4e00个问题", "第（一）条 a.1b\r\n干群关系"],
)  # fmt: skip
def test_rjieba_matches_jieba_on_latin_digits_and_rare_ideographs(text):
    assert tokens.tokenize(text, engine="rjieba") == tokens.tokenize(text, engine="jieba")


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="engine"):
        tokens.tokenize("群众", engine="pkuseg")


def test_added_terms_reach_rjieba(fresh_tokenizer):
    sentence = "开展三送三帮三扶促发展活动"
    assert tokens.tokenize(sentence, engine="rjieba") == tokens.tokenize(sentence, engine="jieba")
    tokens.add_terms(["三送三帮三扶"])
    assert "三送三帮三扶" in tokens.tokenize(sentence, engine="rjieba")
    assert tokens.tokenize(sentence, engine="rjieba") == tokens.tokenize(sentence, engine="jieba")
    assert tokens.agreement(seed_sentences()[:200]) == 1.0


def test_default_engine_is_jieba_rs_with_jiebas_results():
    sentences = seed_sentences()[:300]
    assert tokens.DEFAULT_ENGINE == "rjieba"
    by_default = [tokens.tokenize(s) for s in sentences]
    assert by_default == [tokens.tokenize(s, engine="rjieba") for s in sentences]
    assert by_default == [tokens.tokenize(s, engine="jieba") for s in sentences]


@pytest.mark.parametrize("engine", [None, "jieba", "rjieba"])
def test_tokenize_many_equals_tokenize_one_by_one(engine):
    texts = [*seed_sentences()[:100], "", "落实1-2项"]
    assert tokens.tokenize_many(texts, engine) == [tokens.tokenize(t, engine) for t in texts]


def test_tokenize_many_screens_each_text_on_its_own():
    """The screens run over all texts joined: a Latin run or a rare ideograph at a
    text's edge, or a newline inside one, must touch only that text."""
    texts = ["落实1-2", "3-4项工作", "㐀干部", "群众\n路线a-b", "abc", "", "干群关系x", "y紧张"]
    assert tokens.tokenize_many(texts) == [tokens.tokenize(t) for t in texts]
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")


def test_tokenize_many_splits_latin_runs_across_many_texts():
    """The runs to split are found over the tokens of all texts at once: each text
    must get its own splits, whatever its neighbours have."""
    runs = ["1-2", "xiexiebang.com", "A股", "2013", "3.5%", "v1.0-beta", "COVID-19", "a.1b"]
    texts = [f"{'落实' * (i % 3)}{run}{'项' * (i % 2)}" for i, run in enumerate(runs * 5)]
    texts += ["", "群众路线", "１-２", "㐀1-2"]
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")
    assert tokens.tokenize_many(texts) == [tokens.tokenize(t) for t in texts]


def test_screen_ranges_equal_the_patterns():
    """The code point ranges the screens test are the patterns' character classes."""
    pairs = [(tokens._ALNUM, tokens._ALNUM_RANGES), (tokens._JIEBA_HAN, tokens._JIEBA_HAN_RANGES),
             (tokens._RJIEBA_ONLY_HAN, tokens._RJIEBA_ONLY_HAN_RANGES)]  # fmt: skip
    points = tokens.np.arange(0x110000, dtype=tokens.np.uint32)
    text = "".join(map(chr, points.tolist()))
    for pattern, ranges in pairs:
        one = re.compile(pattern.pattern.removesuffix("+"))  # one character a match
        by_pattern = tokens.np.zeros(len(points), dtype=bool)
        by_pattern[[m.start() for m in one.finditer(text)]] = True
        assert (tokens._in_ranges(points, ranges) == by_pattern).all(), pattern.pattern


def test_tokenize_many_leaves_garbage_collection_as_it_was():
    import gc

    assert gc.isenabled()
    tokens.tokenize_many(["群众路线"])
    assert gc.isenabled()
    gc.disable()
    try:
        tokens.tokenize_many(["群众路线"], engine="jieba")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_tokenize_many_rejects_unknown_engine():
    with pytest.raises(ValueError, match="engine"):
        tokens.tokenize_many(["群众"], engine="pkuseg")


# --- start-up: the prepared-dictionary cache and a lazy jieba ------------------------

SAMPLE = ("落实1-2项", "xiexiebang.com 3.5% A股", "\u3400\u4e00个问题", "开展三送三帮三扶促发展")


def _fresh_state() -> None:
    """Forget the tokenizer and the jieba-rs engine, as in a new process."""
    tokens.tokenizer.cache_clear()
    tokens._mirror = None


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """An empty cache directory (XDG_CACHE_HOME) and a fresh process state; the state
    is dropped again afterwards so that later tests use the usual cache."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    tokens.sync_terms([])
    _fresh_state()
    yield home / "workbench"
    tokens.sync_terms([])
    _fresh_state()


def _sample() -> list[str]:
    return [*seed_sentences()[:150], *SAMPLE]


def test_cache_miss_and_hit_give_jiebas_tokens(cache_home):
    texts = _sample()
    by_jieba = tokens.tokenize_many(texts, engine="jieba")
    _fresh_state()
    assert tokens.tokenize_many(texts) == by_jieba  # miss: jieba built, cache written
    assert [p.name[:11] for p in cache_home.iterdir()] == ["jieba-dict-"]  # no temp files
    _fresh_state()
    assert tokens.tokenize_many(texts[:150]) == by_jieba[:150]  # hit
    assert tokens.tokenizer.cache_info().currsize == 0  # jieba itself was not needed
    assert tokens.tokenize_many(texts) == by_jieba  # a rare ideograph: jieba built now


def test_cache_holds_exactly_jiebas_dictionary(cache_home):
    tokens.tokenize("群众")  # writes the cache
    _fresh_state()
    tokens.tokenize("群众")  # reads it
    rs, tk = tokens._mirror, tokens.tokenizer()
    words, freqs, total = tokens._dictionary_of(tk)
    assert tokens._read_prepared(tokens._cache_file()) == (words, freqs, total)
    # What _resplit relies on: jieba-rs has exactly jieba's words of non-zero frequency.
    assert all(rs.rs.has_word(w) == bool(f) for w, f in tk.FREQ.items())
    assert rs.sum == sum(freqs) and tokens._PAD_WORD not in tk.FREQ


def test_unwritable_cache_dir_still_works(cache_home):
    cache_home.parent.mkdir()
    cache_home.write_text("not a directory")  # mkdir fails, even for root
    texts = _sample()
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")
    assert cache_home.read_text() == "not a directory"


def test_corrupt_cache_is_rebuilt(cache_home):
    path = tokens._cache_file()
    cache_home.mkdir(parents=True)
    path.write_bytes(b"\x00garbage")
    texts = _sample()
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")
    assert tokens._read_prepared(path) is not None


def test_malformed_cache_content_is_a_miss(tmp_path):
    import marshal

    fmt = tokens._CACHE_FORMAT
    path = tmp_path / "jieba-dict-x.marshal"
    for content in [
        (fmt, ["干部", "群众"], [3, 4], 7),  # lists: the first format's content
        (fmt, "干部\n群众", b"\x00" * 12, 7),  # not a whole number of frequencies
        (fmt, "干部\n群众", b"\x00" * 8, 7),  # one word without a frequency
        (fmt + 1, "干部\n群众", b"\x00" * 16, 7),
    ]:
        path.write_bytes(marshal.dumps(content))
        assert tokens._read_prepared(path) is None
    tokens._write_prepared(path, (["干部", "群众"], [3, 2**40], 7))
    assert tokens._read_prepared(path) == (["干部", "群众"], [3, 2**40], 7)


def test_changed_user_dictionary_invalidates_the_cache(cache_home, tmp_path, monkeypatch):
    sentence = "开展三送三帮三扶促发展活动"
    before = tokens._cache_file()
    assert "三送三帮三扶" not in tokens.tokenize(sentence)
    userdict = tmp_path / "userdict.txt"
    userdict.write_text(config.USER_DICT.read_text(encoding="utf-8") + "三送三帮三扶 50 n\n",
                        encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(config, "USER_DICT", userdict)
    _fresh_state()
    assert tokens._cache_file() != before
    assert "三送三帮三扶" in tokens.tokenize(sentence)
    assert tokens.tokenize(sentence) == tokens.tokenize(sentence, engine="jieba")
    assert len(list(cache_home.iterdir())) == 2


def test_add_terms_after_a_cache_hit(cache_home):
    tokens.tokenize("群众")
    _fresh_state()
    sentence = "开展三送三帮三扶促发展活动"
    assert "三送三帮三扶" not in tokens.tokenize(sentence)  # engine from the cache
    tokens.add_terms(["三送三帮三扶"])
    assert "三送三帮三扶" in tokens.tokenize(sentence)
    texts = [*_sample(), sentence]
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")


def test_add_terms_before_the_engine_is_first_used(cache_home):
    tokens.tokenize("群众")
    _fresh_state()
    tokens.add_terms(["三送三帮三扶"])
    texts = [*_sample(), "开展三送三帮三扶促发展活动"]
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")


def test_a_warm_process_does_not_import_jieba(tmp_path):
    code = ("import sys; from workbench.corpus.tokens import tokenize; "
            "print(tokenize('干群关系 1-2'), 'jieba' in sys.modules)")  # fmt: skip
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = [sys.executable, "-c", code]
    runs = []
    for _ in range(2):
        runs.append(subprocess.run(argv, capture_output=True, text=True, check=True, env=env))
    assert [r.stderr for r in runs] == ["", ""]
    out = "['干群关系', ' ', '1', '-', '2']"
    assert [r.stdout.strip() for r in runs] == [f"{out} True", f"{out} False"]


def test_copied_jieba_internals_match_jieba():
    import jieba
    import jieba.finalseg

    assert tokens._RE_SKIP.pattern == jieba.finalseg.re_skip.pattern
    with jieba.Tokenizer().get_dict_file() as f:
        assert tokens._jieba_dict_file() == tokens.Path(f.name)


def test_jieba_rs_is_loaded_without_rjiebas_default_instance():
    code = ("import sys; from workbench.corpus.tokens import tokenize; tokenize('干群关系'); "
            "print('rjieba' in sys.modules); import rjieba; from workbench.corpus import tokens; "
            "print(type(tokens._mirror.rs) is rjieba.Jieba, rjieba.cut('干群关系'))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    assert done.stdout.split("\n")[:2] == ["False", "True ['干群关系']"]


def test_jieba_rs_falls_back_to_the_package(monkeypatch):
    import importlib.util

    import rjieba

    monkeypatch.delitem(sys.modules, "rjieba.rjieba", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert tokens._jieba_rs() is rjieba.Jieba


def test_prepared_dictionary_lives_in_the_shared_cache_folder(cache_home):
    from workbench import config

    assert tokens._cache_file().parent == config.cache_dir() == cache_home
    assert not hasattr(tokens, "_cache_dir")  # one owner: workbench.config


def test_tokenize_to_array_is_token_array_of_tokenize_many_and_resumes_the_collector():
    import gc

    texts = ["干群关系紧张", "", "落实1-2项措施", "密切联系群众。"]
    assert gc.isenabled()
    got = tokens.tokenize_to_array(texts)
    assert gc.isenabled()
    assert got.equals(tokens.token_array(tokens.tokenize_many(texts)))


# Texts whose edges, separators and screens the one-call cut (tokens._RJieba.cut_joined)
# must keep apart: whitespace, a carriage return before a newline in the next text, the
# characters put between texts and tokens, rare ideographs, Latin runs, empty texts.
EDGE_TEXTS = [
    "", "干群关系紧张", "", "落实1-2项", "3-4项工作", "群众\r", "\n路线", " 干部 ", "\u3000",
    "㐀干部", "a-b", "x", "1-2", "群众\x01路线", "v1.0-beta群众", "😀干群", "", "abc",
]  # fmt: skip


@pytest.mark.parametrize("texts", [EDGE_TEXTS, EDGE_TEXTS[1:2], [""], ["", ""], EDGE_TEXTS[::-1]])
def test_texts_cut_as_one_give_each_texts_own_tokens(texts):
    each = [tokens.tokenize(t) for t in texts]
    assert tokens.tokenize_many(texts) == each
    arr = tokens.tokenize_to_array(texts)
    arr.validate(full=True)
    assert arr.type == tokens.TOKENS_TYPE
    assert arr.to_pylist() == each
    assert tokens.tokenize_many(texts) == tokens.tokenize_many(texts, engine="jieba")


def test_a_text_holding_the_separator_is_cut_on_its_own():
    texts = ["群众\x00路线", "落实1-2项", "", "干群\x00"]
    each = [tokens.tokenize(t) for t in texts]
    assert tokens.tokenize_many(texts) == each
    assert tokens.tokenize_to_array(texts).to_pylist() == each
    assert tokens.tokenize_to_array([]).to_pylist() == []
