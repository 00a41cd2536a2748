"""HTML and SVG pieces built in Python where a template loop would be too slow.

The grid of a large fair has thousands of cells; building it with ``escape`` and ``join`` costs a
few milliseconds where the template engine would take hundreds. Everything is escaped here.
"""

from __future__ import annotations

from html import escape as html_escape
from types import SimpleNamespace

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matchmaking.pages.labels import MEETING_STATUS, label
from matchmaking.reporting import GridDay
from matchmaking.services.meetings import check_in_opens_at


def grid_table(
    *, grid: GridDay, slug: str, now_slot: int | None = None, now_next: bool = False
) -> SafeString:
    """The grid as a <table>: a header row of slot times, one row per table.

    Each meeting cell links to the meeting's page (its status buttons work without JavaScript);
    the page's script opens the same buttons in a dialog instead, posting the meeting's version
    the link carries (``data-version``) so that a stale grid cannot overwrite a change, and
    preselecting who did not come to a no-show (``data-absent``: blank, both, sender or
    recipient; the cell's parties are the sender, then the recipient). Each
    slot's header carries its time range (``data-time``), its start (``data-start``) and when
    check-in opens (``data-opens``, ISO 8601), each row its table's name (``data-table``): the
    dialog shows the meeting's time and table and offers only the status changes the rules
    allow at that time.
    Names and organisations take their own direction (``dir="auto"``), so a Latin name in the
    Arabic console is cut at its end, not its start. The slot under way (``now_slot``, during
    the fair) is marked: its header is ``#grid-now`` (``aria-current="time"``, "Now"), which the
    page's script scrolls into view, and its column's cells carry ``grid-now``. In a break
    (``now_next``) ``now_slot`` is the next slot: its header is ``#grid-now`` too (so the page
    opens there), marked "Next" with ``grid-next``, without ``aria-current`` or a column.
    """
    meeting_url = escape(reverse("organiser:meeting", args=[slug, 0]).rsplit("/0/", 1)[0])
    status_text = {code: escape(label(MEETING_STATUS, code)) for code in MEETING_STATUS}
    seen: dict[str, str] = {}

    def esc(text: str) -> str:
        out = seen.get(text)
        if out is None:
            out = seen[text] = html_escape(text, quote=True)
        return out

    out = [
        '<table class="grid" data-grid><thead><tr><th class="grid-corner" scope="col">',
        escape(_("Table")),
        "</th>",
    ]
    now_word = escape(_("Next") if now_next else _("Now"))
    mark_at = next((i for i, s in enumerate(grid.slots) if s["id"] == now_slot), None)
    now_at = None if now_next else mark_at  # the column marked: the slot under way only
    for i, s in enumerate(grid.slots):
        opens = check_in_opens_at(SimpleNamespace(start=s["start"]))
        if i == mark_at and now_next:
            head = '<th scope="col" class="grid-slot grid-next" id="grid-now"'
            label_now = f'<span class="grid-now-label">{now_word}</span>'
        elif i == now_at:
            head = '<th scope="col" class="grid-slot grid-now" id="grid-now" aria-current="time"'
            label_now = f'<span class="grid-now-label">{now_word}</span>'
        else:
            head, label_now = '<th scope="col" class="grid-slot"', ""
        out.append(
            f'{head} data-time="{s["local_start"]:%H:%M}\u2013'
            f'{s["local_end"]:%H:%M}" data-start="{s["start"].isoformat()}" '
            f'data-opens="{opens.isoformat()}">{s["local_start"]:%H:%M}'
            f'<span class="grid-slot-end">{s["local_end"]:%H:%M}</span>{label_now}</th>'
        )
    out.append("</tr></thead><tbody>")
    fixed = escape(_("fixed by the organiser"))
    pin = (
        f' <svg class="pin" viewBox="0 0 10 10" aria-label="{fixed}" role="img">'
        f'<title>{fixed}</title><circle cx="5" cy="5" r="3.5"/></svg>'
    )
    booth = escape(_("own place"))
    broken = escape(_("out of service"))
    no_table = escape(_("No table"))
    free = '<td class="grid-free"></td>'
    free_now = '<td class="grid-free grid-now"></td>'
    for table, cells in grid.rows:
        name = esc(table["name"]) if table["id"] is not None else no_table
        tag = "" if table["shared"] else f'<span class="tag">{booth}</span>'
        if table.get("out_of_service"):
            tag = f'<span class="tag tag-warn" data-out-of-service>{broken}</span>'
        out.append(
            f'<tr><th scope="row" class="grid-table" data-table="{name}">'
            f'<span dir="auto">{name}</span>{tag}</th>'
        )
        for i, m in enumerate(cells):
            if m is None:
                out.append(free_now if i == now_at else free)
                continue
            status = m["status"]
            dim = " dim" if grid.filtered and not m["match"] else ""
            if i == now_at:
                dim += " grid-now"
            people = "".join(
                f'<span class="who"><span class="who-name" dir="auto">{esc(p["name"])}</span>'
                f'<span class="who-org" dir="auto">{esc(p["organisation"])}</span></span>'
                for p in m["parties"]
            )
            out.append(
                f'<td class="grid-meeting st-{status}{dim}" data-meeting="{m["id"]}">'
                f'<a href="{meeting_url}/{m["id"]}/" data-meeting-link data-status="{status}" '
                f'data-version="{m["version"]}" data-absent="{m.get("absent", "")}">'
                f'{people}<span class="st-label">{status_text.get(status, "")}'
                f"{pin if m['fixed'] and status != 'cancelled' else ''}</span></a></td>"
            )
        out.append("</tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # every value above is escaped


def bar_chart(
    counts: dict[int, int], *, width: int = 640, height: int = 220, rtl: bool = False
) -> dict:
    """Geometry of a vertical bar chart of {x value: count}, every x from 0 to the largest.

    ``rtl`` mirrors it for a right-to-left page, as the grid runs: 0 meetings on the right, the
    value axis on the right edge.
    """
    if not counts:
        return {"bars": [], "width": width, "height": height, "ticks": []}
    top_x = max(counts)
    xs = list(range(0, top_x + 1))
    peak = max(counts.values()) or 1
    left, bottom, top = 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / len(xs)

    def at(x: float, w: float = 0) -> float:  # a left edge, mirrored on a right-to-left page
        return round(width - x - w if rtl else x, 1)

    bars = []
    for i, x in enumerate(xs):
        value = counts.get(x, 0)
        h = plot_h * value / peak
        w = round(max(step * 0.8, 1), 1)
        bars.append(
            {
                "x": at(left + i * step + step * 0.1, w),
                "w": w,
                "y": round(top + plot_h - h, 1),
                "h": round(h, 1),
                "label": x,
                "value": value,
                "tx": at(left + i * step + step / 2),
                "show_label": len(xs) <= 25 or x % 5 == 0,
            }
        )
    ticks = [
        {"y": round(top + plot_h - plot_h * f, 1), "value": round(peak * f)} for f in (0, 0.5, 1)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "ticks": ticks,
        "base": top + plot_h,
        "left": left,
        "label_y": height - 10,
        # the horizontal grid lines, and the value labels beside the plot, on its start side
        "line_x1": at(left),
        "line_x2": at(width),
        "tick_x": at(left - 4),
        "tick_anchor": "start" if rtl else "end",
    }


def heat_strips(
    occupancy: list[dict], *, cell: int = 30, gap: int = 3, rtl: bool = False
) -> list[dict]:
    """One strip per day: a rectangle per slot, darker as more tables are in use; with ``rtl``
    the first slot is on the right, as in the grid of a right-to-left page."""
    days: dict = {}
    for row in occupancy:
        days.setdefault(row["date"], []).append(row)
    strips = []
    for day, rows in days.items():
        rects = []
        span = len(rows) * (cell + gap) - gap
        for i, r in enumerate(rows):
            rate = min(max(r["rate"], 0.0), 1.0)
            x = span - cell - i * (cell + gap) if rtl else i * (cell + gap)
            rects.append(
                {
                    "x": x,
                    "w": cell,
                    "opacity": round(0.06 + 0.94 * rate, 3),
                    "percent": round(rate * 100),
                    "used": r["used"],
                    "time": r["start"].strftime("%H:%M"),
                    "show_time": i % 3 == 0,
                    "tx": x + cell / 2,
                }
            )
        width = max(len(rows) * (cell + gap), 1)
        strips.append({"day": day, "rects": rects, "width": width, "box": width + 32})
    return strips


def table_plan(*, grid: GridDay) -> SafeString:
    """The printable plan of one day: a block per table listing its meetings by time."""
    seen: dict[str, str] = {}

    def esc(text: str) -> str:
        out = seen.get(text)
        if out is None:
            out = seen[text] = html_escape(text, quote=True)
        return out

    none_text = escape(_("No meetings."))
    no_table = escape(_("No table"))
    broken = escape(_("out of service"))
    out = []
    blocks: list[tuple[dict, list]] = []  # the "No table" rows make one block
    untabled: list = []
    for table, cells in grid.rows:
        booked = [
            (slot, m)
            for slot, m in zip(grid.slots, cells, strict=True)
            if m is not None and m["status"] != "cancelled"
        ]
        if table["id"] is None:
            if not untabled:
                blocks.append((table, untabled))
            untabled.extend(booked)
        else:
            blocks.append((table, booked))
    untabled.sort(key=lambda pair: pair[0]["start"])
    for table, booked in blocks:
        name = esc(table["name"]) if table["id"] is not None else no_table
        count = escape(
            ngettext("%(n)s meeting", "%(n)s meetings", len(booked)) % {"n": len(booked)}
        )
        tag = (
            f' <span class="tag tag-warn" data-out-of-service>{broken}</span>'
            if table.get("out_of_service")
            else ""
        )
        out.append(
            f'<section class="plan-table"><h2>{name}{tag} '
            f'<span class="muted small">{count}</span></h2>'
        )
        if not booked:
            out.append(f'<p class="muted">{none_text}</p></section>')
            continue
        out.append('<table class="table"><tbody>')
        for slot, m in booked:
            people = " — ".join(
                f"<strong>{esc(p['name'])}</strong> "
                f'<span class="muted">{esc(p["organisation"])}</span>'
                for p in m["parties"]
            )
            out.append(
                f'<tr><th scope="row" class="agenda-time">{slot["local_start"]:%H:%M}</th>'
                f"<td>{people}</td></tr>"
            )
        out.append("</tbody></table></section>")
    return mark_safe("".join(out))  # every value above is escaped
