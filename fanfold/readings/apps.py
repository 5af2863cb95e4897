from django.apps import AppConfig


class ReadingsConfig(AppConfig):
    name = "fanfold.readings"
