"""A stranger's data, made by the tests: a small corpus, a survey with its own column
names and a mapping, and a places table linking the texts to the survey's townships.

Every text line here is invented for the tests (none comes from the seeds or the dev
corpus). The corpus has what a researcher's folder has and the seeds do not show: a
GB18030 file, a Traditional-script file, an HTML page with a menu and a footer, a
Markdown file, texts without section headings, file names in Chinese.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> sorted(p.name for p in make_corpus(d / "texts"))[:2]
['a_county_report.txt', 'b_self_criticism.txt']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

#: (file name, encoding, text). Section headings give the roles; a few lines name the
#: codebook's problems, causes, countermeasures and liaison practices in new words.
TEXTS = [
    ("a_county_report.txt", "utf-8", """关于某县乡镇干部联系群众情况的调查报告
一、存在的主要问题
部分乡镇干部下村次数少，群众反映“平时见不到人，有事找不到人”。
有的干部工作作风简单粗暴，对群众的诉求推诿扯皮。
一些村务公开流于形式，账目公布不及时，群众意见较大。
二、原因分析
一是少数干部宗旨意识淡薄，把自己当成管理者而不是服务者。
二是考核机制不健全，重经济指标、轻群众满意度。
三、对策建议
要建立干部定期走访制度，每月至少两次入户走访。
要健全村务公开制度，让群众看得懂、能监督。
推行民情联系卡，公开干部电话，做到群众有事能找到人。
"""),
    ("b_self_criticism.txt", "gb18030", """个人对照检查材料
一、存在的问题
本人深入基层调研不够，习惯于听汇报、看材料，调查研究走马观花。
在为群众办事上存在拖拉现象，有的事情答应了没有及时办结。
二、产生问题的原因
理论学习不够系统，党性修养有所放松。
三、整改措施
坚持每季度到联系村住村调研，与群众面对面谈心。
对群众反映的问题建立台账，限期办结并回访。
"""),
    ("c_traditional_essay.txt", "utf-8", """論密切黨群幹群關係
當前一些地方幹群關係緊張，群眾對幹部的信任有所下降。
其原因在於個別幹部脫離群眾，高高在上，形式主義和官僚主義作風嚴重。
必須堅持群眾路線，經常深入基層，傾聽群眾呼聲。
"""),
    ("d_speech.md", "utf-8", """# 在全县群众工作会议上的讲话

## 一、充分认识做好群众工作的重要性

干部作风问题直接关系党在群众中的形象。

## 二、切实解决群众反映强烈的突出问题

对群众信访反映的问题，要落实领导干部接访下访制度，及时化解矛盾。

要召开村民代表会议，重大事项由群众议、群众定。
"""),
    ("e_网页文章.html", "utf-8", """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>驻村工作队：把群众的事当自己的事</title></head><body>
<nav>首页 | 新闻中心 | 基层动态 | 登录 | 注册</nav>
<article><h1>驻村工作队：把群众的事当自己的事</h1>
<p>今年以来，县里选派干部组成驻村工作队，吃住在村，与群众同劳动。</p>
<p>工作队坚持开好群众会，面对面听取意见，帮助解决了一批饮水、道路问题。</p>
<p>有群众说，过去干部来村里是走过场，现在是真心实意办实事。</p>
</article>
<footer>版权所有 某县融媒体中心 备案号 12345</footer>
</body></html>
"""),
]


def make_corpus(folder: Path) -> list[Path]:
    """Write :data:`TEXTS` into ``folder`` in their encodings; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, encoding, text in TEXTS:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        paths.append(path)
    return paths


#: The user's metadata: a date (any precision; it wins over a dateline) and a genre per file.
METADATA = [
    ("a_county_report.txt", "2012-11", "investigation report"),
    ("b_self_criticism.txt", "2014-03-20", "self-criticism"),
    ("c_traditional_essay.txt", "2011", "essay"),
    ("d_speech.md", "2015-06-02", "speech"),
    ("e_网页文章.html", "2016-09", "news"),
]


def make_metadata(path: Path) -> Path:
    """A metadata CSV (``file, date, genre``) for the files of :func:`make_corpus`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(METADATA, columns=["file", "date", "genre"]).to_csv(path, index=False)
    return path


#: The survey's own column names, as a CGSS-like extract would have them.
RENAMED = {
    "resp_id": "id", "county": "xian", "township": "xiang", "village": "cun_code",
    "weight": "wt", "age": "a3_age", "female": "a2_sex_f", "educ": "a7_edu_years",
    "income": "a8_income", "party": "a10_party", "rural": "a18_hukou_rural",
    "visits": "q1_visits", "talk": "q2_talk", "petition": "q3_petition",
    "visit_down": "q4_visit_down", "follow_up": "q5_follow_up", "contact_card": "q6_card",
    "open_affairs": "q7_open", "mass_meeting": "q8_meeting", "cadre_days": "q9_days",
    "solved": "q10_solved", "sat_support": "s1", "sat_approve": "s2", "sat_happy": "s3",
    "sat_consent": "s4", "sat_content": "s5", "sat_showy": "s6", "sat_overall": "s0_overall",
    "trust": "t_trust",
}  # fmt: skip


def make_survey(folder: Path, n: int = 400, seed: int = 11) -> tuple[Path, Path]:
    """A survey CSV under its own column names, and the mapping YAML back to the standard.

    Simulated with the workbench's own data-generating process (another seed and size
    than the bundled survey), then renamed; the CSV has an extra column the codebook does
    not know (``hh_size``) and refusals coded -1 in two columns, declared in the mapping.
    """
    from workbench.survey.simulate import simulate

    folder.mkdir(parents=True, exist_ok=True)
    df = simulate(n=n, seed=seed)
    df["hh_size"] = (df["resp_id"] % 6 + 1).astype(int)
    df.loc[df.index % 37 == 0, "visits"] = -1
    df.loc[df.index % 41 == 0, "trust"] = -1
    df = df.rename(columns=RENAMED)
    csv = folder / "my_survey.csv"
    df.to_csv(csv, index=False)
    mapping = folder / "my_mapping.yaml"
    mapping.write_text(yaml.safe_dump({
        "columns": RENAMED, "missing": {"visits": [-1], "trust": [-1]},
    }, allow_unicode=True, sort_keys=True), encoding="utf-8")  # fmt: skip
    return csv, mapping


def make_places(path: Path, corpus_folder: Path) -> Path:
    """A places table: each document of the corpus in one of the survey's townships."""
    from workbench.corpus import load_corpus

    docs = load_corpus([corpus_folder]).documents["doc_id"].tolist()
    # County 1's townships 1 and 2 and county 2's township 6, in turn.
    where = [(1, 1), (1, 2), (2, 6)]
    rows = [{"doc_id": d, "county": where[i % 3][0], "township": where[i % 3][1]}
            for i, d in enumerate(sorted(docs))]  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def make_workbook(path: Path, sheets: dict, hidden: tuple[str, ...] = ()) -> Path:
    """An Excel workbook of ``{title: rows}`` made with openpyxl, as a user saves one;
    ``None`` leaves a row empty, titles in ``hidden`` are hidden sheets."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row or [], start=1):
                ws.cell(i, j, value)
        ws.sheet_state = "hidden" if title in hidden else "visible"
    book.save(path)
    return Path(path)
