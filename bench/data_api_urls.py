"""The project's URLs plus ``/bench/bare-row/<number>``: a bare DRF endpoint reading one dataset row.

No authentication, no entitlement, no quota, no log: the baseline the metered data API is compared with.
"""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.access.models import DatasetRow, DatasetTable
from marketplace.urls import urlpatterns as project_urlpatterns


class BareRowView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get(self, request, code, number):
        table = DatasetTable.objects.filter(product__code=code, mode="dataset", is_current=True).first()
        row = DatasetRow.objects.filter(table=table, number=number).values_list("data", flat=True).first()
        return Response({"product": code, "rows": [row] if row else [], "next": None})


urlpatterns = [path("bench/bare-row/<str:code>/<int:number>", BareRowView.as_view()), *project_urlpatterns]
