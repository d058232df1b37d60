"""Survey files in, tallies out: CSV and XLSX, streaming, with errors that name the cell."""

from .counting import (
    DEFAULT_LAYANAN,
    SurveyData,
    normalise_header,
    parse_answer,
    read_survey,
)
from .errors import CellError, SurveyFileError, column_letter
from .sources import cell_text, open_source

__all__ = [
    "DEFAULT_LAYANAN",
    "CellError",
    "SurveyData",
    "SurveyFileError",
    "cell_text",
    "column_letter",
    "normalise_header",
    "open_source",
    "parse_answer",
    "read_survey",
]
