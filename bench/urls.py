"""The portal's URLs plus /bench/floor/...: reachable only under bench.settings."""

from bench import floors
from ideaportal.urls import handler404  # noqa: F401
from ideaportal.urls import urlpatterns as product_urlpatterns

urlpatterns = [*product_urlpatterns, *floors.urlpatterns]
