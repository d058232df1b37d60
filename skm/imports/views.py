"""Importing a survey file in the web UI (``/u/<slug>/impor/``).

The steps, each a plain page that works without JavaScript:

1. ``import-upload``: the file and its options. The file is stored under ``VAR_DIR/imports/``
   (never served) and an :class:`~skm.imports.models.ImportJob` created for it.
2. ``import-job`` (the job's page): every column of the file with what it was matched to and
   its first values; a select per column changes the match (and can be saved as a named
   mapping). "Periksa" checks the file (a dry run), "Impor" imports it.
3. The run is a background job (:mod:`skm.imports.jobs`); the page polls ``import-status``
   with htmx (or reloads itself without JavaScript) until the job ends, then shows the
   outcome: the summary, the first bad cells (``import-errors`` downloads every one) or the
   earlier import of the same file.

Every view finds its unit with ``get_unit(manage=True)`` and the job among that unit's jobs: a
job of another unit is a 404, like a unit the user may not manage.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skm.core.access import get_unit
from skm.followup.services import tanggal_id
from skm.formatting import integer_id
from skm.surveys.recording import current_period, questionnaire_for
from skm.tabular.errors import SurveyFileError
from skm.units.periods import parse_period

from . import jobs
from .importing import save_mapping
from .matching import Matcher
from .models import ColumnMapping, ImportJob

# ---- step 1: the upload -----------------------------------------------------------------------


class UploadForm(forms.Form):
    berkas = forms.FileField(label=gettext_lazy("Berkas (CSV atau XLSX)"))
    periode = forms.CharField(label=gettext_lazy("Periode"), max_length=20,
                              help_text=gettext_lazy("mis. 2025-S1, 2025-TW2 atau 2025"))
    layanan = forms.ChoiceField(
        label=gettext_lazy("Layanan untuk seluruh berkas"), required=False,
        help_text=gettext_lazy("Untuk berkas tanpa kolom layanan, atau baris yang layanannya "
                               "kosong."))
    pemetaan = forms.ChoiceField(label=gettext_lazy("Pemetaan kolom tersimpan"),
                                 required=False)
    lewati_duplikat = forms.BooleanField(
        label=gettext_lazy("Lewati baris duplikat (sama dengan jawaban yang sudah tersimpan)"),
        required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["layanan"].choices = [("", _("— dari kolom layanan —"))] + [
            (lay.slug, lay.name) for lay in unit.layanan.all()]
        self.fields["pemetaan"].choices = [("", _("— tanpa pemetaan —"))] + [
            (name, name) for name in ColumnMapping.objects.filter(unit=unit)
            .order_by("name").values_list("name", flat=True)]

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        if upload.size > jobs.max_bytes():
            raise forms.ValidationError(
                _("Berkas terlalu besar: paling besar %(mb)s MB.")
                % {"mb": integer_id(jobs.max_bytes() // (1024 * 1024))})
        if Path(upload.name).suffix.casefold() not in jobs.ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Jenis berkas tidak dikenal: unggah CSV, XLSX, XLS atau ODS."))
        return upload

    def clean_periode(self):
        try:
            return parse_period(self.cleaned_data["periode"].strip()).code
        except ValueError:
            raise forms.ValidationError(
                _("Periode tidak dikenal: tulis mis. 2025-S1, 2025-TW2 atau 2025.")) from None


def _job_url(job: ImportJob) -> str:
    return reverse("import-job", kwargs={"slug": job.unit.slug, "job": job.pk})


@login_required
def upload(request, slug):
    """The upload form; a valid upload becomes a job and leads to its column analysis."""
    unit = get_unit(request.user, slug, manage=True)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            mapping = {}
            if data["pemetaan"]:
                mapping = ColumnMapping.objects.get(unit=unit, name=data["pemetaan"]).mapping
            job = ImportJob.objects.create(
                unit=unit, user=request.user, file_name=data["berkas"].name[:255],
                file_path=str(jobs.store_upload(data["berkas"])),
                options={"period": data["periode"], "layanan": data["layanan"],
                         "mapping": mapping, "mapping_name": data["pemetaan"],
                         "skip_duplicates": data["lewati_duplikat"]},
            )
            return redirect(_job_url(job))
    elif request.method == "GET":
        jobs.sweep()
        form = UploadForm(unit=unit, initial={"periode": current_period(unit).code})
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    recent = ImportJob.objects.filter(unit=unit).select_related("user")[:10]
    return render(request, "imports/upload.html", {
        "unit": unit, "form": form, "recent": recent,
        "max_mb": integer_id(jobs.max_bytes() // (1024 * 1024)),
    })


# ---- step 2 and 3: the job's page -------------------------------------------------------------


def _job_or_404(request, slug, job) -> ImportJob:
    unit = get_unit(request.user, slug, manage=True)
    found = get_object_or_404(ImportJob.objects.select_related("unit", "user"), pk=job,
                              unit=unit)
    return jobs.expire_if_stale(found)


def _chosen_mapping(request, job: ImportJob, analysis) -> tuple[dict, list[str]]:
    """The mapping the selects describe: only what differs from the automatic match, so a saved
    mapping stays small. Also the problems of the choice, each naming its columns."""
    valid = {value for value, _label in analysis.targets} | {""}
    plain = Matcher(questionnaire_for(job.unit).to_engine())
    mapping, chosen, problems = {}, {}, []
    for column in analysis.columns:
        if not column.header.strip():
            continue
        target = request.POST.get(f"kolom-{column.index}", column.target)
        if target not in valid:
            problems.append(_("Kolom %(col)s: pilihan %(value)r tidak dikenal.")
                            % {"col": column.letter, "value": target})
            continue
        if target != (plain.target(column.header) or ""):
            mapping[column.header] = target
        if target:
            chosen.setdefault(target, []).append(column.letter)
    for target, letters in chosen.items():
        if len(letters) > 1:
            problems.append(_("Kolom %(cols)s sama-sama dipetakan ke %(target)s; pilih satu.")
                            % {"cols": ", ".join(letters), "target": target})
    if "layanan" not in chosen and not job.options.get("layanan"):
        problems.append(_("Tidak ada kolom layanan: petakan satu kolom ke Layanan, atau unggah "
                          "lagi dengan layanan untuk seluruh berkas."))
    if not any(t in chosen for t, _label in analysis.targets[:len(plain.codes)]):
        problems.append(_("Tidak ada kolom unsur: petakan kolom jawaban ke U1..U9."))
    return mapping, problems


def _can_run(job: ImportJob) -> bool:
    """Mapping and running are possible while the upload is kept and nothing runs."""
    return bool(job.file_path) and not job.active and not (
        job.status == ImportJob.Status.DONE and not job.dry_run)


@login_required
def job_page(request, slug, job):
    """The job's page: analysis and mapping, progress, or the outcome, as the job stands.
    A POST chooses the mapping (optionally saving it) and starts a check or the import."""
    job = _job_or_404(request, slug, job)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    analysis, analysis_error, problems = None, "", []
    if _can_run(job):
        try:
            analysis = jobs.analyse(job, job.options.get("mapping"))
        except SurveyFileError as exc:
            analysis_error = exc.message
    if request.method == "POST":
        if analysis is None:
            messages.error(request, analysis_error or _("Berkas ini tidak dapat diproses lagi; "
                                                       "unggah berkas itu lagi."))
            return redirect(_job_url(job))
        mapping, problems = _chosen_mapping(request, job, analysis)
        name = request.POST.get("simpan_nama", "").strip()[:100]
        if not problems:
            job.options = {**job.options, "mapping": mapping}
            if name:
                save_mapping(job.unit, name, mapping)
                messages.success(request, _("Pemetaan kolom “%(name)s” disimpan.")
                                 % {"name": name})
            jobs.start(job, dry_run=request.POST.get("aksi") != "impor")
            return redirect(_job_url(job))
        analysis = jobs.analyse(job, mapping)  # show the choice again, with the problems
    return render(request, "imports/job.html", {
        "unit": job.unit, "job": job, "analysis": analysis, "analysis_error": analysis_error,
        "problems": problems, "outcome": _outcome(job), "percent": round(job.fraction * 100),
        "rows_done": integer_id(job.rows_done),
        "status_url": reverse("import-status", kwargs={"slug": job.unit.slug, "job": job.pk}),
        "upload_url": reverse("import-upload", kwargs={"slug": job.unit.slug}),
    }, status=400 if problems else 200)


def _outcome(job: ImportJob) -> dict | None:
    """The job's result as the templates show it (dates and numbers in Indonesian)."""
    result = dict(job.result or {})
    if not result:
        return None
    if result.get("kind") == "refused" and result.get("first"):
        first = dict(result["first"])
        when = parse_datetime(first["created"])
        first["date"] = tanggal_id(timezone.localtime(when).date()) if when else ""
        result["first"] = first
    if result.get("kind") == "ok":
        result["rows_text"] = integer_id(result.get("rows", 0))
        result["per_layanan"] = [(name, integer_id(n)) for name, n in result.get("per_layanan", [])]
        result["results_url"] = reverse(
            "results", kwargs={"slug": job.unit.slug, "period": job.options["period"]})
    if result.get("kind") == "invalid":
        result["more"] = max(result["total"] - len(result["errors"]), 0)
        result["errors_url"] = reverse("import-errors",
                                       kwargs={"slug": job.unit.slug, "job": job.pk})
    return result


