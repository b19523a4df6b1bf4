from ninja import NinjaAPI

from agencies.api import router as agencies_router
from complaints.api import router as complaints_router
from exchange.api import router as exchange_router
from feedback.api import router as feedback_router
from manual.api import router as manual_router
from progress.api import router as progress_router
from readiness.api import router as readiness_router
from service_points.api import router as service_points_router

api = NinjaAPI(
    title="CITIZENinfo API",
    version="1",
    description="Agency directory, service points and the No Copy programme.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/agencies", agencies_router)
api.add_router("/manual", manual_router)
api.add_router("/service-points", service_points_router)
api.add_router("/feedback", feedback_router)
api.add_router("/readiness", readiness_router)
api.add_router("/exchange", exchange_router)
api.add_router("/progress", progress_router)
api.add_router("/complaints", complaints_router)
