"""Generate a large, realistic, deterministic Chinese corpus for benchmarks.

    .venv/bin/python benchmarks/generate.py OUT_DIR [--size 20MB] [--seed 0]

A word-level Markov chain (order 2 with order-1 back-off, over jieba tokens) is
trained on the bundled seeds' cleaned Simplified sentences, and writes articles
in the corpus's own shapes: a title, an introduction, then problem / cause /
countermeasure sections with 一、 headings and (一) / （一） / 1. / 一是 sub-headings.
Files hold several articles behind ``第N篇:`` markers, like the multi-article
seeds. A controlled share of articles are exact copies of an earlier article
(some of them reposted in Traditional script), near copies (a few sentences
changed) and fresh Traditional-script articles (OpenCC ``s2t``); a few files are
GB18030-encoded. Everything follows from ``--seed``: the same arguments give the
same bytes. Output streams file by file, so memory stays bounded at any size.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     stats = generate(Path(tmp), size=60_000, seed=1)
...     again = generate(Path(tmp) / "b", size=60_000, seed=1)
...     same = (Path(tmp) / "gen_000000.txt").read_bytes() == (
...         Path(tmp) / "b" / "gen_000000.txt").read_bytes()
>>> stats.bytes >= 60_000, stats.files >= 1, same
(True, True, True)
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
import sys
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

#: Bump when the output for given arguments changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 2  # 2: a near copy rewrites exactly one long line

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}
_BOS, _EOS = "\x02", "\x03"
_SENTENCE_END = "。！？"
_CN_DIGITS = "零一二三四五六七八九"

TOPICS = (
    "密切党群干群关系", "基层党员干部联系服务群众", "转变干部作风", "做好新时期群众工作",
    "践行党的群众路线", "化解基层干群矛盾", "加强农村基层党组织建设", "提升乡镇干部服务能力",
    "推进村务公开和民主管理", "改进信访接访工作", "落实民情联系制度", "加强机关作风建设",
    "增强党员宗旨意识", "完善干部考核评价", "健全为民服务长效机制", "强化基层干部监督",
)  # fmt: skip
TITLE_FORMS = (
    "关于{t}的调查与思考", "{t}的几点体会", "浅谈如何{t}", "对{t}的调研报告",
    "{t}问题研究", "新形势下{t}的实践与探索", "关于{t}的对照检查材料",
)  # fmt: skip
SECTION_FORMS = {
    "problem": ("当前{t}存在的主要问题", "{t}方面存在的突出问题", "存在的问题及表现"),
    "cause": ("问题产生的原因分析", "影响{t}的主要因素", "原因和难点分析"),
    "countermeasure": ("进一步{t}的对策建议", "{t}的主要措施", "整改措施和努力方向"),
}  # fmt: skip


def parse_size(text: str | int) -> int:
    """Bytes in a size such as ``"20MB"``, ``"1.5 GB"``, ``"300KB"`` or ``1000``.

    Examples
    --------
    >>> parse_size("20MB"), parse_size("0.3MB"), parse_size("1 GB"), parse_size(512)
    (20000000, 300000, 1000000000, 512)
    """
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMG]?B?)\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r} (try 20MB, 300KB, 1GB)")
    unit = m[2] + "B" if m[2] in ("K", "M", "G") else m[2]
    return int(float(m[1]) * _UNITS[unit])


def chinese_number(n: int) -> str:
    """Chinese numeral for 1 … 99, as in 第十二篇 or 二十一、.

    Examples
    --------
    >>> [chinese_number(n) for n in (1, 10, 12, 20, 35)]
    ['一', '十', '十二', '二十', '三十五']
    """
    if not 0 < n < 100:
        raise ValueError(f"only 1-99 are supported, got {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


@dataclass
class MarkovModel:
    """Order-2 word chain with an order-1 fallback, as cumulative-weight tables.

    ``table[state] = (words, cumulative counts)`` keeps words in first-seen order,
    so training on the same sentences always gives the same model.
    """

    order2: dict[tuple[str, str], tuple[list[str], list[int]]]
    order1: dict[str, tuple[list[str], list[int]]]
    backoff: float = 0.35

    def _draw(self, entry: tuple[list[str], list[int]], rng: random.Random) -> str:
        words, cum = entry
        return words[bisect.bisect_right(cum, rng.random() * cum[-1])]

    def sentence(self, rng: random.Random, max_tokens: int = 60) -> str:
        """One sentence; ends on 。！？ or is closed with 。 at ``max_tokens``."""
        prev2, prev1, out = _BOS, _BOS, []
        for _ in range(max_tokens):
            words = self.order2[(prev2, prev1)][0]
            # A state with a single successor would copy the seed sentence verbatim;
            # backing off to order 1 there keeps generated text new but locally fluent.
            use1 = len(words) == 1 and prev1 != _BOS and rng.random() < self.backoff
            word = self._draw(self.order1[prev1] if use1 else self.order2[(prev2, prev1)], rng)
            if word == _EOS:
                break
            out.append(word)
            prev2, prev1 = prev1, word
            if (prev2, prev1) not in self.order2:
                break
        text = "".join(out).strip()
        return text if text.endswith(tuple(_SENTENCE_END)) else text.rstrip("，,、；;：:") + "。"


def _tables(counts: dict) -> dict:
    return {k: (list(c), list(itertools.accumulate(c.values()))) for k, c in counts.items()}


def train(sentences: list[list[str]]) -> MarkovModel:
    """Train the chain on tokenised sentences.

    Examples
    --------
    >>> m = train([["干部", "联系", "群众", "。"], ["群众", "信任", "干部", "。"]])
    >>> m.sentence(random.Random(0)) in {"干部联系群众。", "群众信任干部。",
    ...     "干部联系群众信任干部。", "群众信任干部联系群众。"}
    True
    """
    o2: dict[tuple[str, str], Counter[str]] = {}
    o1: dict[str, Counter[str]] = {}
    for toks in sentences:
        seq = [_BOS, _BOS, *toks, _EOS]
        for a, b, c in zip(seq, seq[1:], seq[2:], strict=False):
            o2.setdefault((a, b), Counter())[c] += 1
            o1.setdefault(b, Counter())[c] += 1
    return MarkovModel(order2=_tables(o2), order1=_tables(o1))


@cache
def seed_model() -> MarkovModel:
    """The chain trained on the bundled seeds' body sentences (Simplified, cleaned)."""
    from workbench import config
    from workbench.corpus import load_corpus
    from workbench.corpus.tokens import import_jieba

    segs = load_corpus(progress=False).analysis_segments()
    body = segs.loc[~segs["is_heading"], "text"]
    # A tokenizer of its own, as the workbench's is before any add_terms(): the shared one
    # keeps every term registered in this process (a codebook's, a test's), and the same
    # seed gave another corpus after a test had registered one.
    tk = import_jieba().Tokenizer()
    with open(config.USER_DICT, "rb") as f:
        tk.load_userdict(f)
    return train([toks for t in body if len(toks := tk.lcut(t, HMM=True)) >= 3])


