"""Review of flagged responses, included at ``/u/<slug>/<period>/tinjauan/``."""

from django.urls import path

from . import review

urlpatterns = [
    path("", review.review_list, name="review"),
    path("<int:pk>/", review.review_decide, name="review-decide"),
]
