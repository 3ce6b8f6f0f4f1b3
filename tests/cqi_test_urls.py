"""The project's URLs plus the CQI API, for tests/test_cqi_api.py (independent of api_urls.py)."""

from django.urls import include, path

from cqi.api import urlpatterns as cqi_api_urlpatterns
from safebabies.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/", include(cqi_api_urlpatterns)), *project_urlpatterns]
