import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.production")
django_application = get_wsgi_application()

# POST /gdx/exchange skips the portal's middleware (ADR 0032); everything else is Django's.
from exchange.wsgi import with_node_api  # noqa: E402 - needs the settings loaded first

application = with_node_api(django_application)

# What start-up loaded (Django, the apps, their modules) lives as long as the process: the
# cyclic collector need not walk it at every full collection (measured: ADR 0134).
gc.freeze()
