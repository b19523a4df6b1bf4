"""What the dashboard pages and their PDF both show: the headline figures with their charts,
and the province map."""

from django.utils import timezone

from progress import charts, selectors, sources


def summary_context(total: selectors.Figures) -> dict:
    """What every dashboard shows at the top, with its charts."""
    labels = sources.path_labels()
    paths = [(str(labels[p]), total.paths.get(p, 0)) for p in sources.PATHS]
    target = selectors.point_target()
    today = timezone.localdate()
    phases = selectors.timeline(total=total, today=today)
    for phase in phases:
        phase["chart"] = charts.timeline(phase, today=today)
    return {
        "total": total,
        "target": target,
        "points_share": total.points / target if target else None,
        "paths": paths,
        "paths_chart": charts.stacked(paths),
        "phases": phases,
        "today": today,
        "evidence": sources.copy_request_rate(),
        "complaints": sources.complaint_figures(),
        "copies_plan": sources.copies_plan_national(),
    }


def map_context() -> dict:
    rows, ptotal = selectors.provinces()
    shares = {r.key: r.copy_free_points_share for r in rows}
    names = {r.key: r.name for r in rows}
    return {
        "province_rows": rows,
        "province_total": ptotal,
        "map": charts.choropleth(shares, names),
        "legend": [dict(item, swatch=charts.swatch(item["colour"])) for item in charts.legend()],
    }
