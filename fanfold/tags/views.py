from django.views.generic import TemplateView


class TagWorksView(TemplateView):
    template_name = "base.html"
