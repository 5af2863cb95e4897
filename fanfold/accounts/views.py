from django.http import HttpResponse


def placeholder(request, **kwargs):
    return HttpResponse("not built yet")
