"""The summary table: running counts per unit, period, layanan and questionnaire version.

Each response adds 1 to a handful of cells (respondents, one per answered unsur slot and value,
one per profile field). Results then read a few hundred cells instead of aggregating millions
of responses. The cells are kept exactly in step with the responses (``skm.results.summary``),
and can be checked against, or rebuilt from, the responses at any time (``skm summary``).
"""

from django.db import models


class TallyCell(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("units.Period", on_delete=models.CASCADE, related_name="+")
    layanan = models.ForeignKey("units.Layanan", on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(
        "surveys.QuestionnaireVersion", on_delete=models.CASCADE, related_name="+"
    )
    #: "n" (respondents), "a1".."a15" (answer slots), "gender", "age", "education", "occupation"
    dimension = models.CharField(max_length=16)
    #: "" for n; "1".."4" for an answer; the category for a profile field ("" = not given)
    value = models.CharField(max_length=16, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "layanan", "questionnaire", "dimension", "value"],
                name="tally_cell_key",
            )
        ]


class SummaryRevision(models.Model):
    """A token that changes whenever a unit's cells in a period change, in the same transaction.

    Lets a region's figures, which read tens of thousands of cells, be remembered between
    requests: the remembered figures are keyed by the tokens of every unit below, so any change
    of any cell below gives a new key (:func:`skm.results.services.subtree_results`). A random
    token rather than a counter, so that a database restored to an earlier state can never
    make a later state look like one already seen.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("units.Period", on_delete=models.CASCADE, related_name="+")
    token = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="summary_revision_key")
        ]
