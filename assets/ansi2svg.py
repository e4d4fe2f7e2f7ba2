#!/usr/bin/env python3
"""Turn a `tmux capture-pane -e -p` dump (text with SGR colour codes) into an SVG of the
terminal, one <text> per run of same-styled cells. Used by assets/screenshot.sh."""
import re
import sys
import unicodedata
from html import escape

PALETTE = ["#1e1e1e", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#dcdfe4",
           "#5c6370", "#ff7b86", "#b5e890", "#ffd68a", "#7cc4ff", "#de8fff", "#6fd6e3", "#ffffff"]
FG, BG = "#dcdfe4", "#1e1e1e"
CELL_W, CELL_H, FONT = 9, 18, 15


def color256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        r, g, b = n // 36, (n // 6) % 6, n % 6
        v = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (v[r], v[g], v[b])
    g = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (g, g, g)


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def main():
    lines = sys.stdin.read().split("\n")
    cols = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    rows = len(lines)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (cols * CELL_W + 16, rows * CELL_H + 16),
           '<rect width="100%%" height="100%%" fill="%s"/>' % BG]
    sgr = re.compile(r"\x1b\[([0-9;]*)m")
    for y, line in enumerate(lines):
        fg, bg, bold, rev, x = FG, None, False, False, 0
        pos = 0
        for m in list(sgr.finditer(line)) + [None]:
            chunk = line[pos:m.start()] if m else line[pos:]
            if chunk:
                f, b = (bg or BG, fg) if rev else (fg, bg)
                w = sum(width(c) for c in chunk)
                px, py = 8 + x * CELL_W, 8 + y * CELL_H
                if b:
                    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (px, py, w * CELL_W, CELL_H, b))
                out.append('<text x="%d" y="%d" fill="%s" font-family="DejaVu Sans Mono, monospace" font-size="%d"%s xml:space="preserve" textLength="%d" lengthAdjust="spacingAndGlyphs">%s</text>'
                           % (px, py + CELL_H - 5, f, FONT, ' font-weight="bold"' if bold else "", w * CELL_W, escape(chunk)))
                x += w
            if not m:
                break
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, bold, rev = FG, None, False, False
                elif c == 1:
                    bold = True
                elif c == 7:
                    rev = True
                elif c in (22,):
                    bold = False
                elif c == 27:
                    rev = False
                elif 30 <= c <= 37:
                    fg = PALETTE[c - 30]
                elif 90 <= c <= 97:
                    fg = PALETTE[c - 90 + 8]
                elif c == 39:
                    fg = FG
                elif 40 <= c <= 47:
                    bg = PALETTE[c - 40]
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    if c == 38:
                        fg = color256(codes[i + 2])
                    else:
                        bg = color256(codes[i + 2])
                    i += 2
                i += 1
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
