from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from skm.core.access import readable_units


@login_required
def home(request):
    return render(request, "results/home.html", {"units": readable_units(request.user)})
