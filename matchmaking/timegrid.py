"""Cutting sessions into meeting slots (pure Python, no Django): shared by the slot generator and
the demo-data builder so both lay out the same grid."""

from datetime import date, datetime, time, timedelta


def session_slots(
    *, day: date, start: time, end: time, minutes: int, breaks: list[tuple[time, time]]
) -> list[tuple[time, time]]:
    """Local (start, end) times of one session's slots: whole slots only, none overlapping a
    break (the next slot starts when the break ends)."""
    cells = []
    cursor = datetime.combine(day, start)
    stop = datetime.combine(day, end)
    step = timedelta(minutes=minutes)
    spans = [
        (datetime.combine(day, b_start), datetime.combine(day, b_end)) for b_start, b_end in breaks
    ]
    while cursor + step <= stop:
        cell_end = cursor + step
        clash = next(
            (b_end for b_start, b_end in spans if cursor < b_end and b_start < cell_end), None
        )
        if clash is not None:
            cursor = clash
            continue
        cells.append((cursor.time(), cell_end.time()))
        cursor = cell_end
    return cells
