"""REST API of the monthly report: `GET /api/reports/monthly/{YYYY-MM}/` (a fixed path, DESIGN.md)
and `POST …/recompute/`. Managers and admins only; anyone else gets 404 (reports tell nothing)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import kpis, selectors, services
from .models import MonthlySnapshot
from .months import ReportInputError, parse_month


class SnapshotSummaryOutput(serializers.ModelSerializer[MonthlySnapshot]):
    class Meta:
        model = MonthlySnapshot
        fields = ["id", "computed_at", "complete", "trigger", "definitions_version", "period_end"]


class KpiOutput(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField()
    path = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    comparison = serializers.ChoiceField(choices=["min", "max"])
    met = serializers.BooleanField(allow_null=True)


class MonthlyReportOutput(serializers.ModelSerializer[MonthlySnapshot]):
    month = serializers.SerializerMethodField()
    kpis = serializers.SerializerMethodField()
    figures = serializers.JSONField()
    targets = serializers.JSONField()

    class Meta:
        model = MonthlySnapshot
        fields = [
            "id", "month", "period_start", "period_end", "complete", "computed_at", "computation_seconds",
            "trigger", "definitions_version", "targets", "kpis", "figures",
        ]  # fmt: skip

    def get_month(self, snapshot: MonthlySnapshot) -> str:
        return f"{snapshot.month:%Y-%m}"

    @extend_schema(responses=KpiOutput(many=True))  # type: ignore[misc]
    def get_kpis(self, snapshot: MonthlySnapshot) -> list[dict[str, Any]]:
        return kpis.judged(snapshot.figures, snapshot.targets)


class MonthlyReportResponse(serializers.Serializer[dict[str, Any]]):
    report = MonthlyReportOutput()
    snapshots = SnapshotSummaryOutput(many=True)


class RecomputeResponse(serializers.Serializer[dict[str, Any]]):
    month = serializers.CharField()
    request = serializers.CharField()
    detail = serializers.CharField()


SNAPSHOT = OpenApiParameter(
    "snapshot", OpenApiTypes.INT, description="An older snapshot of the month (default: the newest)."
)
MONTH = OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM (Oslo month)")


class MonthlyReportView(APIView):
    """A month's KPI snapshot: the figures, the targets in force and met / missed per KPI, and the
    month's snapshots (newest first). 404 if none has been computed yet."""

    @extend_schema(parameters=[MONTH, SNAPSHOT], responses={200: MonthlyReportResponse})
    def get(self, request: Request, month: str) -> Response:
        selectors.require_reports(request.user)
        value = parse_month(month)
        snapshots = list(selectors.snapshots_of(value))
        wanted = request.query_params.get("snapshot")
        if wanted is not None and not wanted.isdigit():
            raise ReportInputError("snapshot: give a snapshot id.", field="snapshot")
        chosen = next((s for s in snapshots if wanted is None or s.pk == int(wanted)), None)
        if chosen is None:
            raise Http404
        return Response(
            {
                "report": MonthlyReportOutput(chosen).data,
                "snapshots": SnapshotSummaryOutput(snapshots, many=True).data,
            }
        )


class MonthlyReportRecomputeView(APIView):
    """Queue a recomputation of the month: a new snapshot appears; the old ones are kept."""

    @extend_schema(parameters=[MONTH], request=None, responses={202: RecomputeResponse})
    def post(self, request: Request, month: str) -> Response:
        user = selectors.require_reports(request.user)
        value = parse_month(month)
        key = services.recompute_request(month=value, user=user)
        return Response(
            {"month": str(value), "request": key, "detail": "Recomputation queued."},
            status=status.HTTP_202_ACCEPTED,
        )
