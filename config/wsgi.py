import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# The API's hot reads that succeed skip Django's handler and middleware (orders/api/hot.py); imported once Django
# is set up.
from orders.api.hot import HotReads  # noqa: E402

application = HotReads(django_application)
