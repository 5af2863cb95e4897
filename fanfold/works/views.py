from django.http import HttpResponse
from django.views.generic import TemplateView


def placeholder(request, **kwargs):
    return HttpResponse("not built yet")


class HomeView(TemplateView):
    template_name = "base.html"


WorkListView = HomeView
