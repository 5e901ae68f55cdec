"""The national layout of the report's tables as grids of cells (text, spans, header or number).

One layout feeds the web page, the PDF (both through ``disclosure/_grid.html``) and the .docx
(``docx_report.py``), so the three show the same merged headers in the same places.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import reference as ref

CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    head: bool = False
    num: bool = False
    key: str = ""  # the adjustable cell this shows ("三|本年新收|自然人"), if any


def _n(value, key: str = "") -> Cell:
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    else:
        text = str(value)
    return Cell(text, num=True, key=key)


def table2_grid(t2: dict) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for block in ref.TABLE2_BLOCKS:
        rows.append([Cell(block.article, colspan=4, head=True)])
        span = 3 // len(block.columns)
        rows.append([Cell("信息内容", head=True)] + [Cell(c, colspan=span, head=True) for c in block.columns])
        for name in block.rows:
            cells = [Cell(name, head=True)]
            for c in block.columns:
                k = ref.TABLE2_KEYS[c]
                cell = _n(t2[name][k], key=f"二|{name}|{k}")
                cells.append(Cell(cell.text, colspan=span, num=True, key=cell.key))
            rows.append(cells)
    return rows


def table3_grid(t3: dict) -> list[list[Cell]]:
    subs = [name for _, name in ref.LEGAL_SUBKINDS]
    rows: list[list[Cell]] = [
        [Cell(CHECK_NOTE, colspan=3, rowspan=3, head=True), Cell("申请人情况", colspan=7, head=True)],
        [Cell(ref.PERSON, rowspan=2, head=True), Cell(ref.LEGAL, colspan=5, head=True),
         Cell(ref.TOTAL, rowspan=2, head=True)],
        [Cell(s, head=True) for s in subs],
    ]

    def numbers(row: str) -> list[Cell]:
        adjustable = row != ref.RESULT_TOTAL
        return [_n(t3[row][c], key=f"三|{row}|{c}" if adjustable and c != ref.TOTAL else "")
                for c in ref.TABLE3_COLUMNS]

    rows.append([Cell(ref.ROW_LABELS[ref.NEW], colspan=3, head=True), *numbers(ref.NEW)])
    rows.append([Cell(ref.ROW_LABELS[ref.CARRIED_IN], colspan=3, head=True), *numbers(ref.CARRIED_IN)])
    result_rows = sum(len(leaves) for _, leaves in ref.RESULT_GROUPS) + 1
    first = True
    for group, leaves in ref.RESULT_GROUPS:
        lead = [Cell(ref.RESULTS_HEADING, rowspan=result_rows, head=True)] if first else []
        first = False
        if len(leaves) == 1 and leaves[0].name == group:
            rows.append([*lead, Cell(ref.GROUP_LABELS[group], colspan=2, head=True), *numbers(leaves[0].name)])
            continue
        for i, leaf in enumerate(leaves):
            group_cell = [Cell(ref.GROUP_LABELS[group], rowspan=len(leaves), head=True)] if i == 0 else []
            rows.append([*(lead if i == 0 else []), *group_cell, Cell(leaf.label, head=True), *numbers(leaf.name)])
    rows.append([Cell(ref.ROW_LABELS[ref.RESULT_TOTAL], colspan=2, head=True), *numbers(ref.RESULT_TOTAL)])
    rows.append([Cell(ref.ROW_LABELS[ref.CARRIED_OUT], colspan=3, head=True), *numbers(ref.CARRIED_OUT)])
    return rows


def table4_grid(t4: dict) -> list[list[Cell]]:
    cols = [ref.TABLE4_COLUMN_LABELS[c] for c in ref.TABLE4_COLUMNS]
    rows: list[list[Cell]] = [
        [Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)],
        [*(Cell(c, rowspan=2, head=True) for c in cols), Cell(ref.DIRECT_SUIT, colspan=5, head=True),
         Cell(ref.SUIT_AFTER_REVIEW, colspan=5, head=True)],
        [Cell(c, head=True) for c in cols * 2],
        [_n(t4[g][c], key=f"四|{g}|{c}" if c != "总计" else "") for g in ref.TABLE4_GROUPS for c in ref.TABLE4_COLUMNS],
    ]
    return rows


def matrix(grid: list[list[Cell]]) -> tuple[int, list[tuple[int, int, Cell]]]:
    """Place each cell at its (row, column) taking earlier row spans into account; (width, placed)."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, Cell]] = []
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return width, placed