def _status_data(job: ImportJob) -> dict:
    return {
        "id": job.pk, "status": job.status, "dry_run": job.dry_run, "rows_done": job.rows_done,
        "fraction": round(job.fraction, 4), "error_count": job.error_count,
        "finished": job.finished.isoformat() if job.finished else None,
        "result": (job.result or {}).get("kind"),
    }


@login_required
def job_status(request, slug, job):
    """The job's progress: JSON (``?format=json`` or an Accept of application/json), else the
    progress fragment the page polls with htmx; once the job has ended, htmx reloads the page."""
    job = _job_or_404(request, slug, job)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    wants_json = request.GET.get("format") == "json" or (
        "application/json" in request.headers.get("Accept", ""))
    if wants_json:
        return JsonResponse(_status_data(job))
    response = render(request, "imports/_progress.html", {
        "job": job, "percent": round(job.fraction * 100),
        "status_url": reverse("import-status", kwargs={"slug": job.unit.slug, "job": job.pk}),
        "rows_done": integer_id(job.rows_done),
    })
    if not job.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_errors(request, slug, job):
    """Every bad cell of the job's last run as CSV (the page shows the first 100)."""
    job = _job_or_404(request, slug, job)
    path = jobs.errors_path(job)
    if not path.is_file():
        raise Http404(_("Tidak ada daftar sel tidak valid untuk impor ini."))
    name = f"galat-impor-{Path(job.file_name).stem or job.pk}.csv"
    # read whole: at most 200,000 cells are kept (a few MB), and a plain response can be checked
    response = HttpResponse(path.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response

