from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Constant and free of the database: what a load balancer asks, and the benchmark's floor."""
    return JsonResponse({"status": "ok"})
