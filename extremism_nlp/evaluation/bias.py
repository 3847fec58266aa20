"""Identity-term bias metrics (Borkan et al., 2019, as popularised by detoxify):

- subgroup AUC: AUC on the cases that mention the group only;
- BPSN (background positive, subgroup negative): AUC on harmful cases that do not mention
  the group and non-harmful cases that do; low means the group's mentions look harmful;
- BNSP (background negative, subgroup positive): AUC on harmful cases that mention the
  group and non-harmful cases that do not; low means attacks on the group are missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .metrics import roc_auc


def bias_metrics(scores: np.ndarray, harmful: np.ndarray, groups: Sequence[str], langs: Sequence[str]) -> dict[str, Any]:
    """Per language and identity group: subgroup AUC, BPSN AUC, BNSP AUC (None when a set
    lacks one class). ``scores`` is the model's harm score, ``harmful`` the truth."""
    groups_arr, langs_arr = np.asarray(groups), np.asarray(langs)
    harmful = harmful.astype(bool)
    result: dict[str, Any] = {}
    for lang in sorted(set(langs_arr.tolist())):
        in_lang = langs_arr == lang
        per_group = {}
        for group in sorted(set(groups_arr[in_lang].tolist())):
            subgroup = in_lang & (groups_arr == group)
            background = in_lang & ~subgroup
            bpsn = (background & harmful) | (subgroup & ~harmful)
            bnsp = (background & ~harmful) | (subgroup & harmful)
            per_group[group] = {
                "cases": int(subgroup.sum()),
                "subgroup_auc": roc_auc(harmful[subgroup], scores[subgroup]),
                "bpsn_auc": roc_auc(harmful[bpsn], scores[bpsn]),
                "bnsp_auc": roc_auc(harmful[bnsp], scores[bnsp]),
            }
        result[lang] = per_group
    return result


def bias_markdown(bias: dict[str, Any]) -> str:
    lines = ["| lang | group | cases | subgroup AUC | BPSN AUC | BNSP AUC |", "|---|---|---|---|---|---|"]
    for lang, groups in bias.items():
        for group, m in groups.items():
            cells = [f"{m[key]:.3f}" if m[key] is not None else "n/a" for key in ("subgroup_auc", "bpsn_auc", "bnsp_auc")]
            lines.append(f"| {lang} | {group} | {m['cases']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
