from ninja import NinjaAPI

from agencies.api import router as agencies_router

api = NinjaAPI(
    title="CITIZENinfo API",
    version="1",
    description="Agency directory, service points and the No Copy programme.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/agencies", agencies_router)
