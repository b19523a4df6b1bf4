import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizeninfo.settings.production")
django_application = get_wsgi_application()

# POST /gdx/exchange skips the portal's middleware (ADR 0032); everything else is Django's.
from exchange.wsgi import with_node_api  # noqa: E402 - needs the settings loaded first

application = with_node_api(django_application)
