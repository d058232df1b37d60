"""``skm results --unit SLUG --period ID``: a unit's results from the database.

Prints what ``skm compute`` prints for a file (docs/cli.md): the same JSON object with
``--format json``, the same Tabel 1 with ``--format table``, headed by the unit and the period.
Unknown unit or bad period: exit status 2, the reason on standard error, nothing on standard
output.
"""

from __future__ import annotations

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from skm.engine import COMBINE_METHODS
from skm.present import method_lines, priority_lines, profile_lines, result_dict, tabel1_lines
from skm.results.services import unit_results
from skm.units.models import Period, Unit
from skm.units.periods import parse_period

EXIT_BAD_INPUT = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat >= 1, bukan {text!r}")
    return value


class Command(BaseCommand):
    # A read-only report: skip the system checks (they import every URLconf, about 1 s).
    requires_system_checks = []
    help = (
        "Cetak hasil SKM satu unit untuk satu periode dari basis data, dalam bentuk yang sama "
        "dengan skm compute (Tabel 1 atau JSON)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="SLUG", help="slug unit")
        parser.add_argument(
            "--period", required=True, metavar="ID",
            help="periode: 2024-S2 (semester), 2024-TW3 (triwulan) atau 2024 (tahun)",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument(
            "--combine", choices=COMBINE_METHODS, default="mean_of_services",
            help="cara menggabungkan layanan menjadi IKM unit (default: mean_of_services)",
        )
        parser.add_argument(
            "--weights", choices=("equal", "0.111", "0.11"), default=None,
            help="bobot unsur (default: skema kuesioner unit, biasanya equal)",
        )
        parser.add_argument(
            "--lowest", type=_positive_int, default=1, metavar="K",
            help="jumlah unsur terendah yang dilaporkan sebagai prioritas (default 1; seri ikut)",
        )

    def handle(self, *args, **options):
        unit = Unit.objects.filter(slug=options["unit"]).first()
        if unit is None:
            raise CommandError(
                f"Unit {options['unit']!r} tidak ditemukan.", returncode=EXIT_BAD_INPUT
            )
        try:
            spec = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        period = Period.get_or_create_code(spec.code)
        results = unit_results(
            unit, period, options["combine"], options["weights"], lowest=options["lowest"]
        )
        result = results.result
        if options["format"] == "json":
            payload = result_dict(result, results.lowest, results.profile)
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        questionnaire = results.questionnaire
        lines = ["Tabel 1. Ringkasan Hasil SKM", f"{unit.name} - {period.label}",
                 *method_lines(result), ""]
        lines += tabel1_lines(result, questionnaire)
        lines += ["", *priority_lines(results.lowest, questionnaire)]
        profile = profile_lines(results.profile, result.overall.respondents)
        if profile and result.overall.respondents:
            lines += ["", *profile]
        self.stdout.write("\n".join(lines))
