"""A codebook of one's own, written by the tests: categories that are not the four of
this field, with the parts they play declared, and a category that plays none.

``grievance`` plays the problem part, ``explanation`` the cause, ``remedy`` the
countermeasure; ``actor`` plays no part. Its rules are plain terms, frequent enough in
the bundled seeds that every category is coded and the problem–cause network has links.

>>> import tempfile
>>> from pathlib import Path
>>> from workbench.coding.codebook import load_codebook
>>> cb = load_codebook(write_own_codebook(Path(tempfile.mkdtemp())))
>>> list(cb.categories), cb.category_for_part("cause"), cb.part_of("actor")
(['grievance', 'explanation', 'remedy', 'actor'], 'explanation', None)
"""

from __future__ import annotations

from pathlib import Path

OWN_CATEGORIES = ("grievance", "explanation", "remedy", "actor")

OWN_CODEBOOK = """\
version: "0.1"
title: 自己的编码表 / A codebook of one's own
categories:
  grievance:
    label_zh: 诉求
    label_en: Grievance
    part: problem
  explanation:
    label_zh: 解释
    label_en: Explanation
    part: cause
  remedy:
    label_zh: 补救
    label_en: Remedy
    part: countermeasure
  actor:
    label_zh: 行动者
    label_en: Actor
codes:
  - id: G_style
    category: grievance
    label_zh: 作风问题
    label_en: Work style
    definition: 形式主义、官僚主义等作风问题。
    rules: [[形式主义, 官僚主义, 淡薄, 干部]]
  - id: E_thought
    category: explanation
    label_zh: 思想与制度
    label_en: Thought and institutions
    definition: 以思想、制度或监督解释问题。
    rules: [[思想, 原因, 制度, 监督]]
  - id: R_strengthen
    category: remedy
    label_zh: 加强
    label_en: Strengthen
    definition: 要求加强、健全、密切。
    rules: [[加强, 健全, 密切]]
  - id: R_educate
    category: remedy
    label_zh: 教育
    label_en: Education
    definition: 要求教育干部。
    rules: [教育]
  - id: A_masses
    category: actor
    label_zh: 群众
    label_en: The masses
    definition: 提到群众。
    rules: [群众]
"""


def write_own_codebook(folder: Path, text: str = OWN_CODEBOOK) -> Path:
    """Write the codebook (or ``text``) as ``folder/own_codebook.yaml``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "own_codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path
