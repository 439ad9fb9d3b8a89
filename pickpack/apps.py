from django.apps import AppConfig


class PickpackConfig(AppConfig):
    name = "pickpack"
    verbose_name = "Pick-pack"
