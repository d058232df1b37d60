"""read_survey against a naive row-by-row reading, across block and chunk boundaries."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skm.engine import Tally
from skm.tabular import SurveyFileError, counting, fastcsv, read_survey, sources

U = [f"U{i}" for i in range(1, 10)]
LAYANAN = ["PKK", "Posyandu", "RT/RW, LMK", "Kesra \"A\""]

answer = st.sampled_from(["1", "2", "3", "4", "", "", " 4", "3.0"])
row = st.tuples(st.sampled_from(LAYANAN), st.lists(answer, min_size=9, max_size=9))


def naive(rows):
    """Per layanan, the tally of rows that answered at least one unsur."""
    per = {}
    for name, cells in rows:
        values = {u: int(float(c)) for u, c in zip(U, cells, strict=True) if c.strip()}
        if values:
            per.setdefault(name, []).append(values)
    return {name: Tally.from_responses(responses) for name, responses in per.items()}


def render(rows, delimiter, newline, quote_all):
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(["layanan", *U])
    for name, cells in rows:
        writer.writerow([name, *cells])
    return out.getvalue()


@pytest.fixture(params=["numpy", "text"])
def tiny_chunks(monkeypatch, request):
    """Blocks of a few rows, so every file crosses many block and chunk boundaries; once with
    the numpy path for plain blocks, once with the text path for everything."""
    monkeypatch.setattr(sources, "BLOCK_BYTES", 97)
    monkeypatch.setattr(sources, "CHUNK_ROWS", 3)
    if request.param == "text":
        monkeypatch.setattr(sources, "count_block", None)


FIXTURE_OK = [HealthCheck.function_scoped_fixture]  # tiny_chunks is the same for every example


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    rows=st.lists(row, max_size=40),
    delimiter=st.sampled_from([",", ";"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
)
def test_counts_equal_a_naive_reading(tmp_path_factory, tiny_chunks, rows, delimiter, newline,
                                      quote_all):
    path = tmp_path_factory.mktemp("r") / "data.csv"
    path.write_text(render(rows, delimiter, newline, quote_all), encoding="utf-8")
    data = read_survey(path, U)
    assert data.layanan == dict(sorted(naive(rows).items(), key=lambda kv: kv[0].casefold()))
    blank_rows = [i + 2 for i, (_, cells) in enumerate(rows) if not any(c.strip() for c in cells)]
    assert data.rows_skipped_total == len(blank_rows)
    assert data.rows_skipped == blank_rows[:20]


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    rows=st.lists(row, min_size=1, max_size=30),
    bad=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 8), st.sampled_from(["5", "x", "0"])),
                 min_size=1, max_size=30),
)
def test_every_bad_cell_is_found_in_row_order(tmp_path_factory, tiny_chunks, rows, bad):
    rows = [(name, list(cells)) for name, cells in rows]
    for r, c, value in bad:
        if r < len(rows):
            rows[r][1][c] = value
    expected = sorted(
        (r + 2, c + 1) for r, (_, cells) in enumerate(rows) for c, v in enumerate(cells)
        if v in ("5", "x", "0")
    )
    path = tmp_path_factory.mktemp("b") / "data.csv"
    path.write_text(render(rows, ";", "\n", False), encoding="utf-8")
    if not expected:
        read_survey(path, U)
        return
    with pytest.raises(SurveyFileError) as info:
        read_survey(path, U)
    assert info.value.total == len(expected)
    assert [(e.row, e.column_index) for e in info.value.errors] == expected[:20]


def test_ragged_rows_are_padded(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("layanan;U1;U2;U3\nPKK;4;3\nPKK;4;3;2;extra\n", encoding="utf-8")
    data = read_survey(path, U)
    tally = data.layanan["PKK"]
    assert (tally.respondents, tally.nrr("U1"), tally.nrr("U3")) == (2, 4, 2)


def test_header_below_a_title_block(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Rekap SKM\n\nlayanan;U1\nPKK;4\nPKK;\n", encoding="utf-8")
    data = read_survey(path, U)
    assert data.layanan["PKK"].respondents == 1
    assert data.rows_skipped == [5]


def test_text_is_read_the_same_in_one_block_or_many(tmp_path, monkeypatch):
    rows = [(LAYANAN[i % 3], [str(1 + (i * k) % 4) if (i + k) % 5 else "" for k in range(9)])
            for i in range(500)]
    path = tmp_path / "d.csv"
    path.write_text(render(rows, ";", "\n", False), encoding="utf-8")
    whole = read_survey(path, U)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 50)
    assert read_survey(path, U).layanan == whole.layanan == naive(rows)


def test_parse_answer():
    parse = counting.parse_answer
    assert [parse(v) for v in ["1", " 2 ", "3.0", "4,0", "", "  "]] == [1, 2, 3, 4, 0, 0]
    assert {parse(v) for v in ["0", "5", "4.5", "x", "1e0x", "nan", "inf"]} == {counting.BAD}


def test_numpy_and_text_paths_agree_on_a_large_plain_file(tmp_path, monkeypatch):
    rows = [
        (LAYANAN[(i * 7) % 3], [str(1 + (i * k) % 4) if (i + 2 * k) % 6 else "" for k in range(9)])
        for i in range(30_000)
    ]
    header = ["layanan", *U, "jenis_kelamin", "pendidikan"]
    body = "".join(
        ";".join([name, *cells, "LP"[i % 2], ["SMA", "S1", ""][i % 3]]) + "\n"
        for i, (name, cells) in enumerate(rows)
    )
    path = tmp_path / "plain.csv"
    path.write_text(";".join(header) + "\n" + body, encoding="utf-8")
    counted = []

    def spy(*args):
        result = fastcsv.count_block(*args)
        counted.append(result is not None)
        return result

    monkeypatch.setattr(sources, "count_block", spy)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 1 << 16)
    fast = read_survey(path, U)
    assert len(counted) > 1 and all(counted)  # every block took the numpy path
    monkeypatch.setattr(sources, "count_block", None)
    text = read_survey(path, U)
    assert fast.layanan == text.layanan == naive(rows)
    assert fast.profile == text.profile
    assert fast.profile["jenis_kelamin"] == {"L": 15_000, "P": 15_000}
