"""Write skm/data/contoh-jatinegara-kaum-2024-S2.csv: a sample survey file modelled on the seed.

The seed report (Laporan Hasil Tindak Lanjut SKM Semester II 2024, Kelurahan Jatinegara Kaum)
prints only rounded figures. This script searches answer counts, layanan by layanan and unsur by
unsur, whose exact NRRs round to the seed's Tabel 1 and whose combined figures (the "Rata-rata"
row, every IKM Layanan and the 98,72 overall) round to it too, then writes respondents with those
answers and a plausible profile. Deterministic: the same file every run.

    .venv/bin/python scripts/make_sample.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from skm.engine import DEFAULT_QUESTIONNAIRE, Tally, UnsurCounts, combine, round_half_up

OUT = Path(__file__).resolve().parent.parent / "skm" / "data" / "contoh-jatinegara-kaum-2024-S2.csv"

#: The seed's Tabel 1: layanan -> (U1..U9), and the respondents we give each layanan.
SEED = {
    "Jumantik": ("3.93 3.94 3.93 3.93 3.93 3.93 3.93 3.93 3.93", 58),
    "Ketertiban Umum": ("3.93 3.95 3.95 3.96 3.96 3.94 3.96 3.95 3.95", 84),
    "PKK": ("3.96 3.96 3.96 3.96 3.96 3.96 3.96 3.96 3.96", 76),
    "Posyandu": ("3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95", 112),
    "PPSU": ("3.92 3.94 3.95 3.97 3.95 3.95 3.95 3.94 3.95", 67),
    "RPTRA": ("3.95 3.95 3.95 3.97 3.96 3.96 3.96 3.96 3.96", 93),
    "RT/RW, LMK dan FKDM": ("3.94 3.94 3.94 3.94 3.94 3.94 3.94 3.94 3.94", 104),
}
SEED_IKM = {"Jumantik": "3.93", "Ketertiban Umum": "3.95", "PKK": "3.96", "Posyandu": "3.95",
            "PPSU": "3.95", "RPTRA": "3.96", "RT/RW, LMK dan FKDM": "3.94"}
SEED_AVERAGE = "3.94 3.95 3.95 3.95 3.95 3.95 3.95 3.95 3.95"
SEED_AVERAGE_IKM = "3.95"
SEED_KONVERSI = "98.72"


def candidates(target: Fraction, respondents: int):
    """(answers, sum) pairs whose NRR rounds half-up to ``target``, most answers first."""
    low, high = target - Fraction(1, 200), target + Fraction(1, 200)
    for answers in range(respondents, respondents - 8, -1):
        for total in range(3 * answers, 4 * answers + 1):
            if low <= Fraction(total, answers) < high:
                yield answers, total


def pick(target: Fraction, respondents: int, aim: Fraction):
    """The candidate whose NRR is closest to ``target + aim``."""
    return min(candidates(target, respondents),
               key=lambda c: (abs(Fraction(c[1], c[0]) - target - aim), -c[0]))


def counts_for(answers: int, total: int) -> tuple[int, int, int, int]:
    threes = 4 * answers - total
    return (0, 0, threes, answers - threes)


def build(aim: Fraction):
    tallies = {}
    for name, (values, respondents) in SEED.items():
        unsur = {}
        for code, text in zip(DEFAULT_QUESTIONNAIRE.codes, values.split(), strict=True):
            answers, total = pick(Fraction(text), respondents, aim)
            unsur[code] = UnsurCounts(counts_for(answers, total))
        tallies[name] = Tally(unsur, respondents)
    return tallies


def reproduces_seed(tallies) -> bool:
    result = combine(tallies, DEFAULT_QUESTIONNAIRE)
    codes = DEFAULT_QUESTIONNAIRE.codes

    def r2(x):
        return str(round_half_up(x, 2))

    for group in result.layanan:
        if [r2(group.nrr(c)) for c in codes] != SEED[group.name][0].split():
            return False
        if r2(group.ikm) != SEED_IKM[group.name]:
            return False
    overall = result.overall
    return (
        [r2(overall.nrr(c)) for c in codes] == SEED_AVERAGE.split()
        and r2(overall.ikm) == SEED_AVERAGE_IKM
        and r2(overall.konversi) == SEED_KONVERSI
    )


def find_tallies():
    for step in range(0, 50):
        aim = Fraction(step, 10000)
        tallies = build(aim)
        if reproduces_seed(tallies):
            return tallies
    raise SystemExit("no dataset found")


def column(counts: UnsurCounts, respondents: int, rng: random.Random) -> list[str]:
    cells = []
    for value, n in zip((1, 2, 3, 4), counts.counts, strict=True):
        cells += [str(value)] * n
    cells += [""] * (respondents - counts.answers)
    rng.shuffle(cells)
    return cells


def main():
    rng = random.Random(20241217)
    tallies = find_tallies()
    codes = DEFAULT_QUESTIONNAIRE.codes
    header = ["tanggal", "layanan", *codes, "jenis_kelamin", "usia", "pendidikan", "pekerjaan",
              "saran"]
    rows = []
    start = date(2024, 7, 1)
    for name, tally in tallies.items():
        columns = [column(tally.counts(c), tally.respondents, rng) for c in codes]
        for i in range(tally.respondents):
            day = start + timedelta(days=rng.randrange(0, 184))
            rows.append([
                day.isoformat(), name, *(col[i] for col in columns),
                rng.choice("LP"),
                str(rng.randint(17, 72)),
                rng.choices(["SD", "SMP", "SMA", "DIII", "S1", "S2"], [8, 15, 45, 10, 18, 4])[0],
                rng.choices(["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"],
                            [6, 2, 2, 30, 30, 30])[0],
                rng.choice(["", "", "", "", "Pelayanan cepat, terima kasih",
                            "Mohon ruang tunggu diperluas", "Petugas ramah"]),
            ])
    rows.sort(key=lambda r: r[0])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} responden")


if __name__ == "__main__":
    main()
