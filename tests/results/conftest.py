import pytest

from skm.results import services


@pytest.fixture
def cell_reads(monkeypatch):
    """The units whose summary cells ``services`` reads from here on, one set per read."""
    seen = []
    real = services.grouped_tallies

    def recording(cells, keys):
        seen.append(set(cells.values_list("unit_id", flat=True)))
        return real(cells, keys)

    monkeypatch.setattr(services, "grouped_tallies", recording)
    return seen
