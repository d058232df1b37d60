"""The regulation in code: PermenPANRB 14/2017 computed exactly.

Pure Python, no Django and no I/O. Every number a citizen or an auditor sees is computed here,
from integer tallies, with exact arithmetic; rounding happens only when a figure is published.
"""

from .errors import EngineError
from .followup import completion_percent
from .index import (
    COMBINE_METHODS,
    GRADE_BOUNDS,
    CombinedResult,
    Grade,
    GroupResult,
    GroupSums,
    Method,
    UnsurResult,
    combine,
    evaluate,
    grade,
    grade_of_nilai,
    grade_table,
    konversi,
    mean_of_groups,
    mean_of_sums,
)
from .priorities import Priority, priorities, priority_codes, ranking
from .questionnaire import (
    DEFAULT_QUESTIONNAIRE,
    DEFAULT_UNSUR,
    LEGACY_WEIGHTS,
    WEIGHT_SCHEMES,
    Questionnaire,
    Unsur,
)
from .rounding import round_half_up, round_to_int
from .sample import krejcie_morgan
from .tally import ANSWER_VALUES, Tally, UnsurCounts

__all__ = [
    "ANSWER_VALUES",
    "COMBINE_METHODS",
    "DEFAULT_QUESTIONNAIRE",
    "DEFAULT_UNSUR",
    "GRADE_BOUNDS",
    "LEGACY_WEIGHTS",
    "WEIGHT_SCHEMES",
    "CombinedResult",
    "EngineError",
    "Grade",
    "GroupResult",
    "GroupSums",
    "Method",
    "Priority",
    "Questionnaire",
    "Tally",
    "Unsur",
    "UnsurCounts",
    "UnsurResult",
    "combine",
    "completion_percent",
    "evaluate",
    "grade",
    "grade_of_nilai",
    "grade_table",
    "konversi",
    "krejcie_morgan",
    "mean_of_groups",
    "mean_of_sums",
    "priorities",
    "priority_codes",
    "ranking",
    "round_half_up",
    "round_to_int",
]
