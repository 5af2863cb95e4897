from django.apps import AppConfig


class SeriesConfig(AppConfig):
    name = "fanfold.series"
