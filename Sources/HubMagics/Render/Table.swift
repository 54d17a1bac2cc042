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

    /// Columns padded to the widest cell, separated by two spaces, header underlined.
    public var text: String {
        let all = [columns] + rows
        let widths = columns.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(columns), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// A plain `<table>` that inherits the notebook theme's colours (works in light and dark themes).
    public var html: String {
        let head = columns.map { "<th style=\"text-align:left\">\(HTML.escape($0))</th>" }.joined()
        let body = rows.enumerated().map { index, row in
            let cells = row.map { "<td style=\"text-align:left\">\(HTML.escape($0))</td>" }.joined()
            return highlighted.contains(index) ? "<tr style=\"font-weight:bold\">\(cells)</tr>" : "<tr>\(cells)</tr>"
        }.joined()
        return "<table class=\"hubkernel-table\"><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
    }
}