@dataclass
class Shares:
    """Shares of articles that are copies or Traditional-script, and of GB18030 files."""

    exact: float = 0.03
    near: float = 0.03
    traditional: float = 0.10
    gb18030_files: float = 0.05


@dataclass
class GenerateStats:
    """What :func:`generate` wrote."""

    files: int = 0
    articles: int = 0
    bytes: int = 0
    exact: int = 0
    near: int = 0
    traditional: int = 0
    gb18030_files: int = 0
    parameters: dict = field(default_factory=dict)


class ArticleWriter:
    """Writes articles from a model; keeps a bounded window of earlier ones to copy."""

    def __init__(self, model: MarkovModel, rng: random.Random, shares: Shares) -> None:
        self.model, self.rng, self.shares = model, rng, shares
        self.recent: deque[tuple[str, list[str]]] = deque(maxlen=64)

    def _paragraph(self, lo: int = 2, hi: int = 6) -> str:
        return "".join(self.model.sentence(self.rng) for _ in range(self.rng.randint(lo, hi)))

    def _subheading(self, style: str, n: int, topic: str) -> str:
        clause = re.split(r"[，。！？；,]", self.model.sentence(self.rng, max_tokens=14))[0]
        clause = clause[:24] or topic
        marker = {
            "paren": f"({chinese_number(n)})", "fullparen": f"（{chinese_number(n)}）",
            "digit": f"{n}.", "shi": f"{chinese_number(n)}是",
        }[style]  # fmt: skip
        return f"{marker}{clause}。" if style == "shi" else marker + clause

    def fresh(self) -> tuple[str, list[str]]:
        """A new article: (title, lines)."""
        rng = self.rng
        topic = rng.choice(TOPICS)
        title = rng.choice(TITLE_FORMS).format(t=topic)
        lines = [self._paragraph(1, 3) for _ in range(rng.randint(1, 2))]
        style = rng.choice(("paren", "fullparen", "digit", "shi"))
        for i, role in enumerate(SECTION_FORMS, start=1):
            lines.append(f"{chinese_number(i)}、" + rng.choice(SECTION_FORMS[role]).format(t=topic))
            for j in range(1, rng.randint(2, 4) + 1):
                lines.append(self._subheading(style, j, topic))
                lines += [self._paragraph() for _ in range(rng.randint(1, 3))]
        return title, lines

    def _near_copy(self, lines: list[str]) -> list[str]:
        """Rewrite one long body line: what a repost with a light edit looks like.

        (Version 1 rewrote about one long line in twelve, which could change nothing —
        an exact copy — or enough of a short article to fall below the duplicate
        threshold.)
        """
        out = list(lines)
        long = [i for i, line in enumerate(out) if len(line) > 40]
        if long:
            out[self.rng.choice(long)] = self._paragraph(1, 2)
        return out

    def next(self) -> tuple[str, list[str], str]:
        """(title, lines, kind) with kind in fresh/exact/near/traditional."""
        r, s = self.rng.random(), self.shares
        if self.recent and r < s.exact:
            title, lines = self.rng.choice(self.recent)
            if self.rng.random() < 1 / 3:  # a repost in the other script
                title, lines = _to_traditional(title), [_to_traditional(x) for x in lines]
            return title, lines, "exact"
        if self.recent and r < s.exact + s.near:
            title, lines = self.rng.choice(self.recent)
            return title, self._near_copy(lines), "near"
        title, lines = self.fresh()
        self.recent.append((title, lines))
        if r < s.exact + s.near + s.traditional:
            return _to_traditional(title), [_to_traditional(x) for x in lines], "traditional"
        return title, lines, "fresh"


