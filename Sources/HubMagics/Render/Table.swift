import Foundation

/// A table rendered as aligned plain text and as an HTML table, so every magic's
/// tables look the same in a notebook and in a terminal.
///
/// ```swift
/// var table = Table(columns: ["source", "set", "value"])
/// table.append(["HF_TOKEN", "yes", "hf_****wxyz"])
/// RichOutput(text: table.text, html: table.html)
/// ```
public struct Table: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]
    /// Rows to emphasise (e.g. the token in force), by index.
    public var highlighted: Set<Int>

    public init(columns: [String], rows: [[String]] = [], highlighted: Set<Int> = []) {
        self.columns = columns
        self.rows = rows
        self.highlighted = highlighted
    }

    public mutating func append(_ row: [String], highlighted isHighlighted: Bool = false) {
        if isHighlighted { highlighted.insert(rows.count) }
        rows.append(row)
    }

    /// The table without the named columns where every row's cell is empty (a "fix" column when
    /// nothing needs fixing); other columns stay even when empty.
    public func droppingEmptyColumns(_ names: Set<String>) -> Table {
        let dropped = Set(columns.indices.filter { column in
            names.contains(columns[column]) && rows.allSatisfy { !$0.indices.contains(column) || $0[column].isEmpty }
        })
        guard !dropped.isEmpty else { return self }
        func kept(_ cells: [String]) -> [String] { cells.indices.filter { !dropped.contains($0) }.map { cells[$0] } }
        return Table(columns: kept(columns), rows: rows.map(kept), highlighted: highlighted)
    }

    /// Columns padded to the widest cell, separated by two spaces, header underlined.
    public var text: String {
        let widths = columnWidths
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(columns), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// A plain `<table>` that inherits the notebook theme's colours (works in light and dark themes).
    /// Short cells stay on one line and long ones (paths, explanations) wrap. JupyterLab styles tables with
    /// `table-layout:fixed` (columns as wide as the header row) and `white-space:normal` on every cell,
    /// which broke "✓ pass" under "result"; so the layout is `auto` and short cells say `nowrap` themselves.
    public var html: String { html(notes: [:], in: 0) }

    /// The HTML table with the column `name` shown inside the column before it: a non-empty cell becomes a
    /// second line, "label: text", under its neighbour's text. A narrow notebook then gives that text the whole
    /// width (`%doctor`'s fix column squeezed the detail beside it); `text` keeps both columns.
    public func html(folding name: String, label: String) -> String {
        guard let folded = columns.firstIndex(of: name), folded > 0 else { return html }
        var notes: [Int: String] = [:]
        for (index, row) in rows.enumerated() where row.indices.contains(folded) && !row[folded].isEmpty {
            notes[index] = "<div style=\"margin-top:0.25em\"><strong>\(HTML.escape(label)):</strong> \(HTML.escape(row[folded]))</div>"
        }
        func kept(_ cells: [String]) -> [String] { cells.indices.filter { $0 != folded }.map { cells[$0] } }
        return Table(columns: kept(columns), rows: rows.map(kept), highlighted: highlighted).html(notes: notes, in: folded - 1)
    }

    /// `notes[row]`: HTML added at the end of that row's cell in column `noteColumn`.
    private func html(notes: [Int: String], in noteColumn: Int) -> String {
        func cells(_ values: [String], tag: String, note: String? = nil) -> String {
            values.enumerated().map { column, value in
                let extra = column == noteColumn ? note ?? "" : ""
                let style = value.count > Self.noWrapLength || !extra.isEmpty ? Self.wrappingStyle : "text-align:left;white-space:nowrap"
                return "<\(tag) style=\"\(style)\">\(HTML.escape(value))\(extra)</\(tag)>"
            }.joined()
        }
        let body = rows.enumerated().map { index, row in
            let content = cells(row, tag: "td", note: notes[index])
            return highlighted.contains(index) ? "<tr style=\"font-weight:bold\">\(content)</tr>" : "<tr>\(content)</tr>"
        }.joined()
        return "<table class=\"hubkernel-table\" style=\"table-layout:auto\"><thead><tr>\(cells(columns, tag: "th"))</tr></thead>"
            + "<tbody>\(body)</tbody></table>"
    }

    /// Long cells wrap at spaces and, where a path has none, anywhere in it: a narrow notebook then wraps
    /// `/home/…/hub` instead of widening the table past its output area.
    static let wrappingStyle = "text-align:left;overflow-wrap:anywhere"

    /// Cells longer than this many characters may wrap in HTML; the others stay on one line.
    static let noWrapLength = 24

    /// The widest cell of each column (header included), in characters.
    private var columnWidths: [Int] {
        let all = [columns] + rows
        return columns.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
    }
}
