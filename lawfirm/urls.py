from django.urls import include, path

from core.api import api
from core.views import urls as page_urls

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("", include(page_urls)),
]
