"""The ``skm`` command.

``skm compute FILE`` and ``skm sample-size N`` are a contract: scripts and later features rely on
their options, output and exit codes (0 ok, 2 bad input or usage).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .engine import (
    COMBINE_METHODS,
    DEFAULT_QUESTIONNAIRE,
    EngineError,
    combine,
    krejcie_morgan,
    priorities,
)
from .present import method_lines, priority_lines, profile_lines, result_dict, tabel1_lines
from .tabular import SurveyFileError, read_survey

EXIT_BAD_INPUT = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(".", "").replace("_", "")) if text.strip() else None
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"harus bilangan bulat >= 1, bukan {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skm",
        description="Survei Kepuasan Masyarakat (PermenPANRB 14/2017): hitung IKM dengan tepat.",
        epilog="Perintah lain (serve, demo, results, migrate, createsuperuser, ...) adalah "
        "perintah Django: skm help.",
    )
    parser.add_argument("--version", action="version", version=f"skm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    compute = sub.add_parser(
        "compute",
        help="hitung NRR, IKM, mutu dan kinerja dari berkas CSV/XLSX (satu baris per responden)",
        description="Hitung NRR per unsur, IKM per layanan dan IKM unit dari berkas CSV atau XLSX.",
    )
    compute.add_argument("file", metavar="FILE", help="berkas .csv atau .xlsx")
    compute.add_argument("--format", choices=("table", "json"), default="table")
    compute.add_argument(
        "--weights",
        choices=("equal", "0.111", "0.11"),
        default="equal",
        help="bobot unsur: equal (1/n, default) atau konstanta lama 0.111 / 0.11",
    )
    compute.add_argument(
        "--combine",
        choices=COMBINE_METHODS,
        default="mean_of_services",
        help="cara menggabungkan layanan menjadi IKM unit (default: mean_of_services)",
    )
    compute.add_argument(
        "--lowest",
        type=_positive_int,
        default=1,
        metavar="K",
        help="jumlah unsur terendah yang dilaporkan sebagai prioritas (default 1; seri ikut)",
    )
    compute.set_defaults(func=cmd_compute)

    sample = sub.add_parser(
        "sample-size",
        help="jumlah sampel minimum (Krejcie-Morgan) untuk populasi N",
        description="Cetak jumlah sampel minimum Krejcie-Morgan untuk populasi N.",
    )
    sample.add_argument("population", type=_positive_int, metavar="N")
    sample.set_defaults(func=cmd_sample_size)
    return parser


def cmd_compute(args) -> int:
    questionnaire = DEFAULT_QUESTIONNAIRE.with_weights(args.weights)
    try:
        data = read_survey(args.file, questionnaire.codes)
    except SurveyFileError as exc:
        print("\n".join(exc.lines()), file=sys.stderr)
        return EXIT_BAD_INPUT
    result = combine(data.layanan, questionnaire, args.combine)
    lowest = priorities(result.overall.nrr_map(), lowest=args.lowest)
    for warning in data.warnings:
        print(f"Peringatan: {warning}", file=sys.stderr)
    if args.format == "json":
        payload = result_dict(result, lowest, data.profile)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    lines = ["Tabel 1. Ringkasan Hasil SKM", *method_lines(result), ""]
    lines += tabel1_lines(result, questionnaire)
    lines += ["", *priority_lines(lowest, questionnaire)]
    profile = profile_lines(data.profile, result.overall.respondents)
    if profile:
        lines += ["", *profile]
    print("\n".join(lines))
    return 0


def cmd_sample_size(args) -> int:
    print(krejcie_morgan(args.population))
    return 0


OWN_COMMANDS = ("compute", "sample-size")


def run_django(argv: list[str]) -> int:
    """Everything else is a Django management command: migrate, createsuperuser, serve, demo,
    results, check --deploy, ..."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skm.settings")
    from django.core.management import execute_from_command_line

    if argv and not argv[0].startswith("-"):  # `skm report-template` is report_template
        argv = [argv[0].replace("-", "_"), *argv[1:]]
    execute_from_command_line(["skm", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] not in OWN_COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        return run_django(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EngineError as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