def _to_traditional(text: str) -> str:
    from workbench.corpus.script import _converter

    return _converter("s2t").convert(text)


def _file_text(articles: list[tuple[str, list[str]]]) -> str:
    if len(articles) == 1:
        title, lines = articles[0]
        return "\n".join([title, *lines]) + "\n"
    out = []
    for n, (title, lines) in enumerate(articles, start=1):
        out += [f"第{chinese_number(n)}篇:{title}", *lines]
    return "\n".join(out) + "\n"


def _files(
    writer: ArticleWriter, file_bytes: int, stats: GenerateStats
) -> Iterator[list[tuple[str, list[str]]]]:
    """Endless stream of files' articles, each file about ``file_bytes`` long."""
    while True:
        arts: list[tuple[str, list[str]]] = []
        size = 0
        while size < file_bytes and len(arts) < 60:
            title, lines, kind = writer.next()
            if kind != "fresh":
                setattr(stats, kind, getattr(stats, kind) + 1)
            arts.append((title, lines))
            size += sum(len(x) for x in lines) * 3  # UTF-8 CJK: 3 bytes a character
        yield arts


def generate(
    out_dir: Path,
    *,
    size: int | str = "20MB",
    seed: int = 0,
    file_bytes: int = 100_000,
    shares: Shares | None = None,
    progress: bool = False,
) -> GenerateStats:
    """Write about ``size`` bytes of generated articles as ``gen_NNNNNN.txt`` in ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Created if missing; existing ``gen_*.txt`` files are overwritten.
    size : int or str
        Target total size in bytes (``"20MB"`` …); the last file may overshoot.
    seed : int
        Seed of the article stream and of every random choice.
    file_bytes : int
        Approximate size of each file (articles are whole, so files vary).
    shares : Shares, optional
        Shares of exact / near copies, Traditional articles and GB18030 files.
    progress : bool
        Show a tqdm bar of bytes written.

    Returns
    -------
    GenerateStats
    """
    target, shares = parse_size(size), shares or Shares()
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    writer = ArticleWriter(seed_model(), rng, shares)
    stats = GenerateStats(parameters={
        "size": target, "seed": seed, "file_bytes": file_bytes, "shares": asdict(shares),
        "generator_version": GENERATOR_VERSION,
    })  # fmt: skip
    bar = _bar(target) if progress else None
    for arts in _files(writer, file_bytes, stats):
        encoding = "gb18030" if rng.random() < shares.gb18030_files else "utf-8"
        data = _file_text(arts).encode(encoding)
        (out_dir / f"gen_{stats.files:06d}.txt").write_bytes(data)
        stats.files += 1
        stats.articles += len(arts)
        stats.bytes += len(data)
        stats.gb18030_files += encoding == "gb18030"
        if bar is not None:
            bar.update(len(data))
        if stats.bytes >= target:
            break
    if bar is not None:
        bar.close()
    return stats


def _bar(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc="generating corpus")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--size", default="20MB", help="total size, e.g. 1MB, 20MB, 1GB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--file-kb", type=int, default=100, help="approximate size of each file")
    args = ap.parse_args(argv)
    stats = generate(
        args.out_dir, size=args.size, seed=args.seed, file_bytes=args.file_kb * 1000,
        progress=sys.stderr.isatty(),
    )  # fmt: skip
    print(json.dumps(asdict(stats), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
